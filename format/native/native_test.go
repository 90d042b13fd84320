package native

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

func defaults() format.Settings { return format.DefaultSettings() }

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	require.NoError(t, err)
	return b
}

func TestRegistered(t *testing.T) {
	f, err := format.Lookup("Native")
	require.NoError(t, err)
	assert.Equal(t, Format{}, f)
	assert.True(t, format.IsBlockOriented(f))
}

// VECTORS.md §1: the format matrix, Native row.
func TestDecodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	m1, m2 := codectest.ReadTestdata(t, "matrix_m1.native"), codectest.ReadTestdata(t, "matrix_m2.native")
	require.Len(t, m1, 80)
	require.Len(t, m2, 332)
	_, err := h.Decode(nil) // not OK for Native (VECTORS.md §1.2)
	require.EqualError(t, err, "Attempt to read after eof")
	h.Matrix(m1, m2)
}

// The encoder writes the matrix payloads byte for byte.
func TestEncodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	m1, m2 := codectest.MatrixRecords(t, mem)
	defer m1.Release()
	defer m2.Release()
	enc, err := Format{}.NewEncoder(m1.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, m1, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(codectest.ReadTestdata(t, "matrix_m1.native")), hex.EncodeToString(out))
	out, err = enc.Append(nil, m2, 0, 15)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(codectest.ReadTestdata(t, "matrix_m2.native")), hex.EncodeToString(out))
	// Zero rows: the column headers and no data.
	out, err = enc.Append(nil, m2, 3, 3)
	require.NoError(t, err)
	assert.Equal(t, "0500"+"02696405496e743634", hex.EncodeToString(out[:11]))
}

// Several blocks in one message give all their rows.
func TestDecodeSeveralBlocks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	var msg []byte
	msg = append(msg, codectest.ReadTestdata(t, "matrix_m1.native")...)
	msg = append(msg, codectest.ReadTestdata(t, "matrix_m2.native")...)
	msg = append(msg, codectest.ReadTestdata(t, "matrix_m1.native")...)
	assert.Equal(t, 17, h.MustDecode(msg))
	rec := h.Record()
	defer rec.Release()
	codectest.CheckMatrix(t, rec)
}

// Columns map by name: reordered, missing (defaults) and unknown (skipped) columns; the
// message's types convert to the table's.
func TestDecodeMapping(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, []string{
		"a Int64", "b String", "c Nullable(UInt8)", "d LowCardinality(String)", "e Enum8('x' = 1, 'y' = 2)",
		"f DateTime64(3)", "g Decimal(10, 3)", "h Array(Int64)",
	}, defaults())
	defer h.Release()
	payload := unhex(t, `
		09 02
		01 62 06 537472696e67   01 41 00
		01 7a 0d 417272617928537472696e6729   0100000000000000 0200000000000000  01 70 01 71
		01 61 05 496e743332   ffffffff 07000000
		01 64 06 537472696e67   01 71 01 72
		01 65 0e 456e756d3828277927203d203529   05 05
		01 66 08 4461746554696d65   01000000 02000000
		01 67 0d 446563696d616c28352c203129   0f000000 f1ffffff
		01 68 0c 417272617928496e74313629   0100000000000000 0100000000000000 0700
		01 63 0f 4e756c6c61626c6528496e74363429 00 01 0500000000000000 0000000000000000
	`)
	// "e" is Enum8('y' = 5): value 5 is 'y' by name. "c" Nullable(Int64) into Nullable(UInt8).
	assert.Equal(t, 2, h.MustDecode(payload))
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []int64{-1, 7}, rec.Column(0).(*array.Int64).Int64Values())
	assert.Equal(t, []string{"A", ""}, codectest.Strs(rec.Column(1)))
	assert.Equal(t, []string{"5", "(null)"}, codectest.Strs(rec.Column(2)))
	assert.Equal(t, []string{"q", "r"}, codectest.Strs(rec.Column(3)))
	assert.Equal(t, []string{"y", "y"}, codectest.Strs(rec.Column(4)))
	assert.Equal(t, []string{"1970-01-01T00:00:01Z", "1970-01-01T00:00:02Z"}, codectest.Strs(rec.Column(5)))
	assert.Equal(t, []string{"1.5", "-1.5"}, codectest.Strs(rec.Column(6)))
	assert.Equal(t, []string{"[7]", "[]"}, codectest.Strs(rec.Column(7)))
}

// LowCardinality as ClickHouse writes it: the dictionary holds the default value (and,
// for LowCardinality(Nullable), the NULL placeholder) before the values.
func TestDecodeLowCardinality(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, []string{"x LowCardinality(String)", "n LowCardinality(Nullable(String))", "s String"}, defaults())
	defer h.Release()
	// SELECT toLowCardinality(v) AS x, toLowCardinality(toNullable(...)) AS n, ... FORMAT Native
	payload := unhex(t, `
		03 03
		01 78 16 4c6f7743617264696e616c69747928537472696e6729
		  0100000000000000 0006000000000000 0300000000000000 00 0161 0162 0300000000000000 01 02 01
		01 6e 20 4c6f7743617264696e616c697479284e756c6c61626c6528537472696e672929
		  0100000000000000 0006000000000000 0300000000000000 00 00 0161 0300000000000000 00 02 01
		01 73 16 4c6f7743617264696e616c69747928537472696e6729
		  0100000000000000 0106000000000000 0200000000000000 00 017a 0300000000000000 0100 0100 0000
	`)
	assert.Equal(t, 3, h.MustDecode(payload))
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []string{"a", "b", "a"}, codectest.Strs(rec.Column(0)))
	assert.Equal(t, []string{"(null)", "a", ""}, codectest.Strs(rec.Column(1)))
	assert.Equal(t, []string{"z", "z", ""}, codectest.Strs(rec.Column(2)))
}

// The encoder writes LowCardinality in ClickHouse's serialization; the NULL placeholder
// comes first for LowCardinality(Nullable).
func TestEncodeLowCardinality(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, []string{"n LowCardinality(Nullable(String))", "a Array(LowCardinality(String))"}, defaults())
	defer h.Release()
	require.NoError(t, codectest.Null()(h.Rows.Col(0)))
	require.NoError(t, codectest.Arr()(h.Rows.Col(1)))
	require.NoError(t, h.Rows.EndRow())
	require.NoError(t, codectest.Txt("a")(h.Rows.Col(0)))
	require.NoError(t, codectest.Arr(codectest.Txt("b"), codectest.Txt("b"))(h.Rows.Col(1)))
	require.NoError(t, h.Rows.EndRow())
	h.B.Append(h.Rows, nil)
	h.Rows.Reset()
	rec := h.Record()
	defer rec.Release()
	enc, err := Format{}.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 2)
	require.NoError(t, err)
	want := unhex(t, `
		02 02
		01 6e 20 4c6f7743617264696e616c697479284e756c6c61626c6528537472696e672929
		  0100000000000000 0006000000000000 0200000000000000 00 0161 0200000000000000 00 01
		01 61 1d 4172726179284c6f7743617264696e616c69747928537472696e672929
		  0100000000000000 0000000000000000 0200000000000000
		  0006000000000000 0100000000000000 0162 0200000000000000 00 00
	`)
	assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString(out))
	assert.Equal(t, 2, h.MustDecode(out))
	again := h.Record()
	defer again.Release()
	assert.True(t, array.RecordEqual(rec, again))
}

func TestDecodeErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	tests := []struct {
		name     string
		cols     []string
		settings *format.Settings
		payload  []byte
		want     string
		column   string
	}{
		{name: "VECTORS §2 Native", cols: codectest.MatrixCols, payload: codectest.ReadTestdata(t, "broken.native"), want: "Cannot convert: String to UInt16", column: "blockNo"},
		{name: "garbage qwertyuiop", cols: codectest.KeyValueCols, payload: []byte("qwertyuiop"), want: "Cannot read all data"},
		{name: "garbage asdfghjkl", cols: codectest.KeyValueCols, payload: []byte("asdfghjkl"), want: "Cannot read all data"},
		{name: "garbage zxcvbnm", cols: codectest.KeyValueCols, payload: []byte("zxcvbnm"), want: "Cannot read all data"},
		{name: "formats_errors", cols: codectest.KeyValueCols, payload: []byte(codectest.FormatsErrors), want: "Cannot read all data"},
		{name: "truncated", cols: codectest.MatrixCols, payload: codectest.ReadTestdata(t, "matrix_m1.native")[:79], want: "Cannot read all data", column: "val3"},
		{name: "unknown type", cols: codectest.KeyValueCols, payload: unhex(t, "01 01 03 6b6579 04 4e6f7065 00"), want: "Unknown data type \"Nope\"", column: "key"},
		{name: "unknown column", cols: codectest.KeyValueCols, settings: &strict, payload: unhex(t, "01 01 01 7a 05 55496e7438 00"), want: "Unknown column with name z found while reading data in Native format"},
		{name: "duplicate column", cols: codectest.KeyValueCols, payload: unhex(t, "02 01 03 6b6579 05 55496e7438 00 03 6b6579 05 55496e7438 00"), want: "Duplicate column with name key"},
		{name: "out of range", cols: codectest.KeyValueCols, payload: unhex(t, "01 01 03 6b6579 05 496e743634 ffffffffffffffff"), want: "out of range", column: "key"},
		{name: "array offsets", cols: []string{"a Array(UInt8)"}, payload: unhex(t, "01 02 01 61 0c 41727261792855496e743829 0200000000000000 0100000000000000 0000"), want: "not monotonic", column: "a"},
		{name: "lc version", cols: []string{"a LowCardinality(String)"}, payload: unhex(t, "01 01 01 61 16 4c6f7743617264696e616c69747928537472696e6729 0200000000000000"), want: "Invalid version", column: "a"},
		{name: "lc index", cols: []string{"a LowCardinality(String)"}, payload: unhex(t, "01 01 01 61 16 4c6f7743617264696e616c69747928537472696e6729 0100000000000000 0006000000000000 0100000000000000 00 0100000000000000 05"), want: "index 5 is out of range", column: "a"},
		{name: "array into scalar", cols: []string{"a UInt8"}, payload: unhex(t, "01 01 01 61 0c 41727261792855496e743829 0000000000000000"), want: "Cannot convert: Array(UInt8) to UInt8", column: "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tt.settings != nil {
				s = *tt.settings
			}
			h := codectest.NewHarness(t, mem, Format{}, tt.cols, s)
			defer h.Release()
			n, err := h.Decode(tt.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tt.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.column, pe.Column, "column")
		})
	}
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.KeyValueCols, defaults())
	defer h.Release()
	for _, p := range append(codectest.Garbage, codectest.FormatsErrors) {
		n, err := h.Decode([]byte(p))
		assert.Error(t, err, p)
		assert.Zero(t, n)
	}
}

func TestRoundTrip(t *testing.T) { codectest.RoundTrip(t, Format{}, defaults(), nil) }

// VECTORS.md §6.4: one message per record batch.
func TestBlockSplit(t *testing.T) { codectest.BlockSplit(t, Format{}) }

func TestEncodeErrors(t *testing.T) { codectest.EncodeErrors(t, Format{}) }

func TestDecodeAllocations(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	payload := codectest.ReadTestdata(t, "matrix_m2.native")
	allocs := h.AllocsPerDecode(payload)
	assert.Zero(t, allocs)
}
