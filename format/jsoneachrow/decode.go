package jsoneachrow

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

// ParseError is the error [Format]'s decoder returns for a message it cannot decode. Its text
// follows ClickHouse's: "<what>: (while reading the value of key <Key>): (at row <Row>)",
// followed by ": <Err>" when Msg describes the syntax and Err the conversion behind it.
type ParseError struct {
	Row int    // 1-based row (JSON object) within the message
	Key string // column whose value failed; "" when the error is not inside a value
	Msg string // ClickHouse-style description of the syntax problem; "" when Err says it all
	Err error  // the cause, typically a conversion error from package block; may be nil
}

// Error returns the ClickHouse-style text described at [ParseError].
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Key != "" {
		b.WriteString(": (while reading the value of key ")
		b.WriteString(e.Key)
		b.WriteString(")")
	}
	b.WriteString(": (at row ")
	b.WriteString(strconv.Itoa(e.Row))
	b.WriteString(")")
	if e.Msg != "" && e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

func newParseError(key string, err error) *ParseError {
	if pe, ok := err.(*ParseError); ok {
		return pe
	}
	if se, ok := err.(*syntaxError); ok {
		return &ParseError{Key: key, Msg: se.msg, Err: se.cause}
	}
	return &ParseError{Key: key, Err: err}
}

var errObjectEOF = &syntaxError{msg: "Unexpected end of stream while parsing JSONEachRow format"}

// Field lookup results besides a column index.
const (
	unknownField = -1
	nestedField  = -2 // a prefix of dotted column names (input_format_import_nested_json)
)

// reader reads one JSON value at the cursor (whitespace already skipped) into c.
type reader func(d *decoder, c *block.Col) error

// decoder is the compiled JSONEachRow decoder of one schema. Not safe for concurrent use.
type decoder struct {
	scanner
	names       []string
	readers     []reader
	index       map[string]int // column name or nested prefix → column index or nestedField
	skipUnknown bool
	seen        []uint32 // seen[i] == gen: column i already has a value in this row
	gen         uint32
	prev        []int32 // column matched by the k-th key of earlier rows (ClickHouse's prev_positions)
	name        []byte  // full dotted name of a key inside a nested object
	rows        *block.Rows
}

func newDecoder(cols []block.Column, s *format.Settings) (*decoder, error) {
	d := &decoder{
		names:       make([]string, len(cols)),
		readers:     make([]reader, len(cols)),
		index:       make(map[string]int, len(cols)),
		skipUnknown: s.SkipUnknownFields,
		seen:        make([]uint32, len(cols)),
		prev:        make([]int32, len(cols)),
	}
	for i, c := range cols {
		r, err := compileReader(c.Type)
		if err != nil {
			return nil, fmt.Errorf("jsoneachrow: column %s: %w", c.Name, err)
		}
		d.names[i] = c.Name
		d.readers[i] = r
		d.index[c.Name] = i
		d.prev[i] = -1
	}
	if s.ImportNestedJSON {
		for _, c := range cols {
			for j := 1; j < len(c.Name); j++ {
				if c.Name[j] != '.' {
					continue
				}
				if _, ok := d.index[c.Name[:j]]; !ok {
					d.index[c.Name[:j]] = nestedField
				}
			}
		}
	}
	return d, nil
}

// Decode implements [format.Decoder]: it appends the JSON objects of payload to dst as rows.
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.readers) {
		return fmt.Errorf("jsoneachrow: rows have %d columns, the decoder was compiled for %d", dst.NumCols(), len(d.readers))
	}
	d.reset(payload)
	d.rows = dst
	defer func() {
		d.rows = nil
		d.buf = nil
	}()

	// Prefix: a UTF-8 BOM, then optionally '[' when the rows form a JSON array.
	if bytes.HasPrefix(d.buf, []byte("\xEF\xBB\xBF")) {
		d.pos = 3
	}
	d.skipSpace()
	inArray := d.skip('[')
	row := 0
rows:
	for {
		d.skipSpace()
		// ClickHouse's checkEndOfData: an optional ',' between rows, ';' ends the data, as
		// does ']' of an array.
		if d.pos < len(d.buf) {
			switch c := d.buf[d.pos]; {
			case row > 0 && c == ',':
				d.pos++
			case !inArray && c == ';', inArray && c == ']':
				break rows
			}
		}
		d.skipSpace()
		if d.pos >= len(d.buf) {
			break
		}
		row++
		if err := d.readRow(); err != nil {
			pe := newParseError("", err)
			pe.Row = row
			return pe
		}
		if err := dst.EndRow(); err != nil {
			return &ParseError{Row: row, Err: err}
		}
	}
	// Suffix: the closing ']' of an array, an optional ';', then nothing but whitespace.
	d.skipSpace()
	if inArray {
		if err := d.expect(']'); err != nil {
			return &ParseError{Row: row + 1, Msg: err.(*syntaxError).msg}
		}
		d.skipSpace()
	}
	if d.skip(';') {
		d.skipSpace()
	}
	if d.pos < len(d.buf) {
		return &ParseError{Row: row + 1, Msg: d.expectedAt(d.pos, "eof").(*syntaxError).msg}
	}
	return nil
}

func (d *decoder) readRow() error {
	d.gen++
	if d.gen == 0 {
		clear(d.seen)
		d.gen = 1
	}
	if err := d.expect('{'); err != nil {
		return err
	}
	return d.readObject(0)
}

// readObject reads the members of an object whose '{' was consumed. Inside a nested object
// (prefix > 0) d.name[:prefix] holds the dotted prefix of its keys, e.g. "e.".
func (d *decoder) readObject(prefix int) error {
	for k := 0; ; k++ {
		d.skipSpace()
		if d.pos >= len(d.buf) {
			return errObjectEOF
		}
		if d.buf[d.pos] == '}' {
			d.pos++
			return nil
		}
		if k > 0 {
			if err := d.expect(','); err != nil {
				return err
			}
			d.skipSpace()
		}
		key, err := d.readString()
		if err != nil {
			return err
		}
		idx := d.lookup(key, k, prefix)
		if idx == nestedField && prefix == 0 {
			d.name = append(d.name[:0], key...)
		}
		d.skipSpace()
		if err := d.expect(':'); err != nil {
			return err
		}
		d.skipSpace()
		switch {
		case idx >= 0:
			if err := d.readField(idx); err != nil {
				return err
			}
			continue
		case idx == nestedField && d.skip('{'):
			d.name = append(d.name, '.')
			if err := d.readObject(len(d.name)); err != nil {
				return err
			}
			continue
		case idx == nestedField && prefix == 0:
			// ClickHouse requires an object for the table name of a nested column.
			return d.expectedAt(d.pos, "{")
		}
		if !d.skipUnknown {
			name := string(key)
			if prefix > 0 {
				name = string(d.name)
			}
			return &syntaxError{msg: "Unknown field found while parsing JSONEachRow format: " + name}
		}
		if err := d.skipValue(); err != nil {
			return err
		}
	}
}

// lookup maps the k-th key of an object to a column index, nestedField or unknownField.
// Inside a nested object the full name is built in d.name.
func (d *decoder) lookup(key []byte, k, prefix int) int {
	if prefix > 0 {
		d.name = append(d.name[:prefix], key...)
		if idx, ok := d.index[string(d.name)]; ok {
			return idx
		}
		return unknownField
	}
	// Rows of one topic almost always list their keys in the same order: try the column
	// the k-th key named last time before hashing.
	if k < len(d.prev) {
		if p := d.prev[k]; p >= 0 && d.names[p] == string(key) {
			return int(p)
		}
	}
	idx, ok := d.index[string(key)]
	if !ok {
		return unknownField
	}
	if idx >= 0 && k < len(d.prev) {
		d.prev[k] = int32(idx)
	}
	return idx
}

func (d *decoder) readField(idx int) error {
	if d.seen[idx] == d.gen {
		return &syntaxError{msg: "Duplicate field found while parsing JSONEachRow format: " + d.names[idx]}
	}
	d.seen[idx] = d.gen
	if err := d.readers[idx](d, d.rows.Col(idx)); err != nil {
		return newParseError(d.names[idx], err)
	}
	return nil
}

var errValueEOF = &syntaxError{msg: "Cannot parse JSON value: unexpected end of stream"}

// unexpected reports a JSON value at pos that the column's type cannot take.
func (d *decoder) unexpected(pos int, c *block.Col) error {
	if pos >= len(d.buf) {
		return errValueEOF
	}
	return d.errorAt(pos, "Cannot parse input: expected a JSON value of type "+c.Type().String())
}

// readQuotedNumber reads a number written as a JSON string ("id":"0"), as ClickHouse's
// output_format_json_quote_64bit_integers writes them.
func (d *decoder) readQuotedNumber(c *block.Col, ints bool) error {
	start := d.pos + 1
	s, err := d.readString()
	if err != nil {
		return err
	}
	if ints {
		if v, u, big, ok := parseInt(s); ok {
			if big {
				err = c.AppendUint(u)
			} else {
				err = c.AppendInt(v)
			}
			if err == nil {
				return nil
			}
		}
	}
	if err = c.AppendText(s); err == nil {
		return nil
	}
	// ClickHouse reads the number inside the quotes and then expects the closing quote:
	// point where the number stops, when it stops early.
	n := 0
	for n < len(s) && isNumberByte(s[n]) {
		n++
	}
	if n < len(s) && start+len(s) < len(d.buf) && bytes.Equal(d.buf[start:start+len(s)], s) {
		return &syntaxError{msg: d.expectedAt(start+n, `"`).(*syntaxError).msg, cause: err}
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

func readInteger(d *decoder, c *block.Col) error {
	if d.pos >= len(d.buf) {
		return errValueEOF
	}
	start := d.pos
	switch d.buf[d.pos] {
	case '"':
		return d.readQuotedNumber(c, true)
	case '{', '[':
		return d.unexpected(start, c)
	}
	tok, kind := d.readBare()
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
	return d.unexpected(start, c)
}

func readFloat(d *decoder, c *block.Col) error {
	if d.pos >= len(d.buf) {
		return errValueEOF
	}
	start := d.pos
	switch d.buf[d.pos] {
	case '"':
		return d.readQuotedNumber(c, false)
	case '{', '[':
		return d.unexpected(start, c)
	}
	tok, kind := d.readBare()
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
	return d.unexpected(start, c)
}

func readDecimal(d *decoder, c *block.Col) error {
	if d.pos >= len(d.buf) {
		return errValueEOF
	}
	start := d.pos
	switch d.buf[d.pos] {
	case '"':
		return d.readQuotedNumber(c, false)
	case '{', '[':
		return d.unexpected(start, c)
	}
	tok, kind := d.readBare()
	switch kind {
	case tokNumber:
		return c.AppendText(tok)
	case tokNull:
		return c.AppendNull()
	}
	return d.unexpected(start, c)
}

func readBool(d *decoder, c *block.Col) error {
	if d.pos >= len(d.buf) {
		return errValueEOF
	}
	start := d.pos
	switch d.buf[d.pos] {
	case '"':
		s, err := d.readString()
		if err != nil {
			return err
		}
		return c.AppendText(s)
	case '{', '[':
		return d.unexpected(start, c)
	}
	tok, kind := d.readBare()
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
	return d.unexpected(start, c)
}

// readText reads String and FixedString values. Like ClickHouse (input_format_json_read_*
// _as_strings, all on by default) it also takes numbers and booleans as their text and
// objects and arrays as their raw JSON text.
func readText(d *decoder, c *block.Col) error {
	if d.pos >= len(d.buf) {
		return errValueEOF
	}
	start := d.pos
	switch d.buf[d.pos] {
	case '"':
		s, err := d.readString()
		if err != nil {
			return err
		}
		return c.AppendText(s)
	case '{', '[':
		if err := d.skipValue(); err != nil {
			return err
		}
		return c.AppendText(d.buf[start:d.pos])
	}
	tok, kind := d.readBare()
	switch kind {
	case tokNumber, tokTrue, tokFalse:
		return c.AppendText(tok)
	case tokNull:
		return c.AppendNull()
	}
	return d.unexpected(start, c)
}

// readTime reads Date, Date32 and DateTime: text in quotes, or a number of days (Date) or
// of seconds since the epoch (DateTime).
func readTime(d *decoder, c *block.Col) error {
	if d.pos >= len(d.buf) {
		return errValueEOF
	}
	start := d.pos
	if d.buf[d.pos] == '"' {
		s, err := d.readString()
		if err != nil {
			return err
		}
		return c.AppendText(s)
	}
	tok, kind := d.readBare()
	switch kind {
	case tokNumber:
		return appendNumber(c, tok, false)
	case tokNull:
		return c.AppendNull()
	}
	return d.unexpected(start, c)
}

// readTextual reads DateTime64 and UUID, which JSON carries as strings. An unquoted number
// goes to the column as its text (for DateTime64: seconds since the epoch with a fraction).
func readTextual(d *decoder, c *block.Col) error {
	if d.pos >= len(d.buf) {
		return errValueEOF
	}
	start := d.pos
	if d.buf[d.pos] == '"' {
		s, err := d.readString()
		if err != nil {
			return err
		}
		return c.AppendText(s)
	}
	tok, kind := d.readBare()
	switch kind {
	case tokNumber:
		return c.AppendText(tok)
	case tokNull:
		return c.AppendNull()
	}
	return d.unexpected(start, c)
}

// readEnum reads an Enum by name (a string) or by value (a number).
func readEnum(d *decoder, c *block.Col) error {
	if d.pos >= len(d.buf) {
		return errValueEOF
	}
	start := d.pos
	if d.buf[d.pos] == '"' {
		s, err := d.readString()
		if err != nil {
			return err
		}
		return c.AppendText(s)
	}
	tok, kind := d.readBare()
	switch kind {
	case tokNumber:
		return appendNumber(c, tok, false)
	case tokNull:
		return c.AppendNull()
	}
	return d.unexpected(start, c)
}

// readNullOr handles null for containers; anything else but open is a type error.
func (d *decoder) readNullOr(c *block.Col, open byte) error {
	start := d.pos
	if _, kind := d.readBare(); kind == tokNull {
		return c.AppendNull()
	}
	if start >= len(d.buf) {
		return errValueEOF
	}
	return d.expectedAt(start, string(rune(open)))
}

func arrayReader(elem reader) reader {
	return func(d *decoder, c *block.Col) error {
		if !d.skip('[') {
			return d.readNullOr(c, '[')
		}
		el := c.BeginArray()
		for n := 0; ; n++ {
			d.skipSpace()
			if d.pos >= len(d.buf) {
				return errValueEOF
			}
			if d.buf[d.pos] == ']' {
				d.pos++
				c.EndArray()
				return nil
			}
			if n > 0 {
				if err := d.expect(','); err != nil {
					return err
				}
				d.skipSpace()
			}
			if err := elem(d, el); err != nil {
				return err
			}
		}
	}
}

func mapReader(value reader) reader {
	return func(d *decoder, c *block.Col) error {
		if !d.skip('{') {
			return d.readNullOr(c, '{')
		}
		kc, vc := c.BeginMap()
		for n := 0; ; n++ {
			d.skipSpace()
			if d.pos >= len(d.buf) {
				return errValueEOF
			}
			if d.buf[d.pos] == '}' {
				d.pos++
				return c.EndMap()
			}
			if n > 0 {
				if err := d.expect(','); err != nil {
					return err
				}
				d.skipSpace()
			}
			key, err := d.readString()
			if err != nil {
				return err
			}
			if err := kc.AppendText(key); err != nil {
				return err
			}
			d.skipSpace()
			if err := d.expect(':'); err != nil {
				return err
			}
			d.skipSpace()
			if err := value(d, vc); err != nil {
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
	return func(d *decoder, c *block.Col) error {
		if d.pos >= len(d.buf) {
			return errValueEOF
		}
		switch d.buf[d.pos] {
		case '{':
			d.pos++
			c.BeginTuple()
			for n := 0; ; n++ {
				d.skipSpace()
				if d.pos >= len(d.buf) {
					return errValueEOF
				}
				if d.buf[d.pos] == '}' {
					d.pos++
					return c.EndTuple()
				}
				if n > 0 {
					if err := d.expect(','); err != nil {
						return err
					}
					d.skipSpace()
				}
				key, err := d.readString()
				if err != nil {
					return err
				}
				i, ok := index[string(key)]
				d.skipSpace()
				if err := d.expect(':'); err != nil {
					return err
				}
				d.skipSpace()
				if !ok {
					if err := d.skipValue(); err != nil {
						return err
					}
					continue
				}
				if err := fields[i](d, c.Field(i)); err != nil {
					return err
				}
			}
		case '[':
			d.pos++
			c.BeginTuple()
			for i := 0; ; i++ {
				d.skipSpace()
				if d.pos >= len(d.buf) {
					return errValueEOF
				}
				if d.buf[d.pos] == ']' {
					if i != len(fields) {
						return d.errorAt(d.pos, fmt.Sprintf("Cannot parse input: expected %d elements of %s, got %d", len(fields), c.Type(), i))
					}
					d.pos++
					return c.EndTuple()
				}
				if i > 0 {
					if err := d.expect(','); err != nil {
						return err
					}
					d.skipSpace()
				}
				if i >= len(fields) {
					return d.expectedAt(d.pos, "]")
				}
				if err := fields[i](d, c.Field(i)); err != nil {
					return err
				}
			}
		}
		return d.readNullOr(c, '{')
	}
}

// compileReader turns a column type into its reader, once per decoder.
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
		return readTime, nil
	case block.DateTime64, block.UUID:
		return readTextual, nil
	case block.Enum8, block.Enum16:
		return readEnum, nil
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
	return nil, fmt.Errorf("type %s is not supported by JSONEachRow", t)
}
