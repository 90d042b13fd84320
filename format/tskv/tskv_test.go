package tskv

import (
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
	tt.Registered(t, "TSKV", Format{})
}

// VECTORS.md §1: TSKV (an empty message is an error).
func TestDecodeFormatMatrix(t *testing.T) {
	m1 := tt.Testdata(t, "matrix_m1.tskv")
	require.Equal(t, "id=0\tblockNo=0\tval1=AM\tval2=0.5\tval3=1\n", m1)
	tt.Matrix(t, Format{}, defaults(), false, m1, tt.Testdata(t, "matrix_m2.tskv"))
}

func TestDecodeRows(t *testing.T) {
	assert.Equal(t, [][]string{
		{"5", "0", "0", "7"},
		{"", "", "a=b\tc", ""},
		{"2", "0", "0", "0"},
		{"(null)", "(null)", "x", "(null)"},
		{"[]", "[]", "[]", `["x\ty"]`},
	}, tt.DecodeColumns(t, Format{}, []string{"id Int64", "val1 String", "val3 UInt8", "`na=me` Nullable(String)", "a Array(String)"}, defaults(),
		tt.Testdata(t, "unordered.tskv"), "id=7\tna\\=me=\\N\ta=['x\\ty']"))
}

func TestDecodeErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	tests := []tt.ErrorCase{
		{Name: "VECTORS §2 TSKV", Cols: tt.MatrixCols, Payload: tt.Testdata(t, "broken.tskv"),
			Want: "Found garbage after field in TSKV format: blockNo: (at row 1)\n", Row: 1, Column: "blockNo"},
		{Name: "empty message", Cols: tt.MatrixCols, Payload: "", Want: "Unexpected end of stream while reading key name", Row: 1},
		{Name: "garbage qwertyuiop", Cols: tt.KeyValue, Payload: tt.Testdata(t, "garbage_1.txt"),
			Want: "Unexpected end of stream while reading key name from TSKV format: (at row 1)", Row: 1},
		{Name: "formats_errors", Cols: tt.KeyValue, Payload: tt.Testdata(t, "formats_errors.txt"),
			Want: "Found field without value while parsing TSKV format: Broken message: (at row 1)", Row: 1},
		{Name: "duplicate", Cols: tt.KeyValue, Payload: "key=1\tkey=2\n", Want: "Duplicate field found while parsing TSKV format: key", Row: 1},
		{Name: "unknown", Cols: tt.KeyValue, S: &strict, Payload: "key=1\nzzz=2\n", Want: "Unknown field found while parsing TSKV format: zzz: (at row 2)", Row: 2},
		{Name: "out of range", Cols: tt.MatrixCols, Payload: "blockNo=70000\n", Want: "out of range", Row: 1, Column: "blockNo"},
		{Name: "second row", Cols: tt.KeyValue, Payload: "key=1\nkey=x\n", Want: "(at row 2)", Row: 2, Column: "key"},
	}
	tt.DecodeErrors(t, Format{}, tests, nil)
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	tt.GarbageIsOneError(t, defaults(), Format{})
}

func TestNewDecoderErrors(t *testing.T) {
	tt.OtherRowsError(t, Format{}, "a=1\n")
}

func TestRoundTrip(t *testing.T) {
	msgs := tt.RoundTrip(t, Format{}, defaults(), tt.RoundTripColumns)
	assert.Len(t, msgs, 2)
}

// The encoder writes ClickHouse's TSKV output (VECTORS.md §1 payloads).
func TestEncodeOutputForm(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, tt.MatrixCols, defaults())
	h.MustDecode(tt.Testdata(t, "matrix_m2.tskv"))
	rec := h.Record()
	h.Release()
	defer rec.Release()
	enc, err := Format{}.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 15)
	require.NoError(t, err)
	assert.Equal(t, tt.Testdata(t, "matrix_m2.tskv"), string(out))

	h = tt.NewHarness(t, mem, Format{}, []string{"`na=me` Nullable(String)", "s String"}, defaults())
	h.MustDecode("s=a\\tb")
	rec2 := h.Record()
	h.Release()
	defer rec2.Release()
	enc, err = Format{}.NewEncoder(rec2.Schema(), nil)
	require.NoError(t, err)
	out, err = enc.Append(nil, rec2, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, "na\\=me=\\N\ts=a\\tb\n", string(out))
}

// FuzzDecode checks that no payload panics, that a failed message leaves the staged rows
// resettable, and that every message that decodes survives an encode/decode round trip.
func FuzzDecode(f *testing.F) {
	tt.Seeds(f)
	for _, s := range []string{"\n", "tskv\n", "key=1\ts=x\\ty\n\nkey=2", "a=['x',NULL]\tm={'k':1}\tt=(1,'x')\tn=\\N\td=2020-01-01 00:00:00.5\te=b"} {
		f.Add([]byte(s))
	}
	s := format.DefaultSettings()
	z := tt.NewFuzzer(f, []format.Format{Format{}}, []bool{true}, tt.FuzzCols, &s, []string{"key=1\n"})
	f.Fuzz(z.Run)
}

// A steady-state decode allocates nothing per row.
func TestDecodeAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, tt.MatrixCols, defaults())
	defer h.Release()
	assert.LessOrEqual(t, h.AllocsPerDecode(strings.Repeat(tt.Testdata(t, "matrix_m2.tskv"), 7)), 1.0)
}
