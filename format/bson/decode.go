package bson

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// valueReader reads the value of an element of BSON type typ at the cursor, which must not
// pass end, into c.
type valueReader func(d *decoder, typ byte, end int, c *block.Col) error

// decoder is the compiled BSONEachRow decoder of one schema. Not safe for concurrent use.
type decoder struct {
	buf         []byte
	pos         int
	cols        []block.Column
	names       []string
	readers     []valueReader
	index       map[string]int
	skipUnknown bool
	seen        []uint32 // seen[i] == gen: column i has a value in this row
	gen         uint32
	prev        []int32 // column matched by the k-th field of earlier rows
	scratch     []byte
}

func newDecoder(cols []block.Column, skipUnknown bool) (*decoder, error) {
	d := &decoder{
		cols:        cols,
		names:       make([]string, len(cols)),
		readers:     make([]valueReader, len(cols)),
		index:       make(map[string]int, len(cols)),
		skipUnknown: skipUnknown,
		seen:        make([]uint32, len(cols)),
		prev:        make([]int32, len(cols)),
	}
	for i, c := range cols {
		r, err := compileReader(c.Type)
		if err != nil {
			return nil, fmt.Errorf("bson: column %s: %w", c.Name, err)
		}
		d.names[i], d.readers[i], d.index[c.Name], d.prev[i] = c.Name, r, i, -1
	}
	return d, nil
}

// take returns the next n bytes, which must end by end.
func (d *decoder) take(n, end int) ([]byte, error) {
	if n < 0 || n > end-d.pos {
		return nil, &binio.ShortReadError{Read: max(end-d.pos, 0), Expected: n}
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b, nil
}

func (d *decoder) int32(end int) (int32, error) {
	b, err := d.take(4, end)
	if err != nil {
		return 0, err
	}
	return int32(binary.LittleEndian.Uint32(b)), nil
}

func (d *decoder) int64(end int) (int64, error) {
	b, err := d.take(8, end)
	if err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(b)), nil
}

// cstring reads a NUL-terminated name.
func (d *decoder) cstring(end int) ([]byte, error) {
	i := bytes.IndexByte(d.buf[d.pos:end], 0)
	if i < 0 {
		return nil, errors.New("Cannot parse BSON document: a field name has no terminating zero byte")
	}
	b := d.buf[d.pos : d.pos+i]
	d.pos += i + 1
	return b, nil
}

// document reads the size of an embedded document or array and returns the position of
// its terminating zero byte.
func (d *decoder) document(end int) (int, error) {
	start := d.pos
	size, err := d.int32(end)
	if err != nil {
		return 0, err
	}
	if size < 5 {
		return 0, fmt.Errorf("Invalid document size: %d", size)
	}
	if int(size) > end-start {
		return 0, &binio.ShortReadError{Read: end - start, Expected: int(size)}
	}
	return start + int(size) - 1, nil
}

// endDocument checks the terminating zero byte at last and moves past it.
func (d *decoder) endDocument(last int) error {
	if d.pos != last || d.buf[last] != 0 {
		return errors.New("Cannot parse BSON document: the fields do not end at the document's size")
	}
	d.pos = last + 1
	return nil
}

// Decode implements [format.Decoder].
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.readers) {
		return fmt.Errorf("bson: rows have %d columns, the decoder was compiled for %d", dst.NumCols(), len(d.readers))
	}
	d.buf, d.pos = payload, 0
	defer func() { d.buf = nil }()
	for row := 1; row == 1 && len(payload) == 0 || d.pos < len(d.buf); row++ {
		col, err := d.readRow(dst)
		if err != nil {
			return &ParseError{Row: row, Column: col, Err: err}
		}
		if err := dst.EndRow(); err != nil {
			return &ParseError{Row: row, Err: err}
		}
	}
	return nil
}

// readRow reads one document; on error it returns the column being read, if any.
func (d *decoder) readRow(dst *block.Rows) (string, error) {
	d.gen++
	if d.gen == 0 {
		clear(d.seen)
		d.gen = 1
	}
	last, err := d.document(len(d.buf))
	if err != nil {
		return "", err
	}
	for k := 0; d.pos < last; k++ {
		typ := d.buf[d.pos]
		d.pos++
		name, err := d.cstring(last)
		if err != nil {
			return "", err
		}
		idx := d.lookup(name, k)
		if idx < 0 {
			if !d.skipUnknown {
				return "", fmt.Errorf("Unknown field found while parsing BSONEachRow format: %s", name)
			}
			if err := d.skip(typ, last); err != nil {
				return string(name), err
			}
			continue
		}
		if d.seen[idx] == d.gen {
			return "", fmt.Errorf("Duplicate field found while parsing BSONEachRow format: %s", name)
		}
		d.seen[idx] = d.gen
		if err := d.readers[idx](d, typ, last, dst.Col(idx)); err != nil {
			return d.names[idx], err
		}
	}
	return "", d.endDocument(last)
}

// lookup maps the k-th field name of a document to a column index, or -1. Documents of a
// topic almost always list their fields in the same order: the column the k-th field named
// last time is tried before hashing (ClickHouse's prev_positions).
func (d *decoder) lookup(name []byte, k int) int {
	if k < len(d.prev) {
		if p := d.prev[k]; p >= 0 && d.names[p] == string(name) {
			return int(p)
		}
	}
	idx, ok := d.index[string(name)]
	if !ok {
		return -1
	}
	if k < len(d.prev) {
		d.prev[k] = int32(idx)
	}
	return idx
}

// skip moves past a value of type typ.
func (d *decoder) skip(typ byte, end int) error {
	var n int
	switch typ {
	case tDouble, tInt64, tDatetime, tTimestamp:
		n = 8
	case tInt32:
		n = 4
	case tBool:
		n = 1
	case tObjectID:
		n = 12
	case tDecimal:
		n = 16
	case tUndefined, tNull, tMinKey, tMaxKey:
		n = 0
	case tString, tJSCode, tSymbol:
		size, err := d.int32(end)
		if err != nil {
			return err
		}
		n = int(size)
	case tBinary:
		size, err := d.int32(end)
		if err != nil {
			return err
		}
		n = int(size) + 1
		if size < 0 {
			n = -1
		}
	case tDocument, tArray:
		last, err := d.document(end)
		if err != nil {
			return err
		}
		d.pos = last + 1
		return nil
	case tJSScope:
		start := d.pos
		size, err := d.int32(end)
		if err != nil {
			return err
		}
		if size < 4 {
			return fmt.Errorf("Invalid java code_w_scope size: %d", size)
		}
		d.pos = start
		n = int(size)
	case tRegexp:
		if _, err := d.cstring(end); err != nil {
			return err
		}
		_, err := d.cstring(end)
		return err
	case tDBPointer:
		size, err := d.int32(end)
		if err != nil {
			return err
		}
		n = int(size) + 12
		if size < 0 {
			n = -1
		}
	default:
		return fmt.Errorf("Unknown BSON type: 0x%02x", typ)
	}
	_, err := d.take(n, end)
	return err
}

// typeError is ClickHouse's error for a BSON value the column cannot take.
func typeError(typ byte, c *block.Col) error {
	return fmt.Errorf("Cannot insert BSON %s into column with type %s", typeName(typ), c.Type())
}

// readString reads the bytes of string-like values: string, symbol, JavaScript code,
// binary subtypes 0 and 2, ObjectId. ok is false for other types.
func (d *decoder) readString(typ byte, end int) (b []byte, ok bool, err error) {
	switch typ {
	case tString, tSymbol, tJSCode:
		size, err := d.int32(end)
		if err != nil {
			return nil, true, err
		}
		if size <= 0 {
			return nil, true, fmt.Errorf("Incorrect size of a string (%d) in BSON", size)
		}
		b, err := d.take(int(size), end)
		if err != nil {
			return nil, true, err
		}
		if b[len(b)-1] != 0 {
			return nil, true, errors.New("Cannot parse BSON string: no terminating zero byte")
		}
		return b[:len(b)-1], true, nil
	case tBinary:
		size, err := d.int32(end)
		if err != nil {
			return nil, true, err
		}
		sub, err := d.take(1, end)
		if err != nil {
			return nil, true, err
		}
		if sub[0] != subGeneric && sub[0] != subBinaryOld {
			return nil, true, fmt.Errorf("Cannot insert BSON Binary subtype %d into String column", sub[0])
		}
		b, err := d.take(int(size), end)
		return b, true, err
	case tObjectID:
		b, err := d.take(12, end)
		return b, true, err
	}
	return nil, false, nil
}

// readBinary reads a binary value of the given subtypes.
func (d *decoder) readBinary(end int, c *block.Col, subtypes ...byte) ([]byte, error) {
	size, err := d.int32(end)
	if err != nil {
		return nil, err
	}
	sub, err := d.take(1, end)
	if err != nil {
		return nil, err
	}
	ok := false
	for _, s := range subtypes {
		ok = ok || sub[0] == s
	}
	if !ok {
		return nil, fmt.Errorf("Cannot insert BSON Binary subtype %d into column with type %s", sub[0], c.Type())
	}
	return d.take(int(size), end)
}

// readNumber reads the numeric types into numeric, date, time, enum and boolean columns.
func readNumber(unsigned64 bool) valueReader {
	return func(d *decoder, typ byte, end int, c *block.Col) error {
		switch typ {
		case tNull:
			return c.AppendNull()
		case tInt32:
			v, err := d.int32(end)
			if err != nil {
				return err
			}
			return c.AppendInt(int64(v))
		case tInt64:
			v, err := d.int64(end)
			if err != nil {
				return err
			}
			if unsigned64 { // ClickHouse writes UInt64 as the bits of an int64
				return c.AppendUint(uint64(v))
			}
			return c.AppendInt(v)
		case tBool:
			b, err := d.take(1, end)
			if err != nil {
				return err
			}
			return c.AppendBool(b[0] != 0)
		case tDouble:
			v, err := d.int64(end)
			if err != nil {
				return err
			}
			return c.AppendFloat(math.Float64frombits(uint64(v)))
		}
		return typeError(typ, c)
	}
}

// readDateTime reads DateTime: integers are seconds, a datetime is milliseconds.
func readDateTime(d *decoder, typ byte, end int, c *block.Col) error {
	if typ != tDatetime {
		return readNumber(false)(d, typ, end, c)
	}
	v, err := d.int64(end)
	if err != nil {
		return err
	}
	s := v / 1000
	if v%1000 < 0 {
		s--
	}
	return c.AppendInt(s)
}

// readDateTime64 reads ticks from int64 or datetime (ClickHouse's raw value either way).
func readDateTime64(d *decoder, typ byte, end int, c *block.Col) error {
	if typ != tDatetime {
		return readNumber(false)(d, typ, end, c)
	}
	v, err := d.int64(end)
	if err != nil {
		return err
	}
	return c.AppendInt(v)
}

func readText(d *decoder, typ byte, end int, c *block.Col) error {
	if typ == tNull {
		return c.AppendNull()
	}
	b, ok, err := d.readString(typ, end)
	if err != nil {
		return err
	}
	if !ok {
		return typeError(typ, c)
	}
	return c.AppendText(b)
}

func readUUID(d *decoder, typ byte, end int, c *block.Col) error {
	switch typ {
	case tNull:
		return c.AppendNull()
	case tString:
		return readText(d, typ, end, c)
	case tBinary:
		b, err := d.readBinary(end, c, subUUID, subUUIDOld)
		if err != nil {
			return err
		}
		if len(b) != 16 {
			return fmt.Errorf("Cannot parse value of type UUID, size of binary data is not equal to the binary size of UUID value: %d != 16", len(b))
		}
		var u [16]byte
		binio.UUIDToRFC(u[:], b)
		d.scratch = binio.AppendUUIDHex(d.scratch[:0], u[:])
		return c.AppendText(d.scratch)
	}
	return typeError(typ, c)
}

// readDecimal reads Decimal32/64 from the unscaled int32/int64 and Decimal128/256 from
// binary of their little-endian bytes; a double or a string is the value itself.
func readDecimal(scale, width int) valueReader {
	return func(d *decoder, typ byte, end int, c *block.Col) error {
		var v binio.Int256
		switch typ {
		case tNull:
			return c.AppendNull()
		case tInt32:
			x, err := d.int32(end)
			if err != nil {
				return err
			}
			v = binio.Int256FromInt64(int64(x))
		case tInt64:
			x, err := d.int64(end)
			if err != nil {
				return err
			}
			v = binio.Int256FromInt64(x)
		case tBinary:
			b, err := d.readBinary(end, c, subGeneric)
			if err != nil {
				return err
			}
			if len(b) != width || width <= 8 {
				return fmt.Errorf("Cannot parse value of type %s, size of binary data is not equal to the binary size of expected value: %d != %d", c.Type(), len(b), width)
			}
			v = binio.Int256FromLE(b)
		case tDouble:
			x, err := d.int64(end)
			if err != nil {
				return err
			}
			return c.AppendFloat(math.Float64frombits(uint64(x)))
		case tString:
			return readText(d, typ, end, c)
		default:
			return typeError(typ, c)
		}
		d.scratch = v.AppendDecimal(d.scratch[:0], scale)
		return c.AppendText(d.scratch)
	}
}

func compileReader(t *block.Type) (valueReader, error) {
	switch t.Kind {
	case block.Nullable, block.LowCardinality:
		return compileReader(t.Elem)
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32,
		block.Float32, block.Float64, block.Bool, block.Date, block.Date32, block.Enum8, block.Enum16:
		return readNumber(false), nil
	case block.UInt64:
		return readNumber(true), nil
	case block.DateTime:
		return readDateTime, nil
	case block.DateTime64:
		return readDateTime64, nil
	case block.String, block.FixedString:
		return readText, nil
	case block.UUID:
		return readUUID, nil
	case block.Decimal:
		return readDecimal(t.Scale, binio.DecimalWidth(t.Precision)), nil
	case block.Array:
		elem, err := compileReader(t.Elem)
		if err != nil {
			return nil, err
		}
		return func(d *decoder, typ byte, end int, c *block.Col) error {
			if typ == tNull {
				return c.AppendNull()
			}
			if typ != tArray {
				return typeError(typ, c)
			}
			last, err := d.document(end)
			if err != nil {
				return err
			}
			el := c.BeginArray()
			for d.pos < last {
				et := d.buf[d.pos]
				d.pos++
				if _, err := d.cstring(last); err != nil {
					return err
				}
				if err := elem(d, et, last, el); err != nil {
					return err
				}
			}
			c.EndArray()
			return d.endDocument(last)
		}, nil
	case block.Map:
		val, err := compileReader(t.Value)
		if err != nil {
			return nil, err
		}
		return func(d *decoder, typ byte, end int, c *block.Col) error {
			if typ == tNull {
				return c.AppendNull()
			}
			if typ != tDocument {
				return typeError(typ, c)
			}
			last, err := d.document(end)
			if err != nil {
				return err
			}
			kc, vc := c.BeginMap()
			for d.pos < last {
				et := d.buf[d.pos]
				d.pos++
				name, err := d.cstring(last)
				if err != nil {
					return err
				}
				if err := kc.AppendText(name); err != nil {
					return err
				}
				if err := val(d, et, last, vc); err != nil {
					return err
				}
			}
			if err := c.EndMap(); err != nil {
				return err
			}
			return d.endDocument(last)
		}, nil
	case block.Tuple:
		fields := make([]valueReader, len(t.Fields))
		index := make(map[string]int, 2*len(t.Fields))
		for k, f := range t.Fields {
			r, err := compileReader(f.Type)
			if err != nil {
				return nil, err
			}
			fields[k] = r
			index[strconv.Itoa(k+1)] = k
		}
		for k, f := range t.Fields {
			if f.Name != "" {
				index[f.Name] = k
			}
		}
		return func(d *decoder, typ byte, end int, c *block.Col) error {
			if typ == tNull {
				return c.AppendNull()
			}
			if typ != tArray && typ != tDocument {
				return typeError(typ, c)
			}
			last, err := d.document(end)
			if err != nil {
				return err
			}
			c.BeginTuple()
			n := 0
			for ; d.pos < last; n++ {
				et := d.buf[d.pos]
				d.pos++
				name, err := d.cstring(last)
				if err != nil {
					return err
				}
				k := n
				if typ == tDocument {
					var ok bool
					if k, ok = index[string(name)]; !ok {
						return fmt.Errorf("Cannot parse tuple column with type %s from BSON array/embedded document field: tuple doesn't have element with name \"%s\"", c.Type(), name)
					}
				}
				if k >= len(fields) {
					return fmt.Errorf("Cannot parse tuple column with type %s from BSON array/embedded document field: the number of fields BSON document exceeds the number of fields in tuple", c.Type())
				}
				if err := fields[k](d, et, last, c.Field(k)); err != nil {
					return err
				}
			}
			if n != len(fields) {
				return fmt.Errorf("Cannot parse tuple column with type %s from BSON array/embedded document field, the number of fields in tuple and BSON document doesn't match: %d != %d", c.Type(), len(fields), n)
			}
			if err := c.EndTuple(); err != nil {
				return err
			}
			return d.endDocument(last)
		}, nil
	}
	return nil, fmt.Errorf("type %s is not supported by BSONEachRow", t)
}
