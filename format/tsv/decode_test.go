package tsv

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
	for name, want := range map[string]Format{
		"TabSeparated": {}, "TSV": {},
		"TabSeparatedRaw": {Raw: true}, "TSVRaw": {Raw: true}, "Raw": {Raw: true},
		"TabSeparatedWithNames": {WithNames: true}, "TSVWithNames": {WithNames: true},
		"TabSeparatedWithNamesAndTypes": {WithNames: true, WithTypes: true}, "TSVWithNamesAndTypes": {WithNames: true, WithTypes: true},
		"TabSeparatedRawWithNames": {Raw: true, WithNames: true}, "TSVRawWithNames": {Raw: true, WithNames: true}, "RawWithNames": {Raw: true, WithNames: true},
		"TabSeparatedRawWithNamesAndTypes": {Raw: true, WithNames: true, WithTypes: true}, "TSVRawWithNamesAndTypes": {Raw: true, WithNames: true, WithTypes: true},
		"RawWithNamesAndTypes": {Raw: true, WithNames: true, WithTypes: true},
	} {
		f, err := format.Lookup(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, f, name)
		assert.False(t, format.IsBlockOriented(f))
	}
	assert.Equal(t, "TabSeparatedRawWithNamesAndTypes", Format{Raw: true, WithNames: true, WithTypes: true}.Name())
}

// VECTORS.md §1: TSV, TSVWithNames (empty OK) and TSVWithNamesAndTypes (empty is an error).
func TestDecodeFormatMatrix(t *testing.T) {
	m1, m2 := tt.Testdata(t, "matrix_m1.tsv"), tt.Testdata(t, "matrix_m2.tsv")
	require.Equal(t, "0\t0\tAM\t0.5\t1\n", m1)
	var b strings.Builder
	for i := 1; i <= 15; i++ {
		fmt.Fprintf(&b, "%d\t0\tAM\t0.5\t1\n", i)
	}
	require.Equal(t, b.String(), m2)
	t.Run("TSV", func(t *testing.T) { tt.Matrix(t, Format{}, defaults(), true, m1, m2) })
	t.Run("TSVRaw", func(t *testing.T) { tt.Matrix(t, Format{Raw: true}, defaults(), true, m1, m2) })
	t.Run("TSVWithNames", func(t *testing.T) {
		tt.Matrix(t, Format{WithNames: true}, defaults(), true, tt.Testdata(t, "matrix_names_m1.tsv"), tt.Testdata(t, "matrix_names_m2.tsv"))
	})
	t.Run("TSVWithNamesAndTypes", func(t *testing.T) {
		tt.Matrix(t, Format{WithNames: true, WithTypes: true}, defaults(), false, tt.Testdata(t, "matrix_types_m1.tsv"), tt.Testdata(t, "matrix_types_m2.tsv"))
	})
	t.Run("no trailing newline", func(t *testing.T) {
		tt.Matrix(t, Format{}, defaults(), true, strings.TrimSuffix(m1, "\n"), strings.TrimSuffix(m2, "\n"))
	})
}

func TestDecodeRows(t *testing.T) {
	noHeader := defaults()
	noHeader.WithNamesUseHeader = false
	emptyDefault := defaults()
	emptyDefault.TSVEmptyAsDefault = true
	nullRepr := defaults()
	nullRepr.TSVNullRepresentation = "NULL"
	emptyNull := defaults()
	emptyNull.TSVNullRepresentation = ""
	tests := []struct {
		name     string
		f        Format
		cols     []string
		settings *format.Settings
		payloads []string
		want     [][]string
	}{
		{
			name: "VECTORS §6.1 insert", cols: []string{"key UInt64", "value UInt64"},
			payloads: []string{tt.Testdata(t, "insert_7.tsv"), "0\t0\n"},
			want:     [][]string{{"7", "0"}, {"7", "0"}},
		},
		{
			name:     "VECTORS §6.2 key and timestamp columns in the payload",
			cols:     []string{"key UInt64", "value UInt64", "inserted_key String", "inserted_timestamp DateTime('UTC')"},
			payloads: []string{tt.Testdata(t, "key_timestamp.tsv")},
			want:     [][]string{{"1"}, {"1"}, {"k1"}, {"2020-01-01T00:00:01Z"}},
		},
		{
			name:     "escapes, NULL, literals",
			cols:     []string{"s String", "n Nullable(String)", "a Array(String)", "m Map(String, Array(Nullable(Int8)))", "tu Tuple(Int8, String)"},
			payloads: []string{tt.Testdata(t, "escapes.tsv"), "\\N\tx\\ty\t[]\t{}\t(2,'')"},
			want: [][]string{
				{"a\tb\nc\\d'eA\\%", ""},
				{"(null)", "x\ty"},
				{`["x'y","z"]`, "[]"},
				{`[{"key":"k","value":[1,null]}]`, "[]"},
				{`{"1":1,"2":"a\tb"}`, `{"1":2,"2":""}`},
			},
		},
		{
			name: "raw keeps backslashes", f: Format{Raw: true}, cols: []string{"s String", "n Nullable(Int8)"},
			payloads: []string{"a\\tb\\N\t\\N\n"},
			want:     [][]string{{`a\tb\N`}, {"(null)"}},
		},
		{
			name: "names header maps by name, skips unknown, defaults missing", f: Format{WithNames: true},
			cols:     []string{"a Int32", "b String", "c Nullable(Int8)"},
			payloads: []string{"b\tzzz\ta\nx\t1\t5\ny\t2\t6\n", "a\n7"},
			want:     [][]string{{"5", "6", "7"}, {"x", "y", ""}, {"(null)", "(null)", "(null)"}},
		},
		{
			name: "names header ignored", f: Format{WithNames: true}, settings: &noHeader,
			cols:     []string{"a Int32", "b String"},
			payloads: []string{"whatever\tnames\n1\tx\n"},
			want:     [][]string{{"1"}, {"x"}},
		},
		{
			name: "types header with spelling variants", f: Format{WithNames: true, WithTypes: true},
			cols:     []string{"a LowCardinality(Nullable(String))", "b Decimal(9, 2)"},
			payloads: []string{"b\ta\nDecimal(9,2)\tLowCardinality(Nullable(String))\n1.5\tx\n"},
			want:     [][]string{{"x"}, {"1.5"}},
		},
		{
			name: "empty fields", cols: []string{"a Int32", "s String", "n Nullable(String)"}, settings: &emptyDefault,
			payloads: []string{"\t\t\n"},
			want:     [][]string{{"0"}, {""}, {"(null)"}},
		},
		{
			name: "custom NULL representation", cols: []string{"n Nullable(Int32)", "s Nullable(String)"}, settings: &nullRepr,
			payloads: []string{"NULL\t\\N\n"},
			want:     [][]string{{"(null)"}, {""}},
		},
		{
			name: "empty NULL representation", cols: []string{"n Nullable(Int32)", "s Nullable(String)", "t String"}, settings: &emptyNull,
			payloads: []string{"\t\t\n1\tx\ty\n"},
			want:     [][]string{{"(null)", "1"}, {"(null)", "x"}, {"", "y"}},
		},
		{
			name: "NULL into non-Nullable is the default", cols: []string{"a Int32", "s String"},
			payloads: []string{"\\N\t\\N\n"},
			want:     [][]string{{"0"}, {""}},
		},
		{
			name: "BOM before numbers", cols: []string{"a Int32"},
			payloads: []string{"\xEF\xBB\xBF1\n2"},
			want:     [][]string{{"1", "2"}},
		},
		{
			name: "BOM kept in strings", cols: []string{"s String"},
			payloads: []string{"\xEF\xBB\xBFx\n"},
			want:     [][]string{{"\ufeffx"}},
		},
		{
			name: "empty lines are empty strings", cols: []string{"s String"},
			payloads: []string{"a\n\nb\n"},
			want:     [][]string{{"a", "", "b"}},
		},
		{
			name: "escaped tab does not end a field", cols: []string{"s String", "t String"},
			payloads: []string{"a\\\tb\tc\n"},
			want:     [][]string{{"a\tb"}, {"c"}},
		},
		{
			name: "types and numbers", cols: []string{"b Bool", "f Float64", "d Date", "dt DateTime64(3)", "u UUID", "e Enum8('a' = 1, 'b' = 2)", "dec Decimal(10, 2)"},
			payloads: []string{"true\tinf\t2020-01-02\t2020-01-02 03:04:05.678\t61f0c404-5cb3-11e7-907b-a6006ad3dba0\tb\t-1.25\n0\t-1e-7\t19000\t1\t00000000000000000000000000000000\t1\t3\n"},
			want: [][]string{
				{"true", "false"}, {"+Inf", "-1e-07"}, {"2020-01-02", "2022-01-08"}, {"2020-01-02T03:04:05.678Z", "1970-01-01T00:00:01Z"},
				{"YfDEBFyzEeeQe6YAatPboA==", "AAAAAAAAAAAAAAAAAAAAAA=="}, {"b", "a"}, {"-1.25", "3"},
			},
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
	noNullDefault := defaults()
	noNullDefault.NullAsDefault = false
	tests := []struct {
		name    string
		f       Format
		cols    []string
		s       *format.Settings
		payload string
		want    string // substring of the error text
		row     int
		column  string
		is      error
	}{
		{name: "VECTORS §2 TSV", cols: tt.MatrixCols, payload: tt.Testdata(t, "broken.tsv"),
			want: `Cannot parse input: expected '\t' before: 'BAD\tAM\t0.5\t1\n': (at row 1)`, row: 1, column: "blockNo"},
		{name: "VECTORS §2 TSVWithNames", f: Format{WithNames: true}, cols: tt.MatrixCols, payload: tt.Testdata(t, "broken_names.tsv"),
			want: `Cannot parse input: expected '\t' before: 'BAD\tAM\t0.5\t1\n`, row: 1, column: "blockNo"},
		{name: "VECTORS §2 TSVWithNamesAndTypes", f: Format{WithNames: true, WithTypes: true}, cols: tt.MatrixCols, payload: tt.Testdata(t, "broken_types.tsv"),
			want: `Cannot parse input: expected '\t' before: 'BAD\tAM\t0.5\t1\n`, row: 1, column: "blockNo"},
		{name: "garbage qwertyuiop", cols: tt.KeyValue, payload: tt.Testdata(t, "garbage_1.txt"),
			want: `Cannot parse input: expected '\t' before: 'qwertyuiop': (at row 1)`, row: 1, column: "key"},
		{name: "formats_errors", cols: tt.KeyValue, payload: tt.Testdata(t, "formats_errors.txt"),
			want: `expected '\t' before: 'Broken message\nBroken`, row: 1, column: "key"},
		{name: "empty with types", f: Format{WithNames: true, WithTypes: true}, cols: tt.MatrixCols, payload: "",
			want: `expected '\n' at end of stream`, row: 1},
		{name: "too few fields", cols: tt.KeyValue, payload: "1\n", want: `expected '\t' before: '\n'`, row: 1},
		{name: "too many fields", cols: tt.KeyValue, payload: "1\t2\t3\n", want: `expected '\n' before: '\t3\n'`, row: 1},
		{name: "error in second row", cols: tt.KeyValue, payload: "1\t2\n3\tx\n", want: "(at row 2)", row: 2, column: "value"},
		{name: "out of range", cols: tt.MatrixCols, payload: "0\t70000\tAM\t0.5\t1", want: "out of range", row: 1, column: "blockNo"},
		{name: "empty number", cols: tt.KeyValue, payload: "\t1", want: `value "" is not an integer`, row: 1, column: "key"},
		{name: "carriage return", cols: tt.KeyValue, payload: "1\t2\r\n", want: `expected '\n' before: '\r\n'`, row: 1, column: "value"},
		{name: "unknown header field", f: Format{WithNames: true}, cols: tt.KeyValue, s: &strict, payload: "key\tzzz\n1\t2\n",
			want: "Unknown field found in TSV header: 'zzz' at position 1", row: 1},
		{name: "duplicate header field", f: Format{WithNames: true}, cols: tt.KeyValue, payload: "key\tkey\n1\t2\n",
			want: "Duplicate field found while parsing TSV header: key", row: 1},
		{name: "VECTORS §2 RowBinaryWithNamesAndTypes-like type mismatch", f: Format{WithNames: true, WithTypes: true}, cols: tt.MatrixCols,
			payload: "id\tblockNo\nInt64\tString\n0\tBAD\n", want: "Type of 'blockNo' must be UInt16, not String", row: 1},
		{name: "types count", f: Format{WithNames: true, WithTypes: true}, cols: tt.KeyValue,
			payload: "key\tvalue\nUInt64\n", want: "The number of data types differs", row: 1},
		{name: "NULL into non-Nullable without null_as_default", cols: tt.KeyValue, s: &noNullDefault,
			payload: "\\N\t1\n", want: `value "" is not an integer`, row: 1, column: "key"},
		{name: "bad escape", cols: []string{"s String"}, payload: "abc\\", want: "Cannot parse escape sequence", row: 1, column: "s"},
		{name: "bad array", cols: []string{"a Array(Int8)"}, payload: "[1,2\n", want: "is not a valid Array literal", row: 1, column: "a"},
		{name: "unknown enum", cols: []string{"e Enum8('a' = 1)"}, payload: "zz\n", want: "is not a name of the enum", row: 1, column: "e"},
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
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			// A conversion failure keeps the block's error as the cause.
			if tc.column != "" {
				var ve *block.ValueError
				assert.True(t, errors.As(err, &ve) || strings.Contains(err.Error(), "escape"), "%v", err)
			}
			assert.Zero(t, h.Rows.Len())
		})
	}
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3), for
// every variant.
func TestGarbageIsOneError(t *testing.T) {
	for _, f := range []Format{{}, {Raw: true}, {WithNames: true}, {WithNames: true, WithTypes: true}} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		h := tt.NewHarness(t, mem, f, tt.KeyValue, defaults())
		for _, p := range tt.Garbage {
			_, err := h.Decode(p)
			// WithNames takes the first line as a header: the rest must still fail.
			require.Error(t, err, "%s %q", f.Name(), p)
		}
		h.Release()
		mem.AssertSize(t, 0)
	}
}

func TestNewDecoderErrors(t *testing.T) {
	_, err := Format{}.NewDecoder(block.Schema(nil), nil)
	require.Error(t, err)
	cols, err := block.ParseColumns([]string{"a Int8"})
	require.NoError(t, err)
	dec, err := Format{}.NewDecoder(block.Schema(cols), nil)
	require.NoError(t, err)
	other, err := block.ParseColumns([]string{"a Int8", "b Int8"})
	require.NoError(t, err)
	err = dec.Decode(block.NewRows(other, block.Options{}), []byte("1\t2\n"))
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*ParseError)))
}

// A steady-state decode allocates nothing per row.
func TestDecodeAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, f := range []Format{{}, {WithNames: true, WithTypes: true}} {
		h := tt.NewHarness(t, mem, f, []string{"timestamp UInt64", "level String", "message String"}, defaults())
		defer h.Release()
		payload := []byte(queuePayload(f, 100))
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
		assert.LessOrEqual(t, allocs, 1.0, "allocations per 100-row message of %s", f.Name())
	}
}

func queuePayload(f Format, n int) string {
	var b strings.Builder
	if f.WithNames {
		b.WriteString("timestamp\tlevel\tmessage\n")
		if f.WithTypes {
			b.WriteString("UInt64\tString\tString\n")
		}
	}
	levels := []string{"info", "warning", "error"}
	for i := range n {
		fmt.Fprintf(&b, "%d\t%s\trequest %d served in \\t%d ms\\n by node-%d\n", 1700000000+i, levels[i%3], i, i%97, i%5)
	}
	return b.String()
}
