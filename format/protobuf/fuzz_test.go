package protobuf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

func seeds(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	require.NoError(f, err)
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".proto") {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		require.NoError(f, err)
		f.Add(b)
	}
}

// fuzzCheck decodes payload; a failure must leave the rows usable, a success must survive
// an encode/decode round trip.
func fuzzCheck(t *testing.T, cols []block.Column, dec format.Decoder, payload, good []byte, enc format.Encoder, dec2 format.Decoder) {
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
	if n == 0 || enc == nil {
		return
	}
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, &virtualcols.Message{})
	rec := b.NewRecordBatch()
	defer rec.Release()
	rows.Reset()
	for i := 0; i < n; {
		j := n
		if _, ok := enc.(*encoder); ok && enc.(*encoder).framing == single {
			j = i + 1
		}
		out, err := enc.Append(nil, rec, i, j)
		require.NoError(t, err)
		require.NoError(t, dec2.Decode(rows, out), "re-decoding %x", out)
		i = j
	}
	require.Equal(t, n, rows.Len())
	b.Append(rows, &virtualcols.Message{})
	again := b.NewRecordBatch()
	defer again.Release()
	for k := range int(rec.NumCols()) {
		require.True(t, array.ApproxEqual(rec.Column(k), again.Column(k), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
			"column %s of %x:\n%v\n%v", rec.ColumnName(k), payload, rec.Column(k), again.Column(k))
	}
}

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
	f.Fuzz(func(t *testing.T, payload []byte) {
		fuzzCheck(t, cols, dec, payload, good, enc, dec2)
	})
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
	seeds(f)
	roundTripSeeds(f, Format{}, "roundtrip:Row", false)
	fuzzFormat(f, Format{}, "roundtrip:Row", roundTripDefs, []byte{0})
}

// FuzzDecodeSingle fuzzes the ProtobufSingle decoder.
func FuzzDecodeSingle(f *testing.F) {
	seeds(f)
	roundTripSeeds(f, Single{}, "roundtrip:Row", true)
	fuzzFormat(f, Single{}, "roundtrip:Row", roundTripDefs, nil)
}

// FuzzDecodeList fuzzes the ProtobufList decoder.
func FuzzDecodeList(f *testing.F) {
	seeds(f)
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
	seeds(f)
	c := newConfluentSetup(f)
	f.Add(confluentFrame(c.testID, []int64{0}, c.matrixRecord))
	f.Add(confluentFrame(c.evID, []int64{1, 0}, []byte{8, 1, 0x12, 3, 0x0a, 1, 'a'}))
	f.Add([]byte{})
	cols, err := block.ParseColumns([]string{"id Int64", "page String", "val1 String", "tags Array(String)", "val2 Float32"})
	require.NoError(f, err)
	dec, err := Confluent{}.NewDecoder(block.Schema(cols), &c.s)
	require.NoError(f, err)
	good := confluentFrame(c.testID, []int64{0}, c.matrixRecord)
	f.Fuzz(func(t *testing.T, payload []byte) {
		fuzzCheck(t, cols, dec, payload, good, nil, nil)
	})
}

func BenchmarkDecode(b *testing.B) {
	mem := memory.NewGoAllocator()
	h := newHarness(b, mem, Format{}, matrixCols, settings("test:TestMessage"))
	defer h.Release()
	var payload []byte
	for range 7 {
		payload = append(payload, readFile(b, "matrix_m2.bin")...)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if err := h.Dec.Decode(h.Rows, payload); err != nil {
			b.Fatal(err)
		}
		h.Rows.Reset()
	}
}
