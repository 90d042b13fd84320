package chbin

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// ValueWriter appends the RowBinary encoding of row i of arr.
type ValueWriter func(dst []byte, arr arrow.Array, i int) ([]byte, error)

// CompileWriter returns the RowBinary writer of the values v reads.
func CompileWriter(v *arrowval.Value) (ValueWriter, error) {
	w, err := baseWriter(v)
	if err != nil {
		return nil, err
	}
	return wrapWriter(v, w), nil
}

// wrapWriter adds the NULL flag of Nullable types and the dictionary lookup of
// LowCardinality to a writer of the base type.
func wrapWriter(v *arrowval.Value, w ValueWriter) ValueWriter {
	inner := w
	if v.Type.Kind == block.LowCardinality {
		inner = func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			a, j := v.At(arr, i)
			return w(dst, a, j)
		}
	}
	if !v.Nullable {
		return inner
	}
	return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
		if v.IsNull(arr, i) {
			return append(dst, 1), nil
		}
		return inner(append(dst, 0), arr, i)
	}
}

// baseWriter writes values of v.Base, after At.
func baseWriter(v *arrowval.Value) (ValueWriter, error) {
	le := binary.LittleEndian
	switch v.Kind {
	case block.Int8, block.UInt8, block.Bool:
		if v.Kind == block.UInt8 {
			return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
				return append(dst, byte(v.Uint(arr, i))), nil
			}, nil
		}
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) { return append(dst, byte(v.Int(arr, i))), nil }, nil
	case block.Int16, block.Date:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return le.AppendUint16(dst, uint16(v.Int(arr, i))), nil
		}, nil
	case block.UInt16:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return le.AppendUint16(dst, uint16(v.Uint(arr, i))), nil
		}, nil
	case block.Int32, block.Date32, block.DateTime:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return le.AppendUint32(dst, uint32(v.Int(arr, i))), nil
		}, nil
	case block.UInt32:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return le.AppendUint32(dst, uint32(v.Uint(arr, i))), nil
		}, nil
	case block.Int64, block.DateTime64:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return le.AppendUint64(dst, uint64(v.Int(arr, i))), nil
		}, nil
	case block.UInt64:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return le.AppendUint64(dst, v.Uint(arr, i)), nil
		}, nil
	case block.Float32:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return le.AppendUint32(dst, math.Float32bits(float32(v.Float(arr, i)))), nil
		}, nil
	case block.Float64:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return le.AppendUint64(dst, math.Float64bits(v.Float(arr, i))), nil
		}, nil
	case block.String:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return binio.AppendString(dst, v.Bytes(arr, i)), nil
		}, nil
	case block.FixedString:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) { return append(dst, v.Bytes(arr, i)...), nil }, nil
	case block.UUID:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			n := len(dst)
			dst = append(dst, make([]byte, 16)...)
			binio.UUIDToRFC(dst[n:], v.Bytes(arr, i))
			return dst, nil
		}, nil
	case block.Decimal:
		w := binio.DecimalWidth(v.Base.Precision)
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			return v.Decimal(arr, i).AppendLE(dst, w), nil
		}, nil
	case block.Enum8:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			x, err := v.Enum(arr, i)
			if err != nil {
				return dst, err
			}
			return append(dst, byte(x)), nil
		}, nil
	case block.Enum16:
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			x, err := v.Enum(arr, i)
			if err != nil {
				return dst, err
			}
			return le.AppendUint16(dst, uint16(x)), nil
		}, nil
	case block.Array:
		elem, err := CompileWriter(v.Elem)
		if err != nil {
			return nil, err
		}
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			values, s, e := v.List(arr, i)
			dst = binio.AppendUvarint(dst, uint64(e-s))
			for k := s; k < e; k++ {
				var err error
				if dst, err = elem(dst, values, k); err != nil {
					return dst, err
				}
			}
			return dst, nil
		}, nil
	case block.Map:
		key, err := CompileWriter(v.Key)
		if err != nil {
			return nil, err
		}
		val, err := CompileWriter(v.Val)
		if err != nil {
			return nil, err
		}
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			keys, items, s, e := v.Map(arr, i)
			dst = binio.AppendUvarint(dst, uint64(e-s))
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
		fields := make([]ValueWriter, len(v.Fields))
		for k, f := range v.Fields {
			fw, err := CompileWriter(f)
			if err != nil {
				return nil, err
			}
			fields[k] = fw
		}
		return func(dst []byte, arr arrow.Array, i int) ([]byte, error) {
			for k, f := range fields {
				var err error
				if dst, err = f(dst, v.Field(arr, k), i); err != nil {
					return dst, err
				}
			}
			return dst, nil
		}, nil
	}
	return nil, fmt.Errorf("type %s is not supported", v.Base)
}

// ColumnWriter writes a column in ClickHouse's bulk serialization (Native format): first
// Prefix for the column (the serialization state: LowCardinality key versions, nested
// ones included), then Data for rows [lo, hi).
type ColumnWriter struct {
	Prefix func(dst []byte) []byte
	Data   func(dst []byte, arr arrow.Array, lo, hi int) ([]byte, error)
}

func noPrefix(dst []byte) []byte { return dst }

// Flags of the LowCardinality index serialization (ClickHouse's IndexesSerializationType).
const (
	lcNeedGlobalDictionary = 1 << 8
	lcHasAdditionalKeys    = 1 << 9
	lcNeedUpdateDictionary = 1 << 10
	lcKeysVersion          = 1 // SharedDictionariesWithAdditionalKeys
)

// CompileColumnWriter returns the Native column writer of the values v reads.
func CompileColumnWriter(v *arrowval.Value) (ColumnWriter, error) {
	if v.Type.Kind == block.LowCardinality {
		return lowCardinalityWriter(v)
	}
	base, err := baseColumnWriter(v)
	if err != nil {
		return ColumnWriter{}, err
	}
	if !v.Nullable {
		return base, nil
	}
	return ColumnWriter{
		Prefix: base.Prefix,
		Data: func(dst []byte, arr arrow.Array, lo, hi int) ([]byte, error) {
			for i := lo; i < hi; i++ {
				if v.IsNull(arr, i) {
					dst = append(dst, 1)
				} else {
					dst = append(dst, 0)
				}
			}
			return base.Data(dst, arr, lo, hi)
		},
	}, nil
}

// lowCardinalityWriter writes ClickHouse's LowCardinality serialization as its Native
// writer does (no global dictionary): the keys version in the prefix, then per column the
// index type with HasAdditionalKeys and NeedUpdateDictionary, the keys (for
// LowCardinality(Nullable(T)) a NULL placeholder first), the row count and the indexes.
// The keys are the Arrow dictionary's values.
func lowCardinalityWriter(v *arrowval.Value) (ColumnWriter, error) {
	keys, err := baseColumnWriter(v)
	if err != nil {
		return ColumnWriter{}, err
	}
	var placeholder []byte // the default value of the key type, standing for NULL
	if w := Width(v.Base); w > 0 {
		placeholder = make([]byte, w)
	} else {
		placeholder = []byte{0} // empty String
	}
	nullable := v.Nullable
	le := binary.LittleEndian
	return ColumnWriter{
		Prefix: func(dst []byte) []byte { return le.AppendUint64(dst, lcKeysVersion) },
		Data: func(dst []byte, arr arrow.Array, lo, hi int) ([]byte, error) {
			if hi <= lo {
				return dst, nil // ClickHouse writes nothing for an empty range
			}
			d := arr.(*array.Dictionary)
			dict := d.Dictionary()
			nkeys := dict.Len()
			shift := 0
			if nullable {
				shift = 1
			}
			total := uint64(nkeys + shift)
			var typ uint64
			switch {
			case total <= 1<<8:
				typ = 0
			case total <= 1<<16:
				typ = 1
			case total <= 1<<32:
				typ = 2
			default:
				typ = 3
			}
			dst = le.AppendUint64(dst, typ|lcHasAdditionalKeys|lcNeedUpdateDictionary)
			dst = le.AppendUint64(dst, total)
			if nullable {
				dst = append(dst, placeholder...)
			}
			var err error
			if dst, err = keys.Data(dst, dict, 0, nkeys); err != nil {
				return dst, err
			}
			dst = le.AppendUint64(dst, uint64(hi-lo))
			for i := lo; i < hi; i++ {
				var idx uint64
				if !nullable || !v.IsNull(arr, i) {
					idx = uint64(d.GetValueIndex(i) + shift)
				}
				switch typ {
				case 0:
					dst = append(dst, byte(idx))
				case 1:
					dst = le.AppendUint16(dst, uint16(idx))
				case 2:
					dst = le.AppendUint32(dst, uint32(idx))
				default:
					dst = le.AppendUint64(dst, idx)
				}
			}
			return dst, nil
		},
	}, nil
}

// baseColumnWriter writes values of v.Base (no NULL map, no dictionary).
func baseColumnWriter(v *arrowval.Value) (ColumnWriter, error) {
	le := binary.LittleEndian
	switch v.Kind {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32,
		block.UInt64, block.Float32, block.Float64:
		// Arrow stores these exactly as ClickHouse does: copy the values buffer.
		return ColumnWriter{Prefix: noPrefix, Data: func(dst []byte, arr arrow.Array, lo, hi int) ([]byte, error) {
			return appendRaw(dst, arr, lo, hi), nil
		}}, nil
	case block.Array:
		elem, err := CompileColumnWriter(v.Elem)
		if err != nil {
			return ColumnWriter{}, err
		}
		return ColumnWriter{Prefix: elem.Prefix, Data: func(dst []byte, arr arrow.Array, lo, hi int) ([]byte, error) {
			if hi <= lo {
				return dst, nil
			}
			values, start, _ := v.List(arr, lo)
			end := start
			for i := lo; i < hi; i++ {
				_, s, e := v.List(arr, i)
				end += e - s
				dst = le.AppendUint64(dst, uint64(end-start))
			}
			return elem.Data(dst, values, start, end)
		}}, nil
	case block.Map:
		key, err := CompileColumnWriter(v.Key)
		if err != nil {
			return ColumnWriter{}, err
		}
		val, err := CompileColumnWriter(v.Val)
		if err != nil {
			return ColumnWriter{}, err
		}
		return ColumnWriter{
			Prefix: func(dst []byte) []byte { return val.Prefix(key.Prefix(dst)) },
			Data: func(dst []byte, arr arrow.Array, lo, hi int) ([]byte, error) {
				if hi <= lo {
					return dst, nil
				}
				keys, items, start, _ := v.Map(arr, lo)
				end := start
				for i := lo; i < hi; i++ {
					_, _, s, e := v.Map(arr, i)
					end += e - s
					dst = le.AppendUint64(dst, uint64(end-start))
				}
				var err error
				if dst, err = key.Data(dst, keys, start, end); err != nil {
					return dst, err
				}
				return val.Data(dst, items, start, end)
			},
		}, nil
	case block.Tuple:
		fields := make([]ColumnWriter, len(v.Fields))
		for k, f := range v.Fields {
			fw, err := CompileColumnWriter(f)
			if err != nil {
				return ColumnWriter{}, err
			}
			fields[k] = fw
		}
		return ColumnWriter{
			Prefix: func(dst []byte) []byte {
				for _, f := range fields {
					dst = f.Prefix(dst)
				}
				return dst
			},
			Data: func(dst []byte, arr arrow.Array, lo, hi int) ([]byte, error) {
				for k, f := range fields {
					var err error
					if dst, err = f.Data(dst, v.Field(arr, k), lo, hi); err != nil {
						return dst, err
					}
				}
				return dst, nil
			},
		}, nil
	}
	w, err := baseWriter(v)
	if err != nil {
		return ColumnWriter{}, err
	}
	return ColumnWriter{Prefix: noPrefix, Data: func(dst []byte, arr arrow.Array, lo, hi int) ([]byte, error) {
		for i := lo; i < hi; i++ {
			var err error
			if dst, err = w(dst, arr, i); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}}, nil
}

// appendRaw appends the little-endian values [lo, hi) of a fixed-width numeric array.
func appendRaw(dst []byte, arr arrow.Array, lo, hi int) []byte {
	switch a := arr.(type) {
	case *array.Int8:
		return append(dst, arrow.Int8Traits.CastToBytes(a.Int8Values()[lo:hi])...)
	case *array.Int16:
		return append(dst, arrow.Int16Traits.CastToBytes(a.Int16Values()[lo:hi])...)
	case *array.Int32:
		return append(dst, arrow.Int32Traits.CastToBytes(a.Int32Values()[lo:hi])...)
	case *array.Int64:
		return append(dst, arrow.Int64Traits.CastToBytes(a.Int64Values()[lo:hi])...)
	case *array.Uint8:
		return append(dst, a.Uint8Values()[lo:hi]...)
	case *array.Uint16:
		return append(dst, arrow.Uint16Traits.CastToBytes(a.Uint16Values()[lo:hi])...)
	case *array.Uint32:
		return append(dst, arrow.Uint32Traits.CastToBytes(a.Uint32Values()[lo:hi])...)
	case *array.Uint64:
		return append(dst, arrow.Uint64Traits.CastToBytes(a.Uint64Values()[lo:hi])...)
	case *array.Float32:
		return append(dst, arrow.Float32Traits.CastToBytes(a.Float32Values()[lo:hi])...)
	case *array.Float64:
		return append(dst, arrow.Float64Traits.CastToBytes(a.Float64Values()[lo:hi])...)
	}
	panic(fmt.Sprintf("chbin: appendRaw of %T", arr))
}
