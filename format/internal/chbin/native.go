package chbin

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// Column reads one column in ClickHouse's bulk serialization (Native format) and stages
// its values. Call ReadPrefix, then Read for the column's rows, then Stage for each row;
// Release drops the references Read kept into the input. A Column is reused from block to
// block and is not safe for concurrent use.
type Column interface {
	ReadPrefix(r *binio.Reader) error
	Read(r *binio.Reader, n int) error
	// Stage appends value i (0 <= i < n of the last Read) to c. A Column compiled without
	// a table type only reads.
	Stage(c *block.Col, i int) error
	Release()
}

// CompileColumn returns the Column reading the serialization of the message type msg into
// columns of the table type table, or only reading when table is nil. It fails with a
// [*ConvertError] when values of msg cannot fill table: besides equal types, LowCardinality
// and Nullable may differ, numbers may widen or narrow (each value is range-checked), dates
// and times convert, and Array, Map and Tuple convert element by element.
func CompileColumn(msg, table *block.Type, scratch *[]byte) (Column, error) {
	if table != nil && table.Kind == block.LowCardinality {
		return CompileColumn(msg, table.Elem, scratch)
	}
	if table != nil && table.Kind == block.Nullable && msg.Kind != block.Nullable && msg.Kind != block.LowCardinality {
		return CompileColumn(msg, table.Elem, scratch)
	}
	switch msg.Kind {
	case block.Nullable:
		inner := table
		if table != nil && table.Kind == block.Nullable {
			inner = table.Elem
		}
		c, err := CompileColumn(msg.Elem, inner, scratch)
		if err != nil {
			return nil, err
		}
		return &nullableCol{inner: c}, nil
	case block.LowCardinality:
		keyType := msg.Elem
		nullable := keyType.Kind == block.Nullable
		if nullable {
			keyType = keyType.Elem
		}
		inner := table
		if table != nil && table.Kind == block.Nullable {
			inner = table.Elem
		}
		keys, err := CompileColumn(keyType, inner, scratch)
		if err != nil {
			return nil, err
		}
		return &lcCol{keys: keys, nullable: nullable}, nil
	}
	if table != nil && table.Kind != msg.Kind && (msg.Kind == block.Array || msg.Kind == block.Map ||
		msg.Kind == block.Tuple || table.Kind == block.Array || table.Kind == block.Map || table.Kind == block.Tuple) {
		return nil, &ConvertError{From: msg, To: table}
	}
	switch msg.Kind {
	case block.Array:
		var elem *block.Type
		if table != nil {
			elem = table.Elem
		}
		e, err := CompileColumn(msg.Elem, elem, scratch)
		if err != nil {
			return nil, err
		}
		return &arrayCol{elem: e}, nil
	case block.Map:
		var key, val *block.Type
		if table != nil {
			key, val = table.Key, table.Value
		}
		k, err := CompileColumn(msg.Key, key, scratch)
		if err != nil {
			return nil, err
		}
		v, err := CompileColumn(msg.Value, val, scratch)
		if err != nil {
			return nil, err
		}
		return &mapCol{key: k, val: v}, nil
	case block.Tuple:
		if table != nil && len(table.Fields) != len(msg.Fields) {
			return nil, &ConvertError{From: msg, To: table}
		}
		t := &tupleCol{fields: make([]Column, len(msg.Fields))}
		for k, f := range msg.Fields {
			var ft *block.Type
			if table != nil {
				ft = table.Fields[k].Type
			}
			c, err := CompileColumn(f.Type, ft, scratch)
			if err != nil {
				return nil, err
			}
			t.fields[k] = c
		}
		return t, nil
	}
	var sc scalar
	if table != nil {
		var err error
		if sc, err = compileScalar(msg, table, scratch); err != nil {
			return nil, err
		}
	}
	if msg.Kind == block.String {
		return &stringCol{sc: sc}, nil
	}
	w := Width(msg)
	if w == 0 {
		return nil, fmt.Errorf("type %s is not supported", msg)
	}
	return &fixedCol{w: w, sc: sc}, nil
}

// checkRows refuses a row count the bytes left cannot hold (every value of every type takes
// at least one byte) before anything is sized by it.
func checkRows(r *binio.Reader, n int) error {
	if n < 0 || n > r.Len() {
		return &binio.ShortReadError{Read: r.Len(), Expected: n}
	}
	return nil
}

type fixedCol struct {
	w    int
	sc   scalar
	data []byte
}

func (c *fixedCol) ReadPrefix(*binio.Reader) error { return nil }

func (c *fixedCol) Read(r *binio.Reader, n int) error {
	if err := checkRows(r, n); err != nil {
		return err
	}
	b, err := r.Fixed(n * c.w)
	c.data = b
	return err
}

func (c *fixedCol) Stage(col *block.Col, i int) error { return c.sc(col, c.data[i*c.w:(i+1)*c.w]) }

func (c *fixedCol) Release() { c.data = nil }

type stringCol struct {
	sc   scalar
	data []byte
	offs []int // value i is data[offs[2i]:offs[2i+1]]
}

func (c *stringCol) ReadPrefix(*binio.Reader) error { return nil }

func (c *stringCol) Read(r *binio.Reader, n int) error {
	if err := checkRows(r, n); err != nil {
		return err
	}
	c.offs = c.offs[:0]
	start := r.Pos()
	for range n {
		b, err := r.String()
		if err != nil {
			return err
		}
		end := r.Pos() - start
		c.offs = append(c.offs, end-len(b), end)
	}
	c.data = r.Since(start) // the values, viewed through the offsets
	return nil
}

func (c *stringCol) Stage(col *block.Col, i int) error {
	return c.sc(col, c.data[c.offs[2*i]:c.offs[2*i+1]])
}

func (c *stringCol) Release() { c.data = nil }

type nullableCol struct {
	inner Column
	nulls []byte
}

func (c *nullableCol) ReadPrefix(r *binio.Reader) error { return c.inner.ReadPrefix(r) }

func (c *nullableCol) Read(r *binio.Reader, n int) error {
	if err := checkRows(r, n); err != nil {
		return err
	}
	var err error
	if c.nulls, err = r.Fixed(n); err != nil {
		return err
	}
	return c.inner.Read(r, n)
}

func (c *nullableCol) Stage(col *block.Col, i int) error {
	if c.nulls[i] != 0 {
		return col.AppendNull()
	}
	return c.inner.Stage(col, i)
}

func (c *nullableCol) Release() {
	c.nulls = nil
	c.inner.Release()
}

// readOffsets reads n UInt64 end offsets and checks that they never decrease; it returns
// the number of nested values.
func readOffsets(r *binio.Reader, n int, offs []uint64) ([]uint64, int, error) {
	if err := checkRows(r, n); err != nil {
		return offs, 0, err
	}
	b, err := r.Fixed(8 * n)
	if err != nil {
		return offs, 0, err
	}
	offs = offs[:0]
	var prev uint64
	for i := range n {
		o := binary.LittleEndian.Uint64(b[8*i:])
		if o < prev {
			return offs, 0, fmt.Errorf("Array offsets are not monotonic: %d after %d", o, prev)
		}
		offs = append(offs, o)
		prev = o
	}
	if prev > uint64(r.Len()) {
		return offs, 0, &binio.ShortReadError{Read: r.Len(), Expected: int(min(prev, 1<<62))}
	}
	return offs, int(prev), nil
}

type arrayCol struct {
	elem Column
	offs []uint64
}

func (c *arrayCol) ReadPrefix(r *binio.Reader) error { return c.elem.ReadPrefix(r) }

func (c *arrayCol) Read(r *binio.Reader, n int) error {
	var total int
	var err error
	if c.offs, total, err = readOffsets(r, n, c.offs); err != nil {
		return err
	}
	return c.elem.Read(r, total)
}

func (c *arrayCol) Stage(col *block.Col, i int) error {
	var start uint64
	if i > 0 {
		start = c.offs[i-1]
	}
	el := col.BeginArray()
	for k := start; k < c.offs[i]; k++ {
		if err := c.elem.Stage(el, int(k)); err != nil {
			return err
		}
	}
	col.EndArray()
	return nil
}

func (c *arrayCol) Release() { c.elem.Release() }

type mapCol struct {
	key, val Column
	offs     []uint64
}

func (c *mapCol) ReadPrefix(r *binio.Reader) error {
	if err := c.key.ReadPrefix(r); err != nil {
		return err
	}
	return c.val.ReadPrefix(r)
}

func (c *mapCol) Read(r *binio.Reader, n int) error {
	var total int
	var err error
	if c.offs, total, err = readOffsets(r, n, c.offs); err != nil {
		return err
	}
	if err := c.key.Read(r, total); err != nil {
		return err
	}
	return c.val.Read(r, total)
}

func (c *mapCol) Stage(col *block.Col, i int) error {
	var start uint64
	if i > 0 {
		start = c.offs[i-1]
	}
	kc, vc := col.BeginMap()
	for k := start; k < c.offs[i]; k++ {
		if err := c.key.Stage(kc, int(k)); err != nil {
			return err
		}
		if err := c.val.Stage(vc, int(k)); err != nil {
			return err
		}
	}
	return col.EndMap()
}

func (c *mapCol) Release() {
	c.key.Release()
	c.val.Release()
}

type tupleCol struct {
	fields []Column
}

func (c *tupleCol) ReadPrefix(r *binio.Reader) error {
	for _, f := range c.fields {
		if err := f.ReadPrefix(r); err != nil {
			return err
		}
	}
	return nil
}

func (c *tupleCol) Read(r *binio.Reader, n int) error {
	for _, f := range c.fields {
		if err := f.Read(r, n); err != nil {
			return err
		}
	}
	return nil
}

func (c *tupleCol) Stage(col *block.Col, i int) error {
	col.BeginTuple()
	for k, f := range c.fields {
		if err := f.Stage(col.Field(k), i); err != nil {
			return err
		}
	}
	return col.EndTuple()
}

func (c *tupleCol) Release() {
	for _, f := range c.fields {
		f.Release()
	}
}

var errNoKeys = errors.New("No additional keys found.")

// lcCol reads ClickHouse's LowCardinality serialization as the Native format writes it:
// a keys version in the prefix, then per granule the index type and flags, the additional
// keys, the row count and the indexes. A global dictionary is refused, as ClickHouse does
// for Native; the rows of one column must come in one granule.
type lcCol struct {
	keys     Column
	nullable bool // LowCardinality(Nullable(T)): index 0 is NULL
	nkeys    int
	iw       int // index width in bytes
	idx      []byte
}

func (c *lcCol) ReadPrefix(r *binio.Reader) error {
	v, err := r.U64()
	if err != nil {
		return err
	}
	if v != lcKeysVersion {
		return errors.New("Invalid version for SerializationLowCardinality key column.")
	}
	return nil
}

func (c *lcCol) Read(r *binio.Reader, n int) error {
	c.idx, c.nkeys = nil, 0
	if n == 0 {
		return nil
	}
	if err := checkRows(r, n); err != nil {
		return err
	}
	flags, err := r.U64()
	if err != nil {
		return err
	}
	typ := flags &^ (lcNeedGlobalDictionary | lcHasAdditionalKeys | lcNeedUpdateDictionary)
	if typ > 3 {
		return errors.New("Invalid type for SerializationLowCardinality index column.")
	}
	if flags&lcNeedGlobalDictionary != 0 {
		return errors.New("LowCardinality indexes serialization type for Native format cannot use global dictionary")
	}
	if flags&lcHasAdditionalKeys == 0 {
		return errNoKeys
	}
	nkeys, err := r.U64()
	if err != nil {
		return err
	}
	if nkeys > uint64(r.Len()) {
		return &binio.ShortReadError{Read: r.Len(), Expected: int(min(nkeys, 1<<62))}
	}
	if err := c.keys.Read(r, int(nkeys)); err != nil {
		return err
	}
	rows, err := r.U64()
	if err != nil {
		return err
	}
	if rows != uint64(n) {
		return fmt.Errorf("LowCardinality column has %d rows in its granule, %d expected (several granules are not supported)", rows, n)
	}
	c.iw = 1 << typ
	if err := checkRows(r, n); err != nil {
		return err
	}
	if c.idx, err = r.Fixed(n * c.iw); err != nil {
		return err
	}
	c.nkeys = int(nkeys)
	return nil
}

func (c *lcCol) Stage(col *block.Col, i int) error {
	var k uint64
	b := c.idx[i*c.iw:]
	switch c.iw {
	case 1:
		k = uint64(b[0])
	case 2:
		k = uint64(binary.LittleEndian.Uint16(b))
	case 4:
		k = uint64(binary.LittleEndian.Uint32(b))
	default:
		k = binary.LittleEndian.Uint64(b)
	}
	if c.nullable && k == 0 {
		return col.AppendNull()
	}
	if k >= uint64(c.nkeys) {
		return fmt.Errorf("LowCardinality index %d is out of range of %d keys", k, c.nkeys)
	}
	return c.keys.Stage(col, int(k))
}

func (c *lcCol) Release() {
	c.idx = nil
	c.keys.Release()
}
