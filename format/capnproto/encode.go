package capnproto

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowcol"
)

// val is one value to encode: index i of array a (not yet resolved by Reader.At).
type val struct {
	a arrow.Array
	i int
}

// rawGet returns the raw bits of a resolved, non-NULL value for a primitive field type.
type rawGet func(a arrow.Array, i int) (uint64, error)

// compileRaw returns the reader of a column's values as raw bits of a primitive type,
// refusing values out of the type's range.
func (c *compiler) compileRaw(typ *ctype, r *arrowcol.Reader) (rawGet, error) {
	if cl := r.Class; cl == arrowcol.List || cl == arrowcol.Map || cl == arrowcol.Struct {
		return nil, fmt.Errorf("type %s cannot be written to a %s", r.Type, typ)
	}
	switch typ.tag {
	case tBool:
		get := arrowcol.FloatGetter(r)
		return func(a arrow.Array, i int) (uint64, error) {
			v, err := get(a, i)
			if v != 0 {
				return 1, err
			}
			return 0, err
		}, nil
	case tInt8, tInt16, tInt32, tInt64:
		bits := map[uint16]uint{tInt8: 8, tInt16: 16, tInt32: 32, tInt64: 64}[typ.tag]
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if bits < 64 {
			lo, hi = -1<<(bits-1), 1<<(bits-1)-1
		}
		get := arrowcol.IntGetter(r)
		if r.Class == arrowcol.Decimal {
			// ClickHouse stores Decimal as the unscaled integer.
			get = func(a arrow.Array, i int) (int64, error) {
				v, ok := arrowcol.DecimalFits64(r.Decimal(a, i))
				if !ok {
					return 0, fmt.Errorf("decimal value out of range of %s", typ)
				}
				return v, nil
			}
		}
		return func(a arrow.Array, i int) (uint64, error) {
			v, err := get(a, i)
			if err != nil {
				return 0, err
			}
			if v < lo || v > hi {
				return 0, fmt.Errorf("value %d out of range of %s", v, typ)
			}
			return uint64(v), nil
		}, nil
	case tUint8, tUint16, tUint32, tUint64:
		bits := map[uint16]uint{tUint8: 8, tUint16: 16, tUint32: 32, tUint64: 64}[typ.tag]
		get := arrowcol.UintGetter(r)
		return func(a arrow.Array, i int) (uint64, error) {
			v, err := get(a, i)
			if err != nil {
				return 0, err
			}
			if bits < 64 && v >= 1<<bits {
				return 0, fmt.Errorf("value %d out of range of %s", v, typ)
			}
			return v, nil
		}, nil
	case tFloat32:
		get := arrowcol.FloatGetter(r)
		return func(a arrow.Array, i int) (uint64, error) {
			v, err := get(a, i)
			return f32bits(v), err
		}, nil
	case tFloat64:
		get := arrowcol.FloatGetter(r)
		return func(a arrow.Array, i int) (uint64, error) {
			v, err := get(a, i)
			return math.Float64bits(v), err
		}, nil
	case tEnum:
		var names map[string]uint64
		if n := c.set.nodes[typ.id]; n != nil {
			names = make(map[string]uint64, len(n.enumerants))
			for k, e := range n.enumerants {
				names[e] = uint64(k)
			}
		}
		if r.Class == arrowcol.Bytes {
			return func(a arrow.Array, i int) (uint64, error) {
				v, ok := names[string(r.Bytes(a, i))]
				if !ok {
					return 0, fmt.Errorf("enum has no enumerant %q", r.Bytes(a, i))
				}
				return v, nil
			}, nil
		}
		get := arrowcol.IntGetter(r)
		return func(a arrow.Array, i int) (uint64, error) {
			v, err := get(a, i)
			if err != nil {
				return 0, err
			}
			if v < 0 || v > math.MaxUint16 {
				return 0, fmt.Errorf("value %d out of range of an enum", v)
			}
			return uint64(v), nil
		}, nil
	}
	return nil, fmt.Errorf("%s is not a primitive type", typ)
}

// blobGet returns the bytes to write to a Text or Data field.
func blobGet(typ *ctype, r *arrowcol.Reader) (func(dst []byte, a arrow.Array, i int) []byte, error) {
	if cl := r.Class; cl == arrowcol.List || cl == arrowcol.Map || cl == arrowcol.Struct {
		return nil, fmt.Errorf("type %s cannot be written to %s", r.Type, typ)
	}
	loc := arrowcol.Location(r.Type.TZ)
	raw := r.Class == arrowcol.Bytes && (r.Type.Kind != block.UUID || typ.tag == tData)
	return func(dst []byte, a arrow.Array, i int) []byte {
		if raw {
			return append(dst, r.Bytes(a, i)...)
		}
		return arrowcol.AppendText(dst, r, a, i, loc)
	}, nil
}

func putPrim(b *builder, data int, typ *ctype, off uint32, raw uint64) {
	switch typ.tag {
	case tBool:
		b.putBit(data, off, raw != 0)
	case tInt8, tUint8:
		b.put8(data, off, raw)
	case tInt16, tUint16, tEnum:
		b.put16(data, off, raw)
	case tInt32, tUint32, tFloat32:
		b.put32(data, off, raw)
	default:
		b.put64(data, off, raw)
	}
}

// encStruct is a struct compiled for encoding from its outs.
type encStruct struct {
	node   *cnode
	fields []*encField
}

type encField struct {
	b       *binding
	r       *arrowcol.Reader   // reader of the out
	rs      []*arrowcol.Reader // vFlat: readers of the outs
	raw     rawGet
	blob    func(dst []byte, a arrow.Array, i int) []byte
	list    *encList
	sub     *encStruct
	value   *encField
	scratch []val
	tmp     []byte
}

type encList struct {
	ls      *listShape
	r       *arrowcol.Reader // element reader
	raw     rawGet
	blob    func(dst []byte, a arrow.Array, i int) []byte
	sub     *encList
	st      *encStruct
	value   *encField
	entries *encList
	scratch []val
	tmp     []byte
}

func (c *compiler) compileEnc(sb *structBind, rs []*arrowcol.Reader) (*encStruct, error) {
	e := &encStruct{node: sb.node}
	for _, b := range sb.fields {
		f, err := c.compileEncField(b, rs)
		if err != nil {
			return nil, err
		}
		e.fields = append(e.fields, f)
	}
	return e, nil
}

func (c *compiler) compileEncField(b *binding, rs []*arrowcol.Reader) (*encField, error) {
	f := &encField{b: b}
	if b.kind == vFlat {
		f.rs = make([]*arrowcol.Reader, len(b.outs))
		for k, o := range b.outs {
			f.rs[k] = rs[o]
		}
		sub, err := c.compileEnc(b.sub, f.rs)
		if err != nil {
			return nil, err
		}
		f.sub, f.scratch = sub, make([]val, len(b.outs))
		return f, nil
	}
	f.r = rs[b.out]
	var err error
	switch b.kind {
	case vPrim:
		f.raw, err = c.compileRaw(b.f.typ, f.r)
	case vBlob:
		f.blob, err = blobGet(b.f.typ, f.r)
	case vList:
		f.list, err = c.compileEncList(b.list, f.r.Elem)
	case vTuple:
		f.sub, err = c.compileEnc(b.sub, f.r.Fields)
		f.scratch = make([]val, len(f.r.Fields))
	case vNullable:
		f.value, err = c.compileEncField(b.value, []*arrowcol.Reader{f.r})
		f.scratch = make([]val, 1)
	case vMap:
		f.list, err = c.compileEncList(b.list, nil)
		if err == nil {
			f.list.st, err = c.compileEnc(b.sub, []*arrowcol.Reader{f.r.Key, f.r.Value})
			f.list.scratch = make([]val, 2)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", b.full, err)
	}
	return f, nil
}

func (c *compiler) compileEncList(ls *listShape, r *arrowcol.Reader) (*encList, error) {
	el := &encList{ls: ls, r: r}
	var err error
	switch {
	case ls.sub != nil:
		el.sub, err = c.compileEncList(ls.sub, r.Elem)
	case ls.size == szComposite:
		if r == nil { // a map's entries: compiled by the caller
			return el, nil
		}
		switch ls.stKind {
		case vTuple:
			el.st, err = c.compileEnc(ls.st, r.Fields)
			el.scratch = make([]val, len(r.Fields))
		case vNullable:
			el.value, err = c.compileEncField(ls.value, []*arrowcol.Reader{r})
			el.scratch = make([]val, 1)
		case vMap:
			el.entries, err = c.compileEncList(ls.entries.list, nil)
			if err == nil {
				el.entries.st, err = c.compileEnc(ls.entries.sub, []*arrowcol.Reader{r.Key, r.Value})
				el.entries.scratch = make([]val, 2)
			}
		}
	case ls.size == szPointer:
		el.blob, err = blobGet(ls.elem, r)
	default:
		el.raw, err = c.compileRaw(ls.elem, r)
	}
	return el, err
}

// encode writes the fields bound to vals into the struct at data (its data section's
// word offset) whose pointer section starts at ptrs.
func (e *encStruct) encode(b *builder, data, ptrs int, vals []val) error {
	for _, f := range e.fields {
		if err := f.encode(b, e.node, data, ptrs, vals); err != nil {
			return inField(f.b.f.name, err)
		}
	}
	return nil
}

// target returns the struct a group or struct-pointer field's value lives in.
func (f *encField) target(b *builder, data, ptrs int) (int, int) {
	if f.b.group {
		return data, ptrs
	}
	n := f.b.inner
	off := b.newStruct(ptrs+int(f.b.f.offset), n.dataWords, n.ptrWords)
	return off, off + n.dataWords
}

func (f *encField) encode(b *builder, n *cnode, data, ptrs int, vals []val) error {
	bd := f.b
	if bd.f.disc != noDiscriminant {
		b.put16(data, n.discOffset, uint64(bd.f.disc))
	}
	if bd.kind == vFlat {
		for k, o := range bd.outs {
			f.scratch[k] = vals[o]
		}
		d, p := f.target(b, data, ptrs)
		return f.sub.encode(b, d, p, f.scratch)
	}
	v := vals[bd.out]
	return f.value1(b, data, ptrs, v.a, v.i)
}

// value1 writes one value (a, i) of the field into the struct at data/ptrs.
func (f *encField) value1(b *builder, data, ptrs int, arr arrow.Array, idx int) error {
	bd := f.b
	switch bd.kind {
	case vNullable:
		d, p := f.target(b, data, ptrs)
		if arr.IsNull(idx) {
			b.put16(d, bd.value.node.discOffset, uint64(bd.nullDisc))
			return nil
		}
		b.put16(d, bd.value.node.discOffset, uint64(bd.valueDisc))
		return f.value.value1(b, d, p, arr, idx)
	case vTuple:
		a, i, null := f.r.At(arr, idx)
		if null {
			return nil
		}
		d, p := f.target(b, data, ptrs)
		for k := range f.scratch {
			f.scratch[k] = val{f.r.Field(a, k), i}
		}
		return f.sub.encode(b, d, p, f.scratch)
	}
	a, i, null := f.r.At(arr, idx)
	if null {
		return nil
	}
	switch bd.kind {
	case vPrim:
		raw, err := f.raw(a, i)
		if err != nil {
			return err
		}
		putPrim(b, data, bd.f.typ, bd.f.offset, raw^bd.f.defBits)
	case vBlob:
		f.tmp = f.blob(f.tmp[:0], a, i)
		b.blob(ptrs+int(bd.f.offset), f.tmp, bd.text)
	case vList:
		values, s, e := f.r.List(a, i)
		return f.list.write(b, ptrs+int(bd.f.offset), values, s, e)
	case vMap:
		_, p := f.target(b, data, ptrs)
		keys, items, s, e := f.r.MapEntries(a, i)
		return f.list.writeEntries(b, p+int(bd.value.f.offset), keys, items, s, e)
	}
	return nil
}

// write writes elements [s, e) of values as a list at pointer word ptr.
func (l *encList) write(b *builder, ptr int, values arrow.Array, s, e int) error {
	n := e - s
	ls := l.ls
	switch ls.size {
	case szComposite:
		node := ls.stNode
		dw, pw := node.dataWords, node.ptrWords
		off := b.alloc(1 + n*(dw+pw))
		b.setWord(off, uint64(n)<<2|uint64(dw)<<32|uint64(pw)<<48)
		b.listPtr(ptr, off, szComposite, n*(dw+pw))
		for k := range n {
			d := off + 1 + k*(dw+pw)
			if err := l.element(b, d, d+dw, values, s+k); err != nil {
				return err
			}
		}
		return nil
	case szPointer:
		off := b.alloc(n)
		b.listPtr(ptr, off, szPointer, n)
		for k := range n {
			if l.sub != nil {
				ev, es, ee := l.r.List(values, s+k)
				if err := l.sub.write(b, off+k, ev, es, ee); err != nil {
					return err
				}
				continue
			}
			a, i, null := l.r.At(values, s+k)
			if null {
				continue // a null pointer
			}
			l.tmp = l.blob(l.tmp[:0], a, i)
			b.blob(off+k, l.tmp, ls.text)
		}
		return nil
	}
	bits := []int{0, 1, 8, 16, 32, 64}[ls.size]
	off := b.alloc((n*bits + 63) / 64)
	b.listPtr(ptr, off, ls.size, n)
	for k := range n {
		a, i, null := l.r.At(values, s+k)
		if null {
			return fmt.Errorf("NULL cannot be an element of a List(%s)", ls.elem)
		}
		raw, err := l.raw(a, i)
		if err != nil {
			return err
		}
		switch ls.size {
		case szBit:
			b.putBit(off, uint32(k), raw != 0)
		case szByte:
			b.put8(off, uint32(k), raw)
		case szTwo:
			b.put16(off, uint32(k), raw)
		case szFour:
			b.put32(off, uint32(k), raw)
		case szEight:
			b.put64(off, uint32(k), raw)
		}
	}
	return nil
}

// element writes one struct element of a composite list.
func (l *encList) element(b *builder, data, ptrs int, values arrow.Array, idx int) error {
	ls := l.ls
	switch ls.stKind {
	case vTuple:
		a, i, _ := l.r.At(values, idx)
		for k := range l.scratch {
			l.scratch[k] = val{l.r.Field(a, k), i}
		}
		return l.st.encode(b, data, ptrs, l.scratch)
	case vNullable:
		if values.IsNull(idx) {
			b.put16(data, ls.stNode.discOffset, uint64(ls.nullDisc))
			return nil
		}
		b.put16(data, ls.stNode.discOffset, uint64(ls.valueDisc))
		return l.value.value1(b, data, ptrs, values, idx)
	case vMap:
		keys, items, s, e := l.r.MapEntries(values, idx)
		return l.entries.writeEntries(b, ptrs+int(ls.entries.value.f.offset), keys, items, s, e)
	}
	return nil
}

// writeEntries writes map entries [s, e) as a list of key/value structs at pointer ptr.
func (l *encList) writeEntries(b *builder, ptr int, keys, items arrow.Array, s, e int) error {
	node := l.ls.stNode
	dw, pw := node.dataWords, node.ptrWords
	n := e - s
	off := b.alloc(1 + n*(dw+pw))
	b.setWord(off, uint64(n)<<2|uint64(dw)<<32|uint64(pw)<<48)
	b.listPtr(ptr, off, szComposite, n*(dw+pw))
	for k := range n {
		d := off + 1 + k*(dw+pw)
		l.scratch[0], l.scratch[1] = val{keys, s + k}, val{items, s + k}
		if err := l.st.encode(b, d, d+dw, l.scratch); err != nil {
			return err
		}
	}
	return nil
}
