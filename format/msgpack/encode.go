package msgpack

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// writer appends the MessagePack value of row i of arr.
type writer func(dst []byte, arr arrow.Array, i int) ([]byte, error)

// encoder is the compiled MsgPack encoder of one schema. Not safe for concurrent use.
type encoder struct {
	types   []arrow.DataType
	writers []writer
}

func newEncoder(schema *arrow.Schema, cols []block.Column) (*encoder, error) {
	e := &encoder{types: make([]arrow.DataType, len(cols)), writers: make([]writer, len(cols))}
	for i, c := range cols {
		dt := schema.Field(i).Type
		v, err := arrowval.Compile(c.Type, dt)
		if err != nil {
			return nil, fmt.Errorf("msgpack: column %s: %w", c.Name, err)
		}
		w, err := compileWriter(v)
		if err != nil {
			return nil, fmt.Errorf("msgpack: column %s: %w", c.Name, err)
		}
		e.types[i], e.writers[i] = dt, w
	}
	return e, nil
}

// Append implements [format.Encoder]: rows [i, j) of rec, each its values in column order.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return dst, fmt.Errorf("msgpack: rows [%d, %d) out of range of a record batch of %d rows", i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != len(e.types) {
		return dst, fmt.Errorf("msgpack: record batch has %d columns, the encoder was compiled for %d", rec.NumCols(), len(e.types))
	}
	for k, dt := range e.types {
		if got := rec.Column(k).DataType(); !arrow.TypeEqual(got, dt) {
			return dst, fmt.Errorf("msgpack: column %s has type %s, the encoder was compiled for %s", rec.ColumnName(k), got, dt)
		}
	}
	out := dst
	cols := rec.Columns()
	for r := i; r < j; r++ {
		for k, w := range e.writers {
			var err error
			if out, err = w(out, cols[k], r); err != nil {
				return dst, fmt.Errorf("msgpack: column %s, row %d: %w", rec.ColumnName(k), r, err)
			}
		}
	}
	return out, nil
}

func compileWriter(v *arrowval.Value) (writer, error) {
	w, err := baseWriter(v)
	if err != nil {
		return nil, err
	}
	inner := w
	if v.Type.Kind == block.LowCardinality {
		inner = func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			a, j := v.At(arr, i)
			return w(dst, a, j)
		}
	}
	if !v.Nullable {
		return inner, nil
	}
	return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
		if v.IsNull(arr, i) {
			return append(dst, 0xc0), nil
		}
		return inner(dst, arr, i)
	}, nil
}

func baseWriter(v *arrowval.Value) (writer, error) {
	switch v.Kind {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.Date32, block.DateTime64:
		// ClickHouse packs DateTime64 as uint64; its ticks are written as an integer here,
		// which is the same bytes for every time after 1970.
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) { return appendInt(dst, v.Int(arr, i)), nil }, nil
	case block.Bool, block.Date, block.DateTime:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return appendUint(dst, uint64(v.Int(arr, i))), nil
		}, nil
	case block.UInt8, block.UInt16, block.UInt32, block.UInt64:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) { return appendUint(dst, v.Uint(arr, i)), nil }, nil
	case block.Float32:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return appendFloat32(dst, float32(v.Float(arr, i))), nil
		}, nil
	case block.Float64:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return appendFloat64(dst, v.Float(arr, i)), nil
		}, nil
	case block.String, block.FixedString:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) { return appendBin(dst, v.Bytes(arr, i)), nil }, nil
	case block.UUID:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return append(append(dst, 0xd8, 2), v.Bytes(arr, i)...), nil
		}, nil
	case block.Decimal:
		w := binio.DecimalWidth(v.Base.Precision)
		if w <= 8 {
			return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
				return appendInt(dst, int64(v.Decimal(arr, i)[0])), nil
			}, nil
		}
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			dst = append(dst, 0xc4, byte(w))
			return v.Decimal(arr, i).AppendLE(dst, w), nil
		}, nil
	case block.Enum8, block.Enum16:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			x, err := v.Enum(arr, i)
			if err != nil {
				return dst, err
			}
			return appendInt(dst, int64(x)), nil
		}, nil
	case block.Array:
		elem, err := compileWriter(v.Elem)
		if err != nil {
			return nil, err
		}
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			values, s, e := v.List(arr, i)
			dst = appendArrayHeader(dst, e-s)
			for k := s; k < e; k++ {
				var err error
				if dst, err = elem(dst, values, k); err != nil {
					return dst, err
				}
			}
			return dst, nil
		}, nil
	case block.Map:
		key, err := compileWriter(v.Key)
		if err != nil {
			return nil, err
		}
		val, err := compileWriter(v.Val)
		if err != nil {
			return nil, err
		}
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			keys, items, s, e := v.Map(arr, i)
			dst = appendMapHeader(dst, e-s)
			for k := s; k < e; k++ {
				var err error
				if dst, err = key(dst, keys, k); err != nil {
					return dst, err
				}
				if dst, err = val(dst, items, k); err != nil {
					return dst, err
				}
			}
			return dst, nil
		}, nil
	case block.Tuple:
		fields := make([]writer, len(v.Fields))
		for k, f := range v.Fields {
			w, err := compileWriter(f)
			if err != nil {
				return nil, err
			}
			fields[k] = w
		}
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			dst = appendArrayHeader(dst, len(fields))
			for k, f := range fields {
				var err error
				if dst, err = f(dst, v.Field(arr, k), i); err != nil {
					return dst, err
				}
			}
			return dst, nil
		}, nil
	}
	return nil, fmt.Errorf("type %s is not supported by MsgPack", v.Base)
}
