package json

import (
	"bytes"
	"testing"
)

// FuzzReadString compares readString on arbitrary input with refReadEscaped, the
// straightforward unescaper, and with a byte-at-a-time string end: the same bytes, error,
// position after the string and scratch buffer.
func FuzzReadString(f *testing.F) {
	for _, s := range []string{`"a\/b"`, `"\/"`, `"x\\"`, `"\"\\\/\b\f\n\r\t\0\q"`, `"\u0041\u00e9\u20ac"`,
		`"\ud83d\ude00!"`, `"\udc00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\u12G4"`, `"\u12"`, `"ab\`, `"ab\/`,
		`"` + string(bytes.Repeat([]byte("abcdefgh\\/"), 20)) + `"`, `"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\/x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var s, r scanner
		s.reset(in)
		r.reset(in)
		got, err := s.readString()
		want, werr := r.refReadString()
		if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("%q: error %v, want %v", in, err, werr)
		}
		if !bytes.Equal(got, want) || (got == nil) != (want == nil) || s.pos != r.pos {
			t.Fatalf("%q: %q at %d, want %q at %d", in, got, s.pos, want, r.pos)
		}
		if len(s.scratch) != len(r.scratch) || cap(s.scratch) != cap(r.scratch) {
			t.Fatalf("%q: scratch %d/%d, want %d/%d", in, len(s.scratch), cap(s.scratch), len(r.scratch), cap(r.scratch))
		}
	})
}

// refReadString is readString with refStringEnd and refReadEscaped.
func (s *scanner) refReadString() ([]byte, error) {
	buf, pos := s.buf, s.pos
	if pos >= len(buf) || buf[pos] != '"' {
		return nil, s.expectedAt(pos, `"`)
	}
	start := pos + 1
	i := refStringEnd(buf, start)
	if i >= len(buf) {
		s.pos = len(buf)
		return nil, errUnterminatedString
	}
	if buf[i] == '\\' {
		return s.refReadEscaped(start, i)
	}
	s.pos = i + 1
	return buf[start:i], nil
}

func refStringEnd(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' {
			return i
		}
	}
	return len(b)
}

// refReadEscaped is readEscaped as it was before it lost its deferred closure and took
// the plain bytes after an escape at once: the reference of FuzzReadString.
func (s *scanner) refReadEscaped(start, i int) ([]byte, error) {
	buf := s.buf
	out := append(s.scratch[:0], buf[start:i]...)
	defer func() { s.scratch = out[:0] }()
	for {
		if i >= len(buf) {
			s.pos = len(buf)
			return nil, errUnterminatedString
		}
		switch c := buf[i]; c {
		case '"':
			s.pos = i + 1
			s.scratch = out
			return out, nil
		case '\\':
			i++
			if i >= len(buf) {
				s.pos = len(buf)
				return nil, errUnterminatedString
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
					return nil, s.errorAt(i-1, "Cannot parse escape sequence")
				}
				i += 4
				if r >= 0xD800 && r <= 0xDBFF {
					lo, ok := rune(0), i+2 < len(buf) && buf[i+1] == '\\' && buf[i+2] == 'u'
					if ok {
						lo, ok = hex4(buf, i+3)
					}
					if !ok {
						return nil, s.errorAt(i-5, "Cannot parse escape sequence: missing second part of surrogate pair")
					}
					if lo < 0xDC00 || lo > 0xDFFF {
						return nil, s.errorAt(i-5, "Incorrect surrogate pair of unicode escape sequences in JSON")
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				}
				out = appendCodePoint(out, r)
			default:
				// '"', '\\', '/' and, as ClickHouse does, any other escaped byte stand for themselves.
				out = append(out, e)
			}
			i++
		default:
			j := refStringEnd(buf, i+1)
			out = append(out, buf[i:j]...)
			i = j
		}
	}
}
