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
	tests := []tt.RowsCase{
		{
			Name: "Quoted rule, brackets", Cols: []string{"a Int32", "s String", "arr Array(String)", "n Nullable(Int8)"},
			S:        rules("Quoted", ", ", "(", ")", ";\n"),
			Payloads: []string{"(1, 'x\\'y', ['a','b'], NULL);\n(2, 'z', [], 5)"},
			Want:     [][]string{{"1", "2"}, {"x'y", "z"}, {`["a","b"]`, "[]"}, {"(null)", "5"}},
		},
		{
			Name: "CSV rule with a multi-byte delimiter", Cols: []string{"a String", "b Int32", "c String"},
			S:        rules("CSV", "||", "", "\n", ""),
			Payloads: []string{"a|b||2||\"c||d\"\nx||3||y\n"},
			Want:     [][]string{{"a|b", "x"}, {"2", "3"}, {"c||d", "y"}},
		},
		{
			Name: "JSON rule", Cols: []string{"a Int64", "s String", "m Map(String, Array(Nullable(Int8)))", "t Tuple(x Int8, y String)", "n Nullable(String)"},
			S:        rules("JSON", ",", "{", "}\n", ""),
			Payloads: []string{`{"1","\u00e9\n",{"k":[1,null]},{"y":"z","x":2},null}` + "\n" + `{2,"a",{},[3,"w"],"v"}`},
			Want: [][]string{{"1", "2"}, {"é\n", "a"}, {`[{"key":"k","value":[1,null]}]`, "[]"},
				{`{"x":2,"y":"z"}`, `{"x":3,"y":"w"}`}, {"(null)", "v"}},
		},
		{
			Name: "Escaped rule, numbers stop at the delimiter, strings at tabs", Cols: []string{"a Int32", "s String"},
			S:        rules("Escaped", ";", "", "\n", ""),
			Payloads: []string{"1;x;y\n"},
			Want:     [][]string{{"1"}, {"x;y"}},
		},
		{
			Name: "Raw rule", Cols: []string{"s String", "t String"},
			S:        rules("Raw", "\t", "", "\n", ""),
			Payloads: []string{"a\\tb\tc\n"},
			Want:     [][]string{{`a\tb`}, {"c"}},
		},
		{
			Name: "ignore spaces", F: Format{IgnoreSpaces: true}, Cols: []string{"a Int32", "s String"},
			S:        rules("Quoted", ",", "[", "]", ";"),
			Payloads: []string{" [ 1 , 'x' ] ;\n [2,'y'] \n"},
			Want:     [][]string{{"1", "2"}, {"x", "y"}},
		},
		{
			Name: "names and types rows with row-between", F: Format{WithNames: true, WithTypes: true}, Cols: []string{"a Int32", "s String"},
			S:        rules("Quoted", ",", "", "", "\n"),
			Payloads: []string{"'s','a'\n'String','Int32'\n'x',1\n'y',2"},
			Want:     [][]string{{"1", "2"}, {"x", "y"}},
		},
		{
			Name: "one newline after the last row", Cols: tt.KeyValue,
			Payloads: []string{"1\t2\n\n", "3\t4"},
			Want:     [][]string{{"1", "3"}, {"2", "4"}},
		},
	}
	tt.DecodeRows(t, Format{}, tests)
}

func TestDecodeErrors(t *testing.T) {
	p := prefixed()
	quoted := defaults()
	quoted.CustomEscapingRule = "Quoted"
	tests := []tt.ErrorCase{
		{Name: "TSV-like broken", Cols: tt.MatrixCols, Payload: "0\tBAD\tAM\t0.5\t1\n",
			Want: `Cannot parse input: expected '\t' before: 'BAD\tAM\t0.5\t1\n': (at row 1)`, Row: 1, Column: "blockNo"},
		{Name: "garbage", Cols: tt.KeyValue, Payload: "qwertyuiop", Want: `expected '\t' before: 'qwertyuiop'`, Row: 1, Column: "key"},
		{Name: "missing prefix", Cols: tt.KeyValue, S: &p, Payload: "1\t2\n<suffix>\n", Want: `expected '<prefix>\n' before: '1\t2\n`, Row: 1},
		{Name: "empty with prefix", Cols: tt.KeyValue, S: &p, Payload: "", Want: `expected '<prefix>\n' at end of stream`, Row: 1},
		{Name: "missing suffix", Cols: tt.KeyValue, S: &p, Payload: "<prefix>\n1\t2\n", Want: `expected '<suffix>\n' at end of stream`, Row: 2},
		{Name: "garbage after suffix", Cols: tt.KeyValue, S: &p, Payload: "<prefix>\n1\t2\n<suffix>\nx", Want: `expected '\t' before: '<suffix>\nx'`, Row: 2, Column: "key"},
		{Name: "empty with names", F: Format{WithNames: true}, Cols: tt.KeyValue, Payload: "", Want: "at end of stream", Row: 1},
		{Name: "Quoted cast", Cols: tt.MatrixCols, S: &quoted, Payload: "0\t'BAD'\t'AM'\t0.5\t1\n",
			Want: "Cannot parse string 'BAD' as UInt16: syntax error at begin of string", Row: 1, Column: "blockNo"},
	}
	tt.DecodeErrors(t, Format{}, tests, nil)
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
	tt.GarbageIsOneError(t, defaults(), Format{}, Format{WithNames: true}, Format{WithNames: true, WithTypes: true}, Format{IgnoreSpaces: true})
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
