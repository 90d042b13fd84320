package escape

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/chkafka/chkafka/format/internal/arrowval"
)

// civil converts days since 1970-01-01 to a proleptic Gregorian date (Hinnant's algorithm).
func civil(days int64) (y int64, m, d int) {
	z := days + 719468
	era := arrowval.FloorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendDate writes "YYYY-MM-DD" for days since 1970-01-01.
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civil(days)
	return appendYMD(dst, int(y), m, d)
}

func appendYMD(dst []byte, y, m, d int) []byte {
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	dst = appendPadded(dst, uint64(y), 4)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendPadded writes v in decimal with at least n digits.
func appendPadded(dst []byte, v uint64, n int) []byte {
	var buf [20]byte
	i := len(buf)
	for v > 0 || n > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		n--
	}
	return append(dst, buf[i:]...)
}

const hexLower = "0123456789abcdef"

// appendUUID writes the canonical 36-character form of the 16 bytes b.
func appendUUID(dst []byte, b []byte) []byte {
	for k, c := range b {
		if k == 4 || k == 6 || k == 8 || k == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexLower[c>>4], hexLower[c&15])
	}
	return dst
}

// Thresholds between fixed and exponent notation, as ClickHouse writes floats: a shortest
// representation whose decimal exponent is in [-6, 21) is written without exponent.
var (
	fixedLow64, fixedHigh64 = 1e-6, 1e21
	fixedLow32, fixedHigh32 = float64(float32(1e-6)), float64(float32(1e21))
)

// AppendFloat writes the shortest text of f that reads back as the same float of the given
// bit size, as ClickHouse's text formats do: without exponent when the decimal exponent is
// in [-6, 21), else with an exponent of as few digits as it needs ("1e-7"); inf, -inf and
// nan for the non-finite values. A positive exponent is written without its sign ("1e21"),
// or with it ("1e+21", the JSON formats' spelling) when plus is set.
func AppendFloat(dst []byte, f float64, bitSize int, plus bool) []byte {
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
	// Go writes "1e-07" and "1e+21"; ClickHouse writes "1e-7" and "1e21".
	for k := len(dst) - 1; k > start; k-- {
		if dst[k] == 'e' {
			if k+3 < len(dst) && dst[k+2] == '0' {
				copy(dst[k+2:], dst[k+3:])
				dst = dst[:len(dst)-1]
			}
			if dst[k+1] == '+' && !plus {
				copy(dst[k+1:], dst[k+2:])
				dst = dst[:len(dst)-1]
			}
			break
		}
	}
	return dst
}

// appendDecimal writes a decimal of magnitude mag (little-endian 64-bit limbs) and scale as
// ClickHouse does by default: no trailing fractional zeros (output_format_decimal_trailing_zeros = 0).
func appendDecimal(dst []byte, mag [4]uint64, neg bool, scale int) []byte {
	var buf [80]byte
	i := len(buf)
	n := len(mag)
	for n > 0 && mag[n-1] == 0 {
		n--
	}
	for n > 0 {
		var rem uint64
		for k := n - 1; k >= 0; k-- {
			mag[k], rem = bits.Div64(rem, mag[k], 1e19)
		}
		for n > 0 && mag[n-1] == 0 {
			n--
		}
		for d := 0; d < 19 && (n > 0 || rem > 0); d++ {
			i--
			buf[i] = byte('0' + rem%10)
			rem /= 10
		}
	}
	digits := buf[i:]
	if neg && len(digits) > 0 {
		dst = append(dst, '-')
	}
	intLen := len(digits) - scale
	if intLen > 0 {
		dst = append(dst, digits[:intLen]...)
	} else {
		dst = append(dst, '0')
	}
	frac := digits[max(intLen, 0):]
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > 0 {
		dst = append(dst, '.')
		for k := intLen; k < 0; k++ {
			dst = append(dst, '0')
		}
		dst = append(dst, frac...)
	}
	return dst
}
