package avro

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowcol"
)

// op decodes one value of a writer type into a column. Ops are compiled once per
// (writer schema, column type) pair, so decoding runs no type switch per value.
type op func(r *reader, c *block.Col) error

// rowOp decodes one record of the writer's root schema into the row's columns.
type rowOp func(r *reader, cols []*block.Col) error

// plan is a writer schema compiled against the table's columns.
type plan struct {
	root *node
	row  rowOp
}

// compiler compiles writer schemas against one set of columns.
type compiler struct {
	cols  []block.Column
	index map[string]int
}

func newCompiler(cols []block.Column) *compiler {
	c := &compiler{cols: cols, index: make(map[string]int, len(cols))}
	for i, col := range cols {
		c.index[col.Name] = i
	}
	return c
}

// compile parses a writer schema and compiles it into a plan.
func (c *compiler) compile(schema []byte) (*plan, error) {
	root, err := parseSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("invalid writer schema: %w", err)
	}
	if root.kind != kRecord {
		return nil, fmt.Errorf("the root schema must be a record, got %s", root)
	}
	row, err := c.record(root, "")
	if err != nil {
		return nil, err
	}
	return &plan{root: root, row: row}, nil
}

// record compiles the fields of a writer record against the columns named prefix+field:
// a field matching a column decodes into it, a record field whose name prefixes column
// names ("a" for "a.b") is flattened into them, and other fields are skipped. Columns no
// field matches get their defaults from Rows.EndRow (NULL for Nullable columns).
func (c *compiler) record(n *node, prefix string) (rowOp, error) {
	type step struct {
		name string
		col  int
		op   op
		sub  rowOp
		skip *node
	}
	steps := make([]step, 0, len(n.fields))
	for _, f := range n.fields {
		name := prefix + f.name
		if i, ok := c.index[name]; ok {
			o, err := compileOp(f.node, c.cols[i].Type)
			if err != nil {
				return nil, fmt.Errorf("column %s (%s): %w", c.cols[i].Name, c.cols[i].Type, err)
			}
			steps = append(steps, step{name: f.name, col: i, op: o})
			continue
		}
		if f.node.kind == kRecord && c.hasPrefix(name+".") {
			sub, err := c.record(f.node, name+".")
			if err != nil {
				return nil, err
			}
			steps = append(steps, step{name: f.name, sub: sub})
			continue
		}
		steps = append(steps, step{name: f.name, skip: f.node})
	}
	return func(r *reader, cols []*block.Col) error {
		for i := range steps {
			s := &steps[i]
			var err error
			switch {
			case s.op != nil:
				err = s.op(r, cols[s.col])
			case s.sub != nil:
				err = s.sub(r, cols)
			default:
				err = r.skip(s.skip, 0)
			}
			if err != nil {
				return fieldError(s.name, err)
			}
		}
		return nil
	}, nil
}

func (c *compiler) hasPrefix(p string) bool {
	for _, col := range c.cols {
		if strings.HasPrefix(col.Name, p) {
			return true
		}
	}
	return false
}

// fieldError names the field a decoding error happened in; conversion errors from package
// block already name their column and pass through.
func fieldError(name string, err error) error {
	if _, ok := err.(*block.ValueError); ok {
		return err
	}
	if fe, ok := err.(*fieldErr); ok {
		fe.path = name + "." + fe.path
		return fe
	}
	return &fieldErr{path: name, err: err}
}

type fieldErr struct {
	path string
	err  error
}

func (e *fieldErr) Error() string { return "field " + e.path + ": " + e.err.Error() }
func (e *fieldErr) Unwrap() error { return e.err }

// base removes Nullable and LowCardinality: the type whose kind decides conversions.
func base(t *block.Type) *block.Type {
	for t.Kind == block.Nullable || t.Kind == block.LowCardinality {
		t = t.Elem
	}
	return t
}

func isNumeric(k block.Kind) bool {
	switch k {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32,
		block.UInt64, block.Float32, block.Float64, block.Bool, block.Decimal:
		return true
	}
	return false
}

func pow10(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// scaleInt converts v from 10^-from to 10^-to units (flooring), failing on overflow.
func scaleInt(v int64, from, to int) (int64, error) {
	switch {
	case from == to:
		return v, nil
	case from > to:
		return floorDiv(v, pow10(from-to)), nil
	}
	m := pow10(to - from)
	if v > math.MaxInt64/m || v < math.MinInt64/m {
		return 0, fmt.Errorf("value %d out of range", v)
	}
	return v * m, nil
}

// compileOp compiles the decoding of writer type n into a column of type t.
func compileOp(n *node, t *block.Type) (op, error) {
	b := base(t)
	composite := b.Kind == block.Array || b.Kind == block.Map || b.Kind == block.Tuple
	switch n.kind {
	case kNull:
		return func(_ *reader, c *block.Col) error { return c.AppendNull() }, nil
	case kUnion:
		return compileUnion(n, t)
	case kArray:
		if b.Kind != block.Array {
			return nil, cannot(n, t)
		}
		elem, err := compileOp(n.items, b.Elem)
		if err != nil {
			return nil, err
		}
		minItem := n.items.min
		return func(r *reader, c *block.Col) error {
			e := c.BeginArray()
			for {
				cnt, err := r.blockCount(minItem)
				if err != nil {
					return err
				}
				if cnt == 0 {
					break
				}
				for ; cnt > 0; cnt-- {
					if err := elem(r, e); err != nil {
						return err
					}
				}
			}
			c.EndArray()
			return nil
		}, nil
	case kMap:
		if b.Kind != block.Map {
			return nil, cannot(n, t)
		}
		val, err := compileOp(n.values, b.Value)
		if err != nil {
			return nil, err
		}
		minItem := n.values.min + 1
		return func(r *reader, c *block.Col) error {
			kc, vc := c.BeginMap()
			for {
				cnt, err := r.blockCount(minItem)
				if err != nil {
					return err
				}
				if cnt == 0 {
					break
				}
				for ; cnt > 0; cnt-- {
					k, err := r.bytes()
					if err != nil {
						return err
					}
					if err := kc.AppendText(k); err != nil {
						return err
					}
					if err := val(r, vc); err != nil {
						return err
					}
				}
			}
			return c.EndMap()
		}, nil
	case kRecord:
		if b.Kind != block.Tuple {
			return nil, cannot(n, t)
		}
		return compileTuple(n, b)
	}
	if composite {
		return nil, cannot(n, t)
	}
	switch n.kind {
	case kBoolean:
		return func(r *reader, c *block.Col) error {
			v, err := r.boolean()
			if err != nil {
				return err
			}
			return c.AppendBool(v)
		}, nil
	case kInt:
		if n.logical == "date" {
			mul := int64(1)
			switch b.Kind {
			case block.DateTime:
				mul = 86400
			case block.DateTime64:
				mul = 86400 * pow10(b.Precision)
			}
			return func(r *reader, c *block.Col) error {
				v, err := r.int()
				if err != nil {
					return err
				}
				return c.AppendInt(int64(v) * mul)
			}, nil
		}
		if b.Kind == block.UInt32 || b.Kind == block.DateTime {
			// ClickHouse writes UInt32 and DateTime as Avro int: undo the wrap-around.
			return func(r *reader, c *block.Col) error {
				v, err := r.int()
				if err != nil {
					return err
				}
				return c.AppendUint(uint64(uint32(v)))
			}, nil
		}
		return func(r *reader, c *block.Col) error {
			v, err := r.int()
			if err != nil {
				return err
			}
			return c.AppendInt(int64(v))
		}, nil
	case kLong:
		if unit, ok := timestampUnit(n.logical); ok {
			to, div := -1, int64(0)
			switch b.Kind {
			case block.DateTime64:
				to = b.Precision
			case block.DateTime:
				to = 0
			case block.Date, block.Date32:
				div = 86400 * pow10(unit)
			}
			return func(r *reader, c *block.Col) error {
				v, err := r.long()
				if err != nil {
					return err
				}
				switch {
				case to >= 0:
					if v, err = scaleInt(v, unit, to); err != nil {
						return err
					}
				case div > 0:
					v = floorDiv(v, div)
				}
				return c.AppendInt(v)
			}, nil
		}
		if b.Kind == block.UInt64 {
			// ClickHouse writes UInt64 as Avro long: undo the wrap-around.
			return func(r *reader, c *block.Col) error {
				v, err := r.long()
				if err != nil {
					return err
				}
				return c.AppendUint(uint64(v))
			}, nil
		}
		return func(r *reader, c *block.Col) error {
			v, err := r.long()
			if err != nil {
				return err
			}
			return c.AppendInt(v)
		}, nil
	case kFloat:
		return func(r *reader, c *block.Col) error {
			v, err := r.float()
			if err != nil {
				return err
			}
			return c.AppendFloat(float64(v))
		}, nil
	case kDouble:
		return func(r *reader, c *block.Col) error {
			v, err := r.double()
			if err != nil {
				return err
			}
			return c.AppendFloat(v)
		}, nil
	case kBytes, kString, kFixed:
		read := func(r *reader) ([]byte, error) { return r.bytes() }
		if n.kind == kFixed {
			size := n.size
			read = func(r *reader) ([]byte, error) { return r.fixed(size) }
		}
		if n.logical == "decimal" {
			return compileDecimal(read, n.scale, b)
		}
		if n.kind == kFixed && n.size == 16 && b.Kind == block.UUID {
			var text []byte
			return func(r *reader, c *block.Col) error {
				v, err := read(r)
				if err != nil {
					return err
				}
				text = arrowcol.AppendUUID(text[:0], v)
				return c.AppendText(text)
			}, nil
		}
		return func(r *reader, c *block.Col) error {
			v, err := read(r)
			if err != nil {
				return err
			}
			return c.AppendText(v)
		}, nil
	case kEnum:
		symbols := make([][]byte, len(n.symbols))
		for i, s := range n.symbols {
			symbols[i] = []byte(s)
		}
		byIndex := isNumeric(b.Kind)
		return func(r *reader, c *block.Col) error {
			i, err := r.long()
			if err != nil {
				return err
			}
			if i < 0 || i >= int64(len(symbols)) {
				return fmt.Errorf("enum index %d out of range [0, %d)", i, len(symbols))
			}
			if byIndex {
				return c.AppendInt(i)
			}
			return c.AppendText(symbols[i])
		}, nil
	}
	return nil, cannot(n, t)
}

func cannot(n *node, t *block.Type) error {
	return fmt.Errorf("cannot read Avro type %s into a column of type %s", n, t)
}

// timestampUnit returns the number of fraction digits of a timestamp logical type.
func timestampUnit(logical string) (int, bool) {
	switch logical {
	case "timestamp-millis", "local-timestamp-millis":
		return 3, true
	case "timestamp-micros", "local-timestamp-micros":
		return 6, true
	case "timestamp-nanos", "local-timestamp-nanos":
		return 9, true
	}
	return 0, false
}

func compileUnion(n *node, t *block.Type) (op, error) {
	ops := make([]op, len(n.branches))
	errs := make([]error, len(n.branches))
	ok := false
	for i, br := range n.branches {
		ops[i], errs[i] = compileOp(br, t)
		if errs[i] == nil && br.kind != kNull {
			ok = true
		}
	}
	if !ok {
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	}
	return func(r *reader, c *block.Col) error {
		i, err := r.long()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(ops)) {
			return fmt.Errorf("union index %d out of range [0, %d)", i, len(ops))
		}
		if ops[i] == nil {
			return errs[i]
		}
		return ops[i](r, c)
	}, nil
}

// compileTuple decodes a record into a Tuple column, matching fields to elements by name
// (an unnamed tuple's element k is named "k", or "_k" as chkafka's encoder writes it).
func compileTuple(n *node, t *block.Type) (op, error) {
	type step struct {
		name string
		idx  int
		op   op
		skip *node
	}
	steps := make([]step, len(n.fields))
	for i, f := range n.fields {
		idx := tupleIndex(t, f.name)
		steps[i] = step{name: f.name, idx: idx, skip: f.node}
		if idx >= 0 {
			o, err := compileOp(f.node, t.Fields[idx].Type)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.name, err)
			}
			steps[i].op = o
		}
	}
	return func(r *reader, c *block.Col) error {
		c.BeginTuple()
		for i := range steps {
			s := &steps[i]
			var err error
			if s.op != nil {
				err = s.op(r, c.Field(s.idx))
			} else {
				err = r.skip(s.skip, 0)
			}
			if err != nil {
				return fieldError(s.name, err)
			}
		}
		return c.EndTuple()
	}, nil
}

func tupleIndex(t *block.Type, name string) int {
	for i, f := range t.Fields {
		if f.Name == name {
			return i
		}
	}
	if len(t.Fields) > 0 && t.Fields[0].Name == "" {
		s := strings.TrimPrefix(name, "_")
		for i := range t.Fields {
			if s == fmt.Sprint(i+1) {
				return i
			}
		}
	}
	return -1
}

// compileDecimal decodes Avro's decimal logical type (big-endian two's complement unscaled
// value with the writer's scale).
func compileDecimal(read func(*reader) ([]byte, error), scale int, b *block.Type) (op, error) {
	var text []byte
	switch b.Kind {
	case block.DateTime64, block.DateTime:
		to := 0
		if b.Kind == block.DateTime64 {
			to = b.Precision
		}
		return func(r *reader, c *block.Col) error {
			v, err := read(r)
			if err != nil {
				return err
			}
			u, ok := beInt64(v)
			if !ok {
				return fmt.Errorf("decimal of %d bytes out of range", len(v))
			}
			if u, err = scaleInt(u, scale, to); err != nil {
				return err
			}
			return c.AppendInt(u)
		}, nil
	}
	return func(r *reader, c *block.Col) error {
		v, err := read(r)
		if err != nil {
			return err
		}
		if len(v) == 0 {
			return fmt.Errorf("empty decimal value")
		}
		text = appendDecimalBE(text[:0], v, scale)
		return c.AppendText(text)
	}, nil
}

// beInt64 returns a big-endian two's complement integer of at most 8 significant bytes.
func beInt64(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	ext := byte(0)
	if b[0]&0x80 != 0 {
		ext = 0xff
	}
	for len(b) > 8 {
		if b[0] != ext {
			return 0, false
		}
		b = b[1:]
	}
	var v int64
	if ext == 0xff {
		v = -1
	}
	for _, x := range b {
		v = v<<8 | int64(x)
	}
	if (v < 0) != (ext == 0xff) {
		return 0, false
	}
	return v, true
}

// appendDecimalBE appends the decimal text of a big-endian two's complement unscaled
// value with the given scale.
func appendDecimalBE(dst, b []byte, scale int) []byte {
	if v, ok := beInt64(b); ok {
		var w [4]uint64
		w[0] = uint64(v)
		if v < 0 {
			w[1], w[2], w[3] = ^uint64(0), ^uint64(0), ^uint64(0)
		}
		return arrowcol.AppendDecimalText(dst, w, scale)
	}
	n := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	s := n.String()
	neg := s[0] == '-'
	if neg {
		dst = append(dst, '-')
		s = s[1:]
	}
	for len(s) <= scale {
		s = "0" + s
	}
	if scale == 0 {
		return append(dst, s...)
	}
	dst = append(dst, s[:len(s)-scale]...)
	dst = append(dst, '.')
	return append(dst, s[len(s)-scale:]...)
}
