package parquet

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

func defaults() format.Settings { return format.DefaultSettings() }

func TestRegistered(t *testing.T) {
	f, err := format.Lookup("Parquet")
	require.NoError(t, err)
	assert.Equal(t, Format{}, f)
	assert.True(t, format.IsBlockOriented(f))
}

func encode(t testing.TB, rec arrow.RecordBatch, s format.Settings) []byte {
	t.Helper()
	enc, err := Format{}.NewEncoder(rec.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, int(rec.NumRows()))
	require.NoError(t, err)
	return out
}

// VECTORS.md §1: the format matrix (the Parquet payloads are not transcribed: M1 and M2 are
// written by the encoder, and by a plain Parquet writer the way ClickHouse types them).
func TestDecodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r1, r2 := codectest.MatrixRecords(t, mem)
	defer r1.Release()
	defer r2.Release()
	m1, m2 := encode(t, r1, defaults()), encode(t, r2, defaults())
	assert.Equal(t, "PAR1", string(m1[:4]))
	assert.Equal(t, "PAR1", string(m1[len(m1)-4:]))
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	_, err := h.Decode(nil) // not OK for Parquet (VECTORS.md §1.2)
	require.Error(t, err)
	h.Matrix(m1, m2)
}

// chRecord builds the matrix rows with ClickHouse's own types (String as binary, no
// metadata) plus a column the table does not have.
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

// writePlain writes a Parquet file without the stored Arrow schema, one row group per
// record.
func writePlain(t testing.TB, recs ...arrow.RecordBatch) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(recs[0].Schema(), &buf, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	require.NoError(t, err)
	for _, r := range recs {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// Files as other writers (ClickHouse) produce them, with several row groups.
func TestDecodeClickHouseTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r1 := chRecord(t, mem, 0)
	defer r1.Release()
	r2 := chRecord(t, mem, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	defer r2.Release()
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	assert.Equal(t, 17, h.MustDecode(writePlain(t, r1, r2, r1)))
	rec := h.Record()
	defer rec.Release()
	codectest.CheckMatrix(t, rec)
}

func TestDecodeErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.KeyValueCols, defaults())
	defer h.Release()
	for _, p := range append(codectest.Garbage, codectest.FormatsErrors, "", "PAR1PAR1", "PAR1\x00\x00\x00\x00PAR1") {
		n, err := h.Decode([]byte(p))
		assert.Error(t, err, "%q", p)
		assert.Zero(t, n)
	}
	r := codectest.MatrixRecord(t, mem, 0, 1, 2)
	defer r.Release()
	full := encode(t, r, defaults())
	h2 := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h2.Release()
	for _, n := range []int{1, 4, 8, 20, len(full) / 2, len(full) - 5, len(full) - 1} {
		_, err := h2.Decode(full[:n])
		assert.Error(t, err, "%d of %d bytes", n, len(full))
	}
	bad := chRecord(t, mem, -1)
	defer bad.Release()
	h3 := codectest.NewHarness(t, mem, Format{}, []string{"id UInt64"}, defaults())
	defer h3.Release()
	_, err := h3.Decode(writePlain(t, bad))
	require.Error(t, err)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "id", pe.Column)
	assert.Contains(t, err.Error(), "out of range")
}

func TestRoundTrip(t *testing.T) {
	for _, c := range []string{"lz4", "none", "snappy", "zstd", "gzip", "brotli"} {
		t.Run(c, func(t *testing.T) {
			s := defaults()
			s.ParquetCompression = c
			codectest.RoundTrip(t, Format{}, s, nil)
		})
	}
}

func TestBlockSplit(t *testing.T) { codectest.BlockSplit(t, Format{}) }

func TestEncodeErrors(t *testing.T) {
	codectest.EncodeErrors(t, Format{})
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := codectest.MatrixRecord(t, mem, 0, 1)
	defer rec.Release()
	s := defaults()
	s.ParquetCompression = "lzo"
	_, err := Format{}.NewEncoder(rec.Schema(), &s)
	assert.ErrorContains(t, err, "unknown output_format_parquet_compression_method")
}

// LowCardinality columns are written with their value types (pqarrow mishandles some
// dictionaries) and read back into LowCardinality columns, nested ones included.
func TestLowCardinality(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	defs := []string{
		"a LowCardinality(UInt32)", "b LowCardinality(Nullable(UInt64))", "c LowCardinality(DateTime)",
		"d Array(LowCardinality(Nullable(String)))", "e Map(LowCardinality(String), LowCardinality(UInt64))",
		"f Tuple(x LowCardinality(String), y Int8)",
	}
	values := [][]string{
		{"4294967295", "18446744073709551615", "2100-01-01 00:00:00", "['x',NULL,'x']", "{'k':18446744073709551615}", "('s',1)"},
		{"0", "1", "1970-01-01 00:00:01", "[]", "{}", "('',-1)"},
	}
	h := codectest.NewHarness(t, mem, Format{}, defs, defaults())
	defer h.Release()
	for _, row := range values {
		for k, v := range row {
			require.NoError(t, h.Rows.Col(k).AppendText([]byte(v)), defs[k])
		}
		require.NoError(t, h.Rows.EndRow())
	}
	require.NoError(t, h.Rows.Col(1).AppendNull())
	require.NoError(t, h.Rows.EndRow())
	h.B.Append(h.Rows, nil)
	h.Rows.Reset()
	src := h.Record()
	defer src.Release()
	msg := encode(t, src, defaults())
	assert.Equal(t, 3, h.MustDecode(msg))
	got := h.Record()
	defer got.Release()
	for k := range defs {
		assert.Equal(t, codectest.Strs(src.Column(k)), codectest.Strs(got.Column(k)), defs[k])
	}
}
