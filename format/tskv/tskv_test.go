package tskv

import (
	"errors"
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
	f, err := format.Lookup("TSKV")
	require.NoError(t, err)
	assert.Equal(t, Format{}, f)
	assert.False(t, format.IsBlockOriented(f))
}

// VECTORS.md §1: TSKV (an empty message is an error).
func TestDecodeFormatMatrix(t *testing.T) {
	m1 := tt.Testdata(t, "matrix_m1.tskv")
	require.Equal(t, "id=0\tblockNo=0\tval1=AM\tval2=0.5\tval3=1\n", m1)
	tt.Matrix(t, Format{}, defaults(), false, m1, tt.Testdata(t, "matrix_m2.tskv"))
}

func TestDecodeRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, []string{"id Int64", "val1 String", "val3 UInt8", "`na=me` Nullable(String)", "a Array(String)"}, defaults())
	defer h.Release()
	assert.Equal(t, [][]string{
		{"5", "0", "0", "7"},
		{"", "", "a=b\tc", ""},
		{"2", "0", "0", "0"},
		{"(null)", "(null)", "x", "(null)"},
		{"[]", "[]", "[]", `["x\ty"]`},
	}, h.Columns(tt.Testdata(t, "unordered.tskv"), "id=7\tna\\=me=\\N\ta=['x\\ty']"))
}

func TestDecodeErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	tests := []struct {
		name    string
		cols    []string
		s       *format.Settings
		payload string
		want    string
		row     int
		column  string
	}{
		{name: "VECTORS §2 TSKV", cols: tt.MatrixCols, payload: tt.Testdata(t, "broken.tskv"),
			want: "Found garbage after field in TSKV format: blockNo: (at row 1)\n", row: 1, column: "blockNo"},
		{name: "empty message", cols: tt.MatrixCols, payload: "", want: "Unexpected end of stream while reading key name", row: 1},
		{name: "garbage qwertyuiop", cols: tt.KeyValue, payload: tt.Testdata(t, "garbage_1.txt"),
			want: "Unexpected end of stream while reading key name from TSKV format: (at row 1)", row: 1},
		{name: "formats_errors", cols: tt.KeyValue, payload: tt.Testdata(t, "formats_errors.txt"),
			want: "Found field without value while parsing TSKV format: Broken message: (at row 1)", row: 1},
		{name: "duplicate", cols: tt.KeyValue, payload: "key=1\tkey=2\n", want: "Duplicate field found while parsing TSKV format: key", row: 1},
		{name: "unknown", cols: tt.KeyValue, s: &strict, payload: "key=1\nzzz=2\n", want: "Unknown field found while parsing TSKV format: zzz: (at row 2)", row: 2},
		{name: "out of range", cols: tt.MatrixCols, payload: "blockNo=70000\n", want: "out of range", row: 1, column: "blockNo"},
		{name: "second row", cols: tt.KeyValue, payload: "key=1\nkey=x\n", want: "(at row 2)", row: 2, column: "key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tc.s != nil {
				s = *tc.s
			}
			h := tt.NewHarness(t, mem, Format{}, tc.cols, s)
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

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, tt.KeyValue, defaults())
	defer h.Release()
	for _, p := range tt.Garbage {
		_, err := h.Decode(p)
		require.Error(t, err, p)
	}
}

func TestNewDecoderErrors(t *testing.T) {
	cols, err := block.ParseColumns([]string{"a Int8"})
	require.NoError(t, err)
	dec, err := Format{}.NewDecoder(block.Schema(cols), nil)
	require.NoError(t, err)
	other, err := block.ParseColumns([]string{"a Int8", "b Int8"})
	require.NoError(t, err)
	err = dec.Decode(block.NewRows(other, block.Options{}), []byte("a=1\n"))
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*ParseError)))
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
