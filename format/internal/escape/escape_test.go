package escape

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
)

func TestParseRule(t *testing.T) {
	for r := Escaped; r <= Raw; r++ {
		got, err := ParseRule(r.String())
		require.NoError(t, err)
		assert.Equal(t, r, got)
		got, err = ParseRule(strings.ToLower(r.String()))
		require.NoError(t, err)
		assert.Equal(t, r, got)
		assert.Equal(t, r != XML, r.CanRead())
	}
	_, err := ParseRule("None")
	assert.Error(t, err)
	assert.Equal(t, "Rule(0)", Rule(0).String())
}

// unescape follows ClickHouse's readEscapedString / parseComplexEscapeSequence.
func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:           "plain",
		`a\tb\nc\\d`:      "a\tb\nc\\d",
		`\N`:              "",
		`x\Ny`:            "xy",
		`100\%`:           `100\%`,
		`\x41\x7a`:        "Az",
		`\'\"\/\=\` + "`": "'\"/=`",
		`\a\b\e\f\r\v\0`:  "\a\b\x1b\f\r\v\x00",
		`\q`:              `\q`,
	} {
		got, ok := unescape(nil, []byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, string(got), in)
	}
	for _, bad := range []string{`abc\`, `\x4`, `\xZZ`} {
		_, ok := unescape(nil, []byte(bad))
		assert.False(t, ok, bad)
	}
}

func TestAppendString(t *testing.T) {
	s := "a'b\"c\\d\te\nf<g&h>\x00/"
	for rule, want := range map[Rule]string{
		Escaped: `a\'b"c\\d\te\nf<g&h>\0/`,
		Quoted:  `'a\'b"c\\d\te\nf<g&h>\0/'`,
		CSV:     "\"a'b\"\"c\\d\te\nf<g&h>\x00/\"",
		JSON:    `"a'b\"c\\d\te\nf<g&h>\u0000\/"`,
		XML:     "a'b\"c\\d\te\nf&lt;g&amp;h>\x00/",
		Raw:     s,
	} {
		assert.Equal(t, want, string(AppendString(nil, rule, s)), rule.String())
		assert.Equal(t, want, string(AppendString(nil, rule, []byte(s))), rule.String())
	}
	assert.Equal(t, `a\=b\tc`, string(AppendEscaped(nil, "a=b\tc", '=')))
}

func TestAppendJSONString(t *testing.T) {
	assert.Equal(t, `"a\"b\\c\/d\b\f\n\r\t\u0001\u001F\u2028\u2029é`+"\xff\"",
		string(AppendJSONString(nil, "a\"b\\c/d\b\f\n\r\t\x01\x1f\u2028\u2029é\xff")))
	assert.Equal(t, "\"\xff\xe2\x80\"", string(AppendJSONString(nil, []byte("\xff\xe2\x80"))))
}

func TestNumberPrefix(t *testing.T) {
	for _, tc := range []struct {
		kind block.Kind
		in   string
		n    int
	}{
		{block.Int32, "12a", 2}, {block.Int32, "-", 0}, {block.Int32, "BAD", 0}, {block.UInt8, "+7x", 2}, {block.Int64, "1.5", 1},
		{block.Float64, "1.5e-3x", 6}, {block.Float64, "1e", 1}, {block.Float64, ".", 0}, {block.Decimal, "-2.50 ", 5}, {block.Float32, "", 0},
	} {
		assert.Equal(t, tc.n, numberPrefix(tc.kind, []byte(tc.in)), "%s %q", tc.kind, tc.in)
	}
}

func TestErrors(t *testing.T) {
	buf := []byte("a\tb'c\\\x01" + strings.Repeat("x", 200))
	msg := ExpectedMessage(buf, 0, "\t")
	assert.True(t, strings.HasPrefix(msg, `Cannot parse input: expected '\t' before: 'a\tb\'c\\\x01xxx`), msg)
	assert.Len(t, msg, len(`Cannot parse input: expected '\t' before: ''`)+160+6) // 160 input bytes, 6 more for their escapes
	assert.Equal(t, `Cannot parse input: expected ',' at end of stream.`, ExpectedMessage(buf, len(buf), ","))

	ve := &block.ValueError{Column: "c", Type: "UInt8", Value: `"x"`, Reason: "is not an integer"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{RowError(2, "c", ve), `block: column "c" (UInt8): value "x" is not an integer: (at row 2)`},
		{RowError(1, "c", &SyntaxError{Msg: "Cannot parse input", Err: ve}), "Cannot parse input: (at row 1)\n" + ve.Error()},
		{RowError(3, "c", &SyntaxError{Msg: "Cannot parse quoted string"}), "Cannot parse quoted string: (while reading the value of column c): (at row 3)"},
		{RowError(0, "", &SyntaxError{Msg: "header"}), "header"},
		{RowError(4, "", RowError(0, "c", errors.New("x"))), "x: (while reading the value of column c): (at row 4)"},
	} {
		assert.Equal(t, tc.want, tc.err.Error())
	}
	var pe *ParseError
	require.ErrorAs(t, RowError(1, "c", &SyntaxError{Msg: "m", Err: ve}), &pe)
	var got *block.ValueError
	assert.ErrorAs(t, pe, &got)
	assert.Equal(t, "m: "+ve.Error(), (&SyntaxError{Msg: "m", Err: ve}).Error())
}

// The Field reads every rule's forms into a column.
func TestFieldRead(t *testing.T) {
	cols, err := block.ParseColumns([]string{"n Nullable(Int32)", "s String", "a Array(String)"})
	require.NoError(t, err)
	opts := ReadOptions{NullAsDefault: true, TSVNull: `\N`, CSVNull: `\N`, CSVDoubleQuotes: true, CSVDelimiter: ','}
	for _, tc := range []struct {
		rule Rule
		in   [3]string
		want string
	}{
		{Escaped, [3]string{`\N`, `a\tb`, `['x','y']`}, "(null) a\tb [x y]"},
		{Raw, [3]string{`\N`, `a\tb`, `['x','y']`}, `(null) a\tb [x y]`},
		{Quoted, [3]string{`NULL`, `'a\'b'`, `['x','y']`}, "(null) a'b [x y]"},
		{CSV, [3]string{`\N`, `"a""b"`, `"['x','y']"`}, `(null) a"b [x y]`},
		{JSON, [3]string{`null`, `"a\"b"`, `["x","y"]`}, `(null) a"b [x y]`},
	} {
		rows := block.NewRows(cols, block.Options{NullAsDefault: true})
		var s Scanner
		for k, c := range cols {
			f, err := NewField(c.Type, tc.rule, opts)
			require.NoError(t, err)
			s.Reset([]byte(tc.in[k] + "\t"))
			require.NoError(t, f.Read(&s, rows.Col(k), "\t"), "%s %s", tc.rule, tc.in[k])
			assert.Equal(t, len(tc.in[k]), s.Pos, "%s %s", tc.rule, tc.in[k])
		}
		require.NoError(t, rows.EndRow())
		assert.Equal(t, 1, rows.Len())
	}
	_, err = NewField(cols[0].Type, XML, opts)
	assert.ErrorContains(t, err, "XML is not suitable for deserialization")
}

func TestAppendFloat(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		bits int
		want string
	}{
		{0.5, 32, "0.5"}, {1e-7, 64, "1e-7"}, {1e21, 64, "1e21"}, {1e20, 64, "100000000000000000000"}, {-1e300, 64, "-1e300"},
		{3.4028234663852886e38, 32, "3.4028235e38"}, {0, 64, "0"}, {1e-6, 64, "0.000001"}, {5e-324, 64, "5e-324"},
	} {
		assert.Equal(t, tc.want, string(AppendFloat(nil, tc.f, tc.bits, false)), "%v", tc.f)
		plus := strings.Replace(tc.want, "e", "e+", 1)
		plus = strings.Replace(plus, "e+-", "e-", 1)
		assert.Equal(t, plus, string(AppendFloat(nil, tc.f, tc.bits, true)), "%v plus", tc.f)
	}
}

func TestAppendDecimal(t *testing.T) {
	tests := []struct {
		mag   [4]uint64
		neg   bool
		scale int
		want  string
	}{
		{[4]uint64{12345}, false, 2, "123.45"},
		{[4]uint64{12345}, true, 2, "-123.45"},
		{[4]uint64{150}, false, 2, "1.5"},
		{[4]uint64{200}, false, 2, "2"},
		{[4]uint64{5}, false, 3, "0.005"},
		{[4]uint64{5}, true, 3, "-0.005"},
		{[4]uint64{0}, false, 5, "0"},
		{[4]uint64{0}, true, 5, "0"},
		{[4]uint64{7}, false, 0, "7"},
		// 2^64 = 18446744073709551616
		{[4]uint64{0, 1}, false, 0, "18446744073709551616"},
		{[4]uint64{0, 1}, false, 5, "184467440737095.51616"},
		// 10^19 exactly: one chunk of zeros below a chunk "1".
		{[4]uint64{10000000000000000000}, false, 0, "10000000000000000000"},
		{[4]uint64{0, 0, 0, 1}, false, 0, "6277101735386680763835789423207666416102355444464034512896"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendDecimal(nil, tt.mag, tt.neg, tt.scale)))
	}
}

// Decimals are bare but for the JSON rule with QuoteDecimals.
func TestDecimalWriterQuotes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dt := &arrow.Decimal128Type{Precision: 9, Scale: 1}
	b := array.NewDecimal128Builder(mem, dt)
	defer b.Release()
	b.Append(decimal128.FromI64(15))
	a := b.NewArray()
	defer a.Release()
	ty, err := block.ParseType("Decimal(9, 1)")
	require.NoError(t, err)
	for _, tc := range []struct {
		rule  Rule
		quote bool
		want  string
	}{
		{JSON, false, `1.5`}, {JSON, true, `"1.5"`}, {Quoted, true, `1.5`}, {Raw, true, `1.5`},
	} {
		w, err := NewWriter(ty, dt, tc.rule, WriteOptions{QuoteDecimals: tc.quote})
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(w(nil, a, 0)), "%s %v", tc.rule, tc.quote)
	}
}

func TestCivil(t *testing.T) {
	for days := int64(-800000); days < 800000; days += 97 {
		y, m, d := civil(days)
		ty, tm, td := time.Unix(days*86400, 0).UTC().Date()
		require.Equal(t, [3]int{ty, int(tm), td}, [3]int{int(y), m, d}, "day %d", days)
	}
	assert.Equal(t, `1970-01-01`, string(appendDate(nil, 0)))
	assert.Equal(t, `2149-06-06`, string(appendDate(nil, 65535)))
	assert.Equal(t, `1900-01-01`, string(appendDate(nil, -25567)))
}
