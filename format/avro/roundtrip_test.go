package avro

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/linkedin/goavro/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

func TestRoundTrip(t *testing.T) {
	for _, codec := range []string{"", "null", "deflate", "snappy", "zstd"} {
		t.Run("codec "+codec, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			cols, src := sourceRecord(t, mem)
			defer src.Release()
			s := defaults()
			s.AvroCodec = codec
			enc, err := Format{}.NewEncoder(src.Schema(), &s)
			require.NoError(t, err)
			dec, err := Format{}.NewDecoder(src.Schema(), &s)
			require.NoError(t, err)
			msgs := codectest.RoundTripCodec(t, mem, cols, src, enc, dec, block.Options{NullAsDefault: true})
			want := codec
			switch codec {
			case "":
				want = "snappy"
			case "zstd":
				want = "zstandard"
			}
			r := &reader{buf: msgs[0]}
			var c container
			require.NoError(t, readHeader(r, &c))
			assert.Equal(t, want, c.codec)
		})
	}
	t.Run("AvroConfluent", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		srv := newRegistry(t)
		cols, src := sourceRecord(t, mem)
		defer src.Release()
		s := confluentSettings(srv.AuthURL())
		enc, err := Confluent{}.NewEncoder(src.Schema(), &s)
		require.NoError(t, err)
		enc, err = enc.(format.TopicEncoder).ForTopic("rt")
		require.NoError(t, err)
		dec, err := Confluent{}.NewDecoder(src.Schema(), &s)
		require.NoError(t, err)
		codectest.RoundTripCodec(t, mem, cols, src, enc, dec, block.Options{NullAsDefault: true})
	})
}

// The schema the encoder writes is ClickHouse's, and containers of many rows are split
// into 16 KiB blocks.
func TestEncodeSchemaAndBlocks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"key UInt64", "value UInt64", "ts DateTime('UTC')", "s String",
		"n Nullable(Int8)", "e Enum8('a' = 1, 'b' = 2)", "e16 Enum16('x' = 1000)", "fs FixedString(2)", "dt64 DateTime64(3)", "dt64n DateTime64(9)",
		"d Decimal(9, 2)", "u UUID", "t Tuple(a Int8, b Tuple(c String))", "m Map(String, Tuple(x Int8))", "row Tuple(r Int8)"})
	require.NoError(t, err)
	w, err := newRowWriter(block.Schema(cols))
	require.NoError(t, err)
	assert.Equal(t, `{"type":"record","name":"row","fields":[{"name":"key","type":"long"},{"name":"value","type":"long"},`+
		`{"name":"ts","type":"int"},{"name":"s","type":"bytes"},{"name":"n","type":["null","int"]},`+
		`{"name":"e","type":{"type":"enum","name":"enum8_7","symbols":["a","b"]}},`+
		`{"name":"e16","type":{"type":"enum","name":"enum168","symbols":["x"]}},`+
		`{"name":"fs","type":{"type":"fixed","name":"fixed_9","size":2}},`+
		`{"name":"dt64","type":{"type":"long","logicalType":"timestamp-millis"}},`+
		`{"name":"dt64n","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":9}},`+
		`{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},`+
		`{"name":"u","type":{"type":"string","logicalType":"uuid"}},`+
		`{"name":"t","type":{"type":"record","name":"t","fields":[{"name":"a","type":"int"},{"name":"b","type":{"type":"record","name":"b","fields":[{"name":"c","type":"bytes"}]}}]}},`+
		`{"name":"m","type":{"type":"map","values":{"type":"record","name":"m.value","fields":[{"name":"x","type":"int"}]}}},`+
		`{"name":"row","type":{"type":"record","name":"row_1","fields":[{"name":"r","type":"int"}]}}]}`, string(w.schemaJSON))
	_, err = goavro.NewCodec(string(w.schemaJSON))
	require.NoError(t, err, "goavro accepts the schema")

	bad, err := block.ParseColumns([]string{"m Map(UInt64, String)"})
	require.NoError(t, err)
	_, err = Format{}.NewEncoder(block.Schema(bad), nil)
	require.ErrorContains(t, err, "column m: Avro maps support only String or FixedString keys, got UInt64")
	s := defaults()
	s.AvroCodec = "lz4"
	_, err = Format{}.NewEncoder(block.Schema(cols), &s)
	require.ErrorContains(t, err, `unknown output_format_avro_codec "lz4"`)

	// 2000 rows of ~20 bytes: several 16 KiB blocks in one container.
	h := codectest.NewHarness(t, mem, Format{}, []string{"k UInt64", "s String"}, defaults())
	defer h.Release()
	var payload bytes.Buffer
	for i := range 2000 {
		payload.WriteString(strings.Repeat("x", i%30))
		payload.WriteByte('\n')
	}
	rows := block.NewRows(h.Cols, block.Options{})
	for i, line := range strings.Split(payload.String(), "\n")[:2000] {
		require.NoError(t, rows.Col(0).AppendInt(int64(i)))
		require.NoError(t, rows.Col(1).AppendText([]byte(line)))
		require.NoError(t, rows.EndRow())
	}
	h.B.Append(rows, nil)
	src := h.Record()
	defer src.Release()
	s = defaults()
	s.AvroCodec = "null"
	enc, err := Format{}.NewEncoder(src.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append(nil, src, 0, 2000)
	require.NoError(t, err)
	r := &reader{buf: out}
	var c container
	require.NoError(t, readHeader(r, &c))
	blocks, total := 0, int64(0)
	var scratch []byte
	for {
		n, _, err := c.nextBlock(r, &scratch)
		require.NoError(t, err)
		if n < 0 {
			break
		}
		blocks++
		total += n
	}
	assert.Greater(t, blocks, 1)
	assert.EqualValues(t, 2000, total)

	// goavro's OCF reader reads our containers.
	ocfr, err := goavro.NewOCFReader(bytes.NewReader(out))
	require.NoError(t, err)
	k := 0
	for ocfr.Scan() {
		v, err := ocfr.Read()
		require.NoError(t, err)
		m := v.(map[string]any)
		require.Equal(t, int64(k), m["k"])
		k++
	}
	require.NoError(t, ocfr.Err())
	assert.Equal(t, 2000, k)
}

// goavro decodes every round-trip type our encoder writes (enum symbols and tuple element
// names that are not Avro names excepted: goavro refuses those, ClickHouse writes them).
func TestGoavroReadsOurOutput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, src := sourceRecord(t, mem)
	defer src.Release()
	var fields []arrow.Field
	var arrs []arrow.Array
	for k, f := range src.Schema().Fields() {
		if f.Name == "e8" || f.Name == "tu" {
			continue
		}
		fields = append(fields, f)
		arrs = append(arrs, src.Column(k))
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, src.NumRows())
	defer rec.Release()
	for _, codec := range []string{"null", "deflate", "snappy"} {
		s := defaults()
		s.AvroCodec = codec
		enc, err := Format{}.NewEncoder(rec.Schema(), &s)
		require.NoError(t, err)
		out, err := enc.Append(nil, rec, 0, 5)
		require.NoError(t, err)
		ocfr, err := goavro.NewOCFReader(bytes.NewReader(out))
		require.NoError(t, err, codec)
		var got []map[string]any
		for ocfr.Scan() {
			v, err := ocfr.Read()
			require.NoError(t, err)
			got = append(got, v.(map[string]any))
		}
		require.NoError(t, ocfr.Err())
		require.Len(t, got, 5)
		assert.Equal(t, int32(-128), got[0]["i8"])
		assert.Equal(t, int32(-1), got[1]["u32"], "UInt32 max wraps around as in ClickHouse")
		assert.Equal(t, []byte("abcd"), got[0]["fs"])
		assert.Equal(t, "61f0c404-5cb3-11e7-907b-a6006ad3dba0", got[0]["uuid"])
		assert.Equal(t, "x", got[0]["e16"])
		assert.Nil(t, got[0]["ni"])
		assert.Equal(t, map[string]any{"int": int32(5)}, got[1]["ni"])
		assert.Equal(t, map[string]any{"a": int32(1), "b": []byte("x")}, got[0]["t"])
	}
}
