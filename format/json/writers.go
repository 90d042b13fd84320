package json

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
)

// writer appends the representation of row i of arr. Writers are compiled for one Arrow
// type; the encoder checks the record's types once per Append, so the assertions inside
// cannot fail. The scalars the JSON formats write as an escaping rule does are escape's
// writers.
type writer = escape.Writer

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

func (st style) null() string {
	switch st {
	case styleJSON:
		return "null"
	case styleQuoted:
		return "NULL"
	}
	return nullGlyphs
}

// rule is the escaping rule that writes scalars (numbers, strings, dates, decimals, UUIDs)
// the way the style does: JSON, Quoted, and Raw for the plain text of styleText.
func (st style) rule() escape.Rule {
	switch st {
	case styleJSON:
		return escape.JSON
	case styleQuoted:
		return escape.Quoted
	}
	return escape.Raw
}

func typeMismatch(t *block.Type, dt arrow.DataType) error {
	return fmt.Errorf("arrow type %s does not hold ClickHouse type %s", dt, t)
}

// compileWriter turns a column type and its Arrow type into a writer of the style, once per
// encoder.
func compileWriter(t *block.Type, dt arrow.DataType, s *format.Settings, st style) (writer, error) {
	switch t.Kind {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32, block.UInt64,
		block.Bool, block.String, block.FixedString, block.Date, block.Date32, block.DateTime, block.DateTime64,
		block.Decimal, block.UUID:
		// output_format_json_quote_64bit_integers and output_format_json_quote_decimals
		// apply to the JSON rule only, as to styleJSON only.
		return escape.NewWriter(t, dt, st.rule(), escape.WriteOptions{
			Quote64BitIntegers: s.Quote64BitIntegers,
			QuoteDecimals:      s.QuoteDecimals,
		})
	case block.Nullable:
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

	want := map[block.Kind]arrow.Type{
		block.Float32: arrow.FLOAT32, block.Float64: arrow.FLOAT64,
		block.Enum8: arrow.DICTIONARY, block.Enum16: arrow.DICTIONARY, block.LowCardinality: arrow.DICTIONARY,
		block.Map: arrow.MAP, block.Tuple: arrow.STRUCT,
	}
	if id, ok := want[t.Kind]; ok && dt.ID() != id {
		return nil, typeMismatch(t, dt)
	}

	switch t.Kind {
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
	case block.Enum8, block.Enum16:
		if vt := dt.(*arrow.DictionaryType).ValueType; vt.ID() != arrow.STRING {
			return nil, typeMismatch(t, dt)
		}
		null, rule := st.null(), st.rule()
		return func(dst []byte, arr arrow.Array, i int) []byte {
			d := arr.(*array.Dictionary)
			if d.IsNull(i) {
				return append(dst, null...)
			}
			return escape.AppendString(dst, rule, d.Dictionary().(*array.String).Value(d.GetValueIndex(i)))
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
		keys[k] = append(escape.AppendJSONString(keys[k], f.Name), ':')
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

// stringsWriter writes a value of the *Strings* formats: the text of w (styleText) as a JSON
// string. scratch belongs to the encoder.
func stringsWriter(w writer, scratch *[]byte) writer {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		*scratch = w((*scratch)[:0], arr, i)
		return escape.AppendJSONString(dst, *scratch)
	}
}
