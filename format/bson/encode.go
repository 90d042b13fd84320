package bson

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// writer appends the element (type, key, value) of row i of arr named key.
type writer func(dst, key []byte, arr arrow.Array, i int) ([]byte, error)

// encoder is the compiled BSONEachRow encoder of one schema. Not safe for concurrent use.
type encoder struct {
	types   []arrow.DataType
	names   [][]byte
	writers []writer
	key     []byte // array element keys "0", "1", ...; each writer copies its key first
}

func newEncoder(schema *arrow.Schema, cols []block.Column) (*encoder, error) {
	e := &encoder{types: make([]arrow.DataType, len(cols)), names: make([][]byte, len(cols)), writers: make([]writer, len(cols))}
	for i, c := range cols {
		if bytes.IndexByte([]byte(c.Name), 0) >= 0 {
			return nil, fmt.Errorf("bson: column %q: a BSON field name cannot contain a NUL byte", c.Name)
		}
		dt := schema.Field(i).Type
		v, err := arrowval.Compile(c.Type, dt)
		if err != nil {
			return nil, fmt.Errorf("bson: column %s: %w", c.Name, err)
		}
		w, err := e.compileWriter(v)
		if err != nil {
			return nil, fmt.Errorf("bson: column %s: %w", c.Name, err)
		}
		e.types[i], e.names[i], e.writers[i] = dt, []byte(c.Name), w
	}
	return e, nil
}

// Append implements [format.Encoder]: rows [i, j) of rec, one document each.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return dst, fmt.Errorf("bson: rows [%d, %d) out of range of a record batch of %d rows", i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != len(e.types) {
		return dst, fmt.Errorf("bson: record batch has %d columns, the encoder was compiled for %d", rec.NumCols(), len(e.types))
	}
	for k, dt := range e.types {
		if got := rec.Column(k).DataType(); !arrow.TypeEqual(got, dt) {
			return dst, fmt.Errorf("bson: column %s has type %s, the encoder was compiled for %s", rec.ColumnName(k), got, dt)
		}
	}
	out := dst
	cols := rec.Columns()
	for r := i; r < j; r++ {
		start := len(out)
		out = append(out, 0, 0, 0, 0)
		for k, w := range e.writers {
			var err error
			if out, err = w(out, e.names[k], cols[k], r); err != nil {
				return dst, fmt.Errorf("bson: column %s, row %d: %w", rec.ColumnName(k), r, err)
			}
		}
		out = append(out, 0)
		if err := patchSize(out, start); err != nil {
			return dst, err
		}
	}
	return out, nil
}

// patchSize writes the size of the document that starts at start and ends the slice.
func patchSize(b []byte, start int) error {
	n := len(b) - start
	if n > math.MaxInt32 {
		return fmt.Errorf("bson: Too large document/value size: %d", n)
	}
	binary.LittleEndian.PutUint32(b[start:], uint32(n))
	return nil
}

func header(dst []byte, typ byte, key []byte) []byte {
	dst = append(dst, typ)
	dst = append(dst, key...)
	return append(dst, 0)
}

var errKeyNUL = errors.New("a BSON field name cannot contain a NUL byte")

func (e *encoder) compileWriter(v *arrowval.Value) (writer, error) {
	w, err := e.baseWriter(v)
	if err != nil {
		return nil, err
	}
	inner := w
	if v.Type.Kind == block.LowCardinality {
		inner = func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
			a, j := v.At(arr, i)
			return w(dst, key, a, j)
		}
	}
	if !v.Nullable {
		return inner, nil
	}
	return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
		if v.IsNull(arr, i) {
			return header(dst, tNull, key), nil
		}
		return inner(dst, key, arr, i)
	}, nil
}

func int32Writer(get func(arrow.Array, int) int64) writer {
	return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
		return binary.LittleEndian.AppendUint32(header(dst, tInt32, key), uint32(get(arr, i))), nil
	}
}

func int64Writer(typ byte, get func(arrow.Array, int) int64) writer {
	return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
		return binary.LittleEndian.AppendUint64(header(dst, typ, key), uint64(get(arr, i))), nil
	}
}

func binaryWriter(sub byte, get func(arrow.Array, int) []byte) writer {
	return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
		b := get(arr, i)
		dst = binary.LittleEndian.AppendUint32(header(dst, tBinary, key), uint32(len(b)))
		dst = append(dst, sub)
		return append(dst, b...), nil
	}
}

func (e *encoder) baseWriter(v *arrowval.Value) (writer, error) {
	switch v.Kind {
	case block.Float32, block.Float64:
		return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
			return binary.LittleEndian.AppendUint64(header(dst, tDouble, key), math.Float64bits(v.Float(arr, i))), nil
		}, nil
	case block.Int8, block.Int16, block.Int32, block.Date, block.Date32:
		return int32Writer(v.Int), nil
	case block.UInt8, block.UInt16:
		return int32Writer(func(a arrow.Array, i int) int64 { return int64(v.Uint(a, i)) }), nil
	case block.Bool:
		return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
			return append(header(dst, tBool, key), byte(v.Int(arr, i))), nil
		}, nil
	case block.Int64, block.DateTime:
		return int64Writer(tInt64, v.Int), nil
	case block.UInt32, block.UInt64:
		return int64Writer(tInt64, func(a arrow.Array, i int) int64 { return int64(v.Uint(a, i)) }), nil
	case block.DateTime64:
		return int64Writer(tDatetime, v.Int), nil
	case block.Enum8, block.Enum16:
		return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
			x, err := v.Enum(arr, i)
			if err != nil {
				return dst, err
			}
			return binary.LittleEndian.AppendUint32(header(dst, tInt32, key), uint32(int32(x))), nil
		}, nil
	case block.Decimal:
		switch w := binio.DecimalWidth(v.Base.Precision); w {
		case 4:
			return int32Writer(func(a arrow.Array, i int) int64 { return int64(v.Decimal(a, i)[0]) }), nil
		case 8:
			return int64Writer(tInt64, func(a arrow.Array, i int) int64 { return int64(v.Decimal(a, i)[0]) }), nil
		default:
			return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
				dst = binary.LittleEndian.AppendUint32(header(dst, tBinary, key), uint32(w))
				dst = append(dst, subGeneric)
				return v.Decimal(arr, i).AppendLE(dst, w), nil
			}, nil
		}
	case block.String, block.FixedString:
		return binaryWriter(subGeneric, v.Bytes), nil
	case block.UUID:
		return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
			dst = binary.LittleEndian.AppendUint32(header(dst, tBinary, key), 16)
			dst = append(dst, subUUID)
			n := len(dst)
			dst = append(dst, make([]byte, 16)...)
			binio.UUIDToRFC(dst[n:], v.Bytes(arr, i)) // ClickHouse's byte order
			return dst, nil
		}, nil
	case block.Array:
		elem, err := e.compileWriter(v.Elem)
		if err != nil {
			return nil, err
		}
		return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
			values, s, end := v.List(arr, i)
			dst = header(dst, tArray, key)
			start := len(dst)
			dst = append(dst, 0, 0, 0, 0)
			for k := s; k < end; k++ {
				e.key = strconv.AppendInt(e.key[:0], int64(k-s), 10)
				var err error
				if dst, err = elem(dst, e.key, values, k); err != nil {
					return dst, err
				}
			}
			dst = append(dst, 0)
			return dst, patchSize(dst, start)
		}, nil
	case block.Map:
		val, err := e.compileWriter(v.Val)
		if err != nil {
			return nil, err
		}
		keyText := v.Key
		return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
			keys, items, s, end := v.Map(arr, i)
			dst = header(dst, tDocument, key)
			start := len(dst)
			dst = append(dst, 0, 0, 0, 0)
			for k := s; k < end; k++ {
				ka, kj := keyText.At(keys, k)
				var err error
				if e.key, err = keyText.AppendText(e.key[:0], ka, kj); err != nil {
					return dst, err
				}
				if bytes.IndexByte(e.key, 0) >= 0 {
					return dst, errKeyNUL
				}
				if dst, err = val(dst, e.key, items, k); err != nil {
					return dst, err
				}
			}
			dst = append(dst, 0)
			return dst, patchSize(dst, start)
		}, nil
	case block.Tuple:
		fields := make([]writer, len(v.Fields))
		keys := make([][]byte, len(v.Fields))
		typ := byte(tDocument)
		for k, f := range v.Fields {
			w, err := e.compileWriter(f)
			if err != nil {
				return nil, err
			}
			fields[k] = w
			name := v.Base.Fields[k].Name
			if name == "" {
				typ, name = tArray, strconv.Itoa(k+1) // ClickHouse's element names of an unnamed tuple
			}
			if bytes.IndexByte([]byte(name), 0) >= 0 {
				return nil, errKeyNUL
			}
			keys[k] = []byte(name)
		}
		return func(dst, key []byte, arr arrow.Array, i int) ([]byte, error) {
			dst = header(dst, typ, key)
			start := len(dst)
			dst = append(dst, 0, 0, 0, 0)
			for k, f := range fields {
				var err error
				if dst, err = f(dst, keys[k], v.Field(arr, k), i); err != nil {
					return dst, err
				}
			}
			dst = append(dst, 0)
			return dst, patchSize(dst, start)
		}, nil
	}
	return nil, fmt.Errorf("type %s is not supported by BSONEachRow", v.Base)
}
