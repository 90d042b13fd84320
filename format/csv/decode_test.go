package csv

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

func defaults() format.Settings { return format.DefaultSettings() }

func TestRegistered(t *testing.T) {
	for name, want := range map[string]Format{"CSV": {}, "CSVWithNames": {WithNames: true}, "CSVWithNamesAndTypes": {WithNames: true, WithTypes: true}} {
		tt.Registered(t, name, want)
		assert.Equal(t, name, want.Name())
	}
}

// VECTORS.md §1: CSV (empty OK), CSVWithNames (empty is an error), and the types variant.
func TestDecodeFormatMatrix(t *testing.T) {
	m1, m2 := tt.Testdata(t, "matrix_m1.csv"), tt.Testdata(t, "matrix_m2.csv")
	require.Equal(t, "0,0,\"AM\",0.5,1\n", m1)
	var b strings.Builder
	for i := 1; i <= 15; i++ {
		fmt.Fprintf(&b, "%d,0,\"AM\",0.5,1\n", i)
	}
	require.Equal(t, b.String(), m2)
	t.Run("CSV", func(t *testing.T) { tt.Matrix(t, Format{}, defaults(), true, m1, m2) })
	t.Run("CSVWithNames", func(t *testing.T) {
		tt.Matrix(t, Format{WithNames: true}, defaults(), false, tt.Testdata(t, "matrix_names_m1.csv"), tt.Testdata(t, "matrix_names_m2.csv"))
	})
	t.Run("CSVWithNamesAndTypes", func(t *testing.T) {
		tt.Matrix(t, Format{WithNames: true, WithTypes: true}, defaults(), false, tt.Testdata(t, "matrix_types_m1.csv"), tt.Testdata(t, "matrix_types_m2.csv"))
	})
	t.Run("CRLF and no trailing newline", func(t *testing.T) {
		tt.Matrix(t, Format{}, defaults(), true, strings.TrimSuffix(m1, "\n"), strings.ReplaceAll(m2, "\n", "\r\n"))
	})
}

func TestDecodeRows(t *testing.T) {
	pipe := defaults()
	pipe.CSVDelimiter = '|'
	single := defaults()
	single.CSVAllowSingleQuotes = true
	noEmptyDefault := defaults()
	noEmptyDefault.CSVEmptyAsDefault = false
	tab := defaults()
	tab.CSVDelimiter = '\t'
	tests := []tt.RowsCase{
		{
			Name: "VECTORS §7 issue4116", Cols: []string{"a UInt64", "b String"}, S: &pipe,
			Payloads: []string{tt.Testdata(t, "issue4116_1.csv"), tt.Testdata(t, "issue4116_2.csv"), tt.Testdata(t, "issue4116_3.csv"), tt.Testdata(t, "issue4116_4.csv")},
			Want:     [][]string{{"1", "2", "42", "100", "101", "103"}, {"foo", "bar", "answer", "multi", "row", "message"}},
		},
		{
			Name: "VECTORS §7 csv_with_delimiter: spaces around fields", Cols: tt.KeyValue,
			Payloads: []string{tt.Testdata(t, "csv_with_delimiter.csv"), " 1 ,\t2\t\n"},
			Want:     [][]string{{"7", "1"}, {"7", "2"}},
		},
		{
			Name:     "RFC 4180 quoting, NULL, empty, literals",
			Cols:     []string{"a String", "b String", "n Nullable(String)", "e Nullable(Int8)", "arr Array(Int8)", "m Map(String, String)"},
			Payloads: []string{tt.Testdata(t, "rfc4180.csv")},
			Want:     [][]string{{`a "quoted" word`}, {"multi\r\nline"}, {"(null)"}, {"(null)"}, {"[1,2]"}, {`[{"key":"k","value":"v"}]`}},
		},
		{
			Name: "unquoted strings are trimmed, quoted ones kept", Cols: []string{"a String", "b String"},
			Payloads: []string{"  x  ,\" y \"  \n"},
			Want:     [][]string{{"x"}, {" y "}},
		},
		{
			Name: "quoted numbers and dates", Cols: []string{"a Int32", "d Date", "dt DateTime", "f Float32", "b Bool"},
			Payloads: []string{`"5","2020-01-02","2020-01-02 03:04:05","inf",true` + "\n" + `-1,19000,1,-0.5,"false"`},
			Want:     [][]string{{"5", "-1"}, {"2020-01-02", "2022-01-08"}, {"2020-01-02T03:04:05Z", "1970-01-01T00:00:01Z"}, {"+Inf", "-0.5"}, {"true", "false"}},
		},
		{
			Name: "single quotes", Cols: []string{"a String", "b String"}, S: &single,
			Payloads: []string{`'it''s','"x"'` + "\n"},
			Want:     [][]string{{"it's"}, {`"x"`}},
		},
		{
			Name: "single quotes not allowed by default", Cols: []string{"a String"},
			Payloads: []string{`'x'` + "\n"},
			Want:     [][]string{{"'x'"}},
		},
		{
			Name: "empty as default off", Cols: []string{"a String", "n Nullable(String)"}, S: &noEmptyDefault,
			Payloads: []string{",\n"},
			Want:     [][]string{{""}, {""}},
		},
		{
			Name: "empty as default", Cols: []string{"a Int32", "n Nullable(String)", "s String"},
			Payloads: []string{",,\n"},
			Want:     [][]string{{"0"}, {"(null)"}, {""}},
		},
		{
			Name: "tab delimiter keeps tabs significant", Cols: []string{"a String", "b String"}, S: &tab,
			Payloads: []string{"x\t y \n"},
			Want:     [][]string{{"x"}, {" y"}},
		},
		{
			Name: "lone carriage return is data", Cols: []string{"a String"},
			Payloads: []string{"a\rb\r\n"},
			Want:     [][]string{{"a\rb"}},
		},
		{
			Name: "names header", F: Format{WithNames: true}, Cols: []string{"a Int32", "b String", "c Int8"},
			Payloads: []string{"b,a,zzz\nx,1,q\n"},
			Want:     [][]string{{"1"}, {"x"}, {"0"}},
		},
	}
	tt.DecodeRows(t, Format{}, tests)
}

func TestDecodeErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	tests := []tt.ErrorCase{
		{Name: "VECTORS §2 CSV", Cols: tt.MatrixCols, Payload: tt.Testdata(t, "broken.csv"),
			Want: `Cannot parse input: expected '"' before: 'BAD","AM",0.5,1\n': (at row 1)`, Row: 1, Column: "blockNo"},
		{Name: "VECTORS §2 CSVWithNames", F: Format{WithNames: true}, Cols: tt.MatrixCols, Payload: tt.Testdata(t, "broken_names.csv"),
			Want: `Cannot parse input: expected '"' before: 'BAD","AM",0.5,1\n'`, Row: 1, Column: "blockNo"},
		{Name: "empty CSVWithNames", F: Format{WithNames: true}, Cols: tt.MatrixCols, Payload: "", Want: "Attempt to read after eof", Row: 1},
		{Name: "garbage qwertyuiop", Cols: tt.KeyValue, Payload: tt.Testdata(t, "garbage_1.txt"),
			Want: `Cannot parse input: expected ',' before: 'qwertyuiop': (at row 1)`, Row: 1, Column: "key"},
		{Name: "formats_errors", Cols: tt.KeyValue, Payload: tt.Testdata(t, "formats_errors.txt"),
			Want: `expected ',' before: 'Broken message\nBroken`, Row: 1, Column: "key"},
		{Name: "unterminated quote", Cols: tt.KeyValue, Payload: `1,"2`, Want: `expected '"' at end of stream`, Row: 1, Column: "value"},
		{Name: "garbage after quote", Cols: []string{"a String", "b String"}, Payload: `"a"x,b`, Want: `expected ',' before: 'x,b'`, Row: 1},
		{Name: "too few fields", Cols: tt.KeyValue, Payload: "1\n", Want: `expected ',' before: '\n'`, Row: 1},
		{Name: "too many fields", Cols: tt.KeyValue, Payload: "1,2,3\n", Want: `expected '\n' before: ',3\n'`, Row: 1},
		{Name: "second row", Cols: tt.KeyValue, Payload: "1,2\n3,x\n", Want: "(at row 2)", Row: 2, Column: "value"},
		{Name: "unknown header field", F: Format{WithNames: true}, Cols: tt.KeyValue, S: &strict, Payload: "key,zzz\n1,2\n",
			Want: "Unknown field found in CSV header: 'zzz' at position 1", Row: 1},
		{Name: "type mismatch", F: Format{WithNames: true, WithTypes: true}, Cols: tt.MatrixCols,
			Payload: "id,blockNo\nInt64,String\n0,BAD\n", Want: "Type of 'blockNo' must be UInt16, not String", Row: 1},
	}
	tt.DecodeErrors(t, Format{}, tests, nil)
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	tt.GarbageIsOneError(t, defaults(), Format{}, Format{WithNames: true}, Format{WithNames: true, WithTypes: true})
}

func TestNewDecoderErrors(t *testing.T) {
	tt.OtherRowsError(t, Format{}, "1,2\n")
}

func TestDecodeAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, []string{"timestamp UInt64", "level String", "message String"}, defaults())
	defer h.Release()
	var b strings.Builder
	for i := range 100 {
		fmt.Fprintf(&b, "%d,info,\"request %d served in \"\"%d ms\"\"\"\n", 1700000000+i, i, i%97)
	}
	assert.LessOrEqual(t, h.AllocsPerDecode(b.String()), 1.0)
}
