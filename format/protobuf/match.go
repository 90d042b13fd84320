package protobuf

import (
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/chkafka/chkafka/block"
)

// A message's fields are bound to "outs": the columns (or Tuple elements, or Array
// elements) its values go to. The binding is computed once per (message, columns) by the
// rules of ClickHouse's ProtobufSerializer, and both the decoder and the encoder are
// compiled from it.

// cand is a column a message may bind: the part of its name still to match, its type at
// this level, and its index among the message's outs.
type cand struct {
	name string
	t    *block.Type
	out  int
	full string // the column's full name, for errors
}

type bindKind uint8

const (
	bScalar  bindKind = iota + 1 // scalar field (repeated or not) → one out
	bMessage                     // message field → one out (Tuple, Timestamp, wrapper, single-field message)
	bFlat                        // message field → several outs named <field>.<subfield> or <field>_<subfield>
	bMap                         // map field → a Map out
	bOneof                       // oneof → one out holding the set field's number or name
)

// special says how a message field maps to a non-flattened out.
type special uint8

const (
	spTuple     special = iota + 1 // Tuple column: elements bound to the message's fields
	spTimestamp                    // google.protobuf.Timestamp ↔ DateTime, DateTime64, Date
	spWrapper                      // google.protobuf.*Value ↔ Nullable(T): absent is NULL
	spUnwrap                       // a message with one field ↔ a column of that field's type
)

type binding struct {
	kind bindKind
	fd   protoreflect.FieldDescriptor // nil for bOneof
	od   protoreflect.OneofDescriptor // bOneof
	out  int                          // bScalar, bMessage, bMap, bOneof
	outs []int                        // bFlat: the outs of the parent the submessage binds
	t    *block.Type                  // type of out
	full string                       // column name, for errors
	sp   special                      // bMessage
	sub  *msgBinding                  // bMessage (spTuple, spWrapper, spUnwrap), bFlat, bMap (the entry)
}

type msgBinding struct {
	md     protoreflect.MessageDescriptor
	fields []*binding // in declaration order, then oneofs
}

// equalNames compares a column name with a field name as ClickHouse does: ignoring case
// and the difference between '.' and '_'.
func equalNames(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if foldChar(a[i]) != foldChar(b[i]) {
			return false
		}
	}
	return true
}

func foldChar(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	if c == '.' {
		return '_'
	}
	return c
}

// prefixRest returns the rest of name after "<field>." or "<field>_".
func prefixRest(name, field string) (string, bool) {
	if len(name) <= len(field)+1 || !equalNames(name[:len(field)], field) {
		return "", false
	}
	if c := name[len(field)]; c != '.' && c != '_' {
		return "", false
	}
	return name[len(field)+1:], true
}

// base removes Nullable and LowCardinality.
func base(t *block.Type) *block.Type {
	for t.Kind == block.Nullable || t.Kind == block.LowCardinality {
		t = t.Elem
	}
	return t
}

const maxBindDepth = 32

// bind binds md's fields to cands. A field binds the cand of its name; a message field
// also binds the cands named "<field>.<...>" or "<field>_<...>" (flattened, the rest
// matched against its fields); a oneof binds the cand of its name. Each cand binds at
// most once; unbound cands stay unbound (their columns get defaults). used[k] reports
// whether cands[k] was bound.
func bind(md protoreflect.MessageDescriptor, cands []cand, depth int) (*msgBinding, []bool, error) {
	if depth > maxBindDepth {
		return nil, nil, fmt.Errorf("message %s nested deeper than %d levels", md.FullName(), maxBindDepth)
	}
	mb := &msgBinding{md: md}
	used := make([]bool, len(cands))
	fields := md.Fields()
	byField := make([]*binding, fields.Len())
	// Exact names first, so that a field "a_b" wins its column over field "a"'s subfield b.
	for k := range fields.Len() {
		fd := fields.Get(k)
		for ci := range cands {
			if used[ci] || !equalNames(cands[ci].name, string(fd.Name())) {
				continue
			}
			b, err := bindField(fd, cands[ci], depth)
			if err != nil {
				return nil, nil, err
			}
			used[ci] = true
			byField[k] = b
			break
		}
	}
	for k := range fields.Len() {
		fd := fields.Get(k)
		if byField[k] != nil || fd.Message() == nil || fd.IsMap() {
			continue
		}
		b, err := bindFlat(fd, cands, used, depth)
		if err != nil {
			return nil, nil, err
		}
		byField[k] = b
	}
	for _, b := range byField {
		if b != nil {
			mb.fields = append(mb.fields, b)
		}
	}
	oneofs := md.Oneofs()
	for k := range oneofs.Len() {
		od := oneofs.Get(k)
		if od.IsSynthetic() {
			continue
		}
		for ci := range cands {
			if used[ci] || !equalNames(cands[ci].name, string(od.Name())) {
				continue
			}
			if bk := base(cands[ci].t).Kind; bk == block.Array || bk == block.Map || bk == block.Tuple {
				return nil, nil, fmt.Errorf("column %s (%s) cannot hold the oneof %s", cands[ci].full, cands[ci].t, od.FullName())
			}
			used[ci] = true
			mb.fields = append(mb.fields, &binding{kind: bOneof, od: od, out: cands[ci].out, t: cands[ci].t, full: cands[ci].full})
			break
		}
	}
	return mb, used, nil
}

// bindFlat binds the cands named "<field>.<rest>" to the fields of message field fd.
func bindFlat(fd protoreflect.FieldDescriptor, cands []cand, used []bool, depth int) (*binding, error) {
	var sub []cand
	var idx []int
	for ci, c := range cands {
		if used[ci] {
			continue
		}
		rest, ok := prefixRest(c.name, string(fd.Name()))
		if !ok {
			continue
		}
		t := c.t
		if fd.IsList() {
			if t.Kind != block.Array {
				continue // only arrays can hold the values of a repeated message
			}
			t = t.Elem
		}
		sub = append(sub, cand{name: rest, t: t, out: len(sub), full: c.full})
		idx = append(idx, ci)
	}
	if len(sub) == 0 {
		return nil, nil
	}
	_, subUsed, err := bind(fd.Message(), sub, depth+1)
	if err != nil {
		return nil, err
	}
	// Bind again with only the cands that bound, so the outs are exactly the bound ones.
	var keep []cand
	var outs []int
	for k, u := range subUsed {
		if u {
			c := sub[k]
			c.out = len(keep)
			keep = append(keep, c)
			outs = append(outs, cands[idx[k]].out)
			used[idx[k]] = true
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}
	mb, _, err := bind(fd.Message(), keep, depth+1)
	if err != nil {
		return nil, err
	}
	return &binding{kind: bFlat, fd: fd, outs: outs, full: keep[0].full, sub: mb}, nil
}

// bindField binds field fd to column c (whose name equals the field's).
func bindField(fd protoreflect.FieldDescriptor, c cand, depth int) (*binding, error) {
	b := base(c.t)
	bd := &binding{fd: fd, out: c.out, t: c.t, full: c.full}
	if fd.IsMap() && b.Kind == block.Map {
		entry := fd.Message()
		mb, used, err := bind(entry, []cand{
			{name: "key", t: b.Key, out: 0, full: c.full + ".key"},
			{name: "value", t: b.Value, out: 1, full: c.full + ".value"},
		}, depth+1)
		if err != nil {
			return nil, err
		}
		if !used[0] || !used[1] {
			return nil, fmt.Errorf("column %s (%s) cannot hold the map field %s", c.full, c.t, fd.FullName())
		}
		bd.kind, bd.sub = bMap, mb
		return bd, nil
	}
	t := c.t
	if fd.IsList() {
		if b.Kind != block.Array {
			if fd.Message() != nil {
				return nil, fmt.Errorf("column %s (%s) cannot hold the repeated field %s: it must be an Array", c.full, c.t, fd.FullName())
			}
			bd.kind = bScalar // the last value wins, as in ClickHouse
			return bd, nil
		}
		t = b.Elem
	} else if b.Kind == block.Array && fd.Message() == nil {
		return nil, fmt.Errorf("column %s (%s) is an Array but the field %s is not repeated", c.full, c.t, fd.FullName())
	}
	if fd.Message() == nil {
		if k := base(t).Kind; k == block.Array || k == block.Map || k == block.Tuple {
			return nil, fmt.Errorf("column %s (%s) cannot hold the %s field %s", c.full, c.t, fd.Kind(), fd.FullName())
		}
		bd.kind = bScalar
		return bd, nil
	}
	sp, mb, err := bindMessageValue(fd.Message(), t, c.full, depth)
	if err != nil {
		return nil, err
	}
	bd.kind, bd.sp, bd.sub = bMessage, sp, mb
	return bd, nil
}

const timestampName = "google.protobuf.Timestamp"

func isWrapper(md protoreflect.MessageDescriptor) bool {
	switch md.FullName() {
	case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
		"google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
		"google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue":
		return true
	}
	return false
}

// bindMessageValue binds one value of message md (a singular field or an element of a
// repeated one) to a column of type t.
func bindMessageValue(md protoreflect.MessageDescriptor, t *block.Type, full string, depth int) (special, *msgBinding, error) {
	b := base(t)
	switch {
	case md.FullName() == timestampName && (b.Kind == block.DateTime || b.Kind == block.DateTime64 || b.Kind == block.Date || b.Kind == block.Date32):
		return spTimestamp, nil, nil
	case isWrapper(md) && b.Kind != block.Tuple:
		mb, used, err := bind(md, []cand{{name: "value", t: t, out: 0, full: full}}, depth+1)
		if err != nil {
			return 0, nil, err
		}
		if !used[0] {
			return 0, nil, fmt.Errorf("column %s (%s) cannot hold %s", full, t, md.FullName())
		}
		return spWrapper, mb, nil
	case b.Kind == block.Tuple:
		cands := make([]cand, len(b.Fields))
		unnamed := len(b.Fields) > 0 && b.Fields[0].Name == ""
		for k, f := range b.Fields {
			name := f.Name
			if unnamed {
				// Unnamed tuple elements bind the message's fields in declaration order.
				if k < md.Fields().Len() {
					name = string(md.Fields().Get(k).Name())
				} else {
					name = ""
				}
			}
			cands[k] = cand{name: name, t: f.Type, out: k, full: fmt.Sprintf("%s.%s", full, tupleElemName(f.Name, k))}
		}
		mb, used, err := bind(md, cands, depth+1)
		if err != nil {
			return 0, nil, err
		}
		any := false
		for _, u := range used {
			any = any || u
		}
		if !any {
			return 0, nil, fmt.Errorf("no element of column %s (%s) matches a field of message %s", full, t, md.FullName())
		}
		return spTuple, mb, nil
	case md.Fields().Len() == 1:
		f0 := md.Fields().Get(0)
		mb, used, err := bind(md, []cand{{name: string(f0.Name()), t: t, out: 0, full: full}}, depth+1)
		if err != nil {
			return 0, nil, err
		}
		if !used[0] {
			return 0, nil, fmt.Errorf("column %s (%s) cannot hold message %s", full, t, md.FullName())
		}
		return spUnwrap, mb, nil
	}
	return 0, nil, fmt.Errorf("column %s (%s) cannot hold message %s: use a Tuple column, or columns named %s.<field>", full, t, md.FullName(), full)
}

func tupleElemName(name string, k int) string {
	if name != "" {
		return name
	}
	return fmt.Sprint(k + 1)
}

// bindColumns binds a message to the table's columns. It fails when no column binds.
func bindColumns(md protoreflect.MessageDescriptor, cols []block.Column) (*msgBinding, error) {
	cands := make([]cand, len(cols))
	for i, c := range cols {
		cands[i] = cand{name: c.Name, t: c.Type, out: i, full: c.Name}
	}
	mb, used, err := bind(md, cands, 0)
	if err != nil {
		return nil, err
	}
	for _, u := range used {
		if u {
			return mb, nil
		}
	}
	return nil, fmt.Errorf("no column matches a field of message %s", md.FullName())
}
