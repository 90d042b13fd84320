// Package arrowval connects Arrow arrays and ClickHouse column types for the binary
// formats: [Value] reads the values of a record batch column as the ClickHouse type it
// holds (encoders), and [Appender] stages the values of an Arrow array of any supported
// type into a [block.Col] (decoders of Arrow and Parquet).
//
// Both are compiled once per (ClickHouse type, Arrow type) pair, so the per-value work is a
// closure call and a type assertion, with no type switch on the ClickHouse type.
package arrowval

import (
	"fmt"
	"strconv"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// Base returns t without Nullable and LowCardinality.
func Base(t *block.Type) *block.Type {
	for t.Kind == block.Nullable || t.Kind == block.LowCardinality {
		t = t.Elem
	}
	return t
}

// Value reads values of one ClickHouse type from Arrow arrays of the Arrow type it was
// compiled for. The getters take the array and row that [Value.At] returns; each getter
// applies to the kinds its doc names and must not be called for others. A Value is
// immutable and safe for concurrent use.
type Value struct {
	Type     *block.Type // the declared type
	Base     *block.Type // Type without Nullable and LowCardinality
	Kind     block.Kind  // Base.Kind
	Nullable bool        // Type admits NULL

	lc    bool // LowCardinality: the values live in the dictionary of a dictionary array
	i64   func(arrow.Array, int) int64
	u64   func(arrow.Array, int) uint64
	f64   func(arrow.Array, int) float64
	bytes func(arrow.Array, int) []byte
	dec   func(arrow.Array, int) binio.Int256
	enum  map[string]int16
	loc   *time.Location

	// Elem is the element of an Array; Key and Val of a Map; Fields the elements of a Tuple.
	Elem     *Value
	Key, Val *Value
	Fields   []*Value
}

// IsNull reports whether row i of arr is NULL. It is false for types that are not
// Nullable, whatever the array's validity says.
func (v *Value) IsNull(arr arrow.Array, i int) bool {
	if !v.Nullable {
		return false
	}
	if v.lc {
		d := arr.(*array.Dictionary)
		return d.IsNull(i) || d.Dictionary().IsNull(d.GetValueIndex(i))
	}
	return arr.IsNull(i)
}

// At returns the array and row holding the value of row i: the dictionary and index for
// LowCardinality, else arr and i.
func (v *Value) At(arr arrow.Array, i int) (arrow.Array, int) {
	if v.lc {
		d := arr.(*array.Dictionary)
		return d.Dictionary(), d.GetValueIndex(i)
	}
	return arr, i
}

// Int returns Int8..Int64 values, Bool as 0/1, Date and Date32 as days since the epoch,
// DateTime as unix seconds and DateTime64(P) as ticks of 10^-P seconds.
func (v *Value) Int(arr arrow.Array, i int) int64 { return v.i64(arr, i) }

// Uint returns UInt8..UInt64 values.
func (v *Value) Uint(arr arrow.Array, i int) uint64 { return v.u64(arr, i) }

// Float returns Float32 and Float64 values.
func (v *Value) Float(arr arrow.Array, i int) float64 { return v.f64(arr, i) }

// Bytes returns String and FixedString values, and UUID values in RFC 4122 byte order. The
// slice aliases the array and must not be modified.
func (v *Value) Bytes(arr arrow.Array, i int) []byte { return v.bytes(arr, i) }

// Decimal returns the unscaled Decimal value (the value times 10^Scale).
func (v *Value) Decimal(arr arrow.Array, i int) binio.Int256 { return v.dec(arr, i) }

// Enum returns the value of the Enum name at row i. A name the type does not declare is an
// error.
func (v *Value) Enum(arr arrow.Array, i int) (int16, error) {
	d := arr.(*array.Dictionary)
	name := stringAt(d.Dictionary(), d.GetValueIndex(i))
	if x, ok := v.enum[name]; ok {
		return x, nil
	}
	return 0, fmt.Errorf("value %q is not a name of %s", name, v.Base)
}

// EnumName returns the Enum name at row i.
func (v *Value) EnumName(arr arrow.Array, i int) string {
	d := arr.(*array.Dictionary)
	return stringAt(d.Dictionary(), d.GetValueIndex(i))
}

// List returns the elements array of an Array value and the range of row i in it.
func (v *Value) List(arr arrow.Array, i int) (arrow.Array, int, int) {
	l := arr.(array.ListLike)
	s, e := l.ValueOffsets(i)
	return l.ListValues(), int(s), int(e)
}

// Map returns the keys and values arrays of a Map value and the range of row i in them.
func (v *Value) Map(arr arrow.Array, i int) (keys, items arrow.Array, start, end int) {
	m := arr.(*array.Map)
	s, e := m.ValueOffsets(i)
	return m.Keys(), m.Items(), int(s), int(e)
}

// Field returns the array of Tuple element k.
func (v *Value) Field(arr arrow.Array, k int) arrow.Array { return arr.(*array.Struct).Field(k) }

func stringAt(arr arrow.Array, i int) string {
	switch a := arr.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return a.ValueString(i)
	case *array.LargeBinary:
		return a.ValueString(i)
	case *array.StringView:
		return a.Value(i)
	case *array.BinaryView:
		return a.ValueString(i)
	}
	return ""
}

func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func mismatch(t *block.Type, dt arrow.DataType) error {
	return fmt.Errorf("arrow type %s does not hold ClickHouse type %s", dt, t)
}

// Compile returns the Value reading type t from arrays of Arrow type dt. It fails when dt
// cannot hold t (see [block.Type.ArrowType] and [block.ColumnsFromSchema] for the pairs) or
// a time zone is unknown.
func Compile(t *block.Type, dt arrow.DataType) (*Value, error) {
	switch t.Kind {
	case block.Nullable:
		v, err := Compile(t.Elem, dt)
		if err != nil {
			return nil, err
		}
		v.Type, v.Nullable = t, true
		return v, nil
	case block.LowCardinality:
		d, ok := dt.(*arrow.DictionaryType)
		if !ok || !arrow.IsInteger(d.IndexType.ID()) {
			return nil, mismatch(t, dt)
		}
		v, err := Compile(t.Elem, d.ValueType)
		if err != nil {
			return nil, err
		}
		v.Type, v.lc = t, true
		return v, nil
	}
	v := &Value{Type: t, Base: t, Kind: t.Kind}
	if err := v.compileBase(dt); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *Value) compileBase(dt arrow.DataType) error {
	t := v.Base
	bad := func() error { return mismatch(t, dt) }
	id := dt.ID()
	switch t.Kind {
	case block.Int8:
		if id != arrow.INT8 {
			return bad()
		}
		v.i64 = func(a arrow.Array, i int) int64 { return int64(a.(*array.Int8).Value(i)) }
	case block.Int16:
		if id != arrow.INT16 {
			return bad()
		}
		v.i64 = func(a arrow.Array, i int) int64 { return int64(a.(*array.Int16).Value(i)) }
	case block.Int32:
		if id != arrow.INT32 {
			return bad()
		}
		v.i64 = func(a arrow.Array, i int) int64 { return int64(a.(*array.Int32).Value(i)) }
	case block.Int64:
		if id != arrow.INT64 {
			return bad()
		}
		v.i64 = func(a arrow.Array, i int) int64 { return a.(*array.Int64).Value(i) }
	case block.UInt8:
		if id != arrow.UINT8 {
			return bad()
		}
		v.u64 = func(a arrow.Array, i int) uint64 { return uint64(a.(*array.Uint8).Value(i)) }
	case block.UInt16:
		if id != arrow.UINT16 {
			return bad()
		}
		v.u64 = func(a arrow.Array, i int) uint64 { return uint64(a.(*array.Uint16).Value(i)) }
	case block.UInt32:
		if id != arrow.UINT32 {
			return bad()
		}
		v.u64 = func(a arrow.Array, i int) uint64 { return uint64(a.(*array.Uint32).Value(i)) }
	case block.UInt64:
		if id != arrow.UINT64 {
			return bad()
		}
		v.u64 = func(a arrow.Array, i int) uint64 { return a.(*array.Uint64).Value(i) }
	case block.Float32:
		if id != arrow.FLOAT32 {
			return bad()
		}
		v.f64 = func(a arrow.Array, i int) float64 { return float64(a.(*array.Float32).Value(i)) }
	case block.Float64:
		if id != arrow.FLOAT64 {
			return bad()
		}
		v.f64 = func(a arrow.Array, i int) float64 { return a.(*array.Float64).Value(i) }
	case block.Bool:
		if id != arrow.BOOL {
			return bad()
		}
		v.i64 = func(a arrow.Array, i int) int64 {
			if a.(*array.Boolean).Value(i) {
				return 1
			}
			return 0
		}
	case block.String:
		g := BytesGetter(dt)
		if g == nil {
			return bad()
		}
		v.bytes = g
	case block.FixedString:
		if ft, ok := dt.(*arrow.FixedSizeBinaryType); !ok || ft.ByteWidth != t.Len {
			return bad()
		}
		v.bytes = func(a arrow.Array, i int) []byte { return a.(*array.FixedSizeBinary).Value(i) }
	case block.UUID:
		switch st := dt.(type) {
		case *arrow.FixedSizeBinaryType:
			if st.ByteWidth != 16 {
				return bad()
			}
			v.bytes = func(a arrow.Array, i int) []byte { return a.(*array.FixedSizeBinary).Value(i) }
		case arrow.ExtensionType:
			if ft, ok := st.StorageType().(*arrow.FixedSizeBinaryType); !ok || ft.ByteWidth != 16 {
				return bad()
			}
			v.bytes = func(a arrow.Array, i int) []byte {
				return a.(array.ExtensionArray).Storage().(*array.FixedSizeBinary).Value(i)
			}
		default:
			return bad()
		}
	case block.Date, block.Date32:
		switch id {
		case arrow.DATE32:
			v.i64 = func(a arrow.Array, i int) int64 { return int64(a.(*array.Date32).Value(i)) }
		case arrow.DATE64:
			v.i64 = func(a arrow.Array, i int) int64 { return floorDiv(int64(a.(*array.Date64).Value(i)), 86400000) }
		default:
			return bad()
		}
	case block.DateTime, block.DateTime64:
		ts, ok := dt.(*arrow.TimestampType)
		if !ok {
			return bad()
		}
		tz := t.TZ
		if tz == "" {
			tz = ts.TimeZone
		}
		loc, err := LoadLocation(tz)
		if err != nil {
			return fmt.Errorf("time zone of %s: %w", t, err)
		}
		v.loc = loc
		prec := 0
		if t.Kind == block.DateTime64 {
			prec = t.Precision
		}
		mul, div := rescale(unitDigits(ts.Unit), prec)
		v.i64 = func(a arrow.Array, i int) int64 {
			x := int64(a.(*array.Timestamp).Value(i))
			if div > 1 {
				return floorDiv(x, div)
			}
			return x * mul
		}
	case block.Decimal:
		switch dt := dt.(type) {
		case *arrow.Decimal32Type:
			if int(dt.Scale) != t.Scale {
				return bad()
			}
			v.dec = func(a arrow.Array, i int) binio.Int256 {
				return binio.Int256FromInt64(int64(a.(*array.Decimal32).Value(i)))
			}
		case *arrow.Decimal64Type:
			if int(dt.Scale) != t.Scale {
				return bad()
			}
			v.dec = func(a arrow.Array, i int) binio.Int256 {
				return binio.Int256FromInt64(int64(a.(*array.Decimal64).Value(i)))
			}
		case *arrow.Decimal128Type:
			if int(dt.Scale) != t.Scale {
				return bad()
			}
			v.dec = func(a arrow.Array, i int) binio.Int256 {
				n := a.(*array.Decimal128).Value(i)
				hi := uint64(n.HighBits())
				s := uint64(n.HighBits() >> 63)
				return binio.Int256{n.LowBits(), hi, s, s}
			}
		case *arrow.Decimal256Type:
			if int(dt.Scale) != t.Scale {
				return bad()
			}
			v.dec = func(a arrow.Array, i int) binio.Int256 { return a.(*array.Decimal256).Value(i).Array() }
		default:
			return bad()
		}
	case block.Enum8, block.Enum16:
		d, ok := dt.(*arrow.DictionaryType)
		if !ok || !arrow.IsInteger(d.IndexType.ID()) || BytesGetter(d.ValueType) == nil {
			return bad()
		}
		v.enum = make(map[string]int16, len(t.Enum))
		for _, e := range t.Enum {
			v.enum[e.Name] = e.Value
		}
	case block.Array:
		var et arrow.DataType
		switch lt := dt.(type) {
		case *arrow.ListType:
			et = lt.Elem()
		case *arrow.LargeListType:
			et = lt.Elem()
		default:
			return bad()
		}
		elem, err := Compile(t.Elem, et)
		if err != nil {
			return err
		}
		v.Elem = elem
	case block.Map:
		mt, ok := dt.(*arrow.MapType)
		if !ok {
			return bad()
		}
		key, err := Compile(t.Key, mt.KeyType())
		if err != nil {
			return err
		}
		val, err := Compile(t.Value, mt.ItemType())
		if err != nil {
			return err
		}
		v.Key, v.Val = key, val
	case block.Tuple:
		st, ok := dt.(*arrow.StructType)
		if !ok || st.NumFields() != len(t.Fields) {
			return bad()
		}
		v.Fields = make([]*Value, len(t.Fields))
		for k, f := range t.Fields {
			fv, err := Compile(f.Type, st.Field(k).Type)
			if err != nil {
				return err
			}
			v.Fields[k] = fv
		}
	default:
		return fmt.Errorf("type %s is not supported", t)
	}
	return nil
}

// BytesGetter returns the reader of the bytes of values of Arrow's string and binary types
// (String, LargeString, Binary, LargeBinary and their views), or nil for other types. The
// bytes of strings are not copied and must not be modified.
func BytesGetter(dt arrow.DataType) func(arrow.Array, int) []byte {
	switch dt.ID() {
	case arrow.STRING:
		return func(a arrow.Array, i int) []byte { return strBytes(a.(*array.String).Value(i)) }
	case arrow.LARGE_STRING:
		return func(a arrow.Array, i int) []byte { return strBytes(a.(*array.LargeString).Value(i)) }
	case arrow.BINARY:
		return func(a arrow.Array, i int) []byte { return a.(*array.Binary).Value(i) }
	case arrow.LARGE_BINARY:
		return func(a arrow.Array, i int) []byte { return a.(*array.LargeBinary).Value(i) }
	case arrow.STRING_VIEW:
		return func(a arrow.Array, i int) []byte { return strBytes(a.(*array.StringView).Value(i)) }
	case arrow.BINARY_VIEW:
		return func(a arrow.Array, i int) []byte { return a.(*array.BinaryView).Value(i) }
	}
	return nil
}

// LoadLocation loads an IANA time zone; "" and "UTC" are UTC.
func LoadLocation(tz string) (*time.Location, error) {
	if tz == "" || tz == "UTC" {
		return time.UTC, nil
	}
	return time.LoadLocation(tz)
}

func unitDigits(u arrow.TimeUnit) int {
	switch u {
	case arrow.Millisecond:
		return 3
	case arrow.Microsecond:
		return 6
	case arrow.Nanosecond:
		return 9
	}
	return 0
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// Pow10 returns 10^n for 0 <= n <= 18.
func Pow10(n int) int64 { return pow10[n] }

// rescale returns the multiplier or divisor turning ticks of 10^-from seconds into ticks
// of 10^-to seconds.
func rescale(from, to int) (mul, div int64) {
	if to >= from {
		return pow10[to-from], 1
	}
	return 1, pow10[from-to]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// FloorDiv returns a / b rounded towards negative infinity.
func FloorDiv(a, b int64) int64 { return floorDiv(a, b) }

// AppendText appends ClickHouse's text form of the scalar value at row i of arr (after
// [Value.At]): what a Map key becomes in formats whose keys are strings. Arrays, maps and
// tuples are an error.
func (v *Value) AppendText(dst []byte, arr arrow.Array, i int) ([]byte, error) {
	switch v.Kind {
	case block.Int8, block.Int16, block.Int32, block.Int64:
		return strconv.AppendInt(dst, v.Int(arr, i), 10), nil
	case block.UInt8, block.UInt16, block.UInt32, block.UInt64:
		return strconv.AppendUint(dst, v.Uint(arr, i), 10), nil
	case block.Float32:
		return strconv.AppendFloat(dst, v.Float(arr, i), 'g', -1, 32), nil
	case block.Float64:
		return strconv.AppendFloat(dst, v.Float(arr, i), 'g', -1, 64), nil
	case block.Bool:
		return strconv.AppendBool(dst, v.Int(arr, i) != 0), nil
	case block.String, block.FixedString:
		return append(dst, v.Bytes(arr, i)...), nil
	case block.UUID:
		return binio.AppendUUIDText(dst, v.Bytes(arr, i)), nil
	case block.Date, block.Date32:
		y, m, d := time.Unix(v.Int(arr, i)*86400, 0).UTC().Date()
		return appendYMD(dst, y, int(m), d), nil
	case block.DateTime:
		return appendDateTime(dst, time.Unix(v.Int(arr, i), 0).In(v.loc)), nil
	case block.DateTime64:
		p := v.Base.Precision
		x := v.Int(arr, i)
		sec := floorDiv(x, pow10[p])
		dst = appendDateTime(dst, time.Unix(sec, 0).In(v.loc))
		if p > 0 {
			dst = append(dst, '.')
			dst = appendPadded(dst, uint64(x-sec*pow10[p]), p)
		}
		return dst, nil
	case block.Decimal:
		return TrimDecimal(v.Decimal(arr, i).AppendDecimal(dst, v.Base.Scale), v.Base.Scale), nil
	case block.Enum8, block.Enum16:
		return append(dst, v.EnumName(arr, i)...), nil
	}
	return dst, fmt.Errorf("type %s has no text form here", v.Base)
}

// TrimDecimal drops the trailing fraction zeros (and a bare point) of decimal text just
// appended with scale digits, as ClickHouse prints decimals by default.
func TrimDecimal(b []byte, scale int) []byte {
	if scale == 0 {
		return b
	}
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return b
}

func appendDateTime(dst []byte, tm time.Time) []byte {
	y, mo, d := tm.Date()
	h, mi, s := tm.Clock()
	dst = appendYMD(dst, y, int(mo), d)
	dst = append(dst, ' ')
	dst = appendPadded(dst, uint64(h), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, uint64(mi), 2)
	dst = append(dst, ':')
	return appendPadded(dst, uint64(s), 2)
}

func appendYMD(dst []byte, y, m, d int) []byte {
	dst = appendPadded(dst, uint64(y), 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, uint64(m), 2)
	dst = append(dst, '-')
	return appendPadded(dst, uint64(d), 2)
}

func appendPadded(dst []byte, v uint64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendUint(buf[:0], v, 10)
	for n := len(s); n < width; n++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}
