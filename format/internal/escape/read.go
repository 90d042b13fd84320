package escape

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/chkafka/chkafka/block"
)

// ReadOptions are the format settings that shape how fields are read; formats fill them
// from their format.Settings. An empty NULL representation makes empty fields NULL, as in
// ClickHouse.
type ReadOptions struct {
	// NullAsDefault is input_format_null_as_default: the NULL representation is looked
	// for in non-Nullable columns too and gives the column's default (through
	// [block.Col.AppendNull]); when false it is only looked for in Nullable columns.
	NullAsDefault bool
	// TSVNull is format_tsv_null_representation, the NULL of the Escaped and Raw rules.
	TSVNull string
	// CSVNull is format_csv_null_representation, the NULL of the CSV rule (unquoted).
	CSVNull string
	// EmptyAsDefault makes an empty field (unquoted, for CSV) the column's default
	// (input_format_csv_empty_as_default, input_format_tsv_empty_as_default).
	EmptyAsDefault bool
	// CSVDelimiter always ends an unquoted CSV field (format_csv_delimiter); 0 for none,
	// as in CustomSeparated where the following delimiter ends it.
	CSVDelimiter byte
	// CSVSingleQuotes and CSVDoubleQuotes are format_csv_allow_single_quotes and
	// format_csv_allow_double_quotes.
	CSVSingleQuotes, CSVDoubleQuotes bool
}

// class groups the types by how their text is delimited and diagnosed.
type class uint8

const (
	classText     class = iota // String, FixedString: bytes taken as they are
	classScalar                // dates, times, UUID, Enum, Bool: one token
	classNumber                // integers, floats, Decimal: one token, errors point into it
	classCompound              // Array, Map, Tuple: a ClickHouse literal
)

// Field reads the values of one column by one rule. It is compiled once per column by
// [NewField] and is safe for concurrent use; the [Scanner] it reads from is not.
type Field struct {
	rule     Rule
	class    class
	base     *block.Type // the type without Nullable and LowCardinality
	null     bool        // look for the NULL representation
	nullRepr []byte
	opts     ReadOptions
	json     jsonReader
	// digits: ReadCSV may parse an unquoted value of up to 18 decimal digits as it scans
	// it. Set for Int* and UInt* columns unless the delimiter is a digit or the NULL
	// representation looked for is all digits.
	digits bool
}

// NewField compiles a reader of values of type t by rule. It fails for the XML rule, which
// ClickHouse cannot read either.
func NewField(t *block.Type, rule Rule, o ReadOptions) (*Field, error) {
	if !rule.CanRead() {
		return nil, fmt.Errorf("escaping rule %s is not suitable for deserialization", rule)
	}
	f := &Field{rule: rule, base: baseType(t), opts: o}
	switch f.base.Kind {
	case block.String, block.FixedString:
		f.class = classText
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32, block.UInt64,
		block.Float32, block.Float64, block.Decimal:
		f.class = classNumber
	case block.Array, block.Map, block.Tuple:
		f.class = classCompound
	default:
		f.class = classScalar
	}
	f.null = t.IsNullable() || o.NullAsDefault
	switch rule {
	case Escaped, Raw:
		f.nullRepr = []byte(o.TSVNull)
	case CSV:
		f.nullRepr = []byte(o.CSVNull)
		f.digits = isIntKind(f.base.Kind) && !isDigit(o.CSVDelimiter) && !(f.null && allDigits(f.nullRepr))
	case JSON:
		r, err := compileJSON(t)
		if err != nil {
			return nil, err
		}
		f.json = r
	}
	return f, nil
}

func isIntKind(k block.Kind) bool {
	switch k {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32, block.UInt64:
		return true
	}
	return false
}

func isDigit(c byte) bool { return c-'0' <= 9 }

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

func baseType(t *block.Type) *block.Type {
	for t.Kind == block.Nullable || t.Kind == block.LowCardinality {
		t = t.Elem
	}
	return t
}

// Read reads the value at s's cursor into c and moves the cursor past it. next is the
// delimiter the format expects after the value ("" when the value ends the text): a number
// or other single-token value also stops at its first byte, and a value cut short by other
// text is reported as "Cannot parse input: expected '<next>' before: '...'".
func (f *Field) Read(s *Scanner, c *block.Col, next string) error {
	switch f.rule {
	case Escaped, Raw:
		return f.readTSV(s, c, next)
	case Quoted:
		return f.readQuoted(s, c, next)
	case CSV:
		return f.readCSV(s, c, next)
	default:
		return f.json(s, c)
	}
}

func stopByte(next string) byte {
	if next == "" {
		return '\n'
	}
	return next[0]
}

// readTSV reads an Escaped or Raw value: up to the next tab or newline (a single-token
// value also up to next's first byte, a literal up to it outside brackets and quotes).
func (f *Field) readTSV(s *Scanner, c *block.Col, next string) error {
	start := s.Pos
	end := f.tsvEnd(s, next)
	raw := s.Buf[start:end]
	s.Pos = end
	if f.null && bytes.Equal(raw, f.nullRepr) {
		return c.AppendNull()
	}
	if len(raw) == 0 && f.opts.EmptyAsDefault {
		c.AppendDefault()
		return nil
	}
	v := raw
	if f.rule == Escaped && f.class != classCompound && bytes.IndexByte(raw, '\\') >= 0 {
		var ok bool
		if s.scratch, ok = unescape(s.scratch[:0], raw); !ok {
			return s.ErrorAt(start, "Cannot parse escape sequence")
		}
		v = s.scratch
	}
	if err := c.AppendText(v); err != nil {
		return f.shape(s, err, v, start, next)
	}
	return nil
}

func (f *Field) tsvEnd(s *Scanner, next string) int {
	buf := s.Buf
	if s.Whole {
		return len(buf)
	}
	esc := f.rule == Escaped
	stop := stopByte(next)
	switch {
	case f.class == classText, f.base.Kind == block.Enum8, f.base.Kind == block.Enum16:
		// Strings and enum names end only at a tab or newline (readEscapedString).
		stop = '\t'
	case f.class == classCompound:
		return literalEnd(buf, s.Pos, stop)
	}
	for i := s.Pos; i < len(buf); i++ {
		switch c := buf[i]; {
		case c == '\t' || c == '\n' || c == stop:
			return i
		case c == '\\' && esc:
			i++ // an escaped byte never ends the field (ClickHouse's \<TAB>)
		}
	}
	return len(buf)
}

// literalEnd finds the end of an unquoted Array/Map/Tuple literal: a tab, a newline or, at
// bracket depth 0, stop, none of them inside quotes.
func literalEnd(buf []byte, pos int, stop byte) int {
	depth := 0
	var q byte
	for i := pos; i < len(buf); i++ {
		c := buf[i]
		if q != 0 {
			switch c {
			case '\\':
				i++
			case q:
				q = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			q = c
		case '[', '(', '{':
			depth++
		case ']', ')', '}':
			depth--
		case '\t', '\n':
			return i
		default:
			if c == stop && depth <= 0 {
				return i
			}
		}
	}
	return len(buf)
}

// shape turns a failed conversion of a number whose text stops being a number before the
// field ends into ClickHouse's "expected '<next>' before" error, pointing where the number
// stopped.
func (f *Field) shape(s *Scanner, err error, v []byte, start int, next string) error {
	if f.class != classNumber || s.Whole || next == "" {
		return err
	}
	n := numberPrefix(f.base.Kind, v)
	if n >= len(v) {
		return err
	}
	return &SyntaxError{Msg: ExpectedMessage(s.Buf, start+n, next), Err: err, Garbage: true}
}

// numberPrefix returns the length of the longest prefix of v that reads as a number of kind.
func numberPrefix(kind block.Kind, v []byte) int {
	i := 0
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		i++
	}
	digits := func() {
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
	}
	digits()
	switch kind {
	case block.Float32, block.Float64, block.Decimal:
	default:
		if i == 1 && (v[0] == '-' || v[0] == '+') {
			return 0
		}
		return i
	}
	if i < len(v) && v[i] == '.' {
		i++
		digits()
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		j := i + 1
		if j < len(v) && (v[j] == '-' || v[j] == '+') {
			j++
		}
		if j < len(v) && v[j] >= '0' && v[j] <= '9' {
			i = j
			digits()
		}
	}
	if i == 1 && (v[0] == '-' || v[0] == '+' || v[0] == '.') {
		return 0
	}
	return i
}

// readQuoted reads a Quoted (SQL literal) value: 'string', NULL, a bare token (number,
// true, false, ...) or a bracketed literal.
func (f *Field) readQuoted(s *Scanner, c *block.Col, next string) error {
	buf := s.Buf
	start := s.Pos
	if start >= len(buf) {
		return s.ErrorAt(start, "Cannot parse input: expected a value")
	}
	switch buf[start] {
	case '\'':
		v, end, err := s.readQuotedString(start)
		if err != nil {
			return err
		}
		s.Pos = end
		if err := c.AppendText(v); err != nil {
			if f.class == classNumber || f.class == classScalar {
				return castError(f.base, v, err)
			}
			return err
		}
		return nil
	case '[', '(', '{':
		end := balancedEnd(buf, start)
		if end < 0 {
			s.Pos = len(buf)
			return s.ErrorAt(start, "Cannot parse input: unbalanced brackets in")
		}
		s.Pos = end
		if f.class != classCompound {
			return s.ErrorAt(start, "Cannot parse input: expected a value of type "+f.base.String())
		}
		return c.AppendText(buf[start:end])
	}
	end := bareEnd(buf, start, stopByte(next))
	tok := buf[start:end]
	if len(tok) == 0 {
		return s.ErrorAt(start, "Cannot parse input: expected a value")
	}
	s.Pos = end
	if isNULL(tok) {
		return c.AppendNull()
	}
	if err := c.AppendText(tok); err != nil {
		return f.shape(s, err, tok, start, next)
	}
	return nil
}

// isBareStop marks the bytes that end a bare SQL token.
var isBareStop = [256]bool{',': true, ')': true, ']': true, '}': true, ';': true, ':': true,
	' ': true, '\t': true, '\n': true, '\r': true, '\f': true, '\v': true, '\'': true, '(': true, '[': true, '{': true}

func bareEnd(buf []byte, pos int, stop byte) int {
	for i := pos; i < len(buf); i++ {
		if c := buf[i]; isBareStop[c] || c == stop {
			return i
		}
	}
	return len(buf)
}

func isNULL(b []byte) bool {
	return len(b) == 4 && b[0]|0x20 == 'n' && b[1]|0x20 == 'u' && b[2]|0x20 == 'l' && b[3]|0x20 == 'l'
}

// balancedEnd returns the index after the bracket closing the one at pos, skipping quoted
// strings, or -1 when the text ends first.
func balancedEnd(buf []byte, pos int) int {
	depth := 0
	var q byte
	for i := pos; i < len(buf); i++ {
		c := buf[i]
		if q != 0 {
			switch c {
			case '\\':
				i++
			case q:
				q = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			q = c
		case '[', '(', '{':
			depth++
		case ']', ')', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// castError is ClickHouse's text for a string literal that does not convert to a scalar
// type (the Values format casts 'BAD' to the column type).
func castError(t *block.Type, v []byte, err error) error {
	b := []byte("Cannot parse string ")
	b = AppendQuotedText(b, v)
	b = append(b, " as "...)
	b = append(b, t.String()...)
	n := 0
	if isNumberKind(t.Kind) {
		n = numberPrefix(t.Kind, v)
	}
	switch {
	case n == 0:
		b = append(b, ": syntax error at begin of string."...)
	case n < len(v):
		b = fmt.Appendf(b, ": syntax error at position %d (parsed just ", n)
		b = AppendQuotedText(b, v[:n])
		b = append(b, ")."...)
	default:
		return &SyntaxError{Msg: string(b), Err: err}
	}
	switch t.Kind {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32, block.UInt64,
		block.Float32, block.Float64, block.Date, block.Date32, block.DateTime, block.UUID, block.Bool:
		name := t.Kind.String()
		b = fmt.Appendf(b, " Note: there are to%sOrZero and to%sOrNull functions, which returns zero/NULL instead of throwing exception", name, name)
	}
	return &SyntaxError{Msg: string(b), Err: err}
}

func isNumberKind(k block.Kind) bool {
	switch k {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32, block.UInt64,
		block.Float32, block.Float64, block.Decimal:
		return true
	}
	return false
}

// readQuotedString reads the single-quoted string at pos (backslash escapes and SQL's doubled quote
// for a quote) and returns its bytes — a sub-slice of Buf when it has no escapes, else the
// scanner's buffer — and the index after the closing quote.
func (s *Scanner) readQuotedString(pos int) ([]byte, int, error) {
	buf := s.Buf
	q := buf[pos]
	i := pos + 1
	for i < len(buf) && buf[i] != q && buf[i] != '\\' {
		i++
	}
	if i < len(buf) && buf[i] == q && (i+1 >= len(buf) || buf[i+1] != q) {
		return buf[pos+1 : i], i + 1, nil
	}
	out := append(s.scratch[:0], buf[pos+1:i]...)
	defer func() { s.scratch = out[:0] }()
	for i < len(buf) {
		c := buf[i]
		switch {
		case c == '\\':
			var ok bool
			if out, i, ok = decodeEscape(out, buf, i); !ok {
				return nil, len(buf), s.ErrorAt(i, "Cannot parse escape sequence")
			}
		case c == q:
			if i+1 < len(buf) && buf[i+1] == q {
				out = append(out, q)
				i += 2
				continue
			}
			s.scratch = out
			return out, i + 1, nil
		default:
			out = append(out, c)
			i++
		}
	}
	return nil, len(buf), &SyntaxError{Msg: "Cannot parse quoted string: expected closing quote"}
}

// ReadCSV reads a value of the CSV rule as [Field.Read] does, faster, for a format whose
// fields are all CSV: a value quoted (with doubled quotes) or unquoted up to the delimiter
// or the end of the line, trailing spaces and tabs trimmed. f must have been compiled for
// the CSV rule.
//
// The two commonest values are read here: a double-quoted string without doubled quotes
// (a sub-slice of the payload, found with one IndexByte) and an unquoted integer (parsed
// as it is scanned, see csvDigits). Everything else goes through readCSV, the reader of
// Read, which these shortcuts must agree with value for value and error for error.
func (f *Field) ReadCSV(s *Scanner, c *block.Col, next string) error {
	buf, start := s.Buf, s.Pos
	if start < len(buf) {
		switch b := buf[start]; {
		case b == '"' && f.opts.CSVDoubleQuotes:
			k := bytes.IndexByte(buf[start+1:], '"')
			if end := start + 1 + k; k >= 0 && (end+1 == len(buf) || buf[end+1] != '"') {
				v := buf[start+1 : end]
				s.Pos = end + 1
				if err := c.AppendText(v); err != nil {
					return f.shape(s, err, v, start+1, `"`)
				}
				return nil
			}
		case isDigit(b) && f.digits:
			if x, end, ok := f.csvDigits(s, next); ok {
				// What AppendText would do with these digits: x <= MaxInt64, so
				// parseInt gives x and AppendInt(x) follows.
				s.Pos = end
				return c.AppendInt(x)
			}
		}
	}
	return f.readCSV(s, c, next)
}

// readCSV reads a CSV value (see [Field.ReadCSV]), every case the slow way.
func (f *Field) readCSV(s *Scanner, c *block.Col, next string) error {
	buf := s.Buf
	start := s.Pos
	var v []byte
	var q byte
	if start < len(buf) && (buf[start] == '"' && f.opts.CSVDoubleQuotes || buf[start] == '\'' && f.opts.CSVSingleQuotes) {
		q = buf[start]
		val, end, err := s.readCSVQuoted(start)
		if err != nil {
			return err
		}
		v, s.Pos = val, end
	} else {
		end := csvEnd(s, next, f.opts.CSVDelimiter)
		v, s.Pos = buf[start:end], end
		if !s.Whole {
			v = trimBlanks(v)
		}
		if f.null && bytes.Equal(v, f.nullRepr) {
			return c.AppendNull()
		}
		if len(v) == 0 && f.opts.EmptyAsDefault {
			c.AppendDefault()
			return nil
		}
	}
	if err := c.AppendText(v); err != nil {
		if q != 0 {
			return f.shape(s, err, v, start+1, string(q))
		}
		return f.shape(s, err, v, start, next)
	}
	return nil
}

// csvDigits reads the unquoted value at the cursor, for a field with f.digits, when it is 1
// to 18 decimal digits that end where csvEnd ends the field, with no blank to trim. It
// returns the value and the end of the field.
func (f *Field) csvDigits(s *Scanner, next string) (int64, int, bool) {
	if s.Whole || len(next) != 1 || isDigit(next[0]) {
		return 0, 0, false
	}
	buf := s.Buf
	start := s.Pos
	i := start
	var x int64
	for lim := min(len(buf), start+19); i < lim; i++ {
		d := buf[i] - '0'
		if d > 9 {
			break
		}
		x = x*10 + int64(d)
	}
	if n := i - start; n == 0 || n > 18 {
		return 0, 0, false
	}
	if i < len(buf) {
		switch c := buf[i]; {
		case c == next[0] || c == '\n' || c == f.opts.CSVDelimiter && c != 0:
		case c == '\r' && (i+1 == len(buf) || buf[i+1] == '\n'):
		default:
			return 0, 0, false
		}
	}
	return x, i, true
}

func trimBlanks(v []byte) []byte {
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// csvEnd finds the end of an unquoted CSV field: delim, next (the whole string when it is
// longer than one byte, as ClickHouse's custom CSV delimiter), '\n' or "\r\n".
func csvEnd(s *Scanner, next string, delim byte) int {
	buf := s.Buf
	if s.Whole {
		return len(buf)
	}
	if len(next) > 1 {
		if k := bytes.Index(buf[s.Pos:], []byte(next)); k >= 0 {
			return s.Pos + k
		}
		return len(buf)
	}
	stop := stopByte(next)
	for i := s.Pos; i < len(buf); i++ {
		switch c := buf[i]; {
		case c == '\n' || c == stop || c == delim && delim != 0:
			return i
		case c == '\r':
			if i+1 >= len(buf) || buf[i+1] == '\n' {
				return i
			}
		}
	}
	return len(buf)
}

// readCSVQuoted reads the CSV string quoted at pos and returns its text and the index
// after the closing quote. A string without doubled quotes is a sub-slice of Buf, read with
// one IndexByte; the rest go through readCSVDoubled.
func (s *Scanner) readCSVQuoted(pos int) ([]byte, int, error) {
	buf := s.Buf
	i := pos + 1
	if k := bytes.IndexByte(buf[i:], buf[pos]); k >= 0 {
		if end := i + k; end+1 >= len(buf) || buf[end+1] != buf[pos] {
			return buf[i:end], end + 1, nil
		}
	}
	return s.readCSVDoubled(pos)
}

// readCSVDoubled is readCSVQuoted for a string with doubled quotes or without its closing
// quote: the text is decoded into the scanner's buffer.
func (s *Scanner) readCSVDoubled(pos int) ([]byte, int, error) {
	buf := s.Buf
	q := buf[pos]
	i := pos + 1
	out := s.scratch[:0]
	for {
		k := bytes.IndexByte(buf[i:], q)
		if k < 0 {
			s.scratch = out[:0]
			return nil, len(buf), s.ExpectedAt(len(buf), string(q))
		}
		out = append(out, buf[i:i+k]...)
		i += k + 1
		if i < len(buf) && buf[i] == q {
			out = append(out, q)
			i++
			continue
		}
		s.scratch = out[:0] // keeps the grown buffer; out stays valid until the next read
		return out, i, nil
	}
}

// unescape decodes ClickHouse's escape sequences of the Escaped rule (readEscapedString).
// It reports false for a backslash at the end or a bad \x sequence.
func unescape(dst, raw []byte) ([]byte, bool) {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			j := bytes.IndexByte(raw[i:], '\\')
			if j < 0 {
				return append(dst, raw[i:]...), true
			}
			dst = append(dst, raw[i:i+j]...)
			i += j
			continue
		}
		var ok bool
		if dst, i, ok = decodeEscape(dst, raw, i); !ok {
			return dst, false
		}
	}
	return dst, true
}

// decodeEscape decodes the escape sequence at buf[i] == '\\' as ClickHouse's
// parseComplexEscapeSequence does and returns the index after it.
func decodeEscape(dst, buf []byte, i int) ([]byte, int, bool) {
	i++
	if i >= len(buf) {
		return dst, i, false
	}
	e := buf[i]
	switch e {
	case 'x':
		if i+2 >= len(buf) {
			return dst, i, false
		}
		hi, ok1 := unhex(buf[i+1])
		lo, ok2 := unhex(buf[i+2])
		if !ok1 || !ok2 {
			return dst, i, false
		}
		return append(dst, hi<<4|lo), i + 3, true
	case 'N':
		// \N reads as an empty string where it is not NULL.
		return dst, i + 1, true
	}
	d := escapeChar(e)
	// ClickHouse keeps the backslash of unknown escapes ('100\%' stays 100\%).
	if d != '\\' && d != '\'' && d != '"' && d != '`' && d != '/' && d != '=' && d > 0x1f {
		dst = append(dst, '\\')
	}
	return append(dst, d), i + 1, true
}

func escapeChar(c byte) byte {
	switch c {
	case 'a':
		return '\a'
	case 'b':
		return '\b'
	case 'e':
		return 0x1b
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'v':
		return '\v'
	case '0':
		return 0
	}
	return c
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Skip moves past one field of rule without reading it (a header field no column has).
// next is as for [Field.Read].
func Skip(s *Scanner, rule Rule, o ReadOptions, next string) error {
	_, err := readField(s, rule, o, next, false)
	return err
}

// ReadString reads one field of rule as a string (a header name or type) and returns its
// text, valid until the next read from s.
func ReadString(s *Scanner, rule Rule, o ReadOptions, next string) ([]byte, error) {
	return readField(s, rule, o, next, true)
}

var errSkipXML = errors.New("escaping rule XML is not suitable for deserialization")

func readField(s *Scanner, rule Rule, o ReadOptions, next string, decode bool) ([]byte, error) {
	buf := s.Buf
	start := s.Pos
	switch rule {
	case Escaped, Raw:
		end := len(buf)
		if !s.Whole {
			for i := start; i < len(buf); i++ {
				if c := buf[i]; c == '\t' || c == '\n' {
					end = i
					break
				} else if c == '\\' && rule == Escaped {
					i++
				}
			}
		}
		s.Pos = end
		raw := buf[start:end]
		if rule == Raw || !decode || bytes.IndexByte(raw, '\\') < 0 {
			return raw, nil
		}
		var ok bool
		if s.scratch, ok = unescape(s.scratch[:0], raw); !ok {
			return nil, s.ErrorAt(start, "Cannot parse escape sequence")
		}
		return s.scratch, nil
	case Quoted:
		if start < len(buf) {
			switch buf[start] {
			case '\'':
				v, end, err := s.readQuotedString(start)
				s.Pos = end
				return v, err
			case '[', '(', '{':
				end := balancedEnd(buf, start)
				if end < 0 {
					s.Pos = len(buf)
					return nil, s.ErrorAt(start, "Cannot parse input: unbalanced brackets in")
				}
				s.Pos = end
				return buf[start:end], nil
			}
		}
		end := bareEnd(buf, start, stopByte(next))
		if end == start {
			return nil, s.ErrorAt(start, "Cannot parse input: expected a value")
		}
		s.Pos = end
		return buf[start:end], nil
	case CSV:
		if start < len(buf) && (buf[start] == '"' && o.CSVDoubleQuotes || buf[start] == '\'' && o.CSVSingleQuotes) {
			v, end, err := s.readCSVQuoted(start)
			s.Pos = end
			return v, err
		}
		end := csvEnd(s, next, o.CSVDelimiter)
		s.Pos = end
		v := buf[start:end]
		if !s.Whole {
			v = trimBlanks(v)
		}
		return v, nil
	case JSON:
		if start < len(buf) && buf[start] == '"' && decode {
			return s.readJSONString()
		}
		if err := s.skipJSON(); err != nil {
			return nil, err
		}
		return buf[start:s.Pos], nil
	}
	return nil, errSkipXML
}
