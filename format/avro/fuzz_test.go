package avro

import (
	"math/big"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
	"github.com/chkafka/chkafka/format/registry"
	"github.com/chkafka/chkafka/format/registry/registrytest"
)

// fuzzCols covers the seeds' fields and the main conversions.
var fuzzCols = []string{
	"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8",
	"a Array(Nullable(Int32))", "m Map(String, String)", "t Tuple(x Int64, y String)", "e Enum8('RED' = 1, 'GREEN' = 2)",
	"d Date", "ts DateTime64(3)", "dec Decimal(10, 2)", "u UUID", "n Nullable(Float64)",
}

const fuzzSchema = `{"type":"record","name":"row","fields":[{"name":"id","type":"long"},{"name":"a","type":{"type":"array","items":["null","int"]}},` +
	`{"name":"m","type":{"type":"map","values":"string"}},{"name":"t","type":{"type":"record","name":"T","fields":[{"name":"x","type":"int"},{"name":"y","type":"bytes"}]}},` +
	`{"name":"e","type":{"type":"enum","name":"E","symbols":["RED","GREEN"]}},{"name":"d","type":{"type":"int","logicalType":"date"}},` +
	`{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},` +
	`{"name":"u","type":{"type":"string","logicalType":"uuid"}},{"name":"n","type":["null","double"]},{"name":"skip","type":{"type":"map","values":{"type":"array","items":"T"}}}]}`

// FuzzDecode checks that no payload panics or leaves the decoder unusable, and that every
// message that decodes survives an encode/decode round trip.
func FuzzDecode(f *testing.F) {
	codectest.Seeds(f, "testdata")
	for _, codec := range []string{"null", "deflate", "snappy"} {
		f.Add(goavroOCF(f, fuzzSchema, codec, map[string]any{
			"id": int64(-3), "a": []any{nil, map[string]any{"int": int32(4)}}, "m": map[string]any{"k": "v"},
			"t": map[string]any{"x": int32(1), "y": []byte("z")}, "e": "GREEN", "d": time.Unix(19000*86400, 0).UTC(), "ts": time.UnixMilli(1e12).UTC(),
			"dec": big.NewRat(12345, 100), "u": "61f0c404-5cb3-11e7-907b-a6006ad3dba0", "n": map[string]any{"double": 1.5},
			"skip": map[string]any{"q": []any{map[string]any{"x": int32(2), "y": []byte{}}}},
		}))
	}
	cols, err := block.ParseColumns(fuzzCols)
	require.NoError(f, err)
	schema := block.Schema(cols)
	dec, err := Format{}.NewDecoder(schema, nil)
	require.NoError(f, err)
	s := defaults()
	s.AvroCodec = "null"
	enc, err := Format{}.NewEncoder(schema, &s)
	require.NoError(f, err)
	dec2, err := Format{}.NewDecoder(schema, nil)
	require.NoError(f, err)
	good := codectest.ReadTestdata(f, "matrix_m1.avro")
	f.Fuzz((&codectest.FuzzCodec{Cols: cols, Dec: dec, Good: good, Enc: enc, Dec2: dec2}).Check)
}

// FuzzDecodeConfluent does the same for AvroConfluent frames against an in-process
// registry holding the matrix schema (id 1) and a richer schema (id 2).
func FuzzDecodeConfluent(f *testing.F) {
	codectest.Seeds(f, "testdata")
	srv := registrytest.NewServer()
	f.Cleanup(srv.Close)
	srv.Add("m-value", registry.Schema{Text: matrixSchema})
	srv.Add("f-value", registry.Schema{Text: fuzzSchema})
	f.Add(append(frame(f, 2, fuzzSchema, map[string]any{
		"id": int64(9), "a": []any{}, "m": map[string]any{}, "t": map[string]any{"x": int32(1), "y": []byte("z")}, "e": "RED",
		"d": time.Unix(86400, 0).UTC(), "ts": time.UnixMilli(-5).UTC(), "dec": big.NewRat(-1, 100), "u": "00000000-0000-0000-0000-000000000000", "n": nil, "skip": map[string]any{},
	}), codectest.ReadTestdata(f, "confluent_m1.bin")...))
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0})
	cols, err := block.ParseColumns(fuzzCols)
	require.NoError(f, err)
	schema := block.Schema(cols)
	s := confluentSettings(srv.URL)
	dec, err := Confluent{}.NewDecoder(schema, &s)
	require.NoError(f, err)
	enc, err := Confluent{}.NewEncoder(schema, &s)
	require.NoError(f, err)
	enc, err = enc.(format.TopicEncoder).ForTopic("fuzz")
	require.NoError(f, err)
	dec2, err := Confluent{}.NewDecoder(schema, &s)
	require.NoError(f, err)
	good := codectest.ReadTestdata(f, "confluent_m1.bin")
	f.Fuzz((&codectest.FuzzCodec{Cols: cols, Dec: dec, Good: good, Enc: enc, Dec2: dec2}).Check)
}

// benchPayload is a container of n matrix rows written by our encoder.
func benchPayload(b *testing.B, f format.Format, s format.Settings, n int) (*codectest.Harness, []byte) {
	mem := memory.NewGoAllocator()
	h := codectest.NewHarness(b, mem, f, codectest.MatrixCols, s)
	rows := block.NewRows(h.Cols, block.Options{})
	for i := range n {
		require.NoError(b, rows.Col(0).AppendInt(int64(i)))
		require.NoError(b, rows.Col(2).AppendText([]byte("AM")))
		require.NoError(b, rows.Col(3).AppendFloat(0.5))
		require.NoError(b, rows.Col(4).AppendInt(1))
		require.NoError(b, rows.EndRow())
	}
	h.B.Append(rows, nil)
	rec := h.Record()
	defer rec.Release()
	enc, err := f.NewEncoder(rec.Schema(), &s)
	require.NoError(b, err)
	if te, ok := enc.(format.TopicEncoder); ok {
		enc, err = te.ForTopic("bench")
		require.NoError(b, err)
	}
	out, err := enc.Append(nil, rec, 0, n)
	require.NoError(b, err)
	return h, out
}

func BenchmarkDecode(b *testing.B) {
	s := defaults()
	s.AvroCodec = "null"
	h, payload := benchPayload(b, Format{}, s, 100)
	defer h.Release()
	h.BenchDecode(b, payload)
}

func BenchmarkDecodeConfluent(b *testing.B) {
	srv := registrytest.NewServer()
	defer srv.Close()
	h, payload := benchPayload(b, Confluent{}, confluentSettings(srv.URL), 100)
	defer h.Release()
	h.BenchDecode(b, payload)
}
