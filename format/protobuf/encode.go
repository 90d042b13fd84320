package protobuf

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowcol"
)

// val is one value to encode: index i of array a (not yet resolved by Reader.At).
type val struct {
	a arrow.Array
	i int
}

// valEnc appends the wire encoding (without tag) of a resolved, non-NULL value and reports
// whether it is the field type's zero value.
type valEnc func(dst []byte, a arrow.Array, i int) (out []byte, zero bool, err error)

type emode uint8

const (
	eScalar     emode = iota + 1 // one value (a repeated field fed by a non-Array column writes one)
	eScalarList                  // repeated scalar from an Array
	eMsg                         // singular message from one column
	eMsgList                     // repeated message from an Array
	eFlat                        // singular message from flattened columns
	eFlatList                    // repeated message from flattened Array columns
	eMap                         // map from a Map
)

// encMsg is a message compiled for encoding from its outs. Like decMsg it keeps per-call
// scratch, and each nesting level has its own.
type encMsg struct {
	fields []*encField
	buf    []byte
}

type encField struct {
	num      protowire.Number
	name     string
	mode     emode
	tag      []byte // tag with the value's wire type
	lenTag   []byte // tag with the length-delimited wire type
	out      int
	outs     []int
	r        *arrowcol.Reader   // reader of out
	rs       []*arrowcol.Reader // eFlat, eFlatList: readers of outs
	elem     *arrowcol.Reader   // reader of the values: the Array's element reader for lists
	val      valEnc
	skipZero bool
	packed   bool
	sp       special
	sub      *encMsg
	gate     *encGate
	scratch  []val
	pk       []byte
}

// encGate writes a oneof member only when the oneof's column names it.
type encGate struct {
	out    int
	r      *arrowcol.Reader
	byName map[string]protowire.Number
}

func compileEncMsg(mb *msgBinding, rs []*arrowcol.Reader) (*encMsg, error) {
	m := &encMsg{}
	gates := map[protoreflect.FullName]*encGate{}
	for _, b := range mb.fields {
		if b.kind != bOneof {
			continue
		}
		g := &encGate{out: b.out, r: rs[b.out], byName: map[string]protowire.Number{}}
		fs := b.od.Fields()
		for i := range fs.Len() {
			g.byName[string(fs.Get(i).Name())] = fs.Get(i).Number()
		}
		gates[b.od.FullName()] = g
	}
	for _, b := range mb.fields {
		if b.kind == bOneof {
			continue
		}
		f, err := compileEncField(b, rs)
		if err != nil {
			return nil, err
		}
		if od := b.fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			f.gate = gates[od.FullName()]
		}
		m.fields = append(m.fields, f)
	}
	return m, nil
}

func compileEncField(b *binding, rs []*arrowcol.Reader) (*encField, error) {
	fd := b.fd
	f := &encField{num: fd.Number(), name: string(fd.Name()), out: b.out, outs: b.outs, sp: b.sp}
	f.lenTag = protowire.AppendTag(nil, f.num, protowire.BytesType)
	inMapEntry := fd.ContainingMessage().IsMapEntry()
	switch b.kind {
	case bScalar:
		f.r = rs[b.out]
		f.mode, f.elem = eScalar, f.r
		if fd.IsList() && f.r.Class == arrowcol.List {
			f.mode, f.elem = eScalarList, f.r.Elem
			f.packed = fd.IsPacked()
		}
		v, wt, err := compileValEnc(fd, f.elem)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", b.full, err)
		}
		f.val = v
		f.tag = protowire.AppendTag(nil, f.num, wt)
		f.skipZero = !fd.HasPresence() && !fd.IsList() && !inMapEntry
	case bMessage:
		f.r = rs[b.out]
		f.mode, f.elem = eMsg, f.r
		if fd.IsList() {
			f.mode, f.elem = eMsgList, f.r.Elem
		}
		f.skipZero = b.sp != spWrapper && !inMapEntry
		var subRs []*arrowcol.Reader
		switch b.sp {
		case spTimestamp:
			return f, nil
		case spTuple:
			subRs = f.elem.Fields
		default:
			subRs = []*arrowcol.Reader{f.elem}
		}
		sub, err := compileEncMsg(b.sub, subRs)
		if err != nil {
			return nil, err
		}
		f.sub = sub
		f.scratch = make([]val, len(subRs))
	case bFlat:
		f.mode = eFlat
		f.skipZero = true
		f.rs = make([]*arrowcol.Reader, len(b.outs))
		subRs := make([]*arrowcol.Reader, len(b.outs))
		for k, o := range b.outs {
			f.rs[k] = rs[o]
			subRs[k] = rs[o]
			if fd.IsList() {
				subRs[k] = rs[o].Elem
			}
		}
		if fd.IsList() {
			f.mode = eFlatList
		}
		sub, err := compileEncMsg(b.sub, subRs)
		if err != nil {
			return nil, err
		}
		f.sub = sub
		f.scratch = make([]val, len(b.outs))
	case bMap:
		f.mode = eMap
		f.r = rs[b.out]
		sub, err := compileEncMsg(b.sub, []*arrowcol.Reader{f.r.Key, f.r.Value})
		if err != nil {
			return nil, err
		}
		f.sub = sub
		f.scratch = make([]val, 2)
	}
	return f, nil
}

// encode appends the encoding of one message whose outs hold vals.
func (m *encMsg) encode(dst []byte, vals []val) ([]byte, error) {
	for _, f := range m.fields {
		var err error
		if f.gate != nil {
			g := f.gate
			a, i, null := g.r.At(vals[g.out].a, vals[g.out].i)
			if null || g.caseOf(a, i) != f.num {
				continue
			}
		}
		if dst, err = f.encode(dst, vals); err != nil {
			return dst, inField(f.name, err)
		}
	}
	return dst, nil
}

// caseOf returns the field number a oneof column's value names (0 for none).
func (g *encGate) caseOf(a arrow.Array, i int) protowire.Number {
	r := g.r
	switch r.Class {
	case arrowcol.Enum:
		if n, ok := g.byName[r.Type.Enum[r.EnumIndex(a, i)].Name]; ok {
			return n
		}
		return protowire.Number(r.Int(a, i))
	case arrowcol.Bytes:
		return g.byName[string(r.Bytes(a, i))]
	case arrowcol.Int:
		return protowire.Number(r.Int(a, i))
	case arrowcol.Uint:
		return protowire.Number(r.Uint(a, i))
	}
	return 0
}

func (f *encField) encode(dst []byte, vals []val) ([]byte, error) {
	v := vals[f.out]
	switch f.mode {
	case eScalar:
		a, i, null := f.r.At(v.a, v.i)
		if null {
			return dst, nil
		}
		start := len(dst)
		dst = append(dst, f.tag...)
		out, zero, err := f.val(dst, a, i)
		if err != nil {
			return dst[:start], err
		}
		if zero && f.skipZero {
			return dst[:start], nil
		}
		return out, nil
	case eScalarList:
		values, s, e := f.r.List(v.a, v.i)
		if f.packed {
			f.pk = f.pk[:0]
			for k := s; k < e; k++ {
				a, i, null := f.elem.At(values, k)
				if null {
					continue
				}
				var err error
				if f.pk, _, err = f.val(f.pk, a, i); err != nil {
					return dst, err
				}
			}
			if len(f.pk) == 0 {
				return dst, nil
			}
			dst = append(dst, f.lenTag...)
			return protowire.AppendBytes(dst, f.pk), nil
		}
		for k := s; k < e; k++ {
			a, i, null := f.elem.At(values, k)
			if null {
				continue
			}
			dst = append(dst, f.tag...)
			var err error
			if dst, _, err = f.val(dst, a, i); err != nil {
				return dst, err
			}
		}
		return dst, nil
	case eMsg:
		return f.message(dst, f.r, v.a, v.i, f.skipZero)
	case eMsgList:
		values, s, e := f.r.List(v.a, v.i)
		for k := s; k < e; k++ {
			var err error
			if dst, err = f.message(dst, f.elem, values, k, false); err != nil {
				return dst, err
			}
		}
		return dst, nil
	case eFlat:
		for k, o := range f.outs {
			f.scratch[k] = vals[o]
		}
		return f.submessage(dst, f.scratch, true)
	case eFlatList:
		n := -1
		var starts [16]int
		st := starts[:0]
		for k, o := range f.outs {
			values, s, e := f.rs[k].List(vals[o].a, vals[o].i)
			if n >= 0 && e-s != n {
				return dst, fmt.Errorf("arrays of the columns of repeated field %s have different lengths (%d and %d)", f.name, n, e-s)
			}
			n = e - s
			f.scratch[k] = val{a: values}
			st = append(st, s)
		}
		for j := range n {
			for k := range f.scratch {
				f.scratch[k].i = st[k] + j
			}
			var err error
			if dst, err = f.submessage(dst, f.scratch, false); err != nil {
				return dst, err
			}
		}
		return dst, nil
	case eMap:
		keys, values, s, e := f.r.MapEntries(v.a, v.i)
		for k := s; k < e; k++ {
			f.scratch[0], f.scratch[1] = val{keys, k}, val{values, k}
			var err error
			if dst, err = f.submessage(dst, f.scratch, false); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	return dst, nil
}

// message appends one message value read by r at (a, i).
func (f *encField) message(dst []byte, r *arrowcol.Reader, a arrow.Array, i int, skipEmpty bool) ([]byte, error) {
	switch f.sp {
	case spTimestamp:
		ra, ri, null := r.At(a, i)
		if null {
			return dst, nil
		}
		sec, nanos := arrowcol.Timestamp(r, ra, ri)
		if sec == 0 && nanos == 0 && skipEmpty {
			return dst, nil
		}
		var body [24]byte
		b := body[:0]
		if sec != 0 {
			b = protowire.AppendVarint(protowire.AppendTag(b, 1, protowire.VarintType), uint64(sec))
		}
		if nanos != 0 {
			b = protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.VarintType), uint64(nanos))
		}
		dst = append(dst, f.lenTag...)
		return protowire.AppendBytes(dst, b), nil
	case spWrapper:
		if a.IsNull(i) {
			if f.mode == eMsgList {
				return dst, fmt.Errorf("NULL cannot be written as an element of the repeated %s field (use a message with an optional field)", f.elem.Type)
			}
			return dst, nil
		}
		f.scratch[0] = val{a, i}
	case spTuple:
		for k := range f.scratch {
			f.scratch[k] = val{r.Field(a, k), i}
		}
	default:
		f.scratch[0] = val{a, i}
	}
	return f.submessage(dst, f.scratch, skipEmpty)
}

// submessage encodes the submessage of vals and appends it as a length-delimited field.
func (f *encField) submessage(dst []byte, vals []val, skipEmpty bool) ([]byte, error) {
	body, err := f.sub.encode(f.sub.buf[:0], vals)
	f.sub.buf = body
	if err != nil {
		return dst, err
	}
	if len(body) == 0 && skipEmpty {
		return dst, nil
	}
	dst = append(dst, f.lenTag...)
	return protowire.AppendBytes(dst, body), nil
}

// compileValEnc returns the encoder of a field's values from a column reader, and the
// values' wire type.
func compileValEnc(fd protoreflect.FieldDescriptor, r *arrowcol.Reader) (valEnc, protowire.Type, error) {
	if c := r.Class; c == arrowcol.List || c == arrowcol.Map || c == arrowcol.Struct {
		return nil, 0, fmt.Errorf("type %s cannot be written to the %s field %s", r.Type, fd.Kind(), fd.FullName())
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		get := arrowcol.IntGetter(r)
		if r.Class == arrowcol.Float {
			fg := arrowcol.FloatGetter(r)
			get = func(a arrow.Array, i int) (int64, error) {
				v, err := fg(a, i)
				if v != 0 {
					return 1, err
				}
				return 0, err
			}
		}
		return func(dst []byte, a arrow.Array, i int) ([]byte, bool, error) {
			v, err := get(a, i)
			if err != nil {
				return dst, false, err
			}
			if v != 0 {
				return append(dst, 1), false, nil
			}
			return append(dst, 0), true, nil
		}, protowire.VarintType, nil
	case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Sint32Kind, protoreflect.Sint64Kind,
		protoreflect.Sfixed32Kind, protoreflect.Sfixed64Kind:
		get := arrowcol.IntGetter(r)
		kind := fd.Kind()
		is32 := kind == protoreflect.Int32Kind || kind == protoreflect.Sint32Kind || kind == protoreflect.Sfixed32Kind
		wt := protowire.VarintType
		switch kind {
		case protoreflect.Sfixed32Kind:
			wt = protowire.Fixed32Type
		case protoreflect.Sfixed64Kind:
			wt = protowire.Fixed64Type
		}
		return func(dst []byte, a arrow.Array, i int) ([]byte, bool, error) {
			v, err := get(a, i)
			if err != nil {
				return dst, false, err
			}
			if is32 && (v < math.MinInt32 || v > math.MaxInt32) {
				return dst, false, fmt.Errorf("value %d out of range of field %s (%s)", v, fd.Name(), kind)
			}
			switch kind {
			case protoreflect.Sint32Kind, protoreflect.Sint64Kind:
				dst = protowire.AppendVarint(dst, protowire.EncodeZigZag(v))
			case protoreflect.Sfixed32Kind:
				dst = protowire.AppendFixed32(dst, uint32(int32(v)))
			case protoreflect.Sfixed64Kind:
				dst = protowire.AppendFixed64(dst, uint64(v))
			default:
				dst = protowire.AppendVarint(dst, uint64(v))
			}
			return dst, v == 0, nil
		}, wt, nil
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		get := arrowcol.UintGetter(r)
		kind := fd.Kind()
		is32 := kind == protoreflect.Uint32Kind || kind == protoreflect.Fixed32Kind
		wt := protowire.VarintType
		switch kind {
		case protoreflect.Fixed32Kind:
			wt = protowire.Fixed32Type
		case protoreflect.Fixed64Kind:
			wt = protowire.Fixed64Type
		}
		return func(dst []byte, a arrow.Array, i int) ([]byte, bool, error) {
			v, err := get(a, i)
			if err != nil {
				return dst, false, err
			}
			if is32 && v > math.MaxUint32 {
				return dst, false, fmt.Errorf("value %d out of range of field %s (%s)", v, fd.Name(), kind)
			}
			switch kind {
			case protoreflect.Fixed32Kind:
				dst = protowire.AppendFixed32(dst, uint32(v))
			case protoreflect.Fixed64Kind:
				dst = protowire.AppendFixed64(dst, v)
			default:
				dst = protowire.AppendVarint(dst, v)
			}
			return dst, v == 0, nil
		}, wt, nil
	case protoreflect.FloatKind:
		get := arrowcol.FloatGetter(r)
		return func(dst []byte, a arrow.Array, i int) ([]byte, bool, error) {
			v, err := get(a, i)
			if err != nil {
				return dst, false, err
			}
			return protowire.AppendFixed32(dst, math.Float32bits(float32(v))), v == 0, nil
		}, protowire.Fixed32Type, nil
	case protoreflect.DoubleKind:
		get := arrowcol.FloatGetter(r)
		return func(dst []byte, a arrow.Array, i int) ([]byte, bool, error) {
			v, err := get(a, i)
			if err != nil {
				return dst, false, err
			}
			return protowire.AppendFixed64(dst, math.Float64bits(v)), v == 0, nil
		}, protowire.Fixed64Type, nil
	case protoreflect.StringKind, protoreflect.BytesKind:
		var tmp []byte
		loc := arrowcol.Location(r.Type.TZ)
		return func(dst []byte, a arrow.Array, i int) ([]byte, bool, error) {
			if r.Class == arrowcol.Bytes && r.Type.Kind != block.UUID {
				b := r.Bytes(a, i)
				return protowire.AppendBytes(dst, b), len(b) == 0, nil
			}
			tmp = arrowcol.AppendText(tmp[:0], r, a, i, loc)
			return protowire.AppendBytes(dst, tmp), len(tmp) == 0, nil
		}, protowire.BytesType, nil
	case protoreflect.EnumKind:
		ed := fd.Enum()
		byName := map[string]int32{}
		vals := ed.Values()
		for k := range vals.Len() {
			byName[string(vals.Get(k).Name())] = int32(vals.Get(k).Number())
		}
		var get func(a arrow.Array, i int) (int64, error)
		switch r.Class {
		case arrowcol.Enum, arrowcol.Bytes:
			get = func(a arrow.Array, i int) (int64, error) {
				var name string
				if r.Class == arrowcol.Enum {
					name = r.Type.Enum[r.EnumIndex(a, i)].Name
				} else {
					name = string(r.Bytes(a, i))
				}
				n, ok := byName[name]
				if !ok {
					return 0, fmt.Errorf("enum %s has no value named %q", ed.FullName(), name)
				}
				return int64(n), nil
			}
		default:
			get = arrowcol.IntGetter(r)
		}
		return func(dst []byte, a arrow.Array, i int) ([]byte, bool, error) {
			v, err := get(a, i)
			if err != nil {
				return dst, false, err
			}
			if v < math.MinInt32 || v > math.MaxInt32 {
				return dst, false, fmt.Errorf("value %d out of range of enum %s", v, ed.FullName())
			}
			return protowire.AppendVarint(dst, uint64(v)), v == 0, nil
		}, protowire.VarintType, nil
	}
	return nil, 0, fmt.Errorf("field %s of unsupported kind %s", fd.FullName(), fd.Kind())
}
