package jsoneachrow

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/virtualcols"
)

// fuzzCols covers the seeds' fields and every reader.
var fuzzCols = []string{
	"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8",
	"key UInt64", "value UInt64", "i Int64", "s String", "t UInt64", "`e.x` String",
	"a Array(Nullable(Int32))", "m Map(String, String)", "tt Tuple(a Int8, b String)",
	"d DateTime64(3)", "dt DateTime", "dd Date", "dec Decimal(10, 2)", "F2 String",
	"e Enum8('a' = 1, 'b' = 2)", "u UUID", "b Bool", "lc LowCardinality(Nullable(String))", "fs FixedString(3)",
}

// FuzzDecode checks that no payload panics, that a failed message leaves the staged rows
// resettable, and that every message that decodes survives an encode/decode round trip.
func FuzzDecode(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	require.NoError(f, err)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{"", "{}", "[]", `{"a":[1,null]}{"m":{"k":"v"}}`, `{"tt":[1,"x"],"e":2,"b":true}`, `[{"key":1},{"key":2}];`,
		`{"val2":"nan","dec":"1.5","dd":19000,"dt":"2020-01-01 00:00:00","u":"61f0c404-5cb3-11e7-907b-a6006ad3dba0","lc":null,"fs":"ab"}`} {
		f.Add([]byte(s))
	}
	cols, err := block.ParseColumns(fuzzCols)
	require.NoError(f, err)
	schema := block.Schema(cols)
	s := defaults()
	s.ImportNestedJSON = true
	dec, err := Format{}.NewDecoder(schema, &s)
	require.NoError(f, err)
	enc, err := Format{}.NewEncoder(schema, &s)
	require.NoError(f, err)
	good := []byte(`{"id":"1","val1":"ok"}`)

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
		b, err := block.NewBuilder(mem, cols, nil)
		require.NoError(t, err)
		defer b.Release()
		n := rows.Len()
		b.Append(rows, &virtualcols.Message{})
		rec := b.NewRecordBatch()
		defer rec.Release()

		out, err := enc.Append(nil, rec, 0, n)
		require.NoError(t, err)
		rows.Reset()
		require.NoError(t, dec.Decode(rows, out), "re-decoding %q", out)
		require.Equal(t, n, rows.Len())
		b.Append(rows, &virtualcols.Message{})
		again := b.NewRecordBatch()
		defer again.Release()
		for k := range int(rec.NumCols()) {
			require.True(t, array.ApproxEqual(rec.Column(k), again.Column(k), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
				"column %s of %q re-encoded as %q:\n%v\n%v", rec.ColumnName(k), payload, out, rec.Column(k), again.Column(k))
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	h := newHarness(b, mem, []string{"timestamp UInt64", "level String", "message String"}, defaults())
	defer h.Release()
	payload := []byte(queuePayload(100))
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if err := h.dec.Decode(h.rows, payload); err != nil {
			b.Fatal(err)
		}
		h.rows.Reset()
	}
}

func BenchmarkEncode(b *testing.B) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	h := newHarness(b, mem, []string{"timestamp UInt64", "level String", "message String"}, defaults())
	defer h.Release()
	h.mustDecode(queuePayload(100))
	rec := h.record()
	defer rec.Release()
	enc, err := Format{}.NewEncoder(rec.Schema(), nil)
	require.NoError(b, err)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf, err = enc.Append(buf[:0], rec, 0, 100)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
