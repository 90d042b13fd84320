package json

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"

	"github.com/chkafka/chkafka/format/internal/escape"
)

// isSpace is ClickHouse's isWhitespaceASCII: the bytes skipped between JSON tokens.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\f': true, '\v': true}

// isBare marks the bytes of an unquoted token: numbers (with sign, fraction and exponent),
// true, false, null, and the inf/nan words ClickHouse accepts for floats.
var isBare = func() (t [256]bool) {
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

// showChars is ClickHouse's SHOW_CHARS_ON_SYNTAX_ERROR: how much of the input an error quotes.
const showChars = 160

// scanner is a cursor over one message payload. It never copies the payload; strings with
// escapes are unescaped into scratch.
type scanner struct {
	buf     []byte
	pos     int
	scratch []byte // the last string that had escapes, valid until the next readString
	stack   []byte // closing brackets of the containers skipValue is inside
}

func (s *scanner) reset(buf []byte) {
	s.buf = buf
	s.pos = 0
}

// skipSpace moves past whitespace. The check for no whitespace at all, the common case
// between the tokens of compact JSON, is small enough to be inlined; every whitespace
// byte is at most ' '.
func (s *scanner) skipSpace() {
	if s.pos < len(s.buf) && s.buf[s.pos] > ' ' {
		return
	}
	s.skipSpaceSlow()
}

func (s *scanner) skipSpaceSlow() {
	for s.pos < len(s.buf) && isSpace[s.buf[s.pos]] {
		s.pos++
	}
}

// skip consumes c if it is the next byte (whitespace is not skipped).
func (s *scanner) skip(c byte) bool {
	if s.pos < len(s.buf) && s.buf[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// expect consumes c or fails with ClickHouse's assertion message.
func (s *scanner) expect(c byte) error {
	if s.skip(c) {
		return nil
	}
	return s.expectedAt(s.pos, string(rune(c)))
}

// syntaxError is a problem with the JSON text itself, optionally caused by a conversion error.
type syntaxError struct {
	msg   string
	cause error
}

func (e *syntaxError) Error() string {
	if e.cause == nil {
		return e.msg
	}
	return e.msg + ": " + e.cause.Error()
}

func (e *syntaxError) Unwrap() error { return e.cause }

// expectedAt is ClickHouse's throwAtAssertionFailed: "Cannot parse input: expected 'X' before:
// '<input at pos>'" or "... at end of stream.".
func (s *scanner) expectedAt(pos int, what string) error {
	b := make([]byte, 0, 64)
	b = append(b, "Cannot parse input: expected "...)
	b = escape.AppendQuotedText(b, []byte(what))
	b = s.appendWhere(b, pos)
	return &syntaxError{msg: string(b)}
}

// errorAt builds "<msg> before: '<input at pos>'" (or "at end of stream.").
func (s *scanner) errorAt(pos int, msg string) error {
	return &syntaxError{msg: string(s.appendWhere([]byte(msg), pos))}
}

func (s *scanner) appendWhere(b []byte, pos int) []byte {
	if pos >= len(s.buf) {
		return append(b, " at end of stream."...)
	}
	end := min(len(s.buf), pos+showChars)
	b = append(b, " before: "...)
	return escape.AppendQuotedText(b, s.buf[pos:end])
}

var errUnterminatedString = &syntaxError{msg: "Cannot parse JSON string: expected closing quote"}

// readString reads the JSON string starting at s.pos and returns its unescaped bytes: a
// sub-slice of the payload when the string has no escapes, else s.scratch, which the next
// readString overwrites.
func (s *scanner) readString() ([]byte, error) {
	buf, pos := s.buf, s.pos
	if pos >= len(buf) || buf[pos] != '"' {
		return nil, s.expectedAt(pos, `"`)
	}
	start := pos + 1
	// The first word inline: it holds the whole of most values (empty strings, short
	// names).
	var i int
	if start+8 <= len(buf) {
		if m := specials(binary.LittleEndian.Uint64(buf[start:])); m != 0 {
			i = start + bits.TrailingZeros64(m)/8
		} else {
			i = stringEnd(buf, start+8)
		}
	} else {
		i = stringEnd(buf, start)
	}
	if i >= len(buf) {
		s.pos = len(buf)
		return nil, errUnterminatedString
	}
	if buf[i] == '\\' {
		return s.readEscaped(start, i)
	}
	s.pos = i + 1
	return buf[start:i], nil
}

// Word-at-a-time constants: a byte of ones, and the high bit of every byte.
const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// specials marks the bytes of the little-endian word w that are '"' or '\\' (a byte is one
// of them when w XORed with that byte repeated has a zero byte there): the lowest marked
// byte has its high bit set; higher ones may be marked spuriously (by the borrow of
// x - ones), lower ones never are.
func specials(w uint64) uint64 {
	q := w ^ ('"' * swarOnes)
	e := w ^ ('\\' * swarOnes)
	return ((q-swarOnes)&^q | (e-swarOnes)&^e) & swarHigh
}

// stringEnd returns the index of the first '"' or '\\' in b from i on, or len(b) if there
// is none: where the text of a JSON string stops being plain. Most strings are short, so
// it tests eight bytes at a time inline instead of calling bytes.IndexByte twice; past
// swarBytes it hands the rest to IndexByte, which is faster on long runs.
func stringEnd(b []byte, i int) int {
	const swarBytes = 64
	if i >= len(b) {
		return len(b)
	}
	w := b[i:min(len(b), i+swarBytes)]
	k := 0
	for ; k < len(w)-7; k += 8 {
		if m := specials(binary.LittleEndian.Uint64(w[k:])); m != 0 {
			return i + k + bits.TrailingZeros64(m)/8
		}
	}
	if k == swarBytes {
		return i + k + stringEndLong(b[i+k:])
	}
	for ; k < len(w); k++ {
		if c := w[k]; c == '"' || c == '\\' {
			return i + k
		}
	}
	return len(b)
}

// stringEndLong is stringEnd with bytes.IndexByte.
func stringEndLong(b []byte) int {
	q := bytes.IndexByte(b, '"')
	if q < 0 {
		q = len(b)
	}
	if e := bytes.IndexByte(b[:q], '\\'); e >= 0 {
		return e
	}
	return q
}

// readEscaped continues readString from the first backslash at i.
func (s *scanner) readEscaped(start, i int) ([]byte, error) {
	// Every return leaves s.scratch = out[:0], keeping the grown buffer for the next
	// string (no deferred closure: out stays in registers).
	buf := s.buf
	out := append(s.scratch[:0], buf[start:i]...)
	for {
		// buf[i] is a backslash.
		i++
		if i >= len(buf) {
			s.pos = len(buf)
			s.scratch = out[:0]
			return nil, errUnterminatedString
		}
		if e := buf[i]; e == '/' {
			// ClickHouse's escape of '/' (every "owner\/repo"), ahead of the switch.
			out = append(out, '/')
		} else {
			switch e {
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
					s.scratch = out[:0]
					return nil, s.errorAt(i-1, "Cannot parse escape sequence")
				}
				i += 4
				if r >= 0xD800 && r <= 0xDBFF {
					lo, ok := rune(0), i+2 < len(buf) && buf[i+1] == '\\' && buf[i+2] == 'u'
					if ok {
						lo, ok = hex4(buf, i+3)
					}
					if !ok {
						s.scratch = out[:0]
						return nil, s.errorAt(i-5, "Cannot parse escape sequence: missing second part of surrogate pair")
					}
					if lo < 0xDC00 || lo > 0xDFFF {
						s.scratch = out[:0]
						return nil, s.errorAt(i-5, "Incorrect surrogate pair of unicode escape sequences in JSON")
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				}
				out = appendCodePoint(out, r)
			default:
				// '"', '\\' and, as ClickHouse does, any other escaped byte stand for themselves.
				out = append(out, e)
			}
		}
		// The plain bytes up to the next quote or backslash.
		j := stringEnd(buf, i+1)
		out = append(out, buf[i+1:j]...)
		i = j
		if i >= len(buf) {
			s.pos = len(buf)
			s.scratch = out[:0]
			return nil, errUnterminatedString
		}
		if buf[i] == '"' {
			s.pos = i + 1
			s.scratch = out[:0]
			return out, nil
		}
	}
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// appendCodePoint writes r as UTF-8. Unlike utf8.AppendRune it keeps a lone surrogate as
// its 3-byte form, the way ClickHouse decodes "\uDC00".
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

// token kinds of an unquoted value.
const (
	tokNone   = iota // no bare token at the cursor
	tokNumber        // starts like a number: digit, sign or dot
	tokTrue
	tokFalse
	tokNull
	tokWord // any other word (inf, nan, garbage)
)

// readBare reads an unquoted token and classifies it.
func (s *scanner) readBare() ([]byte, int) {
	start := s.pos
	i := start
	for i < len(s.buf) && isBare[s.buf[i]] {
		i++
	}
	s.pos = i
	tok := s.buf[start:i]
	if len(tok) == 0 {
		return tok, tokNone
	}
	switch c := tok[0]; {
	case c >= '0' && c <= '9' || c == '.':
		return tok, tokNumber
	case c == '-' || c == '+':
		if len(tok) > 1 && (tok[1] >= '0' && tok[1] <= '9' || tok[1] == '.') {
			return tok, tokNumber
		}
	case string(tok) == "true":
		return tok, tokTrue
	case string(tok) == "false":
		return tok, tokFalse
	case string(tok) == "null":
		return tok, tokNull
	}
	return tok, tokWord
}

// isFloatWord reports whether w is one of the non-finite spellings ClickHouse reads as a float.
func isFloatWord(w []byte) bool {
	if len(w) > 0 && (w[0] == '-' || w[0] == '+') {
		w = w[1:]
	}
	switch len(w) {
	case 3:
		return asciiEqualFold(w, "inf") || asciiEqualFold(w, "nan")
	case 8:
		return asciiEqualFold(w, "infinity")
	}
	return false
}

func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if c|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// parseInt parses a plain decimal integer ('-'? digits). ok is false for anything else,
// including overflow of both int64 and uint64; big reports a value above MaxInt64.
func parseInt(b []byte) (v int64, u uint64, big, ok bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 20 {
		return 0, 0, false, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, 0, false, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, 0, false, false
		}
		n = n*10 + d
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), 0, false, true
	case neg:
		return 0, 0, false, false
	case n > 1<<63-1:
		return 0, n, true, true
	}
	return int64(n), 0, false, true
}

// skipValue moves past one JSON value of any nesting without recursion.
func (s *scanner) skipValue() error {
	s.stack = s.stack[:0]
	for {
		// A value starts here.
		s.skipSpace()
		if s.pos >= len(s.buf) {
			return s.errorAt(s.pos, "Cannot parse JSON value: unexpected end of stream")
		}
		switch s.buf[s.pos] {
		case '"':
			if _, err := s.skipString(); err != nil {
				return err
			}
		case '{':
			s.pos++
			s.skipSpace()
			if s.skip('}') {
				break
			}
			s.stack = append(s.stack, '}')
			if err := s.skipKey(); err != nil {
				return err
			}
			continue
		case '[':
			s.pos++
			s.skipSpace()
			if s.skip(']') {
				break
			}
			s.stack = append(s.stack, ']')
			continue
		default:
			start := s.pos
			tok, kind := s.readBare()
			if kind == tokNone || kind == tokWord && !isFloatWord(tok) {
				return s.errorAt(start, "Cannot parse JSON value: unexpected symbol")
			}
			if kind == tokNumber {
				if _, err := strconv.ParseFloat(string(tok), 64); err != nil && !isNumberRangeErr(err) {
					return s.errorAt(start, "Cannot parse JSON value: bad number")
				}
			}
		}
		// A value ended: close containers or move to the next element.
		for {
			if len(s.stack) == 0 {
				return nil
			}
			s.skipSpace()
			top := s.stack[len(s.stack)-1]
			if s.skip(top) {
				s.stack = s.stack[:len(s.stack)-1]
				continue
			}
			if err := s.expect(','); err != nil {
				return err
			}
			if top == '}' {
				s.skipSpace()
				if err := s.skipKey(); err != nil {
					return err
				}
			}
			break
		}
	}
}

func isNumberRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// skipKey moves past `"key" :` of an object member.
func (s *scanner) skipKey() error {
	if _, err := s.skipString(); err != nil {
		return err
	}
	s.skipSpace()
	return s.expect(':')
}

// skipString moves past a string without unescaping it and reports where its text starts.
func (s *scanner) skipString() (int, error) {
	if s.pos >= len(s.buf) || s.buf[s.pos] != '"' {
		return 0, s.expectedAt(s.pos, `"`)
	}
	start := s.pos + 1
	i := start
	for {
		q := bytes.IndexByte(s.buf[i:], '"')
		if q < 0 {
			s.pos = len(s.buf)
			return 0, errUnterminatedString
		}
		i += q
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for j := i - 1; j >= start && s.buf[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			s.pos = i + 1
			return start, nil
		}
		i++
	}
}

var errOpeningQuote = &syntaxError{msg: "Cannot parse JSON string: expected opening quote"}

// readJSONString is ClickHouse's readJSONString, used where a value must be a JSON string
// (header rows, the values of the *Strings* formats): anything but '"' fails with "Cannot
// parse JSON string: expected opening quote". The result is valid until the next read.
func (s *scanner) readJSONString() ([]byte, error) {
	if s.pos >= len(s.buf) || s.buf[s.pos] != '"' {
		return nil, errOpeningQuote
	}
	return s.readString()
}

// skipBOM moves past a UTF-8 byte order mark at the cursor.
func (s *scanner) skipBOM() {
	if bytes.HasPrefix(s.buf[s.pos:], []byte("\xEF\xBB\xBF")) {
		s.pos += 3
	}
}

// expectSpaced is ClickHouse's JSONUtils skip* helpers: whitespace, c, whitespace.
func (s *scanner) expectSpaced(c byte) error {
	s.skipSpace()
	if err := s.expect(c); err != nil {
		return err
	}
	s.skipSpace()
	return nil
}

// skipSpaced is the checkAndSkip* counterpart of expectSpaced: it reports whether c was
// there (whitespace before it is skipped either way).
func (s *scanner) skipSpaced(c byte) bool {
	s.skipSpace()
	if !s.skip(c) {
		return false
	}
	s.skipSpace()
	return true
}

// atEOF reports whether only whitespace is left.
func (s *scanner) atEOF() bool {
	s.skipSpace()
	return s.pos >= len(s.buf)
}

// expectEOF fails unless only whitespace is left (ClickHouse's assertEOF).
func (s *scanner) expectEOF() error {
	if s.atEOF() {
		return nil
	}
	return s.expectedAt(s.pos, "eof")
}

// readFieldName reads `"name" :` (ClickHouse's JSONUtils::readFieldName).
func (s *scanner) readFieldName() ([]byte, error) {
	s.skipSpace()
	name, err := s.readJSONString()
	if err != nil {
		return nil, err
	}
	if err := s.expectSpaced(':'); err != nil {
		return nil, err
	}
	return name, nil
}
