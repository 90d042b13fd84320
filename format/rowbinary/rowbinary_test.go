package rowbinary

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

func defaults() format.Settings { return format.DefaultSettings() }

func TestRegistered(t *testing.T) {
	for name, want := range map[string]Format{
		"RowBinary": Plain, "RowBinaryWithNames": WithNames, "RowBinaryWithNamesAndTypes": WithNamesAndTypes,
		"RowBinaryWithDefaults": WithDefaults,
	} {
		f, err := format.Lookup(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, f)
		assert.Equal(t, name, want.String())
		assert.False(t, format.IsBlockOriented(f))
	}
}

// VECTORS.md §1: the format matrix, RowBinary and RowBinaryWithNamesAndTypes rows.
func TestDecodeFormatMatrix(t *testing.T) {
	for _, tc := range []struct {
		f      Format
		m1, m2 string
	}{
		{Plain, "matrix_m1.bin", "matrix_m2.bin"},
		{WithNamesAndTypes, "names_types_m1.bin", "names_types_m2.bin"},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := codectest.NewHarness(t, mem, tc.f, codectest.MatrixCols, defaults())
			defer h.Release()
			m1, m2 := codectest.ReadTestdata(t, tc.m1), codectest.ReadTestdata(t, tc.m2)
			// Empty messages are not OK for these formats (VECTORS.md §1.2).
			n, err := h.Decode(nil)
			require.Error(t, err)
			assert.Zero(t, n)
			h.Matrix(m1, m2)
		})
	}
}

// The encoders write the matrix payloads byte for byte.
func TestEncodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	m1, m2 := codectest.MatrixRecords(t, mem)
	defer m1.Release()
	defer m2.Release()
	for _, tc := range []struct {
		f      Format
		m1, m2 string
	}{
		{Plain, "matrix_m1.bin", "matrix_m2.bin"},
		{WithNamesAndTypes, "names_types_m1.bin", "names_types_m2.bin"},
	} {
		enc, err := tc.f.NewEncoder(m1.Schema(), nil)
		require.NoError(t, err)
		out, err := enc.Append(nil, m1, 0, 1)
		require.NoError(t, err)
		assert.Equal(t, hex.EncodeToString(codectest.ReadTestdata(t, tc.m1)), hex.EncodeToString(out), tc.f)
		out, err = enc.Append(nil, m2, 0, 15)
		require.NoError(t, err)
		assert.Equal(t, hex.EncodeToString(codectest.ReadTestdata(t, tc.m2)), hex.EncodeToString(out), tc.f)
	}
}

func TestDecodeRowBinaryWithNames(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, WithNames, []string{"a UInt8", "b String", "c Nullable(Int16)"}, defaults())
	defer h.Release()
	// Header "b", "a" (reordered, c missing), two rows.
	payload := []byte{2, 1, 'b', 1, 'a', 2, 'x', 'y', 7, 0, 9}
	assert.Equal(t, 2, h.MustDecode(payload))
	// A header-only message has no rows.
	assert.Zero(t, h.MustDecode([]byte{2, 1, 'b', 1, 'a'}))
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []uint8{7, 9}, rec.Column(0).(*array.Uint8).Uint8Values())
	assert.Equal(t, "xy", rec.Column(1).(*array.String).Value(0))
	assert.Equal(t, "", rec.Column(1).(*array.String).Value(1))
	assert.Equal(t, 2, rec.Column(2).NullN())
}

func TestDecodeHeaderSettings(t *testing.T) {
	kv := []string{"key UInt64", "value UInt8"}
	hdrNames := []byte{2, 5, 'v', 'a', 'l', 'u', 'e', 3, 'k', 'e', 'y'}
	row := []byte{5, 1, 0, 0, 0, 0, 0, 0, 0} // value 5, key 1
	noNames := defaults()
	noNames.WithNamesUseHeader = false
	t.Run("names map fields", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		h := codectest.NewHarness(t, mem, WithNames, kv, defaults())
		defer h.Release()
		h.MustDecode(append(append([]byte{}, hdrNames...), row...))
		rec := h.Record()
		defer rec.Release()
		assert.Equal(t, uint64(1), rec.Column(0).(*array.Uint64).Value(0))
		assert.Equal(t, uint8(5), rec.Column(1).(*array.Uint8).Value(0))
	})
	t.Run("header ignored", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		h := codectest.NewHarness(t, mem, WithNames, kv, noNames)
		defer h.Release()
		h.MustDecode(append(append([]byte{}, hdrNames...), 1, 0, 0, 0, 0, 0, 0, 0, 5))
		rec := h.Record()
		defer rec.Release()
		assert.Equal(t, uint64(1), rec.Column(0).(*array.Uint64).Value(0))
		assert.Equal(t, uint8(5), rec.Column(1).(*array.Uint8).Value(0))
	})
	t.Run("unknown field skipped by its type", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		h := codectest.NewHarness(t, mem, WithNamesAndTypes, []string{"key UInt64"}, defaults())
		defer h.Release()
		hdr := []byte{2, 1, 'z', 3, 'k', 'e', 'y', 13, 'A', 'r', 'r', 'a', 'y', '(', 'S', 't', 'r', 'i', 'n', 'g', ')', 6, 'U', 'I', 'n', 't', '6', '4'}
		h.MustDecode(append(hdr, 2, 1, 'a', 0, 9, 0, 0, 0, 0, 0, 0, 0))
		rec := h.Record()
		defer rec.Release()
		assert.Equal(t, uint64(9), rec.Column(0).(*array.Uint64).Value(0))
	})
	t.Run("types header ignored", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		s := defaults()
		s.WithTypesUseHeader = false
		h := codectest.NewHarness(t, mem, WithNamesAndTypes, codectest.MatrixCols, s)
		defer h.Release()
		// The broken vector's header says String for blockNo; the data is read as UInt16.
		n, err := h.Decode(codectest.ReadTestdata(t, "names_types_broken.bin"))
		require.Error(t, err) // UInt16 reads "03 42", then val1 has length 0x41: short read
		assert.Zero(t, n)
	})
}

func TestDecodeWithDefaults(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, WithDefaults, []string{"a UInt8", "b Nullable(String)"}, defaults())
	defer h.Release()
	assert.Equal(t, 2, h.MustDecode([]byte{0, 7, 1, 1, 0, 0, 1, 'x'}))
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []uint8{7, 0}, rec.Column(0).(*array.Uint8).Uint8Values())
	assert.True(t, rec.Column(1).IsNull(0))
	assert.Equal(t, "x", rec.Column(1).(*array.String).Value(1))
	_, err := WithDefaults.NewEncoder(rec.Schema(), nil)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
}

func TestDecodeErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	tests := []struct {
		name     string
		f        Format
		cols     []string
		settings *format.Settings
		payload  []byte
		want     string
		row      int
		column   string
		is       error
	}{
		{
			name: "VECTORS §2 RowBinary", f: Plain, cols: codectest.MatrixCols, payload: codectest.ReadTestdata(t, "broken.bin"),
			want: "Cannot read all data. Bytes read: 9. Bytes expected: 65.: (at row 1)\n", row: 1, column: "val1",
		},
		{
			name: "VECTORS §2 RowBinaryWithNamesAndTypes", f: WithNamesAndTypes, cols: codectest.MatrixCols,
			payload: codectest.ReadTestdata(t, "names_types_broken.bin"), want: "Type of 'blockNo' must be UInt16, not String",
		},
		{name: "empty RowBinary", f: Plain, cols: codectest.MatrixCols, payload: nil, want: "Cannot read all data. Bytes read: 0. Bytes expected: 8.: (at row 1)", row: 1, column: "id"},
		{name: "empty WithNames", f: WithNames, cols: codectest.MatrixCols, payload: nil, want: "Attempt to read after eof"},
		{name: "empty WithNamesAndTypes", f: WithNamesAndTypes, cols: codectest.MatrixCols, payload: []byte{}, want: "Attempt to read after eof"},
		{name: "garbage qwertyuiop", f: Plain, cols: codectest.KeyValueCols, payload: []byte("qwertyuiop"), want: "Cannot read all data. Bytes read: 2. Bytes expected: 8.: (at row 1)", row: 1, column: "value"},
		{name: "garbage asdfghjkl", f: Plain, cols: codectest.KeyValueCols, payload: []byte("asdfghjkl"), want: "Bytes read: 1. Bytes expected: 8.", row: 1, column: "value"},
		{name: "garbage zxcvbnm", f: Plain, cols: codectest.KeyValueCols, payload: []byte("zxcvbnm"), want: "Bytes read: 7. Bytes expected: 8.", row: 1, column: "key"},
		{name: "formats_errors", f: Plain, cols: codectest.KeyValueCols, payload: []byte(codectest.FormatsErrors), want: "Bytes read: 5. Bytes expected: 8.", row: 3, column: "value"},
		{name: "formats_errors with names", f: WithNames, cols: codectest.KeyValueCols, payload: []byte(codectest.FormatsErrors), want: "Cannot read all data"},
		{name: "formats_errors with names and types", f: WithNamesAndTypes, cols: codectest.KeyValueCols, payload: []byte(codectest.FormatsErrors), want: "Cannot read all data"},
		{name: "second row truncated", f: Plain, cols: []string{"a UInt16"}, payload: []byte{1, 0, 2}, want: "Bytes read: 1. Bytes expected: 2.: (at row 2)", row: 2, column: "a"},
		{name: "unknown field", f: WithNames, cols: []string{"a UInt8"}, settings: &strict, payload: []byte{1, 1, 'z', 1}, want: "Unknown field found in RowBinaryWithNames header: 'z' at position 0"},
		{name: "unknown field without type", f: WithNames, cols: []string{"a UInt8"}, payload: []byte{1, 1, 'z', 1}, want: "Cannot skip unknown field in RowBinaryWithNames format"},
		{name: "duplicate field", f: WithNames, cols: []string{"a UInt8"}, payload: []byte{2, 1, 'a', 1, 'a', 1, 2}, want: "Duplicate field found while parsing RowBinaryWithNames header: a"},
		{name: "no fields", f: WithNames, cols: []string{"a UInt8"}, payload: []byte{0, 1}, want: "a row without fields", row: 1},
		{name: "null flag not nullable", f: WithDefaults, cols: []string{"a Int8"}, payload: []byte{0}, want: "Bytes expected: 1.", row: 1, column: "a"},
		{name: "bad enum value", f: Plain, cols: []string{"e Enum8('a' = 1)"}, payload: []byte{2}, want: "is not a value of the enum", row: 1, column: "e"},
		{name: "huge array", f: Plain, cols: []string{"a Array(UInt8)"}, payload: []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 1}, want: "Array size is too large", row: 1, column: "a"},
		{name: "bad date", f: Plain, cols: []string{"d Date32"}, payload: []byte{0xff, 0xff, 0xff, 0x7f}, want: "out of range", row: 1, column: "d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tt.settings != nil {
				s = *tt.settings
			}
			h := codectest.NewHarness(t, mem, tt.f, tt.cols, s)
			defer h.Release()
			n, err := h.Decode(tt.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tt.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.row, pe.Row, "row")
			assert.Equal(t, tt.column, pe.Column, "column")
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Zero(t, h.Rows.Len())
		})
	}
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	for _, f := range []Format{Plain, WithNames, WithNamesAndTypes} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		h := codectest.NewHarness(t, mem, f, codectest.KeyValueCols, defaults())
		for _, p := range append(codectest.Garbage, codectest.FormatsErrors) {
			n, err := h.Decode([]byte(p))
			assert.Error(t, err, "%s %q", f, p)
			assert.Zero(t, n)
		}
		h.Release()
		mem.AssertSize(t, 0)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, f := range []Format{Plain, WithNames, WithNamesAndTypes} {
		t.Run(f.String(), func(t *testing.T) { codectest.RoundTrip(t, f, defaults(), nil) })
	}
}

func TestEncodeErrors(t *testing.T) {
	codectest.EncodeErrors(t, Plain)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := codectest.MatrixRecord(t, mem, 0, 1)
	defer rec.Release()
	// An empty range is an empty document: nothing for RowBinary, the header for the others.
	enc, err := Plain.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append([]byte("keep"), rec, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, "keep", string(out))
	enc, err = WithNames.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err = enc.Append(nil, rec, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, "\x05\x02id\x07blockNo\x04val1\x04val2\x04val3", string(out))
}

// A steady-state decode allocates nothing per row.
func TestDecodeAllocations(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		f       Format
		payload []byte
	}{{Plain, codectest.ReadTestdata(t, "matrix_m2.bin")}, {WithNamesAndTypes, codectest.ReadTestdata(t, "names_types_m2.bin")}} {
		h := codectest.NewHarness(t, mem, tc.f, codectest.MatrixCols, defaults())
		allocs := h.AllocsPerDecode(tc.payload)
		assert.Zero(t, allocs, tc.f)
		h.Release()
	}
}
