package msgpack

import (
	"errors"
	"fmt"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/binio"
)

var errShortRow = errors.New("Not enough values to complete the row.")

// valueReader reads one MessagePack value into c.
type valueReader func(d *decoder, c *block.Col) error

// decoder is the compiled MsgPack decoder of one schema. Not safe for concurrent use.
type decoder struct {
	reader
	cols    []block.Column
	readers []valueReader
	scratch []byte
}

func newDecoder(cols []block.Column) (*decoder, error) {
	if len(cols) == 0 {
		return nil, errors.New("msgpack: a table needs at least one column")
	}
	d := &decoder{cols: cols, readers: make([]valueReader, len(cols))}
	for i, c := range cols {
		r, err := compileReader(c.Type)
		if err != nil {
			return nil, fmt.Errorf("msgpack: column %s: %w", c.Name, err)
		}
		d.readers[i] = r
	}
	return d, nil
}

// Decode implements [format.Decoder].
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.readers) {
		return fmt.Errorf("msgpack: rows have %d columns, the decoder was compiled for %d", dst.NumCols(), len(d.readers))
	}
	d.buf, d.pos = payload, 0
	defer func() { d.buf = nil }()
	if len(payload) == 0 {
		return &ParseError{Row: 1, Column: d.cols[0].Name, Err: errEOF}
	}
	for row := 1; !d.eof(); row++ {
		for k, r := range d.readers {
			if k > 0 && d.eof() {
				return &ParseError{Row: row, Err: errShortRow}
			}
			if err := r(d, dst.Col(k)); err != nil {
				return &ParseError{Row: row, Column: d.cols[k].Name, Err: err}
			}
		}
		if err := dst.EndRow(); err != nil {
			return &ParseError{Row: row, Err: err}
		}
	}
	return nil
}

// typeError is ClickHouse's error for a value of a kind the column cannot take.
func typeError(t token, c *block.Col) error {
	return fmt.Errorf("Cannot insert MessagePack %s into column with type %s.", t.kind, c.Type())
}

// readScalar reads a value of a scalar kind. Numbers and booleans go through the column's
// conversions, str and bin as text; decimal, UUID and the raw forms have their own readers.
func readScalar(d *decoder, c *block.Col) error {
	t, err := d.next()
	if err != nil {
		return err
	}
	switch t.kind {
	case kNil:
		return c.AppendNull()
	case kUint:
		return c.AppendUint(t.u)
	case kInt:
		return c.AppendInt(t.i)
	case kFloat:
		return c.AppendFloat(t.f)
	case kBool:
		return c.AppendBool(t.b)
	case kStr, kBin:
		return c.AppendText(t.bytes)
	}
	return typeError(t, c)
}

// decimalReader reads Decimal: Decimal32/64 as the unscaled integer, Decimal128/256 as bin
// of their little-endian bytes, and floats or text as the value.
func decimalReader(scale, width int) valueReader {
	return func(d *decoder, c *block.Col) error {
		t, err := d.next()
		if err != nil {
			return err
		}
		var v binio.Int256
		switch t.kind {
		case kNil:
			return c.AppendNull()
		case kUint:
			v = binio.Int256{t.u}
		case kInt:
			v = binio.Int256FromInt64(t.i)
		case kBin:
			if len(t.bytes) != width || width <= 8 {
				return fmt.Errorf("Unexpected size of %s value: %d", c.Type(), len(t.bytes))
			}
			v = binio.Int256FromLE(t.bytes)
		case kStr:
			return c.AppendText(t.bytes)
		case kFloat:
			return c.AppendFloat(t.f)
		default:
			return typeError(t, c)
		}
		d.scratch = v.AppendDecimal(d.scratch[:0], scale)
		return c.AppendText(d.scratch)
	}
}

// readUUID reads the extension type 2 (16 bytes big-endian), str (text) or bin (16 bytes
// in ClickHouse's binary order).
func readUUID(d *decoder, c *block.Col) error {
	t, err := d.next()
	if err != nil {
		return err
	}
	var u [16]byte
	switch t.kind {
	case kNil:
		return c.AppendNull()
	case kStr:
		return c.AppendText(t.bytes)
	case kExt:
		if t.ext != 2 {
			return fmt.Errorf("Unsupported MsgPack extension type: %x", uint8(t.ext))
		}
		if len(t.bytes) != 16 {
			return fmt.Errorf("Unexpected size of UUID value: %d", len(t.bytes))
		}
		copy(u[:], t.bytes)
	case kBin:
		if len(t.bytes) != 16 {
			return fmt.Errorf("Unexpected size of UUID value: %d", len(t.bytes))
		}
		binio.UUIDToRFC(u[:], t.bytes)
	default:
		return typeError(t, c)
	}
	d.scratch = binio.AppendUUIDHex(d.scratch[:0], u[:])
	return c.AppendText(d.scratch)
}

// readDateTime64 reads ticks. ClickHouse packs them as uint64, so a time before 1970 comes
// as an unsigned integer of 2^63 or more: its bits are the ticks.
func readDateTime64(d *decoder, c *block.Col) error {
	save := d.pos
	t, err := d.next()
	if err != nil {
		return err
	}
	if t.kind == kUint && t.u > 1<<63-1 {
		return c.AppendInt(int64(t.u))
	}
	d.pos = save
	return readScalar(d, c)
}

func compileReader(t *block.Type) (valueReader, error) {
	switch t.Kind {
	case block.Nullable, block.LowCardinality:
		return compileReader(t.Elem) // the column takes NULL itself
	case block.Decimal:
		return decimalReader(t.Scale, binio.DecimalWidth(t.Precision)), nil
	case block.UUID:
		return readUUID, nil
	case block.DateTime64:
		return readDateTime64, nil
	case block.Array:
		elem, err := compileReader(t.Elem)
		if err != nil {
			return nil, err
		}
		return func(d *decoder, c *block.Col) error {
			tok, err := d.next()
			if err != nil {
				return err
			}
			if tok.kind == kNil {
				return c.AppendNull()
			}
			if tok.kind != kArray {
				return typeError(tok, c)
			}
			el := c.BeginArray()
			for range tok.n {
				if err := elem(d, el); err != nil {
					return err
				}
			}
			c.EndArray()
			return nil
		}, nil
	case block.Map:
		key, err := compileReader(t.Key)
		if err != nil {
			return nil, err
		}
		val, err := compileReader(t.Value)
		if err != nil {
			return nil, err
		}
		return func(d *decoder, c *block.Col) error {
			tok, err := d.next()
			if err != nil {
				return err
			}
			if tok.kind == kNil {
				return c.AppendNull()
			}
			if tok.kind != kMap {
				return typeError(tok, c)
			}
			kc, vc := c.BeginMap()
			for range tok.n {
				if err := key(d, kc); err != nil {
					return err
				}
				if err := val(d, vc); err != nil {
					return err
				}
			}
			return c.EndMap()
		}, nil
	case block.Tuple:
		fields := make([]valueReader, len(t.Fields))
		for k, f := range t.Fields {
			r, err := compileReader(f.Type)
			if err != nil {
				return nil, err
			}
			fields[k] = r
		}
		return func(d *decoder, c *block.Col) error {
			tok, err := d.next()
			if err != nil {
				return err
			}
			if tok.kind == kNil {
				return c.AppendNull()
			}
			if tok.kind != kArray {
				return typeError(tok, c)
			}
			if tok.n != len(fields) {
				return fmt.Errorf("Cannot insert MessagePack array with size %d into Tuple column with %d elements", tok.n, len(fields))
			}
			c.BeginTuple()
			for k, f := range fields {
				if err := f(d, c.Field(k)); err != nil {
					return err
				}
			}
			return c.EndTuple()
		}, nil
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32, block.UInt64,
		block.Float32, block.Float64, block.Bool, block.String, block.FixedString, block.Date, block.Date32,
		block.DateTime, block.Enum8, block.Enum16:
		return readScalar, nil
	}
	return nil, fmt.Errorf("type %s is not supported by MsgPack", t)
}
