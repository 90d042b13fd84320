package block

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// u256 is an unsigned 256-bit magnitude, least significant limb first. Decimal conversions
// use it instead of math/big so that they do not allocate.
type u256 [4]uint64

// mulAdd sets a = a*m + add and reports whether the result overflowed 256 bits.
func (a *u256) mulAdd(m, add uint64) bool {
	carry := add
	for i := range a {
		hi, lo := bits.Mul64(a[i], m)
		var c uint64
		a[i], c = bits.Add64(lo, carry, 0)
		carry = hi + c
	}
	return carry != 0
}

// mulPow10 sets a = a*10^n and reports overflow.
func (a *u256) mulPow10(n int) bool {
	for n > 0 {
		k := min(n, 19)
		if a.mulAdd(uint64(pow10u64[k]), 0) {
			return true
		}
		n -= k
	}
	return false
}

func (a u256) less(b u256) bool {
	for i := 3; i >= 0; i-- {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

var pow10u64 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

func pow10u256(n int) u256 {
	a := u256{1}
	a.mulPow10(n)
	return a
}

// pushDecimal stores ±m*10^shift if it fits the column's precision.
func (c *Col) pushDecimal(m u256, neg bool, shift int) bool {
	if m.mulPow10(shift) || !m.less(c.decLimit) {
		return false
	}
	if c.rep == repD128 {
		n := decimal128.New(int64(m[1]), m[0])
		if neg {
			n = n.Negate()
		}
		c.d128 = append(c.d128, n)
	} else {
		n := decimal256.New(m[3], m[2], m[1], m[0])
		if neg {
			n = n.Negate()
		}
		c.d256 = append(c.d256, n)
	}
	return true
}

// appendDecimalText parses [+-]digits[.digits][e[+-]digits], rounds it half away from zero to
// the column's scale and appends it.
func (c *Col) appendDecimalText(v []byte) error {
	i := 0
	neg := false
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		neg = v[i] == '-'
		i++
	}
	mantStart := i
	intDigits, fracDigits := 0, 0
	dot := -1
	for ; i < len(v); i++ {
		ch := v[i]
		switch {
		case ch >= '0' && ch <= '9':
			if dot < 0 {
				intDigits++
			} else {
				fracDigits++
			}
			continue
		case ch == '.' && dot < 0:
			dot = i
			continue
		}
		break
	}
	mantEnd := i
	if intDigits+fracDigits == 0 {
		return c.textErr(v, "is not a decimal number")
	}
	exp := 0
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		x, st := parseInt(v[i+1:])
		if st == parseSyntax {
			return c.textErr(v, "is not a decimal number")
		}
		if st == parseRange || x > 10000 || x < -10000 {
			return c.textErr(v, "out of range")
		}
		exp = int(x)
		i = len(v)
	}
	if i != len(v) {
		return c.textErr(v, "is not a decimal number")
	}

	// The value is D * 10^(exp - fracDigits) where D is the mantissa's digit string; the
	// stored integer is that times 10^scale.
	shift := exp - fracDigits + c.base.Scale
	// Skip leading zeros to count the significant digits of D.
	j, sig := mantStart, intDigits+fracDigits
	for j < mantEnd && (v[j] == '0' || v[j] == '.') {
		if v[j] == '0' {
			sig--
		}
		j++
	}
	keep := sig // digits of D kept; the rest are rounded off
	if shift < 0 {
		keep = sig + shift
	}
	if sig > 0 && keep+max(shift, 0) > c.base.Precision {
		return c.textErr(v, "out of range")
	}
	var m u256
	var chunk uint64
	chunkLen, taken := 0, 0
	roundUp := false
	if keep < 0 { // every digit is below half a unit of the scale: the value rounds to 0
		j = mantEnd
	}
	for ; j < mantEnd; j++ {
		ch := v[j]
		if ch == '.' {
			continue
		}
		if taken == keep {
			roundUp = ch >= '5'
			break
		}
		chunk = chunk*10 + uint64(ch-'0')
		chunkLen++
		taken++
		if chunkLen == 19 {
			m.mulAdd(pow10u64[19], chunk)
			chunk, chunkLen = 0, 0
		}
	}
	if chunkLen > 0 {
		m.mulAdd(pow10u64[chunkLen], chunk)
	}
	if roundUp {
		m.mulAdd(1, 1)
	}
	if !c.pushDecimal(m, neg && m != (u256{}), max(shift, 0)) {
		return c.textErr(v, "out of range")
	}
	c.commit()
	return nil
}
