package block

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// slowDigits is parseDigits without the short-input fast path: the reference it must
// agree with.
func slowDigits(b []byte) (uint64, parseStatus) {
	if len(b) == 0 {
		return 0, parseSyntax
	}
	var u uint64
	st := parseOK
	for _, ch := range b {
		d := uint64(ch - '0')
		if d > 9 {
			return 0, parseSyntax
		}
		if u > (math.MaxUint64-d)/10 {
			st = parseRange
			continue
		}
		u = u*10 + d
	}
	if st != parseOK {
		return 0, st
	}
	return u, parseOK
}

func TestParseDigits(t *testing.T) {
	cases := []string{"", "0", "7", "00000000", "12345678", "123456789", "1715621234", "99999999",
		"9999999999999999999", "18446744073709551615", "18446744073709551616", "0000000000000000000001",
		"1234567/", "1234567:", "/1234567", ":1234567", "12345678 ", "1234 678", "1234\xff678", "\xfa1234567",
		"123456781234567/", "12345678123456789", "1234567812345678x", "-1", "+1", "1e5", "\x00\x00\x00\x00\x00\x00\x00\x00"}
	for i := range 10 {
		// every byte value in every position of an 8- and a 10-digit number
		for c := range 256 {
			b := []byte("1234567890")
			b[i] = byte(c)
			cases = append(cases, string(b), string(b[:8]))
		}
	}
	for _, s := range cases {
		u, st := parseDigits([]byte(s))
		wu, wst := slowDigits([]byte(s))
		assert.Equal(t, wst, st, "%q", s)
		assert.Equal(t, wu, u, "%q", s)
	}
}

func FuzzParseDigits(f *testing.F) {
	for _, s := range []string{"0", "12345678", "1715621234", "9999999999999999999", "18446744073709551616", "1234x678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, st := parseDigits([]byte(s))
		wu, wst := slowDigits([]byte(s))
		if u != wu || st != wst {
			t.Fatalf("%q: got %d, %d; want %d, %d", s, u, st, wu, wst)
		}
		if st == parseOK {
			if v, err := strconv.ParseUint(s, 10, 64); err != nil || v != u {
				t.Fatalf("%q: %d, strconv says %d, %v", s, u, v, err)
			}
		}
	})
}
