package escape

// Scanner is a cursor over one message payload (or, for Regexp, over one capture group).
// It never copies the payload; values that need unescaping are decoded into a buffer the
// Scanner reuses, valid until the next read.
type Scanner struct {
	// Buf is the text being read and Pos the cursor in it.
	Buf []byte
	Pos int
	// Whole makes every field extend to the end of Buf: each Regexp capture group is one
	// field, whatever it contains.
	Whole bool

	scratch []byte
	stack   []byte // closing brackets while skipping JSON values
}

// Reset points the scanner at buf, cursor at 0.
func (s *Scanner) Reset(buf []byte) {
	s.Buf = buf
	s.Pos = 0
}

// Release drops the reference to the payload (Decode must not retain it).
func (s *Scanner) Release() { s.Buf = nil }

// EOF reports whether the cursor is at the end.
func (s *Scanner) EOF() bool { return s.Pos >= len(s.Buf) }

// Peek returns the byte at the cursor, or 0 at the end.
func (s *Scanner) Peek() byte {
	if s.Pos < len(s.Buf) {
		return s.Buf[s.Pos]
	}
	return 0
}

// HasPrefix reports whether the text at the cursor starts with d.
func (s *Scanner) HasPrefix(d string) bool {
	return len(s.Buf)-s.Pos >= len(d) && string(s.Buf[s.Pos:s.Pos+len(d)]) == d
}

// Skip consumes d if the text at the cursor starts with it.
func (s *Scanner) Skip(d string) bool {
	if s.HasPrefix(d) {
		s.Pos += len(d)
		return true
	}
	return false
}

// Expect consumes d or fails with ClickHouse's "Cannot parse input: expected 'd' before:
// '...'" (or "... at end of stream.").
func (s *Scanner) Expect(d string) error {
	if s.Skip(d) {
		return nil
	}
	return s.ExpectedAt(s.Pos, d)
}

// isSpace is ClickHouse's isWhitespaceASCII.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\f': true, '\v': true}

// SkipSpaces moves past whitespace (space, \t, \n, \r, \f, \v).
func (s *Scanner) SkipSpaces() {
	for s.Pos < len(s.Buf) && isSpace[s.Buf[s.Pos]] {
		s.Pos++
	}
}

// SkipBlanks moves past spaces and tabs (CSV's insignificant whitespace).
func (s *Scanner) SkipBlanks() {
	for s.Pos < len(s.Buf) && (s.Buf[s.Pos] == ' ' || s.Buf[s.Pos] == '\t') {
		s.Pos++
	}
}

// SkipBOM moves past a UTF-8 byte order mark at the cursor.
func (s *Scanner) SkipBOM() {
	if b := s.Buf[s.Pos:]; len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		s.Pos += 3
	}
}

// ExpectedAt builds ClickHouse's assertion failure "Cannot parse input: expected 'what'
// before: '<text at pos>'", or "... at end of stream." when pos is at the end.
func (s *Scanner) ExpectedAt(pos int, what string) *SyntaxError {
	return &SyntaxError{Msg: ExpectedMessage(s.Buf, pos, what)}
}

// ErrorAt builds "<msg> before: '<text at pos>'" (or "<msg> at end of stream.").
func (s *Scanner) ErrorAt(pos int, msg string) *SyntaxError {
	return &SyntaxError{Msg: string(appendWhere([]byte(msg), s.Buf, pos))}
}

// ExpectedMessage is the text of [Scanner.ExpectedAt] for buf.
func ExpectedMessage(buf []byte, pos int, what string) string {
	b := make([]byte, 0, 64+len(what))
	b = append(b, "Cannot parse input: expected "...)
	b = AppendQuotedText(b, []byte(what))
	return string(appendWhere(b, buf, pos))
}

// showChars is ClickHouse's SHOW_CHARS_ON_SYNTAX_ERROR: how much of the input an error quotes.
const showChars = 160

func appendWhere(b, buf []byte, pos int) []byte {
	if pos >= len(buf) {
		return append(b, " at end of stream."...)
	}
	end := min(len(buf), pos+showChars)
	b = append(b, " before: "...)
	return AppendQuotedText(b, buf[pos:end])
}

const hexUpper = "0123456789ABCDEF"

// AppendQuotedText writes v in single quotes the way ClickHouse quotes input in error
// messages: control characters as \t, \n, ..., \xHH, and ' and \ escaped.
func AppendQuotedText(b, v []byte) []byte {
	b = append(b, '\'')
	for _, c := range v {
		switch c {
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		case 0:
			b = append(b, `\0`...)
		case '\\':
			b = append(b, `\\`...)
		case '\'':
			b = append(b, `\'`...)
		default:
			if c < 0x20 || c == 0x7f {
				b = append(b, `\x`...)
				b = append(b, hexUpper[c>>4], hexUpper[c&15])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '\'')
}
