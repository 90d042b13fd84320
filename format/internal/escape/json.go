package escape

import (
	"bytes"
	"strconv"

	"github.com/chkafka/chkafka/block"
)

// jsonReader reads one JSON value at the cursor into c (the JSON escaping rule).
type jsonReader func(s *Scanner, c *block.Col) error

func compileJSON(t *block.Type) (jsonReader, error) {
	switch t.Kind {
	case block.Nullable, block.LowCardinality:
		return compileJSON(t.Elem)
	case block.String, block.FixedString:
		return jsonText, nil
	case block.Array:
		elem, err := compileJSON(t.Elem)
		if err != nil {
			return nil, err
		}
		return jsonArray(elem), nil
	case block.Map:
		value, err := compileJSON(t.Value)
		if err != nil {
			return nil, err
		}
		return jsonMap(value), nil
	case block.Tuple:
		fields := make([]jsonReader, len(t.Fields))
		for i, f := range t.Fields {
			r, err := compileJSON(f.Type)
			if err != nil {
				return nil, err
			}
			fields[i] = r
		}
		return jsonTuple(fields), nil
	}
	return jsonScalar, nil
}

var errJSONEOF = &SyntaxError{Msg: "Cannot parse JSON value: unexpected end of stream"}

// isJSONBare marks the bytes of an unquoted JSON token (numbers, true, false, null, inf).
var isJSONBare = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	t['+'], t['-'], t['.'], t['_'] = true, true, true, true
	return t
}()

func (s *Scanner) jsonBare() []byte {
	start := s.Pos
	for s.Pos < len(s.Buf) && isJSONBare[s.Buf[s.Pos]] {
		s.Pos++
	}
	return s.Buf[start:s.Pos]
}

func (s *Scanner) unexpectedJSON(pos int, c *block.Col) error {
	if pos >= len(s.Buf) {
		return errJSONEOF
	}
	return s.ErrorAt(pos, "Cannot parse input: expected a JSON value of type "+c.Type().String())
}

// jsonText reads String/FixedString: a JSON string, or the text of a number, boolean,
// object or array, as ClickHouse's input_format_json_read_*_as_strings do.
func jsonText(s *Scanner, c *block.Col) error {
	start := s.Pos
	switch s.Peek() {
	case 0:
		if s.EOF() {
			return errJSONEOF
		}
	case '"':
		v, err := s.readJSONString()
		if err != nil {
			return err
		}
		return c.AppendText(v)
	case '[', '{':
		if err := s.skipJSON(); err != nil {
			return err
		}
		return c.AppendText(s.Buf[start:s.Pos])
	}
	tok := s.jsonBare()
	switch {
	case string(tok) == "null":
		return c.AppendNull()
	case len(tok) > 0:
		return c.AppendText(tok)
	}
	return s.unexpectedJSON(start, c)
}

// jsonScalar reads numbers, booleans, dates, UUIDs and enums: a quoted or bare token.
func jsonScalar(s *Scanner, c *block.Col) error {
	start := s.Pos
	if s.Peek() == '"' {
		v, err := s.readJSONString()
		if err != nil {
			return err
		}
		return c.AppendText(v)
	}
	tok := s.jsonBare()
	switch string(tok) {
	case "":
		return s.unexpectedJSON(start, c)
	case "null":
		return c.AppendNull()
	case "true":
		return c.AppendBool(true)
	case "false":
		return c.AppendBool(false)
	}
	err := c.AppendText(tok)
	if err != nil && bytes.ContainsAny(tok, ".eE") {
		// 1e3 or 2.0 into an integer column.
		if f, perr := strconv.ParseFloat(string(tok), 64); perr == nil && c.AppendFloat(f) == nil {
			return nil
		}
	}
	return err
}

func (s *Scanner) skipJSONSpace() {
	for s.Pos < len(s.Buf) && isSpace[s.Buf[s.Pos]] {
		s.Pos++
	}
}

// jsonNull reads null for a container column; anything else but open is an error.
func jsonNull(s *Scanner, c *block.Col, open string) error {
	start := s.Pos
	if string(s.jsonBare()) == "null" {
		return c.AppendNull()
	}
	if start >= len(s.Buf) {
		return errJSONEOF
	}
	return s.ExpectedAt(start, open)
}

func jsonArray(elem jsonReader) jsonReader {
	return func(s *Scanner, c *block.Col) error {
		if !s.Skip("[") {
			return jsonNull(s, c, "[")
		}
		el := c.BeginArray()
		for n := 0; ; n++ {
			s.skipJSONSpace()
			if s.EOF() {
				return errJSONEOF
			}
			if s.Skip("]") {
				c.EndArray()
				return nil
			}
			if n > 0 {
				if err := s.Expect(","); err != nil {
					return err
				}
				s.skipJSONSpace()
			}
			if err := elem(s, el); err != nil {
				return err
			}
		}
	}
}

func jsonMap(value jsonReader) jsonReader {
	return func(s *Scanner, c *block.Col) error {
		if !s.Skip("{") {
			return jsonNull(s, c, "{")
		}
		kc, vc := c.BeginMap()
		for n := 0; ; n++ {
			s.skipJSONSpace()
			if s.EOF() {
				return errJSONEOF
			}
			if s.Skip("}") {
				return c.EndMap()
			}
			if n > 0 {
				if err := s.Expect(","); err != nil {
					return err
				}
				s.skipJSONSpace()
			}
			key, err := s.readJSONString()
			if err != nil {
				return err
			}
			if err := kc.AppendText(key); err != nil {
				return err
			}
			s.skipJSONSpace()
			if err := s.Expect(":"); err != nil {
				return err
			}
			s.skipJSONSpace()
			if err := value(s, vc); err != nil {
				return err
			}
		}
	}
}

// jsonTuple reads a Tuple from an array of its elements or from an object keyed by element
// names (unknown names skipped, missing ones default).
func jsonTuple(fields []jsonReader) jsonReader {
	return func(s *Scanner, c *block.Col) error {
		switch {
		case s.Skip("["):
			c.BeginTuple()
			for i := 0; ; i++ {
				s.skipJSONSpace()
				if s.EOF() {
					return errJSONEOF
				}
				if s.Skip("]") {
					if i != len(fields) {
						return s.ErrorAt(s.Pos-1, "Cannot parse input: expected "+strconv.Itoa(len(fields))+" elements of "+c.Type().String()+", got "+strconv.Itoa(i))
					}
					return c.EndTuple()
				}
				if i > 0 {
					if err := s.Expect(","); err != nil {
						return err
					}
					s.skipJSONSpace()
				}
				if i >= len(fields) {
					return s.ExpectedAt(s.Pos, "]")
				}
				if err := fields[i](s, c.Field(i)); err != nil {
					return err
				}
			}
		case s.Skip("{"):
			c.BeginTuple()
			for n := 0; ; n++ {
				s.skipJSONSpace()
				if s.EOF() {
					return errJSONEOF
				}
				if s.Skip("}") {
					return c.EndTuple()
				}
				if n > 0 {
					if err := s.Expect(","); err != nil {
						return err
					}
					s.skipJSONSpace()
				}
				key, err := s.readJSONString()
				if err != nil {
					return err
				}
				i := c.FieldIndex(string(key))
				s.skipJSONSpace()
				if err := s.Expect(":"); err != nil {
					return err
				}
				s.skipJSONSpace()
				if i < 0 {
					if err := s.skipJSON(); err != nil {
						return err
					}
					continue
				}
				if err := fields[i](s, c.Field(i)); err != nil {
					return err
				}
			}
		}
		return jsonNull(s, c, "[")
	}
}

var errJSONUnterminated = &SyntaxError{Msg: "Cannot parse JSON string: expected closing quote"}

// readJSONString reads the JSON string at the cursor and returns its unescaped bytes: a
// sub-slice of Buf without escapes, else the scanner's buffer.
func (s *Scanner) readJSONString() ([]byte, error) {
	if s.Pos >= len(s.Buf) || s.Buf[s.Pos] != '"' {
		return nil, s.ExpectedAt(s.Pos, `"`)
	}
	start := s.Pos + 1
	rest := s.Buf[start:]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		q = len(rest)
	}
	if e := bytes.IndexByte(rest[:q], '\\'); e >= 0 {
		return s.readJSONEscaped(start, start+e)
	}
	if q == len(rest) {
		s.Pos = len(s.Buf)
		return nil, errJSONUnterminated
	}
	s.Pos = start + q + 1
	return rest[:q], nil
}

func (s *Scanner) readJSONEscaped(start, i int) ([]byte, error) {
	buf := s.Buf
	out := append(s.scratch[:0], buf[start:i]...)
	defer func() { s.scratch = out[:0] }()
	for {
		if i >= len(buf) {
			s.Pos = len(buf)
			return nil, errJSONUnterminated
		}
		switch c := buf[i]; c {
		case '"':
			s.Pos = i + 1
			s.scratch = out
			return out, nil
		case '\\':
			i++
			if i >= len(buf) {
				s.Pos = len(buf)
				return nil, errJSONUnterminated
			}
			switch e := buf[i]; e {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case '0':
				out = append(out, 0)
			case 'u':
				r, ok := hex4(buf, i+1)
				if !ok {
					return nil, s.ErrorAt(i-1, "Cannot parse escape sequence")
				}
				i += 4
				if r >= 0xD800 && r <= 0xDBFF {
					lo, ok := rune(0), i+2 < len(buf) && buf[i+1] == '\\' && buf[i+2] == 'u'
					if ok {
						lo, ok = hex4(buf, i+3)
					}
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return nil, s.ErrorAt(i-5, "Cannot parse escape sequence: bad surrogate pair")
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				}
				out = appendCodePoint(out, r)
			default:
				out = append(out, e)
			}
			i++
		default:
			j := i + 1
			for j < len(buf) && buf[j] != '"' && buf[j] != '\\' {
				j++
			}
			out = append(out, buf[i:j]...)
			i = j
		}
	}
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		d, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// appendCodePoint writes r as UTF-8, keeping a lone surrogate as its 3-byte form the way
// ClickHouse decodes "\uDC00".
func appendCodePoint(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	case r < 0x10000:
		return append(b, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	default:
		return append(b, 0xF0|byte(r>>18), 0x80|byte(r>>12)&0x3F, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
}

// skipJSON moves past one JSON value of any nesting without recursion.
func (s *Scanner) skipJSON() error {
	s.stack = s.stack[:0]
	for {
		s.skipJSONSpace()
		if s.Pos >= len(s.Buf) {
			return errJSONEOF
		}
		switch s.Buf[s.Pos] {
		case '"':
			if err := s.skipJSONString(); err != nil {
				return err
			}
		case '{':
			s.Pos++
			s.skipJSONSpace()
			if s.Skip("}") {
				break
			}
			s.stack = append(s.stack, '}')
			if err := s.skipJSONKey(); err != nil {
				return err
			}
			continue
		case '[':
			s.Pos++
			s.skipJSONSpace()
			if s.Skip("]") {
				break
			}
			s.stack = append(s.stack, ']')
			continue
		default:
			start := s.Pos
			if len(s.jsonBare()) == 0 {
				return s.ErrorAt(start, "Cannot parse JSON value: unexpected symbol")
			}
		}
		for {
			if len(s.stack) == 0 {
				return nil
			}
			s.skipJSONSpace()
			top := s.stack[len(s.stack)-1]
			if s.Pos < len(s.Buf) && s.Buf[s.Pos] == top {
				s.Pos++
				s.stack = s.stack[:len(s.stack)-1]
				continue
			}
			if err := s.Expect(","); err != nil {
				return err
			}
			if top == '}' {
				s.skipJSONSpace()
				if err := s.skipJSONKey(); err != nil {
					return err
				}
			}
			break
		}
	}
}

func (s *Scanner) skipJSONKey() error {
	if err := s.skipJSONString(); err != nil {
		return err
	}
	s.skipJSONSpace()
	return s.Expect(":")
}

func (s *Scanner) skipJSONString() error {
	if s.Pos >= len(s.Buf) || s.Buf[s.Pos] != '"' {
		return s.ExpectedAt(s.Pos, `"`)
	}
	for i := s.Pos + 1; i < len(s.Buf); i++ {
		switch s.Buf[i] {
		case '\\':
			i++
		case '"':
			s.Pos = i + 1
			return nil
		}
	}
	s.Pos = len(s.Buf)
	return errJSONUnterminated
}
