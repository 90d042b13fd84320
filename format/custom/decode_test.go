package custom

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

func defaults() format.Settings { return format.DefaultSettings() }

// prefixed are the settings of VECTORS.md §6.3.
func prefixed() format.Settings {
	s := defaults()
	s.CustomResultBeforeDelimiter = "<prefix>\n"
	s.CustomResultAfterDelimiter = "<suffix>\n"
	return s
}

func TestRegistered(t *testing.T) {
	for name, want := range map[string]Format{
		"CustomSeparated":                              {},
		"CustomSeparatedWithNames":                     {WithNames: true},
		"CustomSeparatedWithNamesAndTypes":             {WithNames: true, WithTypes: true},
		"CustomSeparatedIgnoreSpaces":                  {IgnoreSpaces: true},
		"CustomSeparatedIgnoreSpacesWithNames":         {IgnoreSpaces: true, WithNames: true},
		"CustomSeparatedIgnoreSpacesWithNamesAndTypes": {IgnoreSpaces: true, WithNames: true, WithTypes: true},
	} {
		f, err := format.Lookup(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, f, name)
		assert.Equal(t, name, want.Name())
	}
	cols, err := block.ParseColumns(tt.KeyValue)
	require.NoError(t, err)
	_, err = Format{IgnoreSpaces: true}.NewEncoder(block.Schema(cols), nil)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
}

// VECTORS.md §1: CustomSeparated with the defaults reads the TSV bytes.
func TestDecodeFormatMatrix(t *testing.T) {
	m1, m2 := tt.Testdata(t, "matrix_m1.txt"), tt.Testdata(t, "matrix_m2.txt")
	tt.Matrix(t, Format{}, defaults(), true, m1, m2)
}

// VECTORS.md §6.3: prefix and suffix around every message; kafka_max_rows_per_message.
func TestPrefixSuffix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, tt.KeyValue, prefixed())
	defer h.Release()
	rec0 := func() [][]string {
		return h.Columns(tt.Testdata(t, "max_rows_1.txt"), tt.Testdata(t, "max_rows_2.txt"))
	}
	assert.Equal(t, [][]string{{"0", "10", "20", "30", "40"}, {"0", "100", "200", "300", "400"}}, rec0())
	assert.Equal(t, [][]string{{"0", "10"}, {"0", "100"}}, h.Columns(tt.Testdata(t, "prefix_suffix_1.txt"), tt.Testdata(t, "prefix_suffix_2.txt")))

	enc, err := Format{}.NewEncoder(block.Schema(h.Cols), &[]format.Settings{prefixed()}[0])
	require.NoError(t, err)
	h.MustDecode(tt.Testdata(t, "max_rows_1.txt"), tt.Testdata(t, "max_rows_2.txt"))
	rec := h.Record()
	defer rec.Release()
	var msgs []string
	for _, g := range [][2]int{{0, 3}, {3, 5}} {
		out, err := enc.Append(nil, rec, g[0], g[1])
		require.NoError(t, err)
		msgs = append(msgs, string(out))
	}
	assert.Equal(t, []string{tt.Testdata(t, "max_rows_1.txt"), tt.Testdata(t, "max_rows_2.txt")}, msgs)
	var one []string
	for r := range 2 {
		out, err := enc.Append(nil, rec, r, r+1)
		require.NoError(t, err)
		one = append(one, string(out))
	}
	assert.Equal(t, []string{tt.Testdata(t, "prefix_suffix_1.txt"), tt.Testdata(t, "prefix_suffix_2.txt")}, one)
}

func TestDecodeRows(t *testing.T) {
	rules := func(rule, field, before, after, between string) *format.Settings {
		s := defaults()
		s.CustomEscapingRule = rule
		s.CustomFieldDelimiter = field
		s.CustomRowBeforeDelimiter = before
		s.CustomRowAfterDelimiter = after
		s.CustomRowBetweenDelimiter = between
		return &s
	}
	tests := []struct {
		name     string
		f        Format
		cols     []string
		settings *format.Settings
		payloads []string
		want     [][]string
	}{
		{
			name: "Quoted rule, brackets", cols: []string{"a Int32", "s String", "arr Array(String)", "n Nullable(Int8)"},
			settings: rules("Quoted", ", ", "(", ")", ";\n"),
			payloads: []string{"(1, 'x\\'y', ['a','b'], NULL);\n(2, 'z', [], 5)"},
			want:     [][]string{{"1", "2"}, {"x'y", "z"}, {`["a","b"]`, "[]"}, {"(null)", "5"}},
		},
		{
			name: "CSV rule with a multi-byte delimiter", cols: []string{"a String", "b Int32", "c String"},
			settings: rules("CSV", "||", "", "\n", ""),
			payloads: []string{"a|b||2||\"c||d\"\nx||3||y\n"},
			want:     [][]string{{"a|b", "x"}, {"2", "3"}, {"c||d", "y"}},
		},
		{
			name: "JSON rule", cols: []string{"a Int64", "s String", "m Map(String, Array(Nullable(Int8)))", "t Tuple(x Int8, y String)", "n Nullable(String)"},
			settings: rules("JSON", ",", "{", "}\n", ""),
			payloads: []string{`{"1","\u00e9\n",{"k":[1,null]},{"y":"z","x":2},null}` + "\n" + `{2,"a",{},[3,"w"],"v"}`},
			want: [][]string{{"1", "2"}, {"é\n", "a"}, {`[{"key":"k","value":[1,null]}]`, "[]"},
				{`{"x":2,"y":"z"}`, `{"x":3,"y":"w"}`}, {"(null)", "v"}},
		},
		{
			name: "Escaped rule, numbers stop at the delimiter, strings at tabs", cols: []string{"a Int32", "s String"},
			settings: rules("Escaped", ";", "", "\n", ""),
			payloads: []string{"1;x;y\n"},
			want:     [][]string{{"1"}, {"x;y"}},
		},
		{
			name: "Raw rule", cols: []string{"s String", "t String"},
			settings: rules("Raw", "\t", "", "\n", ""),
			payloads: []string{"a\\tb\tc\n"},
			want:     [][]string{{`a\tb`}, {"c"}},
		},
		{
			name: "ignore spaces", f: Format{IgnoreSpaces: true}, cols: []string{"a Int32", "s String"},
			settings: rules("Quoted", ",", "[", "]", ";"),
			payloads: []string{" [ 1 , 'x' ] ;\n [2,'y'] \n"},
			want:     [][]string{{"1", "2"}, {"x", "y"}},
		},
		{
			name: "names and types rows with row-between", f: Format{WithNames: true, WithTypes: true}, cols: []string{"a Int32", "s String"},
			settings: rules("Quoted", ",", "", "", "\n"),
			payloads: []string{"'s','a'\n'String','Int32'\n'x',1\n'y',2"},
			want:     [][]string{{"1", "2"}, {"x", "y"}},
		},
		{
			name: "one newline after the last row", cols: tt.KeyValue,
			payloads: []string{"1\t2\n\n", "3\t4"},
			want:     [][]string{{"1", "3"}, {"2", "4"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tc.settings != nil {
				s = *tc.settings
			}
			h := tt.NewHarness(t, mem, tc.f, tc.cols, s)
			defer h.Release()
			assert.Equal(t, tc.want, h.Columns(tc.payloads...))
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	p := prefixed()
	quoted := defaults()
	quoted.CustomEscapingRule = "Quoted"
	tests := []struct {
		name    string
		f       Format
		cols    []string
		s       *format.Settings
		payload string
		want    string
		row     int
		column  string
	}{
		{name: "TSV-like broken", cols: tt.MatrixCols, payload: "0\tBAD\tAM\t0.5\t1\n",
			want: `Cannot parse input: expected '\t' before: 'BAD\tAM\t0.5\t1\n': (at row 1)`, row: 1, column: "blockNo"},
		{name: "garbage", cols: tt.KeyValue, payload: "qwertyuiop", want: `expected '\t' before: 'qwertyuiop'`, row: 1, column: "key"},
		{name: "missing prefix", cols: tt.KeyValue, s: &p, payload: "1\t2\n<suffix>\n", want: `expected '<prefix>\n' before: '1\t2\n`, row: 1},
		{name: "empty with prefix", cols: tt.KeyValue, s: &p, payload: "", want: `expected '<prefix>\n' at end of stream`, row: 1},
		{name: "missing suffix", cols: tt.KeyValue, s: &p, payload: "<prefix>\n1\t2\n", want: `expected '<suffix>\n' at end of stream`, row: 2},
		{name: "garbage after suffix", cols: tt.KeyValue, s: &p, payload: "<prefix>\n1\t2\n<suffix>\nx", want: `expected '\t' before: '<suffix>\nx'`, row: 2, column: "key"},
		{name: "empty with names", f: Format{WithNames: true}, cols: tt.KeyValue, payload: "", want: "at end of stream", row: 1},
		{name: "Quoted cast", cols: tt.MatrixCols, s: &quoted, payload: "0\t'BAD'\t'AM'\t0.5\t1\n",
			want: "Cannot parse string 'BAD' as UInt16: syntax error at begin of string", row: 1, column: "blockNo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tc.s != nil {
				s = *tc.s
			}
			h := tt.NewHarness(t, mem, tc.f, tc.cols, s)
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
	s := defaults()
	s.CustomEscapingRule = "XML"
	_, err = Format{}.NewDecoder(block.Schema(cols), &s)
	assert.ErrorContains(t, err, "XML is not suitable for deserialization")
	_, err = Format{}.NewEncoder(block.Schema(cols), &s)
	assert.NoError(t, err)
	s.CustomEscapingRule = "Bogus"
	_, err = Format{}.NewDecoder(block.Schema(cols), &s)
	assert.ErrorContains(t, err, "unknown escaping rule")
	s = defaults()
	s.CustomFieldDelimiter = "\n"
	_, err = Format{WithNames: true}.NewDecoder(block.Schema(cols), &s)
	assert.ErrorContains(t, err, "row-between delimiter is empty")
}

func TestGarbageIsOneError(t *testing.T) {
	for _, f := range []Format{{}, {WithNames: true}, {WithNames: true, WithTypes: true}, {IgnoreSpaces: true}} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		h := tt.NewHarness(t, mem, f, tt.KeyValue, defaults())
		for _, p := range tt.Garbage {
			_, err := h.Decode(p)
			require.Error(t, err, "%s %q", f.Name(), p)
		}
		h.Release()
		mem.AssertSize(t, 0)
	}
}

// A steady-state decode allocates nothing per row.
func TestDecodeAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, tt.KeyValue, prefixed())
	defer h.Release()
	m := tt.Testdata(t, "max_rows_1.txt")
	m = m[:len(m)-len("<suffix>\n")]
	m = m + m[len("<prefix>\n"):] + m[len("<prefix>\n"):] + "<suffix>\n"
	assert.LessOrEqual(t, h.AllocsPerDecode(m), 1.0)
}
