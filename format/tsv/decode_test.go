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
		tt.Registered(t, name, want)
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
	tests := []tt.RowsCase{
		{
			Name: "VECTORS §6.1 insert", Cols: []string{"key UInt64", "value UInt64"},
			Payloads: []string{tt.Testdata(t, "insert_7.tsv"), "0\t0\n"},
			Want:     [][]string{{"7", "0"}, {"7", "0"}},
		},
		{
			Name:     "VECTORS §6.2 key and timestamp columns in the payload",
			Cols:     []string{"key UInt64", "value UInt64", "inserted_key String", "inserted_timestamp DateTime('UTC')"},
			Payloads: []string{tt.Testdata(t, "key_timestamp.tsv")},
			Want:     [][]string{{"1"}, {"1"}, {"k1"}, {"2020-01-01T00:00:01Z"}},
		},
		{
			Name:     "escapes, NULL, literals",
			Cols:     []string{"s String", "n Nullable(String)", "a Array(String)", "m Map(String, Array(Nullable(Int8)))", "tu Tuple(Int8, String)"},
			Payloads: []string{tt.Testdata(t, "escapes.tsv"), "\\N\tx\\ty\t[]\t{}\t(2,'')"},
			Want: [][]string{
				{"a\tb\nc\\d'eA\\%", ""},
				{"(null)", "x\ty"},
				{`["x'y","z"]`, "[]"},
				{`[{"key":"k","value":[1,null]}]`, "[]"},
				{`{"1":1,"2":"a\tb"}`, `{"1":2,"2":""}`},
			},
		},
		{
			Name: "raw keeps backslashes", F: Format{Raw: true}, Cols: []string{"s String", "n Nullable(Int8)"},
			Payloads: []string{"a\\tb\\N\t\\N\n"},
			Want:     [][]string{{`a\tb\N`}, {"(null)"}},
		},
		{
			Name: "names header maps by name, skips unknown, defaults missing", F: Format{WithNames: true},
			Cols:     []string{"a Int32", "b String", "c Nullable(Int8)"},
			Payloads: []string{"b\tzzz\ta\nx\t1\t5\ny\t2\t6\n", "a\n7"},
			Want:     [][]string{{"5", "6", "7"}, {"x", "y", ""}, {"(null)", "(null)", "(null)"}},
		},
		{
			Name: "names header ignored", F: Format{WithNames: true}, S: &noHeader,
			Cols:     []string{"a Int32", "b String"},
			Payloads: []string{"whatever\tnames\n1\tx\n"},
			Want:     [][]string{{"1"}, {"x"}},
		},
		{
			Name: "types header with spelling variants", F: Format{WithNames: true, WithTypes: true},
			Cols:     []string{"a LowCardinality(Nullable(String))", "b Decimal(9, 2)"},
			Payloads: []string{"b\ta\nDecimal(9,2)\tLowCardinality(Nullable(String))\n1.5\tx\n"},
			Want:     [][]string{{"x"}, {"1.5"}},
		},
		{
			Name: "empty fields", Cols: []string{"a Int32", "s String", "n Nullable(String)"}, S: &emptyDefault,
			Payloads: []string{"\t\t\n"},
			Want:     [][]string{{"0"}, {""}, {"(null)"}},
		},
		{
			Name: "custom NULL representation", Cols: []string{"n Nullable(Int32)", "s Nullable(String)"}, S: &nullRepr,
			Payloads: []string{"NULL\t\\N\n"},
			Want:     [][]string{{"(null)"}, {""}},
		},
		{
			Name: "empty NULL representation", Cols: []string{"n Nullable(Int32)", "s Nullable(String)", "t String"}, S: &emptyNull,
			Payloads: []string{"\t\t\n1\tx\ty\n"},
			Want:     [][]string{{"(null)", "1"}, {"(null)", "x"}, {"", "y"}},
		},
		{
			Name: "NULL into non-Nullable is the default", Cols: []string{"a Int32", "s String"},
			Payloads: []string{"\\N\t\\N\n"},
			Want:     [][]string{{"0"}, {""}},
		},
		{
			Name: "BOM before numbers", Cols: []string{"a Int32"},
			Payloads: []string{"\xEF\xBB\xBF1\n2"},
			Want:     [][]string{{"1", "2"}},
		},
		{
			Name: "BOM kept in strings", Cols: []string{"s String"},
			Payloads: []string{"\xEF\xBB\xBFx\n"},
			Want:     [][]string{{"\ufeffx"}},
		},
		{
			Name: "empty lines are empty strings", Cols: []string{"s String"},
			Payloads: []string{"a\n\nb\n"},
			Want:     [][]string{{"a", "", "b"}},
		},
		{
			Name: "escaped tab does not end a field", Cols: []string{"s String", "t String"},
			Payloads: []string{"a\\\tb\tc\n"},
			Want:     [][]string{{"a\tb"}, {"c"}},
		},
		{
			Name: "types and numbers", Cols: []string{"b Bool", "f Float64", "d Date", "dt DateTime64(3)", "u UUID", "e Enum8('a' = 1, 'b' = 2)", "dec Decimal(10, 2)"},
			Payloads: []string{"true\tinf\t2020-01-02\t2020-01-02 03:04:05.678\t61f0c404-5cb3-11e7-907b-a6006ad3dba0\tb\t-1.25\n0\t-1e-7\t19000\t1\t00000000000000000000000000000000\t1\t3\n"},
			Want: [][]string{
				{"true", "false"}, {"+Inf", "-1e-07"}, {"2020-01-02", "2022-01-08"}, {"2020-01-02T03:04:05.678Z", "1970-01-01T00:00:01Z"},
				{"YfDEBFyzEeeQe6YAatPboA==", "AAAAAAAAAAAAAAAAAAAAAA=="}, {"b", "a"}, {"-1.25", "3"},
			},
		},
	}
	tt.DecodeRows(t, Format{}, tests)
}

func TestDecodeErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	noNullDefault := defaults()
	noNullDefault.NullAsDefault = false
	tests := []tt.ErrorCase{
		{Name: "VECTORS §2 TSV", Cols: tt.MatrixCols, Payload: tt.Testdata(t, "broken.tsv"),
			Want: `Cannot parse input: expected '\t' before: 'BAD\tAM\t0.5\t1\n': (at row 1)`, Row: 1, Column: "blockNo"},
		{Name: "VECTORS §2 TSVWithNames", F: Format{WithNames: true}, Cols: tt.MatrixCols, Payload: tt.Testdata(t, "broken_names.tsv"),
			Want: `Cannot parse input: expected '\t' before: 'BAD\tAM\t0.5\t1\n`, Row: 1, Column: "blockNo"},
		{Name: "VECTORS §2 TSVWithNamesAndTypes", F: Format{WithNames: true, WithTypes: true}, Cols: tt.MatrixCols, Payload: tt.Testdata(t, "broken_types.tsv"),
			Want: `Cannot parse input: expected '\t' before: 'BAD\tAM\t0.5\t1\n`, Row: 1, Column: "blockNo"},
		{Name: "garbage qwertyuiop", Cols: tt.KeyValue, Payload: tt.Testdata(t, "garbage_1.txt"),
			Want: `Cannot parse input: expected '\t' before: 'qwertyuiop': (at row 1)`, Row: 1, Column: "key"},
		{Name: "formats_errors", Cols: tt.KeyValue, Payload: tt.Testdata(t, "formats_errors.txt"),
			Want: `expected '\t' before: 'Broken message\nBroken`, Row: 1, Column: "key"},
		{Name: "empty with types", F: Format{WithNames: true, WithTypes: true}, Cols: tt.MatrixCols, Payload: "",
			Want: `expected '\n' at end of stream`, Row: 1},
		{Name: "too few fields", Cols: tt.KeyValue, Payload: "1\n", Want: `expected '\t' before: '\n'`, Row: 1},
		{Name: "too many fields", Cols: tt.KeyValue, Payload: "1\t2\t3\n", Want: `expected '\n' before: '\t3\n'`, Row: 1},
		{Name: "error in second row", Cols: tt.KeyValue, Payload: "1\t2\n3\tx\n", Want: "(at row 2)", Row: 2, Column: "value"},
		{Name: "out of range", Cols: tt.MatrixCols, Payload: "0\t70000\tAM\t0.5\t1", Want: "out of range", Row: 1, Column: "blockNo"},
		{Name: "empty number", Cols: tt.KeyValue, Payload: "\t1", Want: `value "" is not an integer`, Row: 1, Column: "key"},
		{Name: "carriage return", Cols: tt.KeyValue, Payload: "1\t2\r\n", Want: `expected '\n' before: '\r\n'`, Row: 1, Column: "value"},
		{Name: "unknown header field", F: Format{WithNames: true}, Cols: tt.KeyValue, S: &strict, Payload: "key\tzzz\n1\t2\n",
			Want: "Unknown field found in TSV header: 'zzz' at position 1", Row: 1},
		{Name: "duplicate header field", F: Format{WithNames: true}, Cols: tt.KeyValue, Payload: "key\tkey\n1\t2\n",
			Want: "Duplicate field found while parsing TSV header: key", Row: 1},
		{Name: "VECTORS §2 RowBinaryWithNamesAndTypes-like type mismatch", F: Format{WithNames: true, WithTypes: true}, Cols: tt.MatrixCols,
			Payload: "id\tblockNo\nInt64\tString\n0\tBAD\n", Want: "Type of 'blockNo' must be UInt16, not String", Row: 1},
		{Name: "types count", F: Format{WithNames: true, WithTypes: true}, Cols: tt.KeyValue,
			Payload: "key\tvalue\nUInt64\n", Want: "The number of data types differs", Row: 1},
		{Name: "NULL into non-Nullable without null_as_default", Cols: tt.KeyValue, S: &noNullDefault,
			Payload: "\\N\t1\n", Want: `value "" is not an integer`, Row: 1, Column: "key"},
		{Name: "bad escape", Cols: []string{"s String"}, Payload: "abc\\", Want: "Cannot parse escape sequence", Row: 1, Column: "s"},
		{Name: "bad array", Cols: []string{"a Array(Int8)"}, Payload: "[1,2\n", Want: "is not a valid Array literal", Row: 1, Column: "a"},
		{Name: "unknown enum", Cols: []string{"e Enum8('a' = 1)"}, Payload: "zz\n", Want: "is not a name of the enum", Row: 1, Column: "e"},
	}
	// A conversion failure keeps the block's error as the cause.
	tt.DecodeErrors(t, Format{}, tests, func(t *testing.T, tc tt.ErrorCase, err error) {
		if tc.Column != "" {
			var ve *block.ValueError
			assert.True(t, errors.As(err, &ve) || strings.Contains(err.Error(), "escape"), "%v", err)
		}
	})
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3), for
// every variant.
// WithNames takes the first line as a header: the rest must still fail.
func TestGarbageIsOneError(t *testing.T) {
	tt.GarbageIsOneError(t, defaults(), Format{}, Format{Raw: true}, Format{WithNames: true}, Format{WithNames: true, WithTypes: true})
}

func TestNewDecoderErrors(t *testing.T) {
	_, err := Format{}.NewDecoder(block.Schema(nil), nil)
	require.Error(t, err)
	tt.OtherRowsError(t, Format{}, "1\t2\n")
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
		assert.LessOrEqual(t, h.AllocsPerDecode(queuePayload(f, 100)), 1.0, "allocations per 100-row message of %s", f.Name())
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
