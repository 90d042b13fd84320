package json

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Thresholds between fixed and exponent notation, as ClickHouse writes floats: a shortest
// representation whose decimal exponent is in [-6, 21) is written without exponent.
var (
	fixedLow64, fixedHigh64 = 1e-6, 1e21
	fixedLow32, fixedHigh32 = float64(float32(1e-6)), float64(float32(1e21))
)

// appendFloat writes the JSON of a float: its text, with the non-finite values as the
// strings "inf", "-inf" and "nan" (ClickHouse's output_format_json_quote_denormals
// spelling), which the decoder reads back.
func appendFloat(dst []byte, f float64, bitSize int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		dst = append(dst, '"')
		dst = appendFloatText(dst, f, bitSize)
		return append(dst, '"')
	}
	return appendFloatText(dst, f, bitSize)
}

// appendFloatText writes the shortest representation of f that reads back as the same
// float of the given bit size, as ClickHouse's text formats do: inf, -inf and nan for the
// non-finite values.
func appendFloatText(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	low, high := fixedLow64, fixedHigh64
	if bitSize == 32 {
		low, high = fixedLow32, fixedHigh32
	}
	if a := math.Abs(f); a == 0 || a >= low && a < high {
		return strconv.AppendFloat(dst, f, 'f', -1, bitSize)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'e', -1, bitSize)
	// Go pads the exponent to two digits ("1e-07"); drop the padding.
	for k := len(dst) - 1; k > start; k-- {
		if dst[k] == 'e' {
			if k+3 < len(dst) && dst[k+2] == '0' {
				copy(dst[k+2:], dst[k+3:])
				dst = dst[:len(dst)-1]
			}
			break
		}
	}
	return dst
}

// needsEscape marks the bytes ClickHouse's writeJSONString escapes (with
// output_format_json_escape_forward_slashes on, its default), plus 0xE2, the lead byte of
// U+2028 and U+2029.
var needsEscape = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'], t['/'], t[0xE2] = true, true, true, true
	return t
}()

// appendJSONString writes s as a JSON string the way ClickHouse does: bytes that are not
// valid UTF-8 pass through unchanged.
func appendJSONString[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !needsEscape[c] {
			continue
		}
		var esc string
		skip := 1
		switch c {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '/':
			esc = `\/`
		case '\b':
			esc = `\b`
		case '\f':
			esc = `\f`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case '\t':
			esc = `\t`
		case 0xE2:
			// U+2028 and U+2029 are line separators to JavaScript.
			if i+2 >= len(s) || s[i+1] != 0x80 || s[i+2] != 0xA8 && s[i+2] != 0xA9 {
				continue
			}
			esc = `\u2028`
			if s[i+2] == 0xA9 {
				esc = `\u2029`
			}
			skip = 3
		}
		dst = append(dst, s[start:i]...)
		if esc != "" {
			dst = append(dst, esc...)
		} else {
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		i += skip - 1
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendQuotedText writes s in single quotes with ClickHouse's escaping of quoted strings
// (writeQuotedString): \b \f \n \r \t \0 \\ and \' are escaped, other bytes pass through.
func appendQuotedText[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '\'')
	start := 0
	for i := 0; i < len(s); i++ {
		var e byte
		switch s[i] {
		case '\b':
			e = 'b'
		case '\f':
			e = 'f'
		case '\n':
			e = 'n'
		case '\r':
			e = 'r'
		case '\t':
			e = 't'
		case 0:
			e = '0'
		case '\\':
			e = '\\'
		case '\'':
			e = '\''
		default:
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '\\', e)
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '\'')
}

// appendValidUTF8 appends src to dst with every invalid UTF-8 sequence replaced by U+FFFD,
// consecutive replacements collapsed into one, as ClickHouse's WriteBufferValidUTF8 does
// for the JSON and JSONCompact formats.
func appendValidUTF8(dst, src []byte) []byte {
	replaced := false
	for len(src) > 0 {
		r, n := utf8.DecodeRune(src)
		if r == utf8.RuneError && n <= 1 {
			if !replaced {
				dst = append(dst, "\uFFFD"...)
				replaced = true
			}
			src = src[1:]
			continue
		}
		dst = append(dst, src[:n]...)
		src = src[n:]
		replaced = false
	}
	return dst
}
