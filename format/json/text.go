package json

import (
	"math"
	"unicode/utf8"

	"github.com/chkafka/chkafka/format/internal/escape"
)

// appendFloat writes the JSON of a float: its text (with a signed positive exponent,
// "1e+21"), with the non-finite values as the strings "inf", "-inf" and "nan"
// (ClickHouse's output_format_json_quote_denormals spelling), which the decoder reads back.
func appendFloat(dst []byte, f float64, bitSize int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		dst = append(dst, '"')
		dst = escape.AppendFloat(dst, f, bitSize, true)
		return append(dst, '"')
	}
	return escape.AppendFloat(dst, f, bitSize, true)
}

// appendFloatText writes the text of a float in the *Strings* formats and in literals:
// inf, -inf and nan bare, a positive exponent signed as in JSON.
func appendFloatText(dst []byte, f float64, bitSize int) []byte {
	return escape.AppendFloat(dst, f, bitSize, true)
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
