package csv

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

func defaults() format.Settings { return format.DefaultSettings() }

func TestRegistered(t *testing.T) {
	for name, want := range map[string]Format{"CSV": {}, "CSVWithNames": {WithNames: true}, "CSVWithNamesAndTypes": {WithNames: true, WithTypes: true}} {
		f, err := format.Lookup(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, f, name)
		assert.Equal(t, name, want.Name())
		assert.False(t, format.IsBlockOriented(f))
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
	tests := []struct {
		name     string
		f        Format
		cols     []string
		settings *format.Settings
		payloads []string
		want     [][]string
	}{
		{
			name: "VECTORS §7 issue4116", cols: []string{"a UInt64", "b String"}, settings: &pipe,
			payloads: []string{tt.Testdata(t, "issue4116_1.csv"), tt.Testdata(t, "issue4116_2.csv"), tt.Testdata(t, "issue4116_3.csv"), tt.Testdata(t, "issue4116_4.csv")},
			want:     [][]string{{"1", "2", "42", "100", "101", "103"}, {"foo", "bar", "answer", "multi", "row", "message"}},
		},
		{
			name: "VECTORS §7 csv_with_delimiter: spaces around fields", cols: tt.KeyValue,
			payloads: []string{tt.Testdata(t, "csv_with_delimiter.csv"), " 1 ,\t2\t\n"},
			want:     [][]string{{"7", "1"}, {"7", "2"}},
		},
		{
			name:     "RFC 4180 quoting, NULL, empty, literals",
			cols:     []string{"a String", "b String", "n Nullable(String)", "e Nullable(Int8)", "arr Array(Int8)", "m Map(String, String)"},
			payloads: []string{tt.Testdata(t, "rfc4180.csv")},
			want:     [][]string{{`a "quoted" word`}, {"multi\r\nline"}, {"(null)"}, {"(null)"}, {"[1,2]"}, {`[{"key":"k","value":"v"}]`}},
		},
		{
			name: "unquoted strings are trimmed, quoted ones kept", cols: []string{"a String", "b String"},
			payloads: []string{"  x  ,\" y \"  \n"},
			want:     [][]string{{"x"}, {" y "}},
		},
		{
			name: "quoted numbers and dates", cols: []string{"a Int32", "d Date", "dt DateTime", "f Float32", "b Bool"},
			payloads: []string{`"5","2020-01-02","2020-01-02 03:04:05","inf",true` + "\n" + `-1,19000,1,-0.5,"false"`},
			want:     [][]string{{"5", "-1"}, {"2020-01-02", "2022-01-08"}, {"2020-01-02T03:04:05Z", "1970-01-01T00:00:01Z"}, {"+Inf", "-0.5"}, {"true", "false"}},
		},
		{
			name: "single quotes", cols: []string{"a String", "b String"}, settings: &single,
			payloads: []string{`'it''s','"x"'` + "\n"},
			want:     [][]string{{"it's"}, {`"x"`}},
		},
		{
			name: "single quotes not allowed by default", cols: []string{"a String"},
			payloads: []string{`'x'` + "\n"},
			want:     [][]string{{"'x'"}},
		},
		{
			name: "empty as default off", cols: []string{"a String", "n Nullable(String)"}, settings: &noEmptyDefault,
			payloads: []string{",\n"},
			want:     [][]string{{""}, {""}},
		},
		{
			name: "empty as default", cols: []string{"a Int32", "n Nullable(String)", "s String"},
			payloads: []string{",,\n"},
			want:     [][]string{{"0"}, {"(null)"}, {""}},
		},
		{
			name: "tab delimiter keeps tabs significant", cols: []string{"a String", "b String"}, settings: &tab,
			payloads: []string{"x\t y \n"},
			want:     [][]string{{"x"}, {" y"}},
		},
		{
			name: "lone carriage return is data", cols: []string{"a String"},
			payloads: []string{"a\rb\r\n"},
			want:     [][]string{{"a\rb"}},
		},
		{
			name: "names header", f: Format{WithNames: true}, cols: []string{"a Int32", "b String", "c Int8"},
			payloads: []string{"b,a,zzz\nx,1,q\n"},
			want:     [][]string{{"1"}, {"x"}, {"0"}},
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
	strict := defaults()
	strict.SkipUnknownFields = false
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
		{name: "VECTORS §2 CSV", cols: tt.MatrixCols, payload: tt.Testdata(t, "broken.csv"),
			want: `Cannot parse input: expected '"' before: 'BAD","AM",0.5,1\n': (at row 1)`, row: 1, column: "blockNo"},
		{name: "VECTORS §2 CSVWithNames", f: Format{WithNames: true}, cols: tt.MatrixCols, payload: tt.Testdata(t, "broken_names.csv"),
			want: `Cannot parse input: expected '"' before: 'BAD","AM",0.5,1\n'`, row: 1, column: "blockNo"},
		{name: "empty CSVWithNames", f: Format{WithNames: true}, cols: tt.MatrixCols, payload: "", want: "Attempt to read after eof", row: 1},
		{name: "garbage qwertyuiop", cols: tt.KeyValue, payload: tt.Testdata(t, "garbage_1.txt"),
			want: `Cannot parse input: expected ',' before: 'qwertyuiop': (at row 1)`, row: 1, column: "key"},
		{name: "formats_errors", cols: tt.KeyValue, payload: tt.Testdata(t, "formats_errors.txt"),
			want: `expected ',' before: 'Broken message\nBroken`, row: 1, column: "key"},
		{name: "unterminated quote", cols: tt.KeyValue, payload: `1,"2`, want: `expected '"' at end of stream`, row: 1, column: "value"},
		{name: "garbage after quote", cols: []string{"a String", "b String"}, payload: `"a"x,b`, want: `expected ',' before: 'x,b'`, row: 1},
		{name: "too few fields", cols: tt.KeyValue, payload: "1\n", want: `expected ',' before: '\n'`, row: 1},
		{name: "too many fields", cols: tt.KeyValue, payload: "1,2,3\n", want: `expected '\n' before: ',3\n'`, row: 1},
		{name: "second row", cols: tt.KeyValue, payload: "1,2\n3,x\n", want: "(at row 2)", row: 2, column: "value"},
		{name: "unknown header field", f: Format{WithNames: true}, cols: tt.KeyValue, s: &strict, payload: "key,zzz\n1,2\n",
			want: "Unknown field found in CSV header: 'zzz' at position 1", row: 1},
		{name: "type mismatch", f: Format{WithNames: true, WithTypes: true}, cols: tt.MatrixCols,
			payload: "id,blockNo\nInt64,String\n0,BAD\n", want: "Type of 'blockNo' must be UInt16, not String", row: 1},
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
			assert.Zero(t, h.Rows.Len())
		})
	}
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	for _, f := range []Format{{}, {WithNames: true}, {WithNames: true, WithTypes: true}} {
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

func TestNewDecoderErrors(t *testing.T) {
	cols, err := block.ParseColumns([]string{"a Int8"})
	require.NoError(t, err)
	dec, err := Format{}.NewDecoder(block.Schema(cols), nil)
	require.NoError(t, err)
	other, err := block.ParseColumns([]string{"a Int8", "b Int8"})
	require.NoError(t, err)
	err = dec.Decode(block.NewRows(other, block.Options{}), []byte("1,2\n"))
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*ParseError)))
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
	payload := []byte(b.String())
	for range 3 {
		require.NoError(t, h.Dec.Decode(h.Rows, payload))
		h.Rows.Reset()
	}
	allocs := testing.AllocsPerRun(20, func() {
		if err := h.Dec.Decode(h.Rows, payload); err != nil {
			panic(err)
		}
		h.Rows.Reset()
	})
	assert.LessOrEqual(t, allocs, 1.0)
}
