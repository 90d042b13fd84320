package json

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format/internal/escape"
)

func TestReadString(t *testing.T) {
	tests := []struct {
		name, in, want, err string
		rest                string
	}{
		{name: "plain", in: `"abc",`, want: "abc", rest: ","},
		{name: "empty", in: `""`, want: ""},
		{name: "escapes", in: `"a\"b\\c\/d\b\f\n\r\t"x`, want: "a\"b\\c/d\b\f\n\r\t", rest: "x"},
		{name: "unicode", in: `"\u0041\u00e9\u20AC"`, want: "Aé€"},
		{name: "surrogate pair", in: `"\ud83d\ude00!"`, want: "😀!"},
		{name: "lone low surrogate", in: `"\udc00"`, want: "\xed\xb0\x80"},
		{name: "unknown escape", in: `"\q"`, want: "q"},
		{name: "raw utf8 and control", in: "\"é\x01\xff\"", want: "é\x01\xff"},
		{name: "unterminated", in: `"abc`, err: "Cannot parse JSON string: expected closing quote"},
		{name: "unterminated after escape", in: `"ab\"`, err: "expected closing quote"},
		{name: "backslash at end", in: `"ab\`, err: "expected closing quote"},
		{name: "bad hex", in: `"\u12G4"`, err: "Cannot parse escape sequence"},
		{name: "short hex", in: `"\u12"`, err: "Cannot parse escape sequence"},
		{name: "missing low surrogate", in: `"\ud83dx"`, err: "missing second part of surrogate pair"},
		{name: "bad low surrogate", in: `"\ud83d\u0041"`, err: "Incorrect surrogate pair"},
		{name: "no quote", in: `abc`, err: `Cannot parse input: expected '"' before: 'abc'`},
		{name: "no input", in: ``, err: `Cannot parse input: expected '"' at end of stream.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s scanner
			s.reset([]byte(tt.in))
			got, err := s.readString()
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, tt.rest, string(s.buf[s.pos:]))
		})
	}
}

func TestJSONStringRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\"\\/\x00\x01\x1f\n\t\xe2\x80\xa8\xa9\xff\xc3\xa9 ")
	for range 2000 {
		b := make([]byte, r.IntN(20))
		for k := range b {
			b[k] = alphabet[r.IntN(len(alphabet))]
		}
		enc := escape.AppendJSONString(nil, b)
		var s scanner
		s.reset(enc)
		got, err := s.readString()
		require.NoError(t, err, "%q", enc)
		require.Equal(t, b, got, "%q", enc)
		require.Equal(t, len(enc), s.pos)
	}
}

func TestAppendFloat(t *testing.T) {
	tests := []struct {
		f    float64
		bits int
		want string
	}{
		{0.5, 32, "0.5"},
		{float64(float32(0.1)), 32, "0.1"},
		{0.1, 64, "0.1"},
		{1e6, 64, "1000000"},
		{1e20, 64, "100000000000000000000"},
		{1e21, 64, "1e+21"},
		{1e-6, 64, "0.000001"},
		{1e-7, 64, "1e-7"},
		{-2.5e-300, 64, "-2.5e-300"},
		{0, 64, "0"},
		{math.Copysign(0, -1), 64, "-0"},
		{math.Inf(1), 64, `"inf"`},
		{math.Inf(-1), 32, `"-inf"`},
		{math.NaN(), 64, `"nan"`},
		{math.MaxFloat64, 64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, 64, "5e-324"},
		{float64(math.MaxFloat32), 32, "3.4028235e+38"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendFloat(nil, tt.f, tt.bits)), "%v", tt.f)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		got, err := strconv.ParseFloat(string(appendFloat(nil, f, 64)), 64)
		require.NoError(t, err)
		require.Equal(t, f, got)
		f32 := math.Float32frombits(r.Uint32())
		if math.IsNaN(float64(f32)) || math.IsInf(float64(f32), 0) {
			continue
		}
		got, err = strconv.ParseFloat(string(appendFloat(nil, float64(f32), 32)), 32)
		require.NoError(t, err)
		require.Equal(t, f32, float32(got))
	}
}

func TestSkipValue(t *testing.T) {
	good := []string{
		`1`, `-1.5e3`, `"x\"y"`, `true`, `null`, `nan`, `-inf`, `[]`, `{}`,
		`[1, [2, {"a": [3]}], "s"]`, `{"a": {"b": {"c": [1, 2, {}]}}, "d": null}`,
		`"\\"`, `[ "a\\\"" , 1 ]`,
	}
	for _, in := range good {
		var s scanner
		s.reset([]byte(in + ` ,rest`))
		require.NoError(t, s.skipValue(), in)
		assert.Equal(t, ` ,rest`, string(s.buf[s.pos:]), in)
	}
	bad := []string{``, `[`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `"abc`, `qwerty`,
		`{1:2}`, `1.2.3`, `}`, `[}`, `{"a":1]`}
	for _, in := range bad {
		var s scanner
		s.reset([]byte(in))
		assert.Error(t, s.skipValue(), in)
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in  string
		v   int64
		u   uint64
		big bool
		ok  bool
	}{
		{"0", 0, 0, false, true},
		{"-12", -12, 0, false, true},
		{"+7", 7, 0, false, true},
		{"9223372036854775807", math.MaxInt64, 0, false, true},
		{"-9223372036854775808", math.MinInt64, 0, false, true},
		{"9223372036854775808", 0, 1 << 63, true, true},
		{"18446744073709551615", 0, math.MaxUint64, true, true},
		{"18446744073709551616", 0, 0, false, false},
		{"-9223372036854775809", 0, 0, false, false},
		{"1e3", 0, 0, false, false},
		{"1.0", 0, 0, false, false},
		{"-", 0, 0, false, false},
		{"", 0, 0, false, false},
	}
	for _, tt := range tests {
		v, u, big, ok := parseInt([]byte(tt.in))
		assert.Equal(t, []any{tt.v, tt.u, tt.big, tt.ok}, []any{v, u, big, ok}, tt.in)
	}
}

func TestExpectedMessage(t *testing.T) {
	var s scanner
	s.reset([]byte("a\tb\n'c\\"))
	assert.Equal(t, `Cannot parse input: expected '{' before: 'a\tb\n\'c\\'`, s.expect('{').Error())
	long := make([]byte, 300)
	for k := range long {
		long[k] = 'x'
	}
	s.reset(long)
	err := s.expect('{').Error()
	assert.Len(t, err, len(`Cannot parse input: expected '{' before: ''`)+showChars)
}
