package escape

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
)

// Writer appends the text of row i of arr. Writers are compiled for one Arrow type by
// [NewWriter]; the caller checks that arrays have that type, so the assertions inside
// cannot fail. A Writer may keep a scratch buffer: it is not safe for concurrent use.
type Writer func(dst []byte, arr arrow.Array, i int) []byte

// WriteOptions are the format settings that shape how values are written.
type WriteOptions struct {
	// TSVNull is format_tsv_null_representation, the NULL of the Escaped and Raw rules.
	TSVNull string
	// CSVNull is format_csv_null_representation, the NULL of the CSV rule.
	CSVNull string
	// Quote64BitIntegers is output_format_json_quote_64bit_integers (JSON rule).
	Quote64BitIntegers bool
	// QuoteDecimals is output_format_json_quote_decimals (JSON rule).
	QuoteDecimals bool
}

// NewWriter compiles the writer of values of ClickHouse type t held in Arrow type dt by
// rule, the way ClickHouse serializes them (serializeTextEscaped, serializeTextQuoted,
// serializeTextCSV, serializeTextJSON, serializeTextXML, serializeTextRaw): numbers bare;
// dates, times and UUIDs as text (quoted by the Quoted, CSV and JSON rules); strings escaped
// or quoted per the rule; Array, Map and Tuple as ClickHouse literals ([1,2], {'k':1},
// (1,'a')) with their elements in the Quoted form — in JSON as JSON arrays and objects, in
// CSV inside one quoted field. It fails when dt cannot hold t or a time zone is unknown.
func NewWriter(t *block.Type, dt arrow.DataType, rule Rule, o WriteOptions) (Writer, error) {
	if rule < Escaped || rule > Raw {
		return nil, fmt.Errorf("invalid escaping rule %s", rule)
	}
	return compileWriter(t, dt, rule, &o)
}

func nullText(rule Rule, o *WriteOptions) string {
	switch rule {
	case Escaped, Raw:
		return o.TSVNull
	case CSV:
		return o.CSVNull
	case Quoted:
		return "NULL"
	case JSON:
		return "null"
	}
	return `\N`
}

// quoteOf is the quote a rule puts around textual scalars (dates, UUIDs), 0 for none.
func quoteOf(rule Rule) byte {
	switch rule {
	case Quoted:
		return '\''
	case CSV, JSON:
		return '"'
	}
	return 0
}

func typeMismatch(t *block.Type, dt arrow.DataType) error {
	return fmt.Errorf("arrow type %s does not hold ClickHouse type %s", dt, t)
}

// textual wraps a writer of plain ASCII text (a date, a UUID) in the rule's quotes.
func textual(rule Rule, plain Writer) Writer {
	q := quoteOf(rule)
	if q == 0 {
		return plain
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		dst = append(dst, q)
		dst = plain(dst, arr, i)
		return append(dst, q)
	}
}

// reencode writes a literal by inner and re-encodes it as one string by rule (CSV, XML).
func reencode(rule Rule, inner Writer) Writer {
	var scratch []byte
	return func(dst []byte, arr arrow.Array, i int) []byte {
		start := len(dst)
		dst = inner(dst, arr, i)
		scratch = append(scratch[:0], dst[start:]...)
		return AppendString(dst[:start], rule, scratch)
	}
}

func compileWriter(t *block.Type, dt arrow.DataType, rule Rule, o *WriteOptions) (Writer, error) {
	if t.Kind == block.Nullable {
		inner, err := compileWriter(t.Elem, dt, rule, o)
		if err != nil {
			return nil, err
		}
		null := nullText(rule, o)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			if arr.IsNull(i) {
				return append(dst, null...)
			}
			return inner(dst, arr, i)
		}, nil
	}
	if t.Kind == block.UUID {
		var plain Writer
		if ext, ok := dt.(arrow.ExtensionType); ok {
			if st, ok := ext.StorageType().(*arrow.FixedSizeBinaryType); ok && st.ByteWidth == 16 {
				plain = func(dst []byte, arr arrow.Array, i int) []byte {
					return appendUUID(dst, arr.(array.ExtensionArray).Storage().(*array.FixedSizeBinary).Value(i))
				}
			}
		} else if ft, ok := dt.(*arrow.FixedSizeBinaryType); ok && ft.ByteWidth == 16 {
			plain = func(dst []byte, arr arrow.Array, i int) []byte {
				return appendUUID(dst, arr.(*array.FixedSizeBinary).Value(i))
			}
		}
		if plain == nil {
			return nil, typeMismatch(t, dt)
		}
		return textual(rule, plain), nil
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

	quote64 := rule == JSON && o.Quote64BitIntegers
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
	case block.Float32:
		return floatWriter(rule, func(arr arrow.Array, i int) float64 { return float64(arr.(*array.Float32).Value(i)) }, 32), nil
	case block.Float64:
		return floatWriter(rule, func(arr arrow.Array, i int) float64 { return arr.(*array.Float64).Value(i) }, 64), nil
	case block.Bool:
		return func(dst []byte, arr arrow.Array, i int) []byte {
			if arr.(*array.Boolean).Value(i) {
				return append(dst, "true"...)
			}
			return append(dst, "false"...)
		}, nil
	case block.String:
		if dt.ID() == arrow.STRING {
			// The common case, without the call of a getter per value.
			return func(dst []byte, arr arrow.Array, i int) []byte {
				return AppendString(dst, rule, arr.(*array.String).Value(i))
			}, nil
		}
		get := arrowval.BytesGetter(dt)
		if get == nil {
			return nil, typeMismatch(t, dt)
		}
		return func(dst []byte, arr arrow.Array, i int) []byte { return AppendString(dst, rule, get(arr, i)) }, nil
	case block.FixedString:
		return func(dst []byte, arr arrow.Array, i int) []byte {
			return AppendString(dst, rule, arr.(*array.FixedSizeBinary).Value(i))
		}, nil
	case block.Date, block.Date32:
		switch dt.ID() {
		case arrow.DATE32:
			return textual(rule, func(dst []byte, arr arrow.Array, i int) []byte {
				return appendDate(dst, int64(arr.(*array.Date32).Value(i)))
			}), nil
		case arrow.DATE64:
			return textual(rule, func(dst []byte, arr arrow.Array, i int) []byte {
				return appendDate(dst, arrowval.FloorDiv(int64(arr.(*array.Date64).Value(i)), 86400000))
			}), nil
		}
		return nil, typeMismatch(t, dt)
	case block.DateTime, block.DateTime64:
		w, err := timeWriter(t, dt.(*arrow.TimestampType))
		if err != nil {
			return nil, err
		}
		return textual(rule, w), nil
	case block.Decimal:
		w, err := decimalWriter(t, dt)
		if err != nil {
			return nil, err
		}
		if rule == JSON && o.QuoteDecimals {
			return textual(JSON, w), nil
		}
		return w, nil
	case block.Enum8, block.Enum16:
		get := arrowval.BytesGetter(dt.(*arrow.DictionaryType).ValueType)
		if get == nil {
			return nil, typeMismatch(t, dt)
		}
		null := nullText(rule, o)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			d := arr.(*array.Dictionary)
			if d.IsNull(i) {
				return append(dst, null...)
			}
			return AppendString(dst, rule, get(d.Dictionary(), d.GetValueIndex(i)))
		}, nil
	case block.LowCardinality:
		inner, err := compileWriter(t.Elem, dt.(*arrow.DictionaryType).ValueType, rule, o)
		if err != nil {
			return nil, err
		}
		null := nullText(rule, o)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			d := arr.(*array.Dictionary)
			if d.IsNull(i) {
				return append(dst, null...)
			}
			return inner(dst, d.Dictionary(), d.GetValueIndex(i))
		}, nil
	case block.Array, block.Map, block.Tuple:
		inner := rule
		if rule != JSON {
			inner = Quoted
		}
		w, err := NewCompoundWriter(t, dt, inner, func(t *block.Type, dt arrow.DataType) (Writer, error) {
			return compileWriter(t, dt, inner, o)
		})
		if err != nil {
			return nil, err
		}
		if rule == CSV || rule == XML {
			return reencode(rule, w), nil
		}
		return w, nil
	}
	return nil, fmt.Errorf("type %s is not supported", t)
}

// NewCompoundWriter compiles the writer of Array, Map and Tuple values as JSON arrays and
// objects for rule JSON (Map keys in quotes, named Tuples as objects), else as ClickHouse
// literals ([1,2], {'k':1}, (1,'a')) as rule Quoted writes them. elem compiles the writers
// of the elements, which write them by the same rule. It fails when dt cannot hold t or
// elem fails.
func NewCompoundWriter(t *block.Type, dt arrow.DataType, rule Rule, elem func(t *block.Type, dt arrow.DataType) (Writer, error)) (Writer, error) {
	switch t.Kind {
	case block.Array:
		var et arrow.DataType
		switch lt := dt.(type) {
		case *arrow.ListType:
			et = lt.Elem()
		case *arrow.LargeListType:
			et = lt.Elem()
		default:
			return nil, typeMismatch(t, dt)
		}
		ew, err := elem(t.Elem, et)
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
				dst = ew(dst, values, int(k))
			}
			return append(dst, ']')
		}, nil
	case block.Map:
		mt, ok := dt.(*arrow.MapType)
		if !ok {
			return nil, typeMismatch(t, dt)
		}
		key, err := elem(t.Key, mt.KeyType())
		if err != nil {
			return nil, err
		}
		value, err := elem(t.Value, mt.ItemType())
		if err != nil {
			return nil, err
		}
		json := rule == JSON
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
	if t.Kind != block.Tuple {
		return nil, fmt.Errorf("type %s is not supported", t)
	}
	st, ok := dt.(*arrow.StructType)
	if !ok || st.NumFields() != len(t.Fields) {
		return nil, typeMismatch(t, dt)
	}
	fields := make([]Writer, len(t.Fields))
	named := true
	keys := make([][]byte, len(t.Fields))
	for k, f := range t.Fields {
		w, err := elem(f.Type, st.Field(k).Type)
		if err != nil {
			return nil, err
		}
		fields[k] = w
		named = named && f.Name != ""
		if k > 0 {
			keys[k] = append(keys[k], ',')
		}
		keys[k] = append(AppendJSONString(keys[k], f.Name), ':')
	}
	if rule == JSON && named {
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
	// Unnamed tuples are JSON arrays; in literals, every tuple is (a,b).
	open, close := byte('('), byte(')')
	if rule == JSON {
		open, close = '[', ']'
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

func signedWriter[T int8 | int16 | int32 | int64, A interface{ Value(int) T }](quote bool) Writer {
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

func unsignedWriter[T uint8 | uint16 | uint32 | uint64, A interface{ Value(int) T }](quote bool) Writer {
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

// floatWriter writes floats in shortest form; in JSON the non-finite values become the
// strings "inf", "-inf" and "nan" (ClickHouse's output_format_json_quote_denormals form).
func floatWriter(rule Rule, get func(arr arrow.Array, i int) float64, bitSize int) Writer {
	json := rule == JSON
	return func(dst []byte, arr arrow.Array, i int) []byte {
		f := get(arr, i)
		if json && (f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308) {
			dst = append(dst, '"')
			dst = AppendFloat(dst, f, bitSize, false)
			return append(dst, '"')
		}
		return AppendFloat(dst, f, bitSize, false)
	}
}

func absInt64(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}

func decimalWriter(t *block.Type, dt arrow.DataType) (Writer, error) {
	switch dt := dt.(type) {
	case *arrow.Decimal32Type:
		scale := int(dt.Scale)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			v := int64(arr.(*array.Decimal32).Value(i))
			return appendDecimal(dst, [4]uint64{absInt64(v)}, v < 0, scale)
		}, nil
	case *arrow.Decimal64Type:
		scale := int(dt.Scale)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			v := int64(arr.(*array.Decimal64).Value(i))
			return appendDecimal(dst, [4]uint64{absInt64(v)}, v < 0, scale)
		}, nil
	case *arrow.Decimal128Type:
		scale := int(dt.Scale)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			n := arr.(*array.Decimal128).Value(i)
			neg := n.Sign() < 0
			if neg {
				n = n.Negate()
			}
			return appendDecimal(dst, [4]uint64{n.LowBits(), uint64(n.HighBits())}, neg, scale)
		}, nil
	case *arrow.Decimal256Type:
		scale := int(dt.Scale)
		return func(dst []byte, arr arrow.Array, i int) []byte {
			n := arr.(*array.Decimal256).Value(i)
			neg := n.Sign() < 0
			if neg {
				n = n.Negate()
			}
			return appendDecimal(dst, n.Array(), neg, scale)
		}, nil
	}
	return nil, typeMismatch(t, dt)
}

// timeWriter writes DateTime as "YYYY-MM-DD hh:mm:ss" and DateTime64(p) with p fraction
// digits, in the column's time zone.
func timeWriter(t *block.Type, dt *arrow.TimestampType) (Writer, error) {
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
	// Sub-second ticks are divided (or multiplied) to give prec digits.
	div, mul := int64(1), int64(1)
	for k := prec; k < unitDigits; k++ {
		div *= 10
	}
	for k := unitDigits; k < prec; k++ {
		mul *= 10
	}
	return func(dst []byte, arr arrow.Array, i int) []byte {
		v := int64(arr.(*array.Timestamp).Value(i))
		sec := arrowval.FloorDiv(v, perSec)
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
