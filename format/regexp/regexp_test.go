package regexp

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

// matrixRegexp is VECTORS.md §1's format_regexp as the SQL literal carries it: \" stays
// an escaped quote, which RE2 (and Go) read as a quote.
const matrixRegexp = `\(id = (.+?), blockNo = (.+?), val1 = \"(.+?)\", val2 = (.+?), val3 = (.+?)\)`

func matrixSettings() format.Settings {
	s := format.DefaultSettings()
	s.Regexp = matrixRegexp
	s.RegexpEscapingRule = "Escaped"
	return s
}

func TestRegistered(t *testing.T) {
	f, err := format.Lookup("Regexp")
	require.NoError(t, err)
	assert.Equal(t, Format{}, f)
	cols, err := block.ParseColumns(tt.KeyValue)
	require.NoError(t, err)
	_, err = Format{}.NewEncoder(block.Schema(cols), nil)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
}

// VECTORS.md §1: Regexp with the Escaped rule (an empty message is an error).
func TestDecodeFormatMatrix(t *testing.T) {
	m1 := tt.Testdata(t, "matrix_m1.txt")
	require.Equal(t, `(id = 0, blockNo = 0, val1 = "AM", val2 = 0.5, val3 = 1)`, m1)
	tt.Matrix(t, Format{}, matrixSettings(), false, m1, tt.Testdata(t, "matrix_m2.txt"))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, tt.MatrixCols, matrixSettings())
	defer h.Release()
	_, err := h.Decode("")
	assert.ErrorContains(t, err, `Line "" doesn't match the regexp`)
}

func TestDecodeRows(t *testing.T) {
	rule := func(r, pattern string, skip bool) format.Settings {
		s := format.DefaultSettings()
		s.Regexp, s.RegexpEscapingRule, s.RegexpSkipUnmatched = pattern, r, skip
		return s
	}
	tests := []struct {
		name     string
		cols     []string
		s        format.Settings
		payloads []string
		want     [][]string
	}{
		{
			name: "Raw (default) takes groups verbatim; CRLF; optional last newline", cols: []string{"k UInt64", "v String"},
			s:        rule("Raw", `(\d+): (.*)`, false),
			payloads: []string{"1: a\\tb\r\n2: \"x\"\n", "3: "},
			want:     [][]string{{"1", "2", "3"}, {`a\tb`, `"x"`, ""}},
		},
		{
			name: "skip unmatched", cols: []string{"k UInt64"}, s: rule("Raw", `k=(\d+)`, true),
			payloads: []string{"k=1\nnoise\nk=2\n", "", "garbage"},
			want:     [][]string{{"1", "2"}},
		},
		{
			name: "Quoted rule", cols: []string{"s String", "a Array(Int8)", "n Nullable(Int8)"}, s: rule("Quoted", `(.*?);(.*?);(.*)`, false),
			payloads: []string{"'x\\'y';[1,2];NULL"},
			want:     [][]string{{"x'y"}, {"[1,2]"}, {"(null)"}},
		},
		{
			name: "CSV rule", cols: []string{"s String", "n Nullable(String)"}, s: rule("CSV", `(.*?),(.*)`, false),
			payloads: []string{`"a""b",\N`},
			want:     [][]string{{`a"b`}, {"(null)"}},
		},
		{
			name: "JSON rule", cols: []string{"s String", "m Map(String, Int8)"}, s: rule("JSON", `(.*?) (.*)`, false),
			payloads: []string{`"\u00e9" {"k":1}`},
			want:     [][]string{{"é"}, {`[{"key":"k","value":1}]`}},
		},
		{
			name: "Escaped rule, optional group, NULL", cols: []string{"s String", "n Nullable(Int32)"}, s: rule("Escaped", `(\S*)(?: (.*))?`, false),
			payloads: []string{"a\\tb \\N", "c"},
			want:     [][]string{{"a\tb", "c"}, {"(null)", "(null)"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := tt.NewHarness(t, mem, Format{}, tc.cols, tc.s)
			defer h.Release()
			assert.Equal(t, tc.want, h.Columns(tc.payloads...))
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	kv := format.DefaultSettings()
	kv.Regexp = `id: (.+?) (.+)`
	quoted := kv
	quoted.RegexpEscapingRule = "Quoted"
	tests := []struct {
		name    string
		cols    []string
		s       format.Settings
		payload string
		want    string
		row     int
		column  string
	}{
		{name: "garbage", cols: tt.KeyValue, s: kv, payload: tt.Testdata(t, "garbage_1.txt"), want: `Line "qwertyuiop" doesn't match the regexp.: (at row 1)`, row: 1},
		{name: "formats_errors", cols: tt.KeyValue, s: kv, payload: tt.Testdata(t, "formats_errors.txt"), want: `Line "Broken message" doesn't match the regexp.`, row: 1},
		{name: "bad value", cols: tt.MatrixCols, s: matrixSettings(), payload: `(id = 0, blockNo = BAD, val1 = "AM", val2 = 0.5, val3 = 1)`,
			want: `value "BAD" is not an integer: (at row 1)`, row: 1, column: "blockNo"},
		{name: "second line", cols: tt.KeyValue, s: kv, payload: "id: 1 2\nid: 3 x", want: "(at row 2)", row: 2, column: "value"},
		{name: "text after a quoted value", cols: tt.KeyValue, s: quoted, payload: "id: 1 '2'x", want: "unexpected text after the value before: 'x': (while reading the value of column value): (at row 1)", row: 1, column: "value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := tt.NewHarness(t, mem, Format{}, tc.cols, tc.s)
			defer h.Release()
			n, err := h.Decode(tc.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tc.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.row, pe.Row, "row")
			assert.Equal(t, tc.column, pe.Column, "column")
		})
	}
}

func TestNewDecoderErrors(t *testing.T) {
	cols, err := block.ParseColumns(tt.KeyValue)
	require.NoError(t, err)
	schema := block.Schema(cols)
	for _, tc := range []struct{ pattern, rule, want string }{
		{"", "Raw", "format_regexp is empty"},
		{"(", "Raw", "format_regexp"},
		{"id: (.+?)", "Raw", "doesn't match the number of columns"},
		{"(.*) (.*)", "XML", "not suitable for deserialization"},
		{"(.*) (.*)", "Bogus", "unknown escaping rule"},
	} {
		s := format.DefaultSettings()
		s.Regexp, s.RegexpEscapingRule = tc.pattern, tc.rule
		_, err := Format{}.NewDecoder(schema, &s)
		assert.ErrorContains(t, err, tc.want, tc.pattern)
	}
	_, err = Format{}.NewDecoder(schema, nil)
	assert.Error(t, err)
	s := matrixSettings()
	s.Regexp = `(.*) (.*)`
	dec, err := Format{}.NewDecoder(schema, &s)
	require.NoError(t, err)
	other, err := block.ParseColumns([]string{"a Int8"})
	require.NoError(t, err)
	err = dec.Decode(block.NewRows(other, block.Options{}), []byte("1 2"))
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*ParseError)))
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := format.DefaultSettings()
	s.Regexp = `(\d+) (\d+)`
	h := tt.NewHarness(t, mem, Format{}, tt.KeyValue, s)
	defer h.Release()
	for _, p := range tt.Garbage {
		_, err := h.Decode(p)
		require.Error(t, err, p)
	}
}

// FuzzDecode checks that no payload panics and that a failed message leaves the staged
// rows resettable, with the matrix pattern and each readable escaping rule.
func FuzzDecode(f *testing.F) {
	tt.Seeds(f)
	f.Add([]byte(`(id = 1, blockNo = 2, val1 = "a\tb", val2 = inf, val3 = 3)` + "\r\n" + `(id = -1, blockNo = '2', val1 = "'x'", val2 = "1", val3 = [1])`))
	var formats []format.Format
	var settings []format.Settings
	for _, rule := range []string{"Escaped", "Quoted", "CSV", "JSON", "Raw"} {
		s := matrixSettings()
		s.RegexpEscapingRule = rule
		settings = append(settings, s)
		formats = append(formats, Format{})
	}
	cols, err := block.ParseColumns(tt.MatrixCols)
	require.NoError(f, err)
	var decs []format.Decoder
	for i := range formats {
		dec, err := formats[i].NewDecoder(block.Schema(cols), &settings[i])
		require.NoError(f, err)
		decs = append(decs, dec)
	}
	good := []byte(`(id = 1, blockNo = 2, val1 = "x", val2 = 3, val3 = 4)`)
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, dec := range decs {
			rows := block.NewRows(cols, block.Options{NullAsDefault: true})
			if err := dec.Decode(rows, payload); err != nil {
				require.NotEmpty(t, err.Error())
				rows.Reset()
				require.NoError(t, dec.Decode(rows, good))
			}
		}
	})
}
