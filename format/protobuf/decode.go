package protobuf

import (
	"errors"
	"fmt"
	"io"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/chkafka/chkafka/block"
)

// scalarConv appends a scalar wire value (v for varint and fixed types, b for
// length-delimited ones) to a column.
type scalarConv func(c *block.Col, v uint64, b []byte) error

type dmode uint8

const (
	dScalar     dmode = iota + 1 // singular scalar (or repeated into a non-Array column): last value wins
	dScalarList                  // repeated scalar → Array
	dMsg                         // singular message → one column: last value wins
	dMsgList                     // repeated message → Array
	dFlat                        // singular message → flattened columns
	dFlatList                    // repeated message → flattened Array columns
	dMap                         // map → Map
	dTrack                       // member of a bound oneof that binds no column itself
)

// decMsg is a message compiled for decoding into its outs. Its fields carry per-call
// state, so a decMsg must not be decoding twice at once; a plan never nests one inside
// itself, since every nesting level of the columns gets its own decMsg.
type decMsg struct {
	name   string
	dense  []*decField // by field number, when the numbers are small
	sparse map[protowire.Number]*decField
	fields []*decField
	oneofs []*decOneof
}

type decField struct {
	num      protowire.Number
	name     string
	mode     dmode
	wire     protowire.Type // wire type of a scalar value
	packable bool
	conv     scalarConv
	out      int
	outs     []int
	sub      *decMsg
	sp       special
	ts       tsConv
	oneof    *decOneof
	hasDef   bool
	defV     uint64
	defB     []byte

	// state of the current message
	set      bool
	v        uint64
	b        []byte
	begun    bool
	elem     *block.Col
	elemCols []*block.Col
	key, val *block.Col
	scratch  []*block.Col
	entry    entryState
}

type entryState struct{ kv []*block.Col }

type decOneof struct {
	out   int
	names map[protowire.Number][]byte // field names, for String columns; nil: numbers
	set   protowire.Number
}

// tsConv converts a Timestamp (seconds, nanos) to a column's value.
type tsConv func(c *block.Col, sec int64, nanos int32) error

// compileDecMsg compiles a binding for decoding.
func compileDecMsg(mb *msgBinding) (*decMsg, error) {
	m := &decMsg{name: string(mb.md.FullName())}
	var all []*decField
	oneofs := map[protoreflect.FullName]*decOneof{}
	for _, b := range mb.fields {
		if b.kind != bOneof {
			continue
		}
		o := &decOneof{out: b.out}
		if k := base(b.t).Kind; k == block.String || k == block.FixedString {
			o.names = map[protowire.Number][]byte{}
			fs := b.od.Fields()
			for i := range fs.Len() {
				o.names[fs.Get(i).Number()] = []byte(fs.Get(i).Name())
			}
		}
		oneofs[b.od.FullName()] = o
		m.oneofs = append(m.oneofs, o)
	}
	for _, b := range mb.fields {
		if b.kind == bOneof {
			continue
		}
		f, err := compileDecField(b)
		if err != nil {
			return nil, err
		}
		if od := b.fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			f.oneof = oneofs[od.FullName()]
		}
		all = append(all, f)
		m.fields = append(m.fields, f)
	}
	// Members of bound oneofs that bind no column still set the oneof's case.
	for name, o := range oneofs {
		fs := mb.md.Oneofs().ByName(name.Name()).Fields()
		for i := range fs.Len() {
			fd := fs.Get(i)
			found := false
			for _, f := range all {
				if f.num == fd.Number() {
					found = true
				}
			}
			if !found {
				all = append(all, &decField{num: fd.Number(), name: string(fd.Name()), mode: dTrack, oneof: o})
			}
		}
	}
	maxNum := protowire.Number(0)
	for _, f := range all {
		maxNum = max(maxNum, f.num)
	}
	if maxNum <= 1024 {
		m.dense = make([]*decField, maxNum+1)
		for _, f := range all {
			m.dense[f.num] = f
		}
	} else {
		m.sparse = make(map[protowire.Number]*decField, len(all))
		for _, f := range all {
			m.sparse[f.num] = f
		}
	}
	return m, nil
}

func (m *decMsg) lookup(num protowire.Number) *decField {
	if m.dense != nil {
		if int(num) < len(m.dense) {
			return m.dense[num]
		}
		return nil
	}
	return m.sparse[num]
}

func compileDecField(b *binding) (*decField, error) {
	fd := b.fd
	f := &decField{num: fd.Number(), name: string(fd.Name()), out: b.out, outs: b.outs, sp: b.sp}
	switch b.kind {
	case bScalar:
		f.mode = dScalar
		if fd.IsList() && base(b.t).Kind == block.Array {
			f.mode = dScalarList
		}
		t := b.t
		if f.mode == dScalarList {
			t = base(b.t).Elem
		}
		conv, wire, err := compileScalar(fd, t)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", b.full, err)
		}
		f.conv, f.wire = conv, wire
		f.packable = fd.IsList() && wire != protowire.BytesType
		if fd.HasDefault() && !fd.IsList() {
			f.hasDef = true
			f.defV, f.defB = defaultValue(fd)
		}
	case bMessage:
		f.mode = dMsg
		t := b.t
		if fd.IsList() {
			f.mode = dMsgList
			t = base(b.t).Elem
		}
		if err := f.compileMessageValue(b, t); err != nil {
			return nil, err
		}
	case bFlat:
		f.mode = dFlat
		if fd.IsList() {
			f.mode = dFlatList
			f.elemCols = make([]*block.Col, len(b.outs))
		}
		sub, err := compileDecMsg(b.sub)
		if err != nil {
			return nil, err
		}
		f.sub = sub
		f.scratch = make([]*block.Col, len(b.outs))
	case bMap:
		f.mode = dMap
		sub, err := compileDecMsg(b.sub)
		if err != nil {
			return nil, err
		}
		f.sub = sub
		f.entry.kv = make([]*block.Col, 2)
	}
	return f, nil
}

func (f *decField) compileMessageValue(b *binding, t *block.Type) error {
	switch b.sp {
	case spTimestamp:
		f.ts = compileTimestamp(base(t))
		return nil
	case spTuple:
		f.scratch = make([]*block.Col, len(base(t).Fields))
	default:
		f.scratch = make([]*block.Col, 1)
	}
	sub, err := compileDecMsg(b.sub)
	if err != nil {
		return err
	}
	if b.sp == spWrapper {
		// A present wrapper without its value holds the type's zero, not NULL.
		for _, sf := range sub.fields {
			if sf.mode == dScalar {
				sf.hasDef, sf.defV, sf.defB = true, 0, []byte{}
			}
		}
	}
	f.sub = sub
	return nil
}

func compileTimestamp(t *block.Type) tsConv {
	switch t.Kind {
	case block.DateTime64:
		p := t.Precision
		mul := int64(1)
		for range p {
			mul *= 10
		}
		div := int64(1e9) / mul
		return func(c *block.Col, sec int64, nanos int32) error {
			if sec > math.MaxInt64/mul || sec < math.MinInt64/mul {
				return fmt.Errorf("timestamp %d s out of range", sec)
			}
			return c.AppendInt(sec*mul + int64(nanos)/div)
		}
	case block.Date, block.Date32:
		return func(c *block.Col, sec int64, _ int32) error {
			d := sec / 86400
			if sec%86400 < 0 {
				d--
			}
			return c.AppendInt(d)
		}
	}
	return func(c *block.Col, sec int64, _ int32) error { return c.AppendInt(sec) }
}

// defaultValue returns a proto2 field's explicit default as a wire value.
func defaultValue(fd protoreflect.FieldDescriptor) (uint64, []byte) {
	v := fd.Default()
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if v.Bool() {
			return 1, nil
		}
		return 0, nil
	case protoreflect.EnumKind:
		return uint64(int64(v.Enum())), nil
	case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Sfixed32Kind, protoreflect.Sfixed64Kind:
		return uint64(v.Int()), nil
	case protoreflect.Sint32Kind, protoreflect.Sint64Kind:
		return protowire.EncodeZigZag(v.Int()), nil
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return v.Uint(), nil
	case protoreflect.FloatKind:
		return uint64(math.Float32bits(float32(v.Float()))), nil
	case protoreflect.DoubleKind:
		return math.Float64bits(v.Float()), nil
	case protoreflect.StringKind:
		return 0, []byte(v.String())
	case protoreflect.BytesKind:
		return 0, v.Bytes()
	}
	return 0, nil
}

func isNumericKind(k block.Kind) bool {
	switch k {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32,
		block.UInt64, block.Float32, block.Float64, block.Bool, block.Decimal, block.Date, block.Date32,
		block.DateTime, block.DateTime64:
		return true
	}
	return false
}

// compileScalar returns the conversion of a scalar field's values into a column of type
// t, and the wire type the values have (unpacked).
func compileScalar(fd protoreflect.FieldDescriptor, t *block.Type) (scalarConv, protowire.Type, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendBool(v != 0) }, protowire.VarintType, nil
	case protoreflect.Int32Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendInt(int64(int32(v))) }, protowire.VarintType, nil
	case protoreflect.Int64Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendInt(int64(v)) }, protowire.VarintType, nil
	case protoreflect.Sint32Kind:
		return func(c *block.Col, v uint64, _ []byte) error {
			return c.AppendInt(int64(int32(protowire.DecodeZigZag(v & math.MaxUint32))))
		}, protowire.VarintType, nil
	case protoreflect.Sint64Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendInt(protowire.DecodeZigZag(v)) }, protowire.VarintType, nil
	case protoreflect.Uint32Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendUint(uint64(uint32(v))) }, protowire.VarintType, nil
	case protoreflect.Uint64Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendUint(v) }, protowire.VarintType, nil
	case protoreflect.Fixed32Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendUint(v) }, protowire.Fixed32Type, nil
	case protoreflect.Sfixed32Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendInt(int64(int32(uint32(v)))) }, protowire.Fixed32Type, nil
	case protoreflect.FloatKind:
		return func(c *block.Col, v uint64, _ []byte) error {
			return c.AppendFloat(float64(math.Float32frombits(uint32(v))))
		}, protowire.Fixed32Type, nil
	case protoreflect.Fixed64Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendUint(v) }, protowire.Fixed64Type, nil
	case protoreflect.Sfixed64Kind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendInt(int64(v)) }, protowire.Fixed64Type, nil
	case protoreflect.DoubleKind:
		return func(c *block.Col, v uint64, _ []byte) error { return c.AppendFloat(math.Float64frombits(v)) }, protowire.Fixed64Type, nil
	case protoreflect.StringKind, protoreflect.BytesKind:
		return func(c *block.Col, _ uint64, b []byte) error { return c.AppendText(b) }, protowire.BytesType, nil
	case protoreflect.EnumKind:
		if isNumericKind(base(t).Kind) {
			return func(c *block.Col, v uint64, _ []byte) error { return c.AppendInt(int64(int32(v))) }, protowire.VarintType, nil
		}
		names := map[int32][]byte{}
		vals := fd.Enum().Values()
		for i := range vals.Len() {
			ev := vals.Get(i)
			if _, dup := names[int32(ev.Number())]; !dup {
				names[int32(ev.Number())] = []byte(ev.Name())
			}
		}
		return func(c *block.Col, v uint64, _ []byte) error {
			if name, ok := names[int32(v)]; ok {
				return c.AppendText(name)
			}
			return c.AppendInt(int64(int32(v)))
		}, protowire.VarintType, nil
	}
	return nil, 0, fmt.Errorf("field %s of unsupported kind %s", fd.FullName(), fd.Kind())
}

// errTruncated is the error of a record that ends inside a value.
var errTruncated = errors.New("unexpected end of data")

// wireError describes a protowire parse failure.
func wireError(n int) error {
	err := protowire.ParseError(n)
	if err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTruncated
	}
	return err
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

// decode decodes one message from data into outs: every out gets exactly one value.
func (m *decMsg) decode(data []byte, outs []*block.Col) error {
	for _, f := range m.fields {
		f.set, f.begun, f.b = false, false, nil
	}
	for _, o := range m.oneofs {
		o.set = 0
	}
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return fmt.Errorf("invalid field tag: %w", wireError(n))
		}
		data = data[n:]
		f := m.lookup(num)
		if f == nil {
			n = protowire.ConsumeFieldValue(num, typ, data)
			if n < 0 {
				return inField(fmt.Sprintf("#%d", num), wireError(n))
			}
			data = data[n:]
			continue
		}
		n, err := f.read(typ, data, outs)
		if err != nil {
			return inField(f.name, err)
		}
		data = data[n:]
		if f.oneof != nil {
			f.oneof.set = f.num
		}
	}
	for _, f := range m.fields {
		err := f.finish(outs)
		f.b = nil // do not retain the payload
		if err != nil {
			return inField(f.name, err)
		}
	}
	for _, o := range m.oneofs {
		c := outs[o.out]
		var err error
		switch {
		case o.set == 0:
			c.AppendDefault()
		case o.names != nil:
			err = c.AppendText(o.names[o.set])
		default:
			err = c.AppendInt(int64(o.set))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// consumeScalar reads one unpacked scalar value of wire type typ.
func consumeScalar(typ protowire.Type, data []byte) (uint64, []byte, int) {
	switch typ {
	case protowire.VarintType:
		v, n := protowire.ConsumeVarint(data)
		return v, nil, n
	case protowire.Fixed32Type:
		v, n := protowire.ConsumeFixed32(data)
		return uint64(v), nil, n
	case protowire.Fixed64Type:
		v, n := protowire.ConsumeFixed64(data)
		return v, nil, n
	case protowire.BytesType:
		b, n := protowire.ConsumeBytes(data)
		return 0, b, n
	}
	return 0, nil, -1
}

// read consumes one occurrence of the field and returns the bytes it took.
func (f *decField) read(typ protowire.Type, data []byte, outs []*block.Col) (int, error) {
	switch f.mode {
	case dTrack:
		n := protowire.ConsumeFieldValue(f.num, typ, data)
		if n < 0 {
			return 0, wireError(n)
		}
		return n, nil
	case dScalar, dScalarList:
		if typ == protowire.BytesType && f.packable {
			b, n := protowire.ConsumeBytes(data)
			if n < 0 {
				return 0, wireError(n)
			}
			for len(b) > 0 {
				v, _, k := consumeScalar(f.wire, b)
				if k < 0 {
					return 0, fmt.Errorf("packed values: %w", wireError(k))
				}
				b = b[k:]
				if err := f.scalar(v, nil, outs); err != nil {
					return 0, err
				}
			}
			return n, nil
		}
		if typ != f.wire {
			return 0, fmt.Errorf("wire type %d does not match the field's type (expected %d)", typ, f.wire)
		}
		v, b, n := consumeScalar(typ, data)
		if n < 0 {
			return 0, wireError(n)
		}
		return n, f.scalar(v, b, outs)
	}
	if typ != protowire.BytesType {
		return 0, fmt.Errorf("wire type %d does not match a message field (expected 2)", typ)
	}
	b, n := protowire.ConsumeBytes(data)
	if n < 0 {
		return 0, wireError(n)
	}
	switch f.mode {
	case dMsg, dFlat:
		f.set, f.b = true, b // the last occurrence wins
	case dMsgList:
		if !f.begun {
			f.elem, f.begun = outs[f.out].BeginArray(), true
		}
		if err := f.message(b, true, f.elem); err != nil {
			return 0, err
		}
	case dFlatList:
		if !f.begun {
			for k, o := range f.outs {
				f.elemCols[k] = outs[o].BeginArray()
			}
			f.begun = true
		}
		if err := f.sub.decode(b, f.elemCols); err != nil {
			return 0, err
		}
	case dMap:
		if !f.begun {
			f.key, f.val = outs[f.out].BeginMap()
			f.begun = true
		}
		f.entry.kv[0], f.entry.kv[1] = f.key, f.val
		if err := f.sub.decode(b, f.entry.kv); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// scalar handles one scalar value: kept (last wins) or appended to the Array.
func (f *decField) scalar(v uint64, b []byte, outs []*block.Col) error {
	if f.mode == dScalar {
		f.set, f.v, f.b = true, v, b
		return nil
	}
	if !f.begun {
		f.elem, f.begun = outs[f.out].BeginArray(), true
	}
	return f.conv(f.elem, v, b)
}

// message appends one message value to c per the field's special mapping; set is false
// for an absent singular field.
func (f *decField) message(b []byte, set bool, c *block.Col) error {
	switch f.sp {
	case spTimestamp:
		if !set {
			c.AppendDefault()
			return nil
		}
		sec, nanos, err := parseTimestamp(b)
		if err != nil {
			return err
		}
		return f.ts(c, sec, nanos)
	case spWrapper:
		if !set {
			return c.AppendNull()
		}
		f.scratch[0] = c
		return f.sub.decode(b, f.scratch)
	case spTuple:
		c.BeginTuple()
		for k := range f.scratch {
			f.scratch[k] = c.Field(k)
		}
		if err := f.sub.decode(b, f.scratch); err != nil {
			return err
		}
		return c.EndTuple()
	}
	f.scratch[0] = c
	return f.sub.decode(b, f.scratch)
}

func parseTimestamp(b []byte) (int64, int32, error) {
	var sec int64
	var nanos int32
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, 0, wireError(n)
		}
		b = b[n:]
		if (num == 1 || num == 2) && typ == protowire.VarintType {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, 0, wireError(n)
			}
			if num == 1 {
				sec = int64(v)
			} else {
				nanos = int32(v)
			}
			b = b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return 0, 0, wireError(n)
		}
		b = b[n:]
	}
	if nanos < 0 || nanos > 999_999_999 {
		return 0, 0, fmt.Errorf("timestamp nanos %d out of range", nanos)
	}
	return sec, nanos, nil
}

// finish appends the field's value (or default) at the end of the message.
func (f *decField) finish(outs []*block.Col) error {
	switch f.mode {
	case dScalar:
		c := outs[f.out]
		switch {
		case f.set:
			return f.conv(c, f.v, f.b)
		case f.hasDef:
			return f.conv(c, f.defV, f.defB)
		}
		c.AppendDefault()
	case dScalarList, dMsgList:
		if !f.begun {
			outs[f.out].BeginArray()
		}
		outs[f.out].EndArray()
	case dMsg:
		return f.message(f.b, f.set, outs[f.out])
	case dFlat:
		for k, o := range f.outs {
			f.scratch[k] = outs[o]
		}
		return f.sub.decode(f.b, f.scratch)
	case dFlatList:
		for _, o := range f.outs {
			if !f.begun {
				outs[o].BeginArray()
			}
			outs[o].EndArray()
		}
	case dMap:
		if !f.begun {
			outs[f.out].BeginMap()
		}
		return outs[f.out].EndMap()
	}
	return nil
}
