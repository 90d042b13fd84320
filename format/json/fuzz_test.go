package json

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
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

// fuzzTarget is the decoder and encoder of one format for the fuzz schema.
type fuzzTarget struct {
	kind kind
	cols []block.Column
	dec  format.Decoder
	enc  format.Encoder
	good []byte // a message the decoder accepts
}

// FuzzDecode checks, for every readable format of the family (which picks it), that no
// payload panics, that a failed message leaves the staged rows resettable, and that every
// message that decodes survives an encode/decode round trip.
func FuzzDecode(f *testing.F) {
	kinds := readableKinds()
	entries, err := os.ReadDir("testdata")
	require.NoError(f, err)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		require.NoError(f, err)
		for which := range kinds {
			f.Add(uint8(which), b)
		}
	}
	for _, s := range []string{"", "{}", "[]", `{"a":[1,null]}{"m":{"k":"v"}}`, `{"tt":[1,"x"],"e":2,"b":true}`, `[{"key":1},{"key":2}];`,
		`{"val2":"nan","dec":"1.5","dd":19000,"dt":"2020-01-01 00:00:00","u":"61f0c404-5cb3-11e7-907b-a6006ad3dba0","lc":null,"fs":"ab"}`,
		`[["id","s"],["1","x"]]`, `{"meta":[{"name":"id","type":"Int64"}],"data":[["1"]]}`, `{"id":["1","2"],"a":[[1],[]]}`} {
		for which := range kinds {
			f.Add(uint8(which), []byte(s))
		}
	}
	cols, err := block.ParseColumns(fuzzCols)
	require.NoError(f, err)
	asString, err := block.ParseColumns([]string{"F2 LowCardinality(Nullable(String))"})
	require.NoError(f, err)
	s := defaults()
	s.ImportNestedJSON = true
	targets := make([]fuzzTarget, len(kinds))
	for i, k := range kinds {
		tc := cols
		if k == kindAsString {
			tc = asString
		}
		schema := block.Schema(tc)
		dec, err := Format{kind: k}.NewDecoder(schema, &s)
		require.NoError(f, err)
		enc, err := Format{kind: k}.NewEncoder(schema, &s)
		require.NoError(f, err)
		targets[i] = fuzzTarget{kind: k, cols: tc, dec: dec, enc: enc, good: goodMessage(f, k, tc, enc)}
	}
	check, err := Format{}.NewEncoder(block.Schema(cols), &s)
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		tg := targets[int(which)%len(targets)]
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rows := block.NewRows(tg.cols, block.Options{NullAsDefault: true})
		if err := tg.dec.Decode(rows, payload); err != nil {
			require.NotEmpty(t, err.Error())
			rows.Reset()
			require.NoError(t, tg.dec.Decode(rows, tg.good), "%s: %s", tg.kind, tg.good)
			require.Equal(t, 1, rows.Len())
			return
		}
		b, err := block.NewBuilder(mem, tg.cols, nil)
		require.NoError(t, err)
		defer b.Release()
		n := rows.Len()
		b.Append(rows, &virtualcols.Message{})
		rec := b.NewRecordBatch()
		defer rec.Release()

		out, err := tg.enc.Append(nil, rec, 0, n)
		require.NoError(t, err)
		rows.Reset()
		require.NoError(t, tg.dec.Decode(rows, out), "%s: re-decoding %q", tg.kind, out)
		require.Equal(t, n, rows.Len())
		if tg.kind.validatesUTF8() {
			// Invalid UTF-8 is replaced on output; JSONEachRow shows whether there was any.
			plain, err := check.Append(nil, rec, 0, n)
			require.NoError(t, err)
			if !utf8.Valid(plain) {
				return
			}
		}
		b.Append(rows, &virtualcols.Message{})
		again := b.NewRecordBatch()
		defer again.Release()
		for k := range int(rec.NumCols()) {
			require.True(t, array.ApproxEqual(rec.Column(k), again.Column(k), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
				"%s: column %s of %q re-encoded as %q:\n%v\n%v", tg.kind, rec.ColumnName(k), payload, out, rec.Column(k), again.Column(k))
		}
	})
}

// goodMessage is a one-row message of format k.
func goodMessage(t testing.TB, k kind, cols []block.Column, enc format.Encoder) []byte {
	t.Helper()
	if k == kindAsString {
		return []byte(`{"id":"1"}`)
	}
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	require.NoError(t, rows.Col(0).AppendInt(1))
	require.NoError(t, rows.EndRow())
	mem := memory.NewGoAllocator()
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, &virtualcols.Message{})
	rec := b.NewRecordBatch()
	defer rec.Release()
	out, err := enc.Append(nil, rec, 0, 1)
	require.NoError(t, err)
	return out
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
