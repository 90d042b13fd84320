// Package arrowcol reads the values of ClickHouse-typed columns out of Arrow arrays for the
// encoders of the schema formats (Avro, Protobuf, Cap'n Proto). A [Reader] is compiled once
// per column from its ClickHouse type and Arrow type, so encoders run no type switch per
// value and box nothing.
package arrowcol

import (
	"fmt"
	"math/big"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal256"

	"github.com/chkafka/chkafka/block"
)

// Class is the shape of a column's values after Nullable and LowCardinality are removed.
type Class uint8

// Value classes: which accessor of a [Reader] applies.
const (
	Int     Class = iota + 1 // Int8..Int64, Date and Date32 (days), DateTime (seconds), DateTime64 (ticks of 10^-P s)
	Uint                     // UInt8..UInt64
	Float                    // Float32, Float64
	Bool                     // Bool
	Bytes                    // String, FixedString, UUID (16 bytes, RFC 4122 order)
	Decimal                  // Decimal(P, S)
	Enum                     // Enum8, Enum16
	List                     // Array
	Map                      // Map
	Struct                   // Tuple
)

// Reader reads one column, or one nested element of a column, from Arrow arrays of the
// type it was compiled for. Call [Reader.At] first: it reports NULL and resolves the
// LowCardinality dictionary; then call the accessor of the reader's [Class] on the array
// and index At returned. A Reader is immutable and safe for concurrent use.
type Reader struct {
	// Type is the column type with Nullable and LowCardinality removed.
	Type *block.Type
	// Class says which accessor applies.
	Class Class
	// Nullable reports whether the column is Nullable (or LowCardinality(Nullable)).
	Nullable bool

	// Elem is the Array's element reader; Key and Value the Map's; Fields the Tuple's.
	Elem, Key, Value *Reader
	Fields           []*Reader

	lowCard bool
	inner   arrow.DataType // the Arrow type the accessors see (the dictionary's for LowCardinality)
	int_    func(a arrow.Array, i int) int64
	uint_   func(a arrow.Array, i int) uint64
	float_  func(a arrow.Array, i int) float64
	bytes_  func(a arrow.Array, i int) []byte
	dec     func(a arrow.Array, i int) [4]uint64
	list    func(a arrow.Array, i int) (values arrow.Array, start, end int)
	enumIdx func(a arrow.Array, i int) int
}

// Compile returns the reader of a column of ClickHouse type t stored as Arrow type dt. It
// fails when dt cannot hold t.
func Compile(t *block.Type, dt arrow.DataType) (*Reader, error) {
	r := &Reader{}
	if t.Kind == block.Nullable {
		r.Nullable = true
		t = t.Elem
	}
	if t.Kind == block.LowCardinality {
		d, ok := dt.(*arrow.DictionaryType)
		if !ok {
			return nil, mismatch(t, dt)
		}
		r.lowCard = true
		t = t.Elem
		if t.Kind == block.Nullable {
			r.Nullable = true
			t = t.Elem
		}
		dt = d.ValueType
	}
	r.Type = t
	r.inner = dt
	if err := r.compile(t, dt); err != nil {
		return nil, err
	}
	return r, nil
}

func mismatch(t *block.Type, dt arrow.DataType) error {
	return fmt.Errorf("arrow type %s does not hold ClickHouse type %s", dt, t)
}

func (r *Reader) compile(t *block.Type, dt arrow.DataType) error {
	switch t.Kind {
	case block.Int8:
		return r.ints(dt, arrow.INT8, func(a arrow.Array, i int) int64 { return int64(a.(*array.Int8).Value(i)) })
	case block.Int16:
		return r.ints(dt, arrow.INT16, func(a arrow.Array, i int) int64 { return int64(a.(*array.Int16).Value(i)) })
	case block.Int32:
		return r.ints(dt, arrow.INT32, func(a arrow.Array, i int) int64 { return int64(a.(*array.Int32).Value(i)) })
	case block.Int64:
		return r.ints(dt, arrow.INT64, func(a arrow.Array, i int) int64 { return a.(*array.Int64).Value(i) })
	case block.UInt8:
		return r.uints(dt, arrow.UINT8, func(a arrow.Array, i int) uint64 { return uint64(a.(*array.Uint8).Value(i)) })
	case block.UInt16:
		return r.uints(dt, arrow.UINT16, func(a arrow.Array, i int) uint64 { return uint64(a.(*array.Uint16).Value(i)) })
	case block.UInt32:
		return r.uints(dt, arrow.UINT32, func(a arrow.Array, i int) uint64 { return uint64(a.(*array.Uint32).Value(i)) })
	case block.UInt64:
		return r.uints(dt, arrow.UINT64, func(a arrow.Array, i int) uint64 { return a.(*array.Uint64).Value(i) })
	case block.Float32:
		if dt.ID() != arrow.FLOAT32 {
			return mismatch(t, dt)
		}
		r.Class, r.float_ = Float, func(a arrow.Array, i int) float64 { return float64(a.(*array.Float32).Value(i)) }
	case block.Float64:
		if dt.ID() != arrow.FLOAT64 {
			return mismatch(t, dt)
		}
		r.Class, r.float_ = Float, func(a arrow.Array, i int) float64 { return a.(*array.Float64).Value(i) }
	case block.Bool:
		if dt.ID() != arrow.BOOL {
			return mismatch(t, dt)
		}
		r.Class = Bool
	case block.String:
		r.Class = Bytes
		switch dt.ID() {
		case arrow.STRING:
			r.bytes_ = func(a arrow.Array, i int) []byte { return strBytes(a.(*array.String).Value(i)) }
		case arrow.LARGE_STRING:
			r.bytes_ = func(a arrow.Array, i int) []byte { return strBytes(a.(*array.LargeString).Value(i)) }
		case arrow.BINARY:
			r.bytes_ = func(a arrow.Array, i int) []byte { return a.(*array.Binary).Value(i) }
		case arrow.LARGE_BINARY:
			r.bytes_ = func(a arrow.Array, i int) []byte { return a.(*array.LargeBinary).Value(i) }
		case arrow.STRING_VIEW:
			r.bytes_ = func(a arrow.Array, i int) []byte { return strBytes(a.(*array.StringView).Value(i)) }
		case arrow.BINARY_VIEW:
			r.bytes_ = func(a arrow.Array, i int) []byte { return a.(*array.BinaryView).Value(i) }
		default:
			return mismatch(t, dt)
		}
	case block.FixedString:
		ft, ok := dt.(*arrow.FixedSizeBinaryType)
		if !ok || ft.ByteWidth != t.Len {
			return mismatch(t, dt)
		}
		r.Class = Bytes
		r.bytes_ = func(a arrow.Array, i int) []byte { return a.(*array.FixedSizeBinary).Value(i) }
	case block.UUID:
		r.Class = Bytes
		if ext, ok := dt.(arrow.ExtensionType); ok {
			if st, ok := ext.StorageType().(*arrow.FixedSizeBinaryType); ok && st.ByteWidth == 16 {
				r.bytes_ = func(a arrow.Array, i int) []byte {
					return a.(array.ExtensionArray).Storage().(*array.FixedSizeBinary).Value(i)
				}
				return nil
			}
			return mismatch(t, dt)
		}
		if ft, ok := dt.(*arrow.FixedSizeBinaryType); !ok || ft.ByteWidth != 16 {
			return mismatch(t, dt)
		}
		r.bytes_ = func(a arrow.Array, i int) []byte { return a.(*array.FixedSizeBinary).Value(i) }
	case block.Date, block.Date32:
		r.Class = Int
		switch dt.ID() {
		case arrow.DATE32:
			r.int_ = func(a arrow.Array, i int) int64 { return int64(a.(*array.Date32).Value(i)) }
		case arrow.DATE64:
			r.int_ = func(a arrow.Array, i int) int64 { return floorDiv(int64(a.(*array.Date64).Value(i)), 86400000) }
		default:
			return mismatch(t, dt)
		}
	case block.DateTime, block.DateTime64:
		ts, ok := dt.(*arrow.TimestampType)
		if !ok {
			return mismatch(t, dt)
		}
		prec := 0
		if t.Kind == block.DateTime64 {
			prec = t.Precision
		}
		unit := []int{arrow.Second: 0, arrow.Millisecond: 3, arrow.Microsecond: 6, arrow.Nanosecond: 9}[ts.Unit]
		r.Class = Int
		switch {
		case unit == prec:
			r.int_ = func(a arrow.Array, i int) int64 { return int64(a.(*array.Timestamp).Value(i)) }
		case unit > prec:
			div := pow10(unit - prec)
			r.int_ = func(a arrow.Array, i int) int64 { return floorDiv(int64(a.(*array.Timestamp).Value(i)), div) }
		default:
			mul := pow10(prec - unit)
			r.int_ = func(a arrow.Array, i int) int64 { return int64(a.(*array.Timestamp).Value(i)) * mul }
		}
	case block.Decimal:
		r.Class = Decimal
		switch dt.ID() {
		case arrow.DECIMAL32:
			r.dec = func(a arrow.Array, i int) [4]uint64 { return signExtend(int64(a.(*array.Decimal32).Value(i))) }
		case arrow.DECIMAL64:
			r.dec = func(a arrow.Array, i int) [4]uint64 { return signExtend(int64(a.(*array.Decimal64).Value(i))) }
		case arrow.DECIMAL128:
			r.dec = func(a arrow.Array, i int) [4]uint64 {
				n := a.(*array.Decimal128).Value(i)
				hi := uint64(n.HighBits())
				ext := uint64(0)
				if n.HighBits() < 0 {
					ext = ^uint64(0)
				}
				return [4]uint64{n.LowBits(), hi, ext, ext}
			}
		case arrow.DECIMAL256:
			r.dec = func(a arrow.Array, i int) [4]uint64 { return a.(*array.Decimal256).Value(i).Array() }
		default:
			return mismatch(t, dt)
		}
	case block.Enum8, block.Enum16:
		d, ok := dt.(*arrow.DictionaryType)
		if !ok || d.ValueType.ID() != arrow.STRING {
			return mismatch(t, dt)
		}
		r.Class = Enum
		r.enumIdx = func(a arrow.Array, i int) int { return a.(*array.Dictionary).GetValueIndex(i) }
		values := t.Enum
		r.int_ = func(a arrow.Array, i int) int64 {
			k := a.(*array.Dictionary).GetValueIndex(i)
			if k < 0 || k >= len(values) {
				return 0
			}
			return int64(values[k].Value)
		}
	case block.Array:
		var et arrow.DataType
		switch lt := dt.(type) {
		case *arrow.ListType:
			et = lt.Elem()
		case *arrow.LargeListType:
			et = lt.Elem()
		default:
			return mismatch(t, dt)
		}
		elem, err := Compile(t.Elem, et)
		if err != nil {
			return err
		}
		r.Class, r.Elem = List, elem
		r.list = func(a arrow.Array, i int) (arrow.Array, int, int) {
			l := a.(array.ListLike)
			s, e := l.ValueOffsets(i)
			return l.ListValues(), int(s), int(e)
		}
	case block.Map:
		mt, ok := dt.(*arrow.MapType)
		if !ok {
			return mismatch(t, dt)
		}
		k, err := Compile(t.Key, mt.KeyType())
		if err != nil {
			return err
		}
		v, err := Compile(t.Value, mt.ItemType())
		if err != nil {
			return err
		}
		r.Class, r.Key, r.Value = Map, k, v
	case block.Tuple:
		st, ok := dt.(*arrow.StructType)
		if !ok || st.NumFields() != len(t.Fields) {
			return mismatch(t, dt)
		}
		r.Class = Struct
		r.Fields = make([]*Reader, len(t.Fields))
		for k, f := range t.Fields {
			fr, err := Compile(f.Type, st.Field(k).Type)
			if err != nil {
				return err
			}
			r.Fields[k] = fr
		}
	default:
		return fmt.Errorf("unsupported ClickHouse type %s", t)
	}
	return nil
}

func (r *Reader) ints(dt arrow.DataType, id arrow.Type, f func(arrow.Array, int) int64) error {
	if dt.ID() != id {
		return mismatch(r.Type, dt)
	}
	r.Class, r.int_ = Int, f
	return nil
}

func (r *Reader) uints(dt arrow.DataType, id arrow.Type, f func(arrow.Array, int) uint64) error {
	if dt.ID() != id {
		return mismatch(r.Type, dt)
	}
	r.Class, r.uint_ = Uint, f
	return nil
}

// strBytes returns the bytes of s without copying; callers only read them.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func pow10(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func signExtend(v int64) [4]uint64 {
	ext := uint64(0)
	if v < 0 {
		ext = ^uint64(0)
	}
	return [4]uint64{uint64(v), ext, ext, ext}
}

// At reports whether value i of a is NULL and returns the array and index the accessors
// read it from: the dictionary and its index for LowCardinality, else a and i.
func (r *Reader) At(a arrow.Array, i int) (arrow.Array, int, bool) {
	if a.IsNull(i) {
		return a, i, true
	}
	if r.lowCard {
		d := a.(*array.Dictionary)
		return d.Dictionary(), d.GetValueIndex(i), false
	}
	return a, i, false
}

// Int returns value i of an [Int] or [Enum] reader's array (for Enum: the declared value).
func (r *Reader) Int(a arrow.Array, i int) int64 { return r.int_(a, i) }

// Uint returns value i of a [Uint] reader's array.
func (r *Reader) Uint(a arrow.Array, i int) uint64 { return r.uint_(a, i) }

// Float returns value i of a [Float] reader's array.
func (r *Reader) Float(a arrow.Array, i int) float64 { return r.float_(a, i) }

// Bool returns value i of a [Bool] reader's array.
func (r *Reader) Bool(a arrow.Array, i int) bool { return a.(*array.Boolean).Value(i) }

// Bytes returns value i of a [Bytes] reader's array; the slice aliases Arrow memory.
func (r *Reader) Bytes(a arrow.Array, i int) []byte { return r.bytes_(a, i) }

// Decimal returns the unscaled value i of a [Decimal] reader's array as a 256-bit two's
// complement integer, least significant word first. The scale is Type.Scale.
func (r *Reader) Decimal(a arrow.Array, i int) [4]uint64 { return r.dec(a, i) }

// EnumIndex returns the declaration position (index into Type.Enum) of value i of an
// [Enum] reader's array.
func (r *Reader) EnumIndex(a arrow.Array, i int) int { return r.enumIdx(a, i) }

// List returns the elements array of value i of a [List] reader's array and the range
// [start, end) of its elements; read them with Elem.
func (r *Reader) List(a arrow.Array, i int) (values arrow.Array, start, end int) {
	return r.list(a, i)
}

// MapEntries returns the keys and values arrays of value i of a [Map] reader's array and
// the range [start, end) of its entries; read them with Key and Value.
func (r *Reader) MapEntries(a arrow.Array, i int) (keys, values arrow.Array, start, end int) {
	m := a.(*array.Map)
	s, e := m.ValueOffsets(i)
	return m.Keys(), m.Items(), int(s), int(e)
}

// Field returns the array of Tuple element k of a [Struct] reader's array (read it with
// Fields[k] at the same index).
func (r *Reader) Field(a arrow.Array, k int) arrow.Array { return a.(*array.Struct).Field(k) }

// Check reports whether arr has the Arrow type the reader was compiled for (the record
// batch must match the schema given to the encoder).
func Check(dt arrow.DataType, arr arrow.Array) error {
	if !arrow.TypeEqual(dt, arr.DataType()) {
		return fmt.Errorf("has type %s, the encoder was compiled for %s", arr.DataType(), dt)
	}
	return nil
}

// DecimalBigInt returns a 256-bit two's complement value as a big.Int.
func DecimalBigInt(w [4]uint64) *big.Int {
	n := decimal256.New(w[3], w[2], w[1], w[0])
	return n.BigInt()
}

// DecimalFits64 reports whether w fits an int64, and returns it.
func DecimalFits64(w [4]uint64) (int64, bool) {
	v := int64(w[0])
	ext := uint64(0)
	if v < 0 {
		ext = ^uint64(0)
	}
	return v, w[1] == ext && w[2] == ext && w[3] == ext
}

// AppendDecimalBE appends the low width bytes of w in big-endian order (two's complement),
// as Avro's decimal logical type stores it. width is at most 32.
func AppendDecimalBE(dst []byte, w [4]uint64, width int) []byte {
	for k := width - 1; k >= 0; k-- {
		dst = append(dst, byte(w[k/8]>>(8*(k%8))))
	}
	return dst
}

// AppendDecimalText appends w with scale digits after the point ("-123.45"), without
// trailing zeros trimmed.
func AppendDecimalText(dst []byte, w [4]uint64, scale int) []byte {
	if v, ok := DecimalFits64(w); ok {
		neg := v < 0
		u := uint64(v)
		if neg {
			u = -u
		}
		var buf [24]byte
		n := len(buf)
		for u > 0 || n > len(buf)-scale-1 {
			n--
			buf[n] = byte('0' + u%10)
			u /= 10
		}
		digits := buf[n:]
		if neg {
			dst = append(dst, '-')
		}
		return appendPoint(dst, digits, scale)
	}
	s := DecimalBigInt(w).String()
	neg := s[0] == '-'
	if neg {
		dst = append(dst, '-')
		s = s[1:]
	}
	digits := []byte(s)
	for len(digits) <= scale {
		digits = append([]byte{'0'}, digits...)
	}
	return appendPoint(dst, digits, scale)
}

func appendPoint(dst, digits []byte, scale int) []byte {
	if scale == 0 {
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}
