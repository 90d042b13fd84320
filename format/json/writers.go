package json

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

// writer appends the representation of row i of arr. Writers are compiled for one Arrow
// type; the encoder checks the record's types once per Append, so the assertions inside
// cannot fail.
type writer func(dst []byte, arr arrow.Array, i int) []byte

// style is the representation a writer produces, after ClickHouse's serializations.
type style uint8

const (
	// styleJSON is serializeTextJSON: the values of the JSON formats.
	styleJSON style = iota
	// styleText is serializeText: the plain text the *Strings* formats put in JSON strings
	// (NULL is ᴺᵁᴸᴸ, Array/Map/Tuple are literals with quoted elements).
	styleText
	// styleQuoted is serializeTextQuoted: the elements of Array, Map and Tuple literals
	// (strings, dates and UUIDs in single quotes, NULL is NULL).
	styleQuoted
)

// quote is the quote character around strings, dates and UUIDs (0: none).
func (st style) quote() byte {
	switch st {
	case styleJSON:
		return '"'
	case styleQuoted:
		return '\''
	}
	return 0
}

func (st style) null() string {
	switch st {
	case styleJSON:
		return "null"
	case styleQuoted:
		return "NULL"
	}
	return nullGlyphs
}

// appendString writes string or byte contents in the style.
func appendString[S string | []byte](dst []byte, s S, st style) []byte {
	switch st {
	case styleJSON:
		return appendJSONString(dst, s)
	case styleQuoted:
		return appendQuotedText(dst, s)
	}
	return append(dst, s...)
}

// quoted wraps w's output (text that needs no escaping: dates, UUIDs) in the style's quotes.
func quoted(w func(dst []byte, arr arrow.Array, i int) []byte, st style) writer {
	q := st.quote()
	if q == 0 {
		return w
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		dst = append(dst, q)
		dst = w(dst, arr, i)
		return append(dst, q)
	}
}

func typeMismatch(t *block.Type, dt arrow.DataType) error {
	return fmt.Errorf("arrow type %s does not hold ClickHouse type %s", dt, t)
}

// compileWriter turns a column type and its Arrow type into a writer of the style, once per
// encoder.
func compileWriter(t *block.Type, dt arrow.DataType, s *format.Settings, st style) (writer, error) {
	if t.Kind == block.Nullable {
		inner, err := compileWriter(t.Elem, dt, s, st)
		if err != nil {
			return nil, err
		}
		null := st.null()
		return func(dst []byte, arr arrow.Array, i int) []byte {
			if arr.IsNull(i) {
				return append(dst, null...)
			}
			return inner(dst, arr, i)
		}, nil
	}
	if t.Kind == block.UUID {
		if ext, ok := dt.(arrow.ExtensionType); ok {
			if fst, ok := ext.StorageType().(*arrow.FixedSizeBinaryType); ok && fst.ByteWidth == 16 {
				return quoted(func(dst []byte, arr arrow.Array, i int) []byte {
					return appendUUID(dst, arr.(array.ExtensionArray).Storage().(*array.FixedSizeBinary).Value(i))
				}, st), nil
			}
		}
		if ft, ok := dt.(*arrow.FixedSizeBinaryType); ok && ft.ByteWidth == 16 {
			return quoted(func(dst []byte, arr arrow.Array, i int) []byte {
				return appendUUID(dst, arr.(*array.FixedSizeBinary).Value(i))
			}, st), nil
		}
		return nil, typeMismatch(t, dt)
	}

	want := map[block.Kind]arrow.Type{
		block.Int8: arrow.INT8, block.Int16: arrow.INT16, block.Int32: arrow.INT32, block.Int64: arrow.INT64,
		block.UInt8: arrow.UINT8, block.UInt16: arrow.UINT16, block.UInt32: arrow.UINT32, block.UInt64: arrow.UINT64,
		block.Float32: arrow.FLOAT32, block.Float64: arrow.FLOAT64, block.Bool: arrow.BOOL,
		block.FixedString: arrow.FIXED_SIZE_BINARY, block.DateTime: arrow.TIMESTAMP, block.DateTime64: arrow.TIMESTAMP,
		block.Enum8: arrow.DICTIONARY, block.Enum16: arrow.DICTIONARY, block.LowCardinality: arrow.DICTIONARY,
		block.Map: arrow.MAP, block.Tuple: arrow.STRUCT,
	}
	if id, ok := want[t.Kind]; ok && dt.ID() != id {
		return nil, typeMismatch(t, dt)
	}

	quote64 := s.Quote64BitIntegers && st == styleJSON
	switch t.Kind {
	case block.Int8:
		return signedWriter[int8, *array.Int8](false), nil
	case block.Int16:
		return signedWriter[int16, *array.Int16](false), nil
	case block.Int32:
		return signedWriter[int32, *array.Int32](false), nil
	case block.Int64:
		return signedWriter[int64, *array.Int64](quote64), nil
	case block.UInt8:
		return unsignedWriter[uint8, *array.Uint8](false), nil
	case block.UInt16:
		return unsignedWriter[uint16, *array.Uint16](false), nil
	case block.UInt32:
		return unsignedWriter[uint32, *array.Uint32](false), nil
	case block.UInt64:
		return unsignedWriter[uint64, *array.Uint64](quote64), nil
	case block.Float32, block.Float64:
		appendF := appendFloatText
		if st == styleJSON {
			appendF = appendFloat
		}
		if t.Kind == block.Float32 {
			return func(dst []byte, arr arrow.Array, i int) []byte {
				return appendF(dst, float64(arr.(*array.Float32).Value(i)), 32)
			}, nil
		}
		return func(dst []byte, arr arrow.Array, i int) []byte {
			return appendF(dst, arr.(*array.Float64).Value(i), 64)
		}, nil
	case block.Bool:
		return func(dst []byte, arr arrow.Array, i int) []byte {
			if arr.(*array.Boolean).Value(i) {
				return append(dst, "true"...)
			}
			return append(dst, "false"...)
		}, nil
	case block.String:
		switch dt.ID() {
		case arrow.STRING:
			return func(dst []byte, arr arrow.Array, i int) []byte {
				return appendString(dst, arr.(*array.String).Value(i), st)
			}, nil
		case arrow.LARGE_STRING:
			return func(dst []byte, arr arrow.Array, i int) []byte {
				return appendString(dst, arr.(*array.LargeString).Value(i), st)
			}, nil
		case arrow.BINARY:
			return func(dst []byte, arr arrow.Array, i int) []byte {
				return appendString(dst, arr.(*array.Binary).Value(i), st)
			}, nil
		case arrow.LARGE_BINARY:
			return func(dst []byte, arr arrow.Array, i int) []byte {
				return appendString(dst, arr.(*array.LargeBinary).Value(i), st)
			}, nil
		case arrow.STRING_VIEW:
			return func(dst []byte, arr arrow.Array, i int) []byte {
				return appendString(dst, arr.(*array.StringView).Value(i), st)
			}, nil
		case arrow.BINARY_VIEW:
			return func(dst []byte, arr arrow.Array, i int) []byte {
				return appendString(dst, arr.(*array.BinaryView).Value(i), st)
			}, nil
		}
		return nil, typeMismatch(t, dt)
	case block.FixedString:
		return func(dst []byte, arr arrow.Array, i int) []byte {
			return appendString(dst, arr.(*array.FixedSizeBinary).Value(i), st)
		}, nil
	case block.Date, block.Date32:
		switch dt.ID() {
		case arrow.DATE32:
			return quoted(func(dst []byte, arr arrow.Array, i int) []byte {
				return appendDate(dst, int64(arr.(*array.Date32).Value(i)))
			}, st), nil
		case arrow.DATE64:
			return quoted(func(dst []byte, arr arrow.Array, i int) []byte {
				return appendDate(dst, floorDiv(int64(arr.(*array.Date64).Value(i)), 86400000))
			}, st), nil
		}
		return nil, typeMismatch(t, dt)
	case block.DateTime, block.DateTime64:
		w, err := timeWriter(t, dt.(*arrow.TimestampType))
		if err != nil {
			return nil, err
		}
		return quoted(w, st), nil
	case block.Decimal:
		return decimalWriter(t, dt, s.QuoteDecimals && st == styleJSON)
	case block.Enum8, block.Enum16:
		if vt := dt.(*arrow.DictionaryType).ValueType; vt.ID() != arrow.STRING {
			return nil, typeMismatch(t, dt)
		}
		null := st.null()
		return func(dst []byte, arr arrow.Array, i int) []byte {
			d := arr.(*array.Dictionary)
			if d.IsNull(i) {
				return append(dst, null...)
			}
			return appendString(dst, d.Dictionary().(*array.String).Value(d.GetValueIndex(i)), st)
		}, nil
	case block.LowCardinality:
		inner, err := compileWriter(t.Elem, dt.(*arrow.DictionaryType).ValueType, s, st)
		if err != nil {
			return nil, err
		}
		null := st.null()
		return func(dst []byte, arr arrow.Array, i int) []byte {
			d := arr.(*array.Dictionary)
			if d.IsNull(i) {
				return append(dst, null...)
			}
			return inner(dst, d.Dictionary(), d.GetValueIndex(i))
		}, nil
	case block.Array:
		return arrayWriter(t, dt, s, st)
	case block.Map:
		return mapWriter(t, dt.(*arrow.MapType), s, st)
	case block.Tuple:
		return tupleWriter(t, dt.(*arrow.StructType), s, st)
	}
	return nil, fmt.Errorf("type %s is not supported by the JSON formats", t)
}

// nested is the style of the elements of an Array, Map or Tuple written in style st.
func (st style) nested() style {
	if st == styleJSON {
		return styleJSON
	}
	return styleQuoted
}

func arrayWriter(t *block.Type, dt arrow.DataType, s *format.Settings, st style) (writer, error) {
	var et arrow.DataType
	switch lt := dt.(type) {
	case *arrow.ListType:
		et = lt.Elem()
	case *arrow.LargeListType:
		et = lt.Elem()
	default:
		return nil, typeMismatch(t, dt)
	}
	elem, err := compileWriter(t.Elem, et, s, st.nested())
	if err != nil {
		return nil, err
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		l := arr.(array.ListLike)
		start, end := l.ValueOffsets(i)
		values := l.ListValues()
		dst = append(dst, '[')
		for k := start; k < end; k++ {
			if k > start {
				dst = append(dst, ',')
			}
			dst = elem(dst, values, int(k))
		}
		return append(dst, ']')
	}, nil
}

func mapWriter(t *block.Type, mt *arrow.MapType, s *format.Settings, st style) (writer, error) {
	key, err := compileWriter(t.Key, mt.KeyType(), s, st.nested())
	if err != nil {
		return nil, err
	}
	value, err := compileWriter(t.Value, mt.ItemType(), s, st.nested())
	if err != nil {
		return nil, err
	}
	json := st == styleJSON
	return func(dst []byte, arr arrow.Array, i int) []byte {
		m := arr.(*array.Map)
		start, end := m.ValueOffsets(i)
		keys, items := m.Keys(), m.Items()
		dst = append(dst, '{')
		for k := start; k < end; k++ {
			if k > start {
				dst = append(dst, ',')
			}
			p := len(dst)
			dst = key(dst, keys, int(k))
			if json && (p == len(dst) || dst[p] != '"') {
				// JSON keys are strings: quote keys whose type writes them bare.
				dst = append(dst, 0)
				copy(dst[p+1:], dst[p:])
				dst[p] = '"'
				dst = append(dst, '"')
			}
			dst = append(dst, ':')
			dst = value(dst, items, int(k))
		}
		return append(dst, '}')
	}, nil
}

func tupleWriter(t *block.Type, tt *arrow.StructType, s *format.Settings, st style) (writer, error) {
	if tt.NumFields() != len(t.Fields) {
		return nil, typeMismatch(t, tt)
	}
	fields := make([]writer, len(t.Fields))
	named := true
	keys := make([][]byte, len(t.Fields))
	for k, f := range t.Fields {
		w, err := compileWriter(f.Type, tt.Field(k).Type, s, st.nested())
		if err != nil {
			return nil, err
		}
		fields[k] = w
		named = named && f.Name != ""
		if k > 0 {
			keys[k] = append(keys[k], ',')
		}
		keys[k] = append(appendJSONString(keys[k], f.Name), ':')
	}
	if st == styleJSON && named {
		// Named tuples are JSON objects, as ClickHouse writes them
		// (output_format_json_named_tuples_as_objects).
		return func(dst []byte, arr arrow.Array, i int) []byte {
			a := arr.(*array.Struct)
			dst = append(dst, '{')
			for k, w := range fields {
				dst = append(dst, keys[k]...)
				dst = w(dst, a.Field(k), i)
			}
			return append(dst, '}')
		}, nil
	}
	// Unnamed tuples are JSON arrays; in text, every tuple is (a,b).
	open, close := byte('['), byte(']')
	if st != styleJSON {
		open, close = '(', ')'
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		a := arr.(*array.Struct)
		dst = append(dst, open)
		for k, w := range fields {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = w(dst, a.Field(k), i)
		}
		return append(dst, close)
	}, nil
}

func decimalWriter(t *block.Type, dt arrow.DataType, quote bool) (writer, error) {
	switch dt := dt.(type) {
	case *arrow.Decimal32Type:
		scale := int(dt.Scale)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			v := int64(arr.(*array.Decimal32).Value(i))
			return appendDecimal(dst, [4]uint64{absInt64(v)}, v < 0, scale, quote)
		}, nil
	case *arrow.Decimal64Type:
		scale := int(dt.Scale)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			v := int64(arr.(*array.Decimal64).Value(i))
			return appendDecimal(dst, [4]uint64{absInt64(v)}, v < 0, scale, quote)
		}, nil
	case *arrow.Decimal128Type:
		scale := int(dt.Scale)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			n := arr.(*array.Decimal128).Value(i)
			neg := n.Sign() < 0
			if neg {
				n = n.Negate()
			}
			return appendDecimal(dst, [4]uint64{n.LowBits(), uint64(n.HighBits())}, neg, scale, quote)
		}, nil
	case *arrow.Decimal256Type:
		scale := int(dt.Scale)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			n := arr.(*array.Decimal256).Value(i)
			neg := n.Sign() < 0
			if neg {
				n = n.Negate()
			}
			return appendDecimal(dst, n.Array(), neg, scale, quote)
		}, nil
	}
	return nil, typeMismatch(t, dt)
}

func absInt64(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}

func signedWriter[T int8 | int16 | int32 | int64, A interface{ Value(int) T }](quote bool) writer {
	if quote {
		return func(dst []byte, arr arrow.Array, i int) []byte {
			dst = append(dst, '"')
			dst = strconv.AppendInt(dst, int64(arr.(A).Value(i)), 10)
			return append(dst, '"')
		}
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		return strconv.AppendInt(dst, int64(arr.(A).Value(i)), 10)
	}
}

func unsignedWriter[T uint8 | uint16 | uint32 | uint64, A interface{ Value(int) T }](quote bool) writer {
	if quote {
		return func(dst []byte, arr arrow.Array, i int) []byte {
			dst = append(dst, '"')
			dst = strconv.AppendUint(dst, uint64(arr.(A).Value(i)), 10)
			return append(dst, '"')
		}
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		return strconv.AppendUint(dst, uint64(arr.(A).Value(i)), 10)
	}
}

// timeWriter writes DateTime as YYYY-MM-DD hh:mm:ss and DateTime64(p) with p fraction
// digits, in the column's time zone (without quotes).
func timeWriter(t *block.Type, dt *arrow.TimestampType) (writer, error) {
	tz := t.TZ
	if tz == "" {
		tz = dt.TimeZone
	}
	loc := time.UTC
	if tz != "" && tz != "UTC" {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil {
			return nil, fmt.Errorf("time zone of %s: %w", t, err)
		}
	}
	perSec := int64(1)
	unitDigits := 0
	switch dt.Unit {
	case arrow.Millisecond:
		perSec, unitDigits = 1e3, 3
	case arrow.Microsecond:
		perSec, unitDigits = 1e6, 6
	case arrow.Nanosecond:
		perSec, unitDigits = 1e9, 9
	}
	prec := 0
	if t.Kind == block.DateTime64 {
		prec = t.Precision
	}
	// Sub-second ticks are divided (or multiplied) by div to give prec digits.
	div, mul := int64(1), int64(1)
	for k := prec; k < unitDigits; k++ {
		div *= 10
	}
	for k := unitDigits; k < prec; k++ {
		mul *= 10
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		v := int64(arr.(*array.Timestamp).Value(i))
		sec := floorDiv(v, perSec)
		tm := time.Unix(sec, 0).In(loc)
		y, mo, d := tm.Date()
		h, mi, s := tm.Clock()
		dst = appendYMD(dst, y, int(mo), d)
		dst = append(dst, ' ')
		dst = append2(dst, h)
		dst = append(dst, ':')
		dst = append2(dst, mi)
		dst = append(dst, ':')
		dst = append2(dst, s)
		if prec > 0 {
			frac := (v - sec*perSec) / div * mul
			dst = append(dst, '.')
			dst = appendPadded(dst, uint64(frac), prec)
		}
		return dst
	}, nil
}

// stringsWriter writes a value of the *Strings* formats: the text of w (styleText) as a JSON
// string. scratch belongs to the encoder.
func stringsWriter(w writer, scratch *[]byte) writer {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		*scratch = w((*scratch)[:0], arr, i)
		return appendJSONString(dst, *scratch)
	}
}
