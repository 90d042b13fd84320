package capnproto

import (
	"fmt"
	"math"
	"strings"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowcol"
)

// Binding of columns to struct fields, and the decoder compiled from it.

// base removes Nullable and LowCardinality.
func base(t *block.Type) *block.Type {
	for t.Kind == block.Nullable || t.Kind == block.LowCardinality {
		t = t.Elem
	}
	return t
}

func composite(t *block.Type) bool {
	k := base(t).Kind
	return k == block.Array || k == block.Map || k == block.Tuple
}

// cand is a column (or Tuple element) a struct's fields may bind.
type cand struct {
	name string
	t    *block.Type
	out  int
	full string
}

// valueKind says how a bound value is read.
type valueKind uint8

const (
	vPrim     valueKind = iota + 1 // a primitive or enum slot
	vBlob                          // Text or Data
	vList                          // List → Array
	vTuple                         // struct or group → Tuple
	vFlat                          // struct or group → columns named <field>.<sub>
	vNullable                      // a union of a value and a Void → Nullable(T)
	vMap                           // struct { entries :List(struct { key, value }) } → Map
)

// conv appends a primitive value (raw bits, already XORed with the default) or a blob.
type conv func(c *block.Col, raw uint64, blob []byte) error

// binding is a field bound to outs, with what is needed to read and write it.
type binding struct {
	f     cfield
	node  *cnode // the struct the field belongs to (for its union's discriminant)
	kind  valueKind
	out   int
	outs  []int
	t     *block.Type // the out's type
	full  string
	text  bool        // vBlob: Text (NUL-terminated) rather than Data
	list  *listShape  // vList
	sub   *structBind // vTuple, vFlat, vMap (the entry struct), vNullable (the union)
	inner *cnode      // struct or group node of vTuple, vFlat, vNullable, vMap
	group bool        // the value is a group (inline) rather than a struct pointer

	nullDisc, valueDisc uint16 // vNullable
	value               *binding
}

// listShape describes List(T) bound to an Array.
type listShape struct {
	elem                *ctype
	elemType            *block.Type // the Array's element type
	size                int         // expected element size code
	text                bool
	sub                 *listShape  // List(List)
	st                  *structBind // List(Struct): the element struct bound as a value
	stKind              valueKind   // vTuple, vNullable or vMap
	stNode              *cnode
	nullDisc, valueDisc uint16
	value               *binding
	entries             *binding
}

type structBind struct {
	node   *cnode
	fields []*binding
}

type compiler struct {
	set *schemaSet
}

// prefixRest returns the rest of name after "<field>." or "<field>_" (the field name
// compared ignoring case).
func prefixRest(name, field string) (string, bool) {
	n := len(field)
	if len(name) <= n+1 || !strings.EqualFold(name[:n], field) || name[n] != '.' && name[n] != '_' {
		return "", false
	}
	return name[n+1:], true
}

// bindStruct binds a struct's fields to cands by name: exactly, else ignoring case; a
// struct or group field also binds the cands named "<field>.<sub>" or "<field>_<sub>". It
// returns which cands were bound.
func (c *compiler) bindStruct(n *cnode, cands []cand, depth int) (*structBind, []bool, error) {
	if depth > 32 {
		return nil, nil, fmt.Errorf("struct %s nested too deeply", n.name)
	}
	sb := &structBind{node: n}
	used := make([]bool, len(cands))
	bound := make([]*binding, len(n.fields))
	for pass := range 2 {
		for k, f := range n.fields {
			if bound[k] != nil {
				continue
			}
			for ci, cd := range cands {
				if used[ci] || !(cd.name == f.name || pass == 1 && strings.EqualFold(cd.name, f.name)) {
					continue
				}
				b, err := c.bindValue(n, f, cd, depth)
				if err != nil {
					return nil, nil, err
				}
				used[ci], bound[k] = true, b
				break
			}
		}
	}
	for k, f := range n.fields {
		if bound[k] != nil {
			continue
		}
		inner := c.structOf(f)
		if inner == nil {
			continue
		}
		var sub []cand
		var idx []int
		for ci, cd := range cands {
			if used[ci] {
				continue
			}
			if rest, ok := prefixRest(cd.name, f.name); ok {
				sub = append(sub, cand{name: rest, t: cd.t, out: len(sub), full: cd.full})
				idx = append(idx, ci)
			}
		}
		if len(sub) == 0 {
			continue
		}
		_, subUsed, err := c.bindStruct(inner, sub, depth+1)
		if err != nil {
			return nil, nil, err
		}
		var keep []cand
		var outs []int
		for j, u := range subUsed {
			if u {
				cd := sub[j]
				cd.out = len(keep)
				keep = append(keep, cd)
				outs = append(outs, cands[idx[j]].out)
				used[idx[j]] = true
			}
		}
		if len(keep) == 0 {
			continue
		}
		inb, _, err := c.bindStruct(inner, keep, depth+1)
		if err != nil {
			return nil, nil, err
		}
		bound[k] = &binding{f: f, node: n, kind: vFlat, outs: outs, full: keep[0].full, sub: inb, inner: inner, group: f.group != 0}
	}
	for _, b := range bound {
		if b != nil {
			sb.fields = append(sb.fields, b)
		}
	}
	return sb, used, nil
}

// structOf returns the struct node of a group field or a struct-typed slot, else nil.
func (c *compiler) structOf(f cfield) *cnode {
	if f.group != 0 {
		return c.set.nodes[f.group]
	}
	if f.typ != nil && f.typ.tag == tStruct {
		return c.set.nodes[f.typ.id]
	}
	return nil
}

// nullableShape reports whether a struct or group is exactly a union of a value and a
// Void (ClickHouse's Nullable), and returns the two members.
func nullableShape(n *cnode) (value, null *cfield, ok bool) {
	if n == nil || n.discCount != 2 || len(n.fields) != 2 {
		return nil, nil, false
	}
	for i := range n.fields {
		f := &n.fields[i]
		if f.disc == noDiscriminant {
			return nil, nil, false
		}
		if f.group == 0 && f.typ.tag == tVoid {
			null = f
		} else {
			value = f
		}
	}
	return value, null, value != nil && null != nil
}

// mapShape reports whether a struct is { entries :List(struct { key, value }) } and
// returns its entries field and the entry node.
func (c *compiler) mapShape(n *cnode) (*cfield, *cnode, bool) {
	if n == nil || len(n.fields) != 1 {
		return nil, nil, false
	}
	f := &n.fields[0]
	if f.group != 0 || f.typ.tag != tList || f.typ.elem.tag != tStruct {
		return nil, nil, false
	}
	e := c.set.nodes[f.typ.elem.id]
	if e == nil || len(e.fields) != 2 || e.fields[0].name != "key" || e.fields[1].name != "value" {
		return nil, nil, false
	}
	return f, e, true
}

// bindValue binds field f of struct n to column cd.
func (c *compiler) bindValue(n *cnode, f cfield, cd cand, depth int) (*binding, error) {
	b := &binding{f: f, node: n, out: cd.out, t: cd.t, full: cd.full}
	bt := base(cd.t)
	inner := c.structOf(f)
	if inner != nil {
		b.inner, b.group = inner, f.group != 0
		return b, c.bindStructValue(b, inner, cd, depth)
	}
	switch f.typ.tag {
	case tVoid, tInterface, tAnyPointer:
		return nil, fmt.Errorf("column %s (%s) cannot hold the %s field %s", cd.full, cd.t, f.typ, f.name)
	case tList:
		if bt.Kind != block.Array {
			return nil, fmt.Errorf("column %s (%s) cannot hold the field %s of type %s: it must be an Array", cd.full, cd.t, f.name, f.typ)
		}
		ls, err := c.listShape(f.typ.elem, bt.Elem, cd.full, depth)
		if err != nil {
			return nil, err
		}
		b.kind, b.list = vList, ls
		return b, nil
	case tText, tData:
		if composite(cd.t) {
			return nil, fmt.Errorf("column %s (%s) cannot hold the %s field %s", cd.full, cd.t, f.typ, f.name)
		}
		b.kind, b.text = vBlob, f.typ.tag == tText
		return b, nil
	}
	if composite(cd.t) {
		return nil, fmt.Errorf("column %s (%s) cannot hold the %s field %s", cd.full, cd.t, f.typ, f.name)
	}
	b.kind = vPrim
	return b, nil
}

// bindStructValue binds a struct or group value to a Tuple, Map or Nullable column.
func (c *compiler) bindStructValue(b *binding, inner *cnode, cd cand, depth int) error {
	bt := base(cd.t)
	switch {
	case bt.Kind == block.Tuple:
		cands := make([]cand, len(bt.Fields))
		unnamed := len(bt.Fields) > 0 && bt.Fields[0].Name == ""
		for k, tf := range bt.Fields {
			name := tf.Name
			if unnamed {
				name = ""
				if k < len(inner.fields) {
					name = inner.fields[k].name // unnamed elements bind fields in order
				}
			}
			cands[k] = cand{name: name, t: tf.Type, out: k, full: fmt.Sprintf("%s.%d", cd.full, k+1)}
			if tf.Name != "" {
				cands[k].full = cd.full + "." + tf.Name
			}
		}
		sb, used, err := c.bindStruct(inner, cands, depth+1)
		if err != nil {
			return err
		}
		any := false
		for _, u := range used {
			any = any || u
		}
		if !any {
			return fmt.Errorf("no element of column %s (%s) matches a field of %s", cd.full, cd.t, inner.name)
		}
		b.kind, b.sub = vTuple, sb
		return nil
	case bt.Kind == block.Map:
		ef, entry, ok := c.mapShape(inner)
		if !ok || b.group {
			return fmt.Errorf("column %s (%s) needs a struct { entries :List(struct { key, value }) }, %s is not one", cd.full, cd.t, inner.name)
		}
		sb, used, err := c.bindStruct(entry, []cand{
			{name: "key", t: bt.Key, out: 0, full: cd.full + ".key"},
			{name: "value", t: bt.Value, out: 1, full: cd.full + ".value"},
		}, depth+1)
		if err != nil {
			return err
		}
		if !used[0] || !used[1] {
			return fmt.Errorf("column %s (%s) cannot hold %s", cd.full, cd.t, inner.name)
		}
		b.kind, b.sub = vMap, sb
		b.list = &listShape{elem: ef.typ.elem, size: szComposite, st: sb, stKind: vTuple, stNode: entry}
		b.value = &binding{f: *ef}
		return nil
	case cd.t.IsNullable() && !composite(cd.t):
		value, null, ok := nullableShape(inner)
		if !ok {
			return fmt.Errorf("column %s (%s) needs a union of a value and a Void, %s is not one", cd.full, cd.t, inner.name)
		}
		vb, err := c.bindValue(inner, *value, cand{name: value.name, t: cd.t, out: 0, full: cd.full}, depth+1)
		if err != nil {
			return err
		}
		b.kind, b.value, b.nullDisc, b.valueDisc = vNullable, vb, null.disc, value.disc
		return nil
	}
	return fmt.Errorf("column %s (%s) cannot hold %s: use a Tuple column, or columns named %s.<field>", cd.full, cd.t, inner.name, cd.full)
}

// listShape binds List(elem) to Array(et).
func (c *compiler) listShape(elem *ctype, et *block.Type, full string, depth int) (*listShape, error) {
	ls := &listShape{elem: elem, elemType: et}
	switch elem.tag {
	case tBool:
		ls.size = szBit
	case tInt8, tUint8:
		ls.size = szByte
	case tInt16, tUint16, tEnum:
		ls.size = szTwo
	case tInt32, tUint32, tFloat32:
		ls.size = szFour
	case tInt64, tUint64, tFloat64:
		ls.size = szEight
	case tText, tData:
		ls.size, ls.text = szPointer, elem.tag == tText
	case tList:
		if base(et).Kind != block.Array {
			return nil, fmt.Errorf("column %s: elements %s cannot hold %s", full, et, elem)
		}
		sub, err := c.listShape(elem.elem, base(et).Elem, full, depth+1)
		if err != nil {
			return nil, err
		}
		ls.size, ls.sub = szPointer, sub
		return ls, nil
	case tStruct:
		n := c.set.nodes[elem.id]
		if n == nil {
			return nil, fmt.Errorf("column %s: unknown struct %x", full, elem.id)
		}
		ls.size, ls.stNode = szComposite, n
		b := &binding{inner: n}
		if err := c.bindStructValue(b, n, cand{t: et, full: full + "[]"}, depth+1); err != nil {
			return nil, err
		}
		ls.stKind, ls.st, ls.nullDisc, ls.valueDisc, ls.value = b.kind, b.sub, b.nullDisc, b.valueDisc, b.value
		if b.kind == vMap {
			ls.entries = &binding{list: b.list, value: b.value, sub: b.sub}
		}
		return ls, nil
	default:
		return nil, fmt.Errorf("column %s: List(%s) is not supported", full, elem)
	}
	if composite(et) {
		return nil, fmt.Errorf("column %s: elements %s cannot hold %s", full, et, elem)
	}
	return ls, nil
}

// Decoding.

// readPrim reads a primitive slot's raw bits (XORed with its default).
func readPrim(s structRef, f *cfield) uint64 {
	var raw uint64
	switch f.typ.tag {
	case tBool:
		if s.bit(f.offset) {
			raw = 1
		}
	case tInt8, tUint8:
		raw = s.u8(f.offset)
	case tInt16, tUint16, tEnum:
		raw = s.u16(f.offset)
	case tInt32, tUint32, tFloat32:
		raw = s.u32(f.offset)
	case tInt64, tUint64, tFloat64:
		raw = s.u64(f.offset)
	}
	return raw ^ f.defBits
}

// compileConv returns the conversion of values of type typ into a column of type t.
func compileConv(typ *ctype, t *block.Type, enum *cnode) conv {
	bt := base(t)
	if bt.Kind == block.Decimal && typ.tag >= tInt8 && typ.tag <= tUint64 {
		// ClickHouse stores Decimal in integer fields as the unscaled integer.
		var text []byte
		scale := bt.Scale
		signed := signedConv(typ.tag)
		return func(c *block.Col, raw uint64, _ []byte) error {
			v := signed(raw)
			ext := uint64(0)
			if v < 0 {
				ext = ^uint64(0)
			}
			text = arrowcol.AppendDecimalText(text[:0], [4]uint64{uint64(v), ext, ext, ext}, scale)
			return c.AppendText(text)
		}
	}
	switch typ.tag {
	case tBool:
		return func(c *block.Col, raw uint64, _ []byte) error { return c.AppendBool(raw != 0) }
	case tInt8, tInt16, tInt32, tInt64:
		signed := signedConv(typ.tag)
		return func(c *block.Col, raw uint64, _ []byte) error { return c.AppendInt(signed(raw)) }
	case tUint8, tUint16, tUint32, tUint64:
		return func(c *block.Col, raw uint64, _ []byte) error { return c.AppendUint(raw) }
	case tFloat32:
		return func(c *block.Col, raw uint64, _ []byte) error {
			return c.AppendFloat(float64(math.Float32frombits(uint32(raw))))
		}
	case tFloat64:
		return func(c *block.Col, raw uint64, _ []byte) error { return c.AppendFloat(math.Float64frombits(raw)) }
	case tEnum:
		// ClickHouse's default format_capn_proto_enum_comparising_mode is by_values: the
		// enumerant's ordinal is the Enum's value; String columns get the name.
		if bt.Kind == block.String || bt.Kind == block.FixedString {
			var names [][]byte
			if enum != nil {
				for _, e := range enum.enumerants {
					names = append(names, []byte(e))
				}
			}
			return func(c *block.Col, raw uint64, _ []byte) error {
				if int(raw) < len(names) {
					return c.AppendText(names[raw])
				}
				return c.AppendUint(raw)
			}
		}
		return func(c *block.Col, raw uint64, _ []byte) error { return c.AppendUint(raw) }
	case tText, tData:
		if bt.Kind == block.UUID {
			var text []byte
			return func(c *block.Col, _ uint64, b []byte) error {
				if len(b) != 16 {
					return c.AppendText(b)
				}
				text = arrowcol.AppendUUID(text[:0], b)
				return c.AppendText(text)
			}
		}
		return func(c *block.Col, _ uint64, b []byte) error { return c.AppendText(b) }
	}
	return func(c *block.Col, raw uint64, _ []byte) error { return c.AppendUint(raw) }
}

func signedConv(tag uint16) func(uint64) int64 {
	switch tag {
	case tInt8:
		return func(r uint64) int64 { return int64(int8(r)) }
	case tInt16:
		return func(r uint64) int64 { return int64(int16(r)) }
	case tInt32:
		return func(r uint64) int64 { return int64(int32(r)) }
	}
	return func(r uint64) int64 { return int64(r) }
}

// decStruct is a struct compiled for decoding into its outs. Like the Protobuf decoder
// it keeps per-call scratch, one instance per nesting level.
type decStruct struct {
	fields []*decField
}

type decField struct {
	b       *binding
	conv    conv
	list    *decList
	sub     *decStruct
	value   *decField // vNullable
	scratch []*block.Col
}

type decList struct {
	ls      *listShape
	conv    conv
	sub     *decList
	st      *decStruct // element struct (tuple fields / map entry fields)
	value   *decField  // nullable elements
	entries *decList   // map elements: the entries list
	scratch []*block.Col
}

func (c *compiler) compileDec(sb *structBind) *decStruct {
	d := &decStruct{}
	for _, b := range sb.fields {
		d.fields = append(d.fields, c.compileDecField(b))
	}
	return d
}

func (c *compiler) compileDecField(b *binding) *decField {
	df := &decField{b: b}
	switch b.kind {
	case vPrim, vBlob:
		var enum *cnode
		if b.f.typ.tag == tEnum {
			enum = c.set.nodes[b.f.typ.id]
		}
		df.conv = compileConv(b.f.typ, b.t, enum)
	case vList:
		df.list = c.compileDecList(b.list)
	case vTuple:
		df.sub = c.compileDec(b.sub)
		df.scratch = make([]*block.Col, len(base(b.t).Fields))
	case vFlat:
		df.sub = c.compileDec(b.sub)
		df.scratch = make([]*block.Col, len(b.outs))
	case vNullable:
		df.value = c.compileDecField(b.value)
		df.scratch = make([]*block.Col, 1)
	case vMap:
		df.list = c.compileDecList(b.list)
	}
	return df
}

func (c *compiler) compileDecList(ls *listShape) *decList {
	dl := &decList{ls: ls}
	switch {
	case ls.sub != nil:
		dl.sub = c.compileDecList(ls.sub)
	case ls.size == szComposite:
		switch ls.stKind {
		case vTuple:
			dl.st = c.compileDec(ls.st)
			n := 2 // a map's entries: key and value
			if ls.elemType != nil {
				n = max(n, len(base(ls.elemType).Fields))
			}
			dl.scratch = make([]*block.Col, n)
		case vNullable:
			dl.value = c.compileDecField(ls.value)
			dl.scratch = make([]*block.Col, 1)
		case vMap:
			dl.entries = c.compileDecList(ls.entries.list)
		}
	default:
		var enum *cnode
		if ls.elem.tag == tEnum {
			enum = c.set.nodes[ls.elem.id]
		}
		dl.conv = compileConv(ls.elem, ls.elemType, enum)
	}
	return dl
}

// decode reads struct s into outs: every out gets one value.
func (d *decStruct) decode(s structRef, outs []*block.Col) error {
	for _, f := range d.fields {
		if err := f.decode(s, outs); err != nil {
			return inField(f.b.f.name, err)
		}
	}
	return nil
}

// active reports whether a union member is the one set.
func (b *binding) active(s structRef) bool {
	return b.f.disc == noDiscriminant || uint16(s.u16(b.node.discOffset)) == b.f.disc
}

func (f *decField) decode(s structRef, outs []*block.Col) error {
	b := f.b
	if b.kind == vFlat {
		for k, o := range b.outs {
			f.scratch[k] = outs[o]
		}
		if !b.active(s) {
			return f.sub.decode(structRef{m: s.m, isNull: true}, f.scratch)
		}
		inner, err := f.structValue(s)
		if err != nil {
			return err
		}
		return f.sub.decode(inner, f.scratch)
	}
	c := outs[b.out]
	if !b.active(s) {
		c.AppendDefault()
		return nil
	}
	return f.value1(s, c)
}

// structValue returns the struct of a group (s itself) or of a struct pointer.
func (f *decField) structValue(s structRef) (structRef, error) {
	if f.b.group {
		return s, nil
	}
	p := s.ptr(int(f.b.f.offset))
	if p < 0 {
		return structRef{m: s.m, isNull: true}, nil
	}
	return s.m.readStruct(s.seg, p)
}

// value1 appends the field's value read from s to c.
func (f *decField) value1(s structRef, c *block.Col) error {
	b := f.b
	switch b.kind {
	case vPrim:
		return f.conv(c, readPrim(s, &b.f), nil)
	case vBlob:
		p := s.ptr(int(b.f.offset))
		if p < 0 || rawWord(s, p) == 0 {
			return f.conv(c, 0, b.f.defBlob) // a null pointer is the default
		}
		l, err := s.m.readList(s.seg, p)
		if err != nil {
			return err
		}
		v, err := blobOf(l, b.text)
		if err != nil {
			return err
		}
		return f.conv(c, 0, v)
	case vList:
		var l listRef
		if p := s.ptr(int(b.f.offset)); p >= 0 {
			var err error
			if l, err = s.m.readList(s.seg, p); err != nil {
				return err
			}
		}
		return f.list.decode(l, c)
	case vTuple:
		inner, err := f.structValue(s)
		if err != nil {
			return err
		}
		c.BeginTuple()
		for k := range f.scratch {
			f.scratch[k] = c.Field(k)
		}
		if err := f.sub.decode(inner, f.scratch); err != nil {
			return err
		}
		return c.EndTuple()
	case vNullable:
		inner, err := f.structValue(s)
		if err != nil {
			return err
		}
		return decodeNullable(inner, c, b.nullDisc, b.value.node, f.value)
	case vMap:
		inner, err := f.structValue(s)
		if err != nil {
			return err
		}
		var l listRef
		if p := inner.ptr(int(b.value.f.offset)); p >= 0 {
			if l, err = s.m.readList(inner.seg, p); err != nil {
				return err
			}
		}
		return f.list.decodeMap(l, c)
	}
	return nil
}

// rawWord returns the pointer word at p (0 for a null pointer).
func rawWord(s structRef, p int) uint64 {
	w, _ := s.m.word(s.seg, p)
	return w
}

// decodeNullable reads a union of a value and a Void.
func decodeNullable(s structRef, c *block.Col, nullDisc uint16, n *cnode, value *decField) error {
	if s.isNull {
		// A null struct reads as its defaults: discriminant 0.
		if nullDisc == 0 {
			return c.AppendNull()
		}
		return value.value1(s, c)
	}
	if uint16(s.u16(n.discOffset)) == nullDisc {
		return c.AppendNull()
	}
	return value.value1(s, c)
}

func (d *decList) checkSize(l listRef) error {
	if l.count == 0 || l.size == d.ls.size {
		return nil
	}
	return fmt.Errorf("list element size %d does not match List(%s)", l.size, d.ls.elem)
}

// decode appends list l as one Array value of c.
func (d *decList) decode(l listRef, c *block.Col) error {
	if err := d.checkSize(l); err != nil {
		return err
	}
	e := c.BeginArray()
	for i := range l.count {
		if err := d.elem(l, i, e); err != nil {
			return err
		}
	}
	c.EndArray()
	return nil
}

func (d *decList) elem(l listRef, i int, e *block.Col) error {
	switch l.size {
	case szBit:
		var raw uint64
		if l.bit(i) {
			raw = 1
		}
		return d.conv(e, raw, nil)
	case szByte:
		return d.conv(e, l.u8(i), nil)
	case szTwo:
		return d.conv(e, l.u16(i), nil)
	case szFour:
		return d.conv(e, l.u32(i), nil)
	case szEight:
		return d.conv(e, l.u64(i), nil)
	case szPointer:
		sub, err := l.m.readList(l.seg, l.elemPtr(i))
		if err != nil {
			return err
		}
		if d.sub != nil {
			return d.sub.decode(sub, e)
		}
		v, err := blobOf(sub, d.ls.text)
		if err != nil {
			return err
		}
		return d.conv(e, 0, v)
	case szComposite:
		s := l.elemStruct(i)
		switch d.ls.stKind {
		case vTuple:
			e.BeginTuple()
			n := len(base(d.ls.elemType).Fields)
			for k := range n {
				d.scratch[k] = e.Field(k)
			}
			if err := d.st.decode(s, d.scratch[:n]); err != nil {
				return err
			}
			return e.EndTuple()
		case vNullable:
			return decodeNullable(s, e, d.ls.nullDisc, d.ls.stNode, d.value)
		case vMap:
			var ml listRef
			if p := s.ptr(int(d.ls.entries.value.f.offset)); p >= 0 {
				var err error
				if ml, err = l.m.readList(s.seg, p); err != nil {
					return err
				}
			}
			return d.entries.decodeMap(ml, e)
		}
	}
	return fmt.Errorf("unsupported list element size %d", l.size)
}

// decodeMap appends a list of entry structs as one Map value of c.
func (d *decList) decodeMap(l listRef, c *block.Col) error {
	if err := d.checkSize(l); err != nil {
		return err
	}
	k, v := c.BeginMap()
	d.scratch = append(d.scratch[:0], k, v)
	for i := range l.count {
		if err := d.st.decode(l.elemStruct(i), d.scratch); err != nil {
			return err
		}
	}
	return c.EndMap()
}

// fieldErr names the field a decoding error happened in.
type fieldErr struct {
	path string
	err  error
}

func (e *fieldErr) Error() string { return "field " + e.path + ": " + e.err.Error() }
func (e *fieldErr) Unwrap() error { return e.err }

func inField(name string, err error) error {
	if _, ok := err.(*block.ValueError); ok {
		return err
	}
	if fe, ok := err.(*fieldErr); ok {
		fe.path = name + "." + fe.path
		return fe
	}
	return &fieldErr{path: name, err: err}
}
