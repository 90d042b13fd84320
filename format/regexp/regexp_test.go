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
	rule := func(r, pattern string, skip bool) *format.Settings {
		s := format.DefaultSettings()
		s.Regexp, s.RegexpEscapingRule, s.RegexpSkipUnmatched = pattern, r, skip
		return &s
	}
	tests := []tt.RowsCase{
		{
			Name: "Raw (default) takes groups verbatim; CRLF; optional last newline", Cols: []string{"k UInt64", "v String"},
			S:        rule("Raw", `(\d+): (.*)`, false),
			Payloads: []string{"1: a\\tb\r\n2: \"x\"\n", "3: "},
			Want:     [][]string{{"1", "2", "3"}, {`a\tb`, `"x"`, ""}},
		},
		{
			Name: "skip unmatched", Cols: []string{"k UInt64"}, S: rule("Raw", `k=(\d+)`, true),
			Payloads: []string{"k=1\nnoise\nk=2\n", "", "garbage"},
			Want:     [][]string{{"1", "2"}},
		},
		{
			Name: "Quoted rule", Cols: []string{"s String", "a Array(Int8)", "n Nullable(Int8)"}, S: rule("Quoted", `(.*?);(.*?);(.*)`, false),
			Payloads: []string{"'x\\'y';[1,2];NULL"},
			Want:     [][]string{{"x'y"}, {"[1,2]"}, {"(null)"}},
		},
		{
			Name: "CSV rule", Cols: []string{"s String", "n Nullable(String)"}, S: rule("CSV", `(.*?),(.*)`, false),
			Payloads: []string{`"a""b",\N`},
			Want:     [][]string{{`a"b`}, {"(null)"}},
		},
		{
			Name: "JSON rule", Cols: []string{"s String", "m Map(String, Int8)"}, S: rule("JSON", `(.*?) (.*)`, false),
			Payloads: []string{`"\u00e9" {"k":1}`},
			Want:     [][]string{{"é"}, {`[{"key":"k","value":1}]`}},
		},
		{
			Name: "Escaped rule, optional group, NULL", Cols: []string{"s String", "n Nullable(Int32)"}, S: rule("Escaped", `(\S*)(?: (.*))?`, false),
			Payloads: []string{"a\\tb \\N", "c"},
			Want:     [][]string{{"a\tb", "c"}, {"(null)", "(null)"}},
		},
	}
	tt.DecodeRows(t, Format{}, tests)
}

func TestDecodeErrors(t *testing.T) {
	kv := format.DefaultSettings()
	kv.Regexp = `id: (.+?) (.+)`
	quoted := kv
	quoted.RegexpEscapingRule = "Quoted"
	tests := []tt.ErrorCase{
		{Name: "garbage", Cols: tt.KeyValue, S: &kv, Payload: tt.Testdata(t, "garbage_1.txt"), Want: `Line "qwertyuiop" doesn't match the regexp.: (at row 1)`, Row: 1},
		{Name: "formats_errors", Cols: tt.KeyValue, S: &kv, Payload: tt.Testdata(t, "formats_errors.txt"), Want: `Line "Broken message" doesn't match the regexp.`, Row: 1},
		{Name: "bad value", Cols: tt.MatrixCols, S: new(matrixSettings()), Payload: `(id = 0, blockNo = BAD, val1 = "AM", val2 = 0.5, val3 = 1)`,
			Want: `value "BAD" is not an integer: (at row 1)`, Row: 1, Column: "blockNo"},
		{Name: "second line", Cols: tt.KeyValue, S: &kv, Payload: "id: 1 2\nid: 3 x", Want: "(at row 2)", Row: 2, Column: "value"},
		{Name: "text after a quoted value", Cols: tt.KeyValue, S: &quoted, Payload: "id: 1 '2'x", Want: "unexpected text after the value before: 'x': (while reading the value of column value): (at row 1)", Row: 1, Column: "value"},
	}
	tt.DecodeErrors(t, Format{}, tests, nil)
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
	s := format.DefaultSettings()
	s.Regexp = `(\d+) (\d+)`
	tt.GarbageIsOneError(t, s, Format{})
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
