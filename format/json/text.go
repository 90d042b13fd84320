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
