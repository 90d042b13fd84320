package json

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/chkafka/chkafka/block"
)

// reader reads one JSON value at the cursor (whitespace already skipped) into c. Readers
// are compiled once per column; they only need the scanner, so every decoder of the family
// shares them.
type reader func(s *scanner, c *block.Col) error

var errValueEOF = &syntaxError{msg: "Cannot parse JSON value: unexpected end of stream"}

// unexpected reports a JSON value at pos that the column's type cannot take.
func (s *scanner) unexpected(pos int, c *block.Col) error {
	if pos >= len(s.buf) {
		return errValueEOF
	}
	return s.errorAt(pos, "Cannot parse input: expected a JSON value of type "+c.Type().String())
}

// readQuotedNumber reads a number written as a JSON string ("id":"0"), as ClickHouse's
// output_format_json_quote_64bit_integers writes them.
func (s *scanner) readQuotedNumber(c *block.Col, ints bool) error {
	start := s.pos + 1
	v, err := s.readString()
	if err != nil {
		return err
	}
	if ints {
		if n, u, big, ok := parseInt(v); ok {
			if big {
				err = c.AppendUint(u)
			} else {
				err = c.AppendInt(n)
			}
			if err == nil {
				return nil
			}
		}
	}
	if err = c.AppendText(v); err == nil {
		return nil
	}
	// ClickHouse reads the number inside the quotes and then expects the closing quote:
	// point where the number stops, when it stops early.
	n := 0
	for n < len(v) && isNumberByte(v[n]) {
		n++
	}
	if n < len(v) && start+len(v) < len(s.buf) && bytes.Equal(s.buf[start:start+len(v)], v) {
		return &syntaxError{msg: s.expectedAt(start+n, `"`).(*syntaxError).msg, cause: err}
	}
	return err
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// appendNumber gives an unquoted number token to a column of an integer, date or enum type:
// plain integers as integers, anything else ("1e3", "2.0") through float or text.
func appendNumber(c *block.Col, tok []byte, floats bool) error {
	if v, u, big, ok := parseInt(tok); ok {
		if big {
			return c.AppendUint(u)
		}
		return c.AppendInt(v)
	}
	if floats {
		if f, err := strconv.ParseFloat(string(tok), 64); err == nil {
			return c.AppendFloat(f)
		}
	}
	return c.AppendText(tok)
}

func readInteger(s *scanner, c *block.Col) error {
	if s.pos >= len(s.buf) {
		return errValueEOF
	}
	start := s.pos
	switch s.buf[s.pos] {
	case '"':
		return s.readQuotedNumber(c, true)
	case '{', '[':
		return s.unexpected(start, c)
	}
	tok, kind := s.readBare()
	switch kind {
	case tokNumber:
		return appendNumber(c, tok, true)
	case tokNull:
		return c.AppendNull()
	case tokTrue:
		return c.AppendBool(true)
	case tokFalse:
		return c.AppendBool(false)
	}
	return s.unexpected(start, c)
}

func readFloat(s *scanner, c *block.Col) error {
	if s.pos >= len(s.buf) {
		return errValueEOF
	}
	start := s.pos
	switch s.buf[s.pos] {
	case '"':
		return s.readQuotedNumber(c, false)
	case '{', '[':
		return s.unexpected(start, c)
	}
	tok, kind := s.readBare()
	switch kind {
	case tokNumber:
		return c.AppendText(tok)
	case tokWord:
		if isFloatWord(tok) {
			return c.AppendText(tok)
		}
	case tokNull:
		return c.AppendNull()
	case tokTrue:
		return c.AppendInt(1)
	case tokFalse:
		return c.AppendInt(0)
	}
	return s.unexpected(start, c)
}

func readDecimal(s *scanner, c *block.Col) error {
	if s.pos >= len(s.buf) {
		return errValueEOF
	}
	start := s.pos
	switch s.buf[s.pos] {
	case '"':
		return s.readQuotedNumber(c, false)
	case '{', '[':
		return s.unexpected(start, c)
	}
	tok, kind := s.readBare()
	switch kind {
	case tokNumber:
		return c.AppendText(tok)
	case tokNull:
		return c.AppendNull()
	}
	return s.unexpected(start, c)
}

func readBool(s *scanner, c *block.Col) error {
	if s.pos >= len(s.buf) {
		return errValueEOF
	}
	start := s.pos
	switch s.buf[s.pos] {
	case '"':
		v, err := s.readString()
		if err != nil {
			return err
		}
		return c.AppendText(v)
	case '{', '[':
		return s.unexpected(start, c)
	}
	tok, kind := s.readBare()
	switch kind {
	case tokTrue:
		return c.AppendBool(true)
	case tokFalse:
		return c.AppendBool(false)
	case tokNumber:
		return appendNumber(c, tok, false)
	case tokNull:
		return c.AppendNull()
	}
	return s.unexpected(start, c)
}

// readText reads String and FixedString values. Like ClickHouse (input_format_json_read_*
// _as_strings, all on by default) it also takes numbers and booleans as their text and
// objects and arrays as their raw JSON text.
func readText(s *scanner, c *block.Col) error {
	if s.pos >= len(s.buf) {
		return errValueEOF
	}
	start := s.pos
	switch s.buf[s.pos] {
	case '"':
		v, err := s.readString()
		if err != nil {
			return err
		}
		return c.AppendText(v)
	case '{', '[':
		if err := s.skipValue(); err != nil {
			return err
		}
		return c.AppendText(s.buf[start:s.pos])
	}
	tok, kind := s.readBare()
	switch kind {
	case tokNumber, tokTrue, tokFalse:
		return c.AppendText(tok)
	case tokNull:
		return c.AppendNull()
	}
	return s.unexpected(start, c)
}

// readTextOrNumber reads Date, Date32 and DateTime (text in quotes, or a number of days
// (Date) or of seconds since the epoch (DateTime)) and Enums (a name in quotes, or a
// value).
func readTextOrNumber(s *scanner, c *block.Col) error {
	if s.pos >= len(s.buf) {
		return errValueEOF
	}
	start := s.pos
	if s.buf[s.pos] == '"' {
		v, err := s.readString()
		if err != nil {
			return err
		}
		return c.AppendText(v)
	}
	tok, kind := s.readBare()
	switch kind {
	case tokNumber:
		return appendNumber(c, tok, false)
	case tokNull:
		return c.AppendNull()
	}
	return s.unexpected(start, c)
}

// readTextual reads DateTime64 and UUID, which JSON carries as strings. An unquoted number
// goes to the column as its text (for DateTime64: seconds since the epoch with a fraction).
func readTextual(s *scanner, c *block.Col) error {
	if s.pos >= len(s.buf) {
		return errValueEOF
	}
	start := s.pos
	if s.buf[s.pos] == '"' {
		v, err := s.readString()
		if err != nil {
			return err
		}
		return c.AppendText(v)
	}
	tok, kind := s.readBare()
	switch kind {
	case tokNumber:
		return c.AppendText(tok)
	case tokNull:
		return c.AppendNull()
	}
	return s.unexpected(start, c)
}

// readNullOr handles null for containers; anything else but open is a type error.
func (s *scanner) readNullOr(c *block.Col, open byte) error {
	start := s.pos
	if _, kind := s.readBare(); kind == tokNull {
		return c.AppendNull()
	}
	if start >= len(s.buf) {
		return errValueEOF
	}
	return s.expectedAt(start, string(rune(open)))
}

func arrayReader(elem reader) reader {
	return func(s *scanner, c *block.Col) error {
		if !s.skip('[') {
			return s.readNullOr(c, '[')
		}
		if s.pos < len(s.buf) && s.buf[s.pos] == ']' {
			// The commonest array, [], without BeginArray and the loop's calls.
			s.pos++
			c.EndArray()
			return nil
		}
		el := c.BeginArray()
		for n := 0; ; n++ {
			s.skipSpace()
			if s.pos >= len(s.buf) {
				return errValueEOF
			}
			if s.buf[s.pos] == ']' {
				s.pos++
				c.EndArray()
				return nil
			}
			if n > 0 {
				if err := s.expect(','); err != nil {
					return err
				}
				s.skipSpace()
			}
			if err := elem(s, el); err != nil {
				return err
			}
		}
	}
}

func mapReader(value reader) reader {
	return func(s *scanner, c *block.Col) error {
		if !s.skip('{') {
			return s.readNullOr(c, '{')
		}
		kc, vc := c.BeginMap()
		for n := 0; ; n++ {
			s.skipSpace()
			if s.pos >= len(s.buf) {
				return errValueEOF
			}
			if s.buf[s.pos] == '}' {
				s.pos++
				return c.EndMap()
			}
			if n > 0 {
				if err := s.expect(','); err != nil {
					return err
				}
				s.skipSpace()
			}
			key, err := s.readString()
			if err != nil {
				return err
			}
			if err := kc.AppendText(key); err != nil {
				return err
			}
			s.skipSpace()
			if err := s.expect(':'); err != nil {
				return err
			}
			s.skipSpace()
			if err := value(s, vc); err != nil {
				return err
			}
		}
	}
}

// tupleReader reads a Tuple from an object keyed by element names (unknown names skipped,
// missing ones default, as ClickHouse's input_format_json_ignore_unknown_keys_in_named_tuple
// and ..._defaults_for_missing_elements_in_named_tuple do) or from an array of all elements.
func tupleReader(t *block.Type, fields []reader) reader {
	index := make(map[string]int, len(t.Fields))
	for i, f := range t.Fields {
		name := f.Name
		if name == "" {
			name = strconv.Itoa(i + 1)
		}
		index[name] = i
	}
	return func(s *scanner, c *block.Col) error {
		if s.pos >= len(s.buf) {
			return errValueEOF
		}
		switch s.buf[s.pos] {
		case '{':
			s.pos++
			c.BeginTuple()
			for n := 0; ; n++ {
				s.skipSpace()
				if s.pos >= len(s.buf) {
					return errValueEOF
				}
				if s.buf[s.pos] == '}' {
					s.pos++
					return c.EndTuple()
				}
				if n > 0 {
					if err := s.expect(','); err != nil {
						return err
					}
					s.skipSpace()
				}
				key, err := s.readString()
				if err != nil {
					return err
				}
				i, ok := index[string(key)]
				s.skipSpace()
				if err := s.expect(':'); err != nil {
					return err
				}
				s.skipSpace()
				if !ok {
					if err := s.skipValue(); err != nil {
						return err
					}
					continue
				}
				if err := fields[i](s, c.Field(i)); err != nil {
					return err
				}
			}
		case '[':
			s.pos++
			c.BeginTuple()
			for i := 0; ; i++ {
				s.skipSpace()
				if s.pos >= len(s.buf) {
					return errValueEOF
				}
				if s.buf[s.pos] == ']' {
					if i != len(fields) {
						return s.errorAt(s.pos, fmt.Sprintf("Cannot parse input: expected %d elements of %s, got %d", len(fields), c.Type(), i))
					}
					s.pos++
					return c.EndTuple()
				}
				if i > 0 {
					if err := s.expect(','); err != nil {
						return err
					}
					s.skipSpace()
				}
				if i >= len(fields) {
					return s.expectedAt(s.pos, "]")
				}
				if err := fields[i](s, c.Field(i)); err != nil {
					return err
				}
			}
		}
		return s.readNullOr(c, '{')
	}
}

// fastValue says which values of a column decoder.fastMembers reads itself, as the
// column's reader would.
type fastValue uint8

const (
	fastNone fastValue = iota
	// fastString: strings without escapes. The reader (readText, readTextOrNumber,
	// readTextual or readBool) gives a JSON string's unescaped text to Col.AppendText.
	fastString
	// fastInt: integers of up to 18 digits, plain or quoted. The reader is readInteger,
	// which gives such a number's value to Col.AppendInt.
	fastInt
	// fastArray: the empty array []. The reader (arrayReader) appends it with
	// Col.EndArray alone.
	fastArray
)

// fastValueOf returns the fastValue of a column of type t, matching compileReader.
func fastValueOf(t *block.Type) fastValue {
	switch t.Kind {
	case block.Nullable, block.LowCardinality:
		return fastValueOf(t.Elem)
	case block.String, block.FixedString, block.Date, block.Date32, block.DateTime,
		block.DateTime64, block.UUID, block.Enum8, block.Enum16, block.Bool:
		return fastString
	case block.Int8, block.Int16, block.Int32, block.Int64,
		block.UInt8, block.UInt16, block.UInt32, block.UInt64:
		return fastInt
	case block.Array:
		return fastArray
	}
	return fastNone
}

// compileReader turns a column type into its JSON value reader, once per decoder.
func compileReader(t *block.Type) (reader, error) {
	switch t.Kind {
	case block.Nullable, block.LowCardinality:
		// The staged column converts values for the inner type and takes NULL itself.
		return compileReader(t.Elem)
	case block.Int8, block.Int16, block.Int32, block.Int64,
		block.UInt8, block.UInt16, block.UInt32, block.UInt64:
		return readInteger, nil
	case block.Float32, block.Float64:
		return readFloat, nil
	case block.Decimal:
		return readDecimal, nil
	case block.Bool:
		return readBool, nil
	case block.String, block.FixedString:
		return readText, nil
	case block.Date, block.Date32, block.DateTime:
		return readTextOrNumber, nil
	case block.DateTime64, block.UUID:
		return readTextual, nil
	case block.Enum8, block.Enum16:
		return readTextOrNumber, nil
	case block.Array:
		elem, err := compileReader(t.Elem)
		if err != nil {
			return nil, err
		}
		return arrayReader(elem), nil
	case block.Map:
		value, err := compileReader(t.Value)
		if err != nil {
			return nil, err
		}
		return mapReader(value), nil
	case block.Tuple:
		fields := make([]reader, len(t.Fields))
		for i, f := range t.Fields {
			r, err := compileReader(f.Type)
			if err != nil {
				return nil, err
			}
			fields[i] = r
		}
		return tupleReader(t, fields), nil
	}
	return nil, fmt.Errorf("type %s is not supported by the JSON formats", t)
}

// nullGlyphs is how ClickHouse's text serialization spells NULL (serializeText of Nullable,
// with the default UTF-8 pretty charset); the *Strings* formats write it.
const nullGlyphs = "ᴺᵁᴸᴸ"

// isNullText reports whether v is a text the *Strings* formats read as NULL: ClickHouse's
// deserializeWholeText of Nullable takes "NULL" in any case and "ᴺᵁᴸᴸ".
func isNullText(v []byte) bool {
	return len(v) == 4 && v[0]|0x20 == 'n' && v[1]|0x20 == 'u' && v[2]|0x20 == 'l' && v[3]|0x20 == 'l' ||
		string(v) == nullGlyphs
}

// stringsReader reads a value of the *Strings* formats: a JSON string whose contents are the
// value's text (numbers, dates, and Array/Map/Tuple literals such as ['a','b'], as
// ClickHouse's deserializeWholeText reads them). NULL words are NULL when the column is
// Nullable or input_format_null_as_default is on (then they give the default), as in
// ClickHouse; otherwise they are ordinary text.
func stringsReader(t *block.Type, nullAsDefault bool) reader {
	nulls := t.IsNullable() || nullAsDefault
	return func(s *scanner, c *block.Col) error {
		v, err := s.readJSONString()
		if err != nil {
			return err
		}
		if nulls && isNullText(v) {
			return c.AppendNull()
		}
		return c.AppendText(v)
	}
}

// compileStringsReader checks that t can be read by the *Strings* formats and returns its
// reader.
func compileStringsReader(t *block.Type, nullAsDefault bool) (reader, error) {
	if _, err := compileReader(t); err != nil {
		return nil, err
	}
	return stringsReader(t, nullAsDefault), nil
}
