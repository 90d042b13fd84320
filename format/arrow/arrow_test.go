package arrowfmt

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

func defaults() format.Settings { return format.DefaultSettings() }

var formats = []Format{File, Stream}

func TestRegistered(t *testing.T) {
	for name, want := range map[string]Format{"Arrow": File, "ArrowStream": Stream} {
		f, err := format.Lookup(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, f)
		assert.Equal(t, name, want.String())
		assert.True(t, format.IsBlockOriented(f))
	}
}

// encode writes rows of rec with a fresh encoder.
func encode(t testing.TB, f Format, rec arrow.RecordBatch, s format.Settings) []byte {
	t.Helper()
	enc, err := f.NewEncoder(rec.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, int(rec.NumRows()))
	require.NoError(t, err)
	return out
}

// VECTORS.md §1: the format matrix (the Arrow payloads are not transcribed: M1 and M2 are
// written by the encoder, and by hand the way ClickHouse types them).
func TestDecodeFormatMatrix(t *testing.T) {
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r1, r2 := codectest.MatrixRecords(t, mem)
			defer r1.Release()
			defer r2.Release()
			m1, m2 := encode(t, f, r1, defaults()), encode(t, f, r2, defaults())
			if f == File {
				assert.Equal(t, "ARROW1\x00\x00", string(m1[:8]))
				assert.Equal(t, "ARROW1", string(m1[len(m1)-6:]))
			} else {
				assert.Equal(t, []byte{0xff, 0xff, 0xff, 0xff}, m1[:4])
				assert.Equal(t, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, m1[len(m1)-8:])
			}
			h := codectest.NewHarness(t, mem, f, codectest.MatrixCols, defaults())
			defer h.Release()
			_, err := h.Decode(nil) // not OK for Arrow (VECTORS.md §1.2)
			require.Error(t, err)
			h.Matrix(m1, m2)
		})
	}
}

// chRecord builds the matrix rows with ClickHouse's own Arrow output types (String as
// binary, no metadata) plus a column the table does not have.
func chRecord(t testing.TB, mem memory.Allocator, ids ...int64) arrow.RecordBatch {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "val3", Type: arrow.PrimitiveTypes.Uint8},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "blockNo", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "val1", Type: arrow.BinaryTypes.Binary},
		{Name: "val2", Type: arrow.PrimitiveTypes.Float32},
		{Name: "extra", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, id := range ids {
		b.Field(0).(*array.Uint8Builder).Append(1)
		b.Field(1).(*array.Int64Builder).Append(id)
		b.Field(2).(*array.Uint16Builder).Append(0)
		b.Field(3).(*array.BinaryBuilder).Append([]byte("AM"))
		b.Field(4).(*array.Float32Builder).Append(0.5)
		b.Field(5).(*array.StringBuilder).Append("ignored")
	}
	return b.NewRecordBatch()
}

func writeIPC(t testing.TB, f Format, rec arrow.RecordBatch, more ...arrow.RecordBatch) []byte {
	t.Helper()
	var buf bytes.Buffer
	if f == Stream {
		w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()))
		for _, r := range append([]arrow.RecordBatch{rec}, more...) {
			require.NoError(t, w.Write(r))
		}
		require.NoError(t, w.Close())
		return buf.Bytes()
	}
	w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(rec.Schema()))
	require.NoError(t, err)
	for _, r := range append([]arrow.RecordBatch{rec}, more...) {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// Messages as ClickHouse writes them, with several record batches in one message.
func TestDecodeClickHouseTypes(t *testing.T) {
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r1 := chRecord(t, mem, 0)
			defer r1.Release()
			r2 := chRecord(t, mem, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
			defer r2.Release()
			h := codectest.NewHarness(t, mem, f, codectest.MatrixCols, defaults())
			defer h.Release()
			assert.Equal(t, 17, h.MustDecode(writeIPC(t, f, r1, r2, r1)))
			rec := h.Record()
			defer rec.Release()
			codectest.CheckMatrix(t, rec)
		})
	}
}

// Arrow types convert to the column types.
func TestDecodeConversions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int32},
		{Name: "d", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "dt", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
		{Name: "e", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint8, ValueType: arrow.BinaryTypes.String}},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 4}},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Int32Builder).AppendValues([]int32{7, -1}, nil)
	b.Field(1).(*array.Uint16Builder).AppendValues([]uint16{18262, 0}, nil)
	b.Field(2).(*array.Uint32Builder).AppendValues([]uint32{1577836801, 0}, nil)
	b.Field(3).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1500000, -1}, nil)
	eb := b.Field(4).(*array.BinaryDictionaryBuilder)
	require.NoError(t, eb.AppendString("b"))
	require.NoError(t, eb.AppendString("a"))
	b.Field(5).(*array.StringBuilder).AppendValues([]string{"42", ""}, []bool{true, false})
	db := b.Field(6).(*array.Decimal128Builder)
	db.Append(decimal128FromInt(t, 12345))
	db.Append(decimal128FromInt(t, -5))
	b.Field(7).(*array.Date32Builder).AppendValues([]arrow.Date32{1, 2}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	h := codectest.NewHarness(t, mem, File, []string{
		"i Int64", "d Date", "dt DateTime", "ts DateTime64(3)", "e Enum8('a' = 1, 'b' = 2)", "s Nullable(UInt32)",
		"dec Decimal(9, 2)", "day DateTime",
	}, defaults())
	defer h.Release()
	assert.Equal(t, 2, h.MustDecode(writeIPC(t, File, rec)))
	got := h.Record()
	defer got.Release()
	want := [][]string{
		{"7", "-1"}, {"2020-01-01", "1970-01-01"}, {"2020-01-01T00:00:01Z", "1970-01-01T00:00:00Z"},
		{"1970-01-01T00:00:01.5Z", "1969-12-31T23:59:59.999Z"}, {"b", "a"}, {"42", "(null)"}, {"1.23", "0"},
		{"1970-01-02T00:00:00Z", "1970-01-03T00:00:00Z"},
	}
	for k, w := range want {
		assert.Equal(t, w, codectest.Strs(got.Column(k)), got.ColumnName(k))
	}
}

func decimal128FromInt(t testing.TB, v int64) (n decimalNum) {
	t.Helper()
	return decimalFromInt(v)
}

func TestDecodeErrors(t *testing.T) {
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := codectest.NewHarness(t, mem, f, codectest.KeyValueCols, defaults())
			defer h.Release()
			for _, p := range append(codectest.Garbage, codectest.FormatsErrors, "") {
				n, err := h.Decode([]byte(p))
				assert.Error(t, err, "%q", p)
				assert.Zero(t, n)
			}
			// Truncated messages.
			r := codectest.MatrixRecord(t, mem, 0, 1, 2)
			defer r.Release()
			full := encode(t, f, r, defaults())
			h2 := codectest.NewHarness(t, mem, f, codectest.MatrixCols, defaults())
			defer h2.Release()
			for _, n := range []int{1, 8, 20, len(full) / 2, len(full) - 1} {
				_, err := h2.Decode(full[:n])
				assert.Error(t, err, "%d of %d bytes", n, len(full))
			}
			// A value that does not fit its column names the column.
			bad := chRecord(t, mem, -1)
			defer bad.Release()
			h3 := codectest.NewHarness(t, mem, f, []string{"id UInt64"}, defaults())
			defer h3.Release()
			_, err := h3.Decode(writeIPC(t, f, bad))
			require.Error(t, err)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "id", pe.Column)
			assert.Contains(t, err.Error(), "out of range")
			// A type that cannot fill the column.
			h4 := codectest.NewHarness(t, mem, f, []string{"val1 Array(String)"}, defaults())
			defer h4.Release()
			_, err = h4.Decode(writeIPC(t, f, bad))
			assert.ErrorContains(t, err, "Cannot convert arrow type binary to column type Array(String)")
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, f := range formats {
		for _, c := range []string{"lz4_frame", "zstd", "none"} {
			t.Run(f.String()+"/"+c, func(t *testing.T) {
				s := defaults()
				s.ArrowCompression = c
				codectest.RoundTrip(t, f, s, nil)
			})
		}
	}
}

func TestBlockSplit(t *testing.T) {
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) { codectest.BlockSplit(t, f) })
	}
}

func TestEncodeErrors(t *testing.T) {
	codectest.EncodeErrors(t, Stream)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := codectest.MatrixRecord(t, mem, 0, 1)
	defer rec.Release()
	s := defaults()
	s.ArrowCompression = "brotli"
	_, err := File.NewEncoder(rec.Schema(), &s)
	assert.ErrorContains(t, err, "unknown output_format_arrow_compression_method")
	// The payload is appended to dst.
	enc, err := File.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append([]byte("keep"), rec, 0, 2)
	require.NoError(t, err)
	assert.Equal(t, "keepARROW1", string(out[:10]))
}
