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
	case block.Array, block.Map, block.Tuple:
		nested := st.nested()
		return escape.NewCompoundWriter(t, dt, nested.rule(), func(t *block.Type, dt arrow.DataType) (writer, error) {
			return compileWriter(t, dt, s, nested)
		})
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

// stringsWriter writes a value of the *Strings* formats: the text of w (styleText) as a JSON
// string. scratch belongs to the encoder.
func stringsWriter(w writer, scratch *[]byte) writer {
	return func(dst []byte, arr arrow.Array, i int) []byte {
		*scratch = w((*scratch)[:0], arr, i)
		return escape.AppendJSONString(dst, *scratch)
	}
}
