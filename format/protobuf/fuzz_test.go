package protobuf

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

func fuzzFormat(f *testing.F, ff format.Format, schema string, defs []string, good []byte) {
	cols, err := block.ParseColumns(defs)
	require.NoError(f, err)
	sc := block.Schema(cols)
	s := settings(schema)
	dec, err := ff.NewDecoder(sc, &s)
	require.NoError(f, err)
	enc, err := ff.NewEncoder(sc, &s)
	require.NoError(f, err)
	dec2, err := ff.NewDecoder(sc, &s)
	require.NoError(f, err)
	e, ok := enc.(*encoder)
	perRow := ok && e.framing == single
	f.Fuzz((&codectest.FuzzCodec{Cols: cols, Dec: dec, Good: good, Enc: enc, Dec2: dec2, PerRow: perRow}).Check)
}

// roundTripSeeds adds our encoding of the round-trip rows.
func roundTripSeeds(f *testing.F, ff format.Format, schema string, perRow bool) {
	mem := memory.NewGoAllocator()
	_, src := sourceRecord(f, mem)
	defer src.Release()
	s := settings(schema)
	enc, err := ff.NewEncoder(src.Schema(), &s)
	require.NoError(f, err)
	for r := range 5 {
		j := 5
		if perRow {
			j = r + 1
		}
		out, err := enc.Append(nil, src, r, j)
		require.NoError(f, err)
		f.Add(out)
	}
}

// FuzzDecode fuzzes the Protobuf decoder with the round-trip schema (every column type).
func FuzzDecode(f *testing.F) {
	codectest.SchemaSeeds(f, ".proto")
	roundTripSeeds(f, Format{}, "roundtrip:Row", false)
	fuzzFormat(f, Format{}, "roundtrip:Row", roundTripDefs, []byte{0})
}

// FuzzDecodeSingle fuzzes the ProtobufSingle decoder.
func FuzzDecodeSingle(f *testing.F) {
	codectest.SchemaSeeds(f, ".proto")
	roundTripSeeds(f, Single{}, "roundtrip:Row", true)
	fuzzFormat(f, Single{}, "roundtrip:Row", roundTripDefs, nil)
}

// FuzzDecodeList fuzzes the ProtobufList decoder.
func FuzzDecodeList(f *testing.F) {
	codectest.SchemaSeeds(f, ".proto")
	row := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 5)
	row = protowire.AppendBytes(protowire.AppendTag(row, 3, protowire.BytesType), []byte{1, 2, 3})
	row = protowire.AppendBytes(protowire.AppendTag(row, 7, protowire.BytesType), []byte{8, 3, 0x12, 1, 'z'})
	env := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), row)
	f.Add(protowire.AppendBytes(nil, env))
	good := protowire.AppendBytes(nil, protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), nil))
	fuzzFormat(f, List{}, "list:Row", []string{"id Int64", "s String", "a Array(UInt32)", "m Map(String, Int32)",
		"ts DateTime64(3)", "d Nullable(Float64)", "t Tuple(x Int32, y String)", "`r.x` Array(Int16)", "`r.y` Array(String)"}, good)
}

// FuzzDecodeConfluent fuzzes the ProtobufConfluent decoder against an in-process
// registry holding test.proto (id 1) and a schema with references (id 3).
func FuzzDecodeConfluent(f *testing.F) {
	codectest.SchemaSeeds(f, ".proto")
	c := newConfluentSetup(f)
	f.Add(confluentFrame(c.testID, []int64{0}, c.matrixRecord))
	f.Add(confluentFrame(c.evID, []int64{1, 0}, []byte{8, 1, 0x12, 3, 0x0a, 1, 'a'}))
	f.Add([]byte{})
	cols, err := block.ParseColumns([]string{"id Int64", "page String", "val1 String", "tags Array(String)", "val2 Float32"})
	require.NoError(f, err)
	dec, err := Confluent{}.NewDecoder(block.Schema(cols), &c.s)
	require.NoError(f, err)
	good := confluentFrame(c.testID, []int64{0}, c.matrixRecord)
	f.Fuzz((&codectest.FuzzCodec{Cols: cols, Dec: dec, Good: good}).Check)
}

func BenchmarkDecode(b *testing.B) {
	mem := memory.NewGoAllocator()
	h := newHarness(b, mem, Format{}, matrixCols, settings("test:TestMessage"))
	defer h.Release()
	var payload []byte
	for range 7 {
		payload = append(payload, readFile(b, "matrix_m2.bin")...)
	}
	h.BenchDecode(b, payload)
}
