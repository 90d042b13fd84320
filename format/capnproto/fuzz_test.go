package capnproto

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/codectest"
	"github.com/chkafka/chkafka/virtualcols"
)

// FuzzDecode checks that no payload panics or leaves the decoder unusable, and that every
// message that decodes survives an encode/decode round trip. The schema is the round-trip
// schema (every column type, unions, lists of lists and of structs, maps).
func FuzzDecode(f *testing.F) {
	codectest.SchemaSeeds(f, ".capnp")
	mem := memory.NewGoAllocator()
	cols, src := sourceRecord(f, mem)
	s := settings("roundtrip:Row")
	enc, err := Format{}.NewEncoder(src.Schema(), &s)
	require.NoError(f, err)
	for r := range 5 {
		out, err := enc.Append(nil, src, r, r+1)
		require.NoError(f, err)
		f.Add(out)
	}
	good, err := enc.Append(nil, src, 0, 1)
	require.NoError(f, err)
	src.Release()
	schema := block.Schema(cols)
	dec, err := Format{}.NewDecoder(schema, &s)
	require.NoError(f, err)
	enc, err = Format{}.NewEncoder(schema, &s)
	require.NoError(f, err)
	dec2, err := Format{}.NewDecoder(schema, &s)
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, payload []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rows := block.NewRows(cols, block.Options{NullAsDefault: true})
		if err := dec.Decode(rows, payload); err != nil {
			require.NotEmpty(t, err.Error())
			rows.Reset()
			require.NoError(t, dec.Decode(rows, good))
			require.Equal(t, 1, rows.Len())
			return
		}
		n := rows.Len()
		b, err := block.NewBuilder(mem, cols, nil)
		require.NoError(t, err)
		defer b.Release()
		b.Append(rows, &virtualcols.Message{})
		rec := b.NewRecordBatch()
		defer rec.Release()
		out, err := enc.Append(nil, rec, 0, n)
		if err != nil {
			// Values a schema field cannot hold back (e.g. a NULL inside a List of
			// primitives read into Array(Nullable)) are refused, not mangled.
			require.NotEmpty(t, err.Error())
			return
		}
		rows.Reset()
		require.NoError(t, dec2.Decode(rows, out), "re-decoding %x", out)
		require.Equal(t, n, rows.Len())
		b.Append(rows, &virtualcols.Message{})
		again := b.NewRecordBatch()
		defer again.Release()
		for k := range int(rec.NumCols()) {
			require.True(t, array.ApproxEqual(rec.Column(k), again.Column(k), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
				"column %s of %x:\n%v\n%v", rec.ColumnName(k), payload, rec.Column(k), again.Column(k))
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	mem := memory.NewGoAllocator()
	h := newHarness(b, mem, Format{}, matrixCols, settings("test:TestRecordStruct"))
	defer h.Release()
	var payload []byte
	for range 7 {
		payload = append(payload, readFile(b, "matrix_m2.bin")...)
	}
	h.BenchDecode(b, payload)
}
