package protobuf

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// roundTrip encodes src in groups, decodes every message and checks the columns.
func roundTrip(t *testing.T, mem memory.Allocator, cols []block.Column, src arrow.RecordBatch, enc format.Encoder, dec format.Decoder, groups [][2]int) [][]byte {
	t.Helper()
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	var msgs [][]byte
	for _, g := range groups {
		msg, err := enc.Append([]byte("prefix|"), src, g[0], g[1])
		require.NoError(t, err)
		require.Equal(t, "prefix|", string(msg[:7]))
		payload := msg[7:]
		msgs = append(msgs, payload)
		require.NoError(t, dec.Decode(rows, payload))
		require.Equal(t, g[1]-g[0], rows.Len())
		b.Append(rows, &virtualcols.Message{})
		rows.Reset()
	}
	got := b.NewRecordBatch()
	defer got.Release()
	require.Equal(t, src.NumRows(), got.NumRows())
	for k := range src.NumCols() {
		assert.True(t, array.ApproxEqual(src.Column(int(k)), got.Column(int(k)), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
			"column %s:\nwant %v\ngot  %v", src.ColumnName(int(k)), src.Column(int(k)), got.Column(int(k)))
	}
	return msgs
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		f      format.Format
		schema string
		groups [][2]int
	}{
		{"Protobuf", Format{}, "roundtrip.proto:Row", [][2]int{{0, 3}, {3, 5}}},
		{"ProtobufSingle", Single{}, "roundtrip:rt.Row", [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			cols, src := sourceRecord(t, mem)
			defer src.Release()
			s := settings(tc.schema)
			enc, err := tc.f.NewEncoder(src.Schema(), &s)
			require.NoError(t, err)
			dec, err := tc.f.NewDecoder(src.Schema(), &s)
			require.NoError(t, err)
			roundTrip(t, mem, cols, src, enc, dec, tc.groups)
		})
	}
	t.Run("ProtobufList", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		h := newHarness(t, mem, Format{}, []string{"key String", "value String"}, settings("string_key_value:StringKeyValuePair"))
		defer h.Release()
		rec0 := func(k, v string) []byte {
			var b []byte
			b = protowire.AppendBytes(protowire.AppendTag(b, 1, protowire.BytesType), []byte(k))
			return protowire.AppendBytes(protowire.AppendTag(b, 2, protowire.BytesType), []byte(v))
		}
		h.MustDecode(protowire.AppendBytes(nil, rec0("01234567890123456789", "aaaaabbbbbccccc")))
		src := h.Record()
		defer src.Release()
		cols, err := block.ColumnsFromSchema(src.Schema())
		require.NoError(t, err)

		s := settings("string_key_value_list:StringKeyValuePair")
		enc, err := List{}.NewEncoder(src.Schema(), &s)
		require.NoError(t, err)
		dec, err := List{}.NewDecoder(src.Schema(), &s)
		require.NoError(t, err)
		msgs := roundTrip(t, mem, cols, src, enc, dec, [][2]int{{0, 1}})
		env := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), rec0("01234567890123456789", "aaaaabbbbbccccc"))
		assert.Equal(t, protowire.AppendBytes(nil, env), msgs[0], "one length-delimited Envelope with the rows in field 1")

		// Three rows in one envelope, and an empty envelope.
		rows := block.NewRows(cols, block.Options{})
		env = nil
		for _, kv := range [][2]string{{"a", "1"}, {"b", "2"}, {"", ""}} {
			env = protowire.AppendBytes(protowire.AppendTag(env, 1, protowire.BytesType), rec0(kv[0], kv[1]))
		}
		require.NoError(t, dec.Decode(rows, protowire.AppendBytes(nil, env)))
		assert.Equal(t, 3, rows.Len())
		rows.Reset()
		require.NoError(t, dec.Decode(rows, []byte{0}))
		assert.Zero(t, rows.Len())
		require.ErrorContains(t, dec.Decode(rows, nil), "Attempt to read after eof")
	})
}

// The Go protobuf runtime reads what our encoder writes, and we read what it writes.
func TestGoRuntimeInterop(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, src := sourceRecord(t, mem)
	defer src.Release()
	s := settings("roundtrip:Row")
	enc, err := Single{}.NewEncoder(src.Schema(), &s)
	require.NoError(t, err)
	md := descriptor(t, "roundtrip.proto", "Row")

	var fromRuntime [][]byte
	for r := range 5 {
		out, err := enc.Append(nil, src, r, r+1)
		require.NoError(t, err)
		m := dynamicpb.NewMessage(md)
		require.NoError(t, proto.UnmarshalOptions{}.Unmarshal(out, m), "row %d", r)
		switch r {
		case 0:
			assert.EqualValues(t, -128, m.Get(field(md, "i8")).Int())
			assert.EqualValues(t, math.MinInt64, m.Get(field(md, "i64")).Int())
			assert.Equal(t, "61f0c404-5cb3-11e7-907b-a6006ad3dba0", m.Get(field(md, "uuid")).String())
			assert.Equal(t, "123.45", m.Get(field(md, "dec")).String())
			assert.EqualValues(t, 1, m.Get(field(md, "e16")).Enum())
			assert.Equal(t, 2, m.Get(field(md, "m")).Map().Len())
			assert.False(t, m.Has(field(md, "ni")), "NULL is an absent optional field")
			assert.False(t, m.Has(field(md, "lcn")), "NULL is an absent wrapper")
			aa := m.Get(field(md, "aa")).List()
			require.Equal(t, 3, aa.Len())
			assert.Equal(t, 2, aa.Get(0).Message().Get(aa.Get(0).Message().Descriptor().Fields().ByName("v")).List().Len())
			ts := m.Get(field(md, "dt64")).Message()
			assert.EqualValues(t, 1577836800, ts.Get(ts.Descriptor().Fields().ByName("seconds")).Int())
			assert.EqualValues(t, 123000000, ts.Get(ts.Descriptor().Fields().ByName("nanos")).Int())
		case 1:
			assert.EqualValues(t, uint64(math.MaxUint64), m.Get(field(md, "u64")).Uint())
			assert.EqualValues(t, 5, m.Get(field(md, "ni")).Int())
			assert.Equal(t, 0, m.Get(field(md, "m")).Map().Len())
		case 4:
			assert.True(t, m.Has(field(md, "ni")), "0 is a present optional field")
		}
		// Re-marshalled by the runtime: field order and packing may differ from ours.
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		require.NoError(t, err)
		fromRuntime = append(fromRuntime, b)
	}
	dec, err := Single{}.NewDecoder(src.Schema(), &s)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	for _, p := range fromRuntime {
		require.NoError(t, dec.Decode(rows, p))
	}
	b.Append(rows, &virtualcols.Message{})
	got := b.NewRecordBatch()
	defer got.Release()
	for k := range src.NumCols() {
		if src.ColumnName(int(k)) == "m" {
			continue // protobuf maps are unordered: the runtime sorts the keys
		}
		assert.True(t, array.ApproxEqual(src.Column(int(k)), got.Column(int(k)), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
			"column %s:\nwant %v\ngot  %v", src.ColumnName(int(k)), src.Column(int(k)), got.Column(int(k)))
	}
}

func TestEncodeErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, Format{}, []string{"key UInt64", "value String"}, settings("kafka:KeyValuePair"))
	defer h.Release()
	h.MustDecode(readFile(t, "kafka_0_1.bin"))
	rec := h.Record()
	defer rec.Release()
	s := settings("kafka:KeyValuePair")
	enc, err := Single{}.NewEncoder(rec.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append([]byte("keep"), rec, 0, 2)
	require.ErrorContains(t, err, "ProtobufSingle format can't be used to write 2 rows in one message")
	assert.Equal(t, "keep", string(out))
	out, err = enc.Append([]byte("keep"), rec, 1, 3)
	require.Error(t, err)
	assert.Equal(t, "keep", string(out))

	// Proto3 zero values are not written, as in ClickHouse.
	enc, err = Format{}.NewEncoder(rec.Schema(), &s)
	require.NoError(t, err)
	out, err = enc.Append(nil, rec, 0, 2)
	require.NoError(t, err)
	assert.Equal(t, readFile(t, "kafka_0_1.bin"), out)

	// A value that does not fit its field.
	cols, err := block.ParseColumns([]string{"timestamp Int64", "username String"})
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{})
	require.NoError(t, rows.Col(0).AppendInt(1<<40))
	require.NoError(t, rows.EndRow())
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, nil)
	big := b.NewRecordBatch()
	defer big.Release()
	s = settings("social:User")
	enc, err = Format{}.NewEncoder(big.Schema(), &s)
	require.NoError(t, err)
	_, err = enc.Append(nil, big, 0, 1)
	require.ErrorContains(t, err, "field timestamp: value 1099511627776 out of range of field timestamp (int32): (at row 1)")
}

func TestSchemaErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		f      format.Format
		defs   []string
		schema string
		want   string
	}{
		{"no schema", Format{}, []string{"a Int32"}, "", "kafka_schema (format_schema) is not set"},
		{"no message", Format{}, []string{"a Int32"}, "test.proto", "must be 'file.proto:Message'"},
		{"missing file", Format{}, []string{"a Int32"}, "nope:M", "cannot parse schema file testdata/nope.proto"},
		{"unknown message", Format{}, []string{"a Int32"}, "test:Nope", "could not find a message named 'Nope' in the schema file 'test.proto'"},
		{"no envelope", List{}, []string{"id Int64"}, "test:TestMessage", "could not find a message named 'Envelope'"},
		{"no column", Format{}, []string{"a Int32"}, "test:TestMessage", "no column matches a field of message TestMessage"},
		{"array for scalar", Format{}, []string{"id Array(Int64)"}, "test:TestMessage", "column id (Array(Int64)) is an Array but the field TestMessage.id is not repeated"},
		{"message into scalar", Format{}, []string{"t Int32"}, "roundtrip:Row", "column t (Int32) cannot hold message rt.T"},
		{"tuple for scalar", Format{}, []string{"id Tuple(a Int8)"}, "test:TestMessage", "cannot hold the int64 field TestMessage.id"},
		{"repeated message into scalar", Format{}, []string{"aa String"}, "roundtrip:Row", "cannot hold the repeated field rt.Row.aa"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, err := block.ParseColumns(tc.defs)
			require.NoError(t, err)
			s := settings(tc.schema)
			_, err = tc.f.NewDecoder(block.Schema(cols), &s)
			require.ErrorContains(t, err, tc.want)
			_, err = tc.f.NewEncoder(block.Schema(cols), &s)
			require.ErrorContains(t, err, tc.want)
		})
	}
	// A syntax error names the file and position.
	cols, err := block.ParseColumns([]string{"a Int32"})
	require.NoError(t, err)
	s := settings("formats_errors.txt:M")
	_, err = Format{}.NewDecoder(block.Schema(cols), &s)
	require.ErrorContains(t, err, "formats_errors.txt:1:")
}

// Proto2 defaults, last-value-wins for repeated occurrences, packed and unpacked repeated
// fields, unknown fields of every wire type, maps and wrappers.
func TestWireDetails(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"i32 Int64", "alc Array(String)", "aa Array(Array(Int8))", "lcn Nullable(String)", "m Map(String, UInt64)", "e16 String"})
	require.NoError(t, err)
	s := settings("roundtrip:Row")
	dec, err := Format{}.NewDecoder(block.Schema(cols), &s)
	require.NoError(t, err)
	var rec []byte
	rec = protowire.AppendFixed32(protowire.AppendTag(rec, 3, protowire.Fixed32Type), 7)
	rec = protowire.AppendFixed32(protowire.AppendTag(rec, 3, protowire.Fixed32Type), 9) // last wins
	rec = protowire.AppendString(protowire.AppendTag(rec, 31, protowire.BytesType), "x")
	rec = protowire.AppendVarint(protowire.AppendTag(rec, 999, protowire.VarintType), 1)           // unknown varint
	rec = protowire.AppendFixed64(protowire.AppendTag(rec, 998, protowire.Fixed64Type), 1)         // unknown fixed64
	rec = protowire.AppendString(protowire.AppendTag(rec, 997, protowire.BytesType), "zz")         // unknown bytes
	rec = protowire.AppendFixed32(protowire.AppendTag(rec, 996, protowire.Fixed32Type), 1)         // unknown fixed32
	rec = protowire.AppendTag(rec, 995, protowire.StartGroupType)                                  // unknown group
	rec = protowire.AppendVarint(protowire.AppendTag(rec, 1, protowire.VarintType), 5)             //   inside it
	rec = protowire.AppendTag(rec, 995, protowire.EndGroupType)                                    //
	rec = protowire.AppendString(protowire.AppendTag(rec, 31, protowire.BytesType), "y")           // repeated, interleaved
	inner := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), []byte{2, 3}) // packed sint32 1, -2
	inner = protowire.AppendVarint(protowire.AppendTag(inner, 1, protowire.VarintType), 4)         // unpacked sint32 2
	rec = protowire.AppendBytes(protowire.AppendTag(rec, 32, protowire.BytesType), inner)
	rec = protowire.AppendBytes(protowire.AppendTag(rec, 28, protowire.BytesType), nil) // empty wrapper: ""
	entry := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "k")
	rec = protowire.AppendBytes(protowire.AppendTag(rec, 34, protowire.BytesType), entry) // value absent: 0
	rec = protowire.AppendVarint(protowire.AppendTag(rec, 26, protowire.VarintType), 7)   // enum number without a name
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	require.NoError(t, dec.Decode(rows, protowire.AppendBytes(nil, rec)))
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, nil)
	got := b.NewRecordBatch()
	defer got.Release()
	assert.Equal(t, []string{"9"}, strs(got.Column(0)))
	assert.Equal(t, []string{`["x","y"]`}, strs(got.Column(1)))
	assert.Equal(t, []string{"[[1,-2,2]]"}, strs(got.Column(2)))
	assert.Equal(t, []string{""}, strs(got.Column(3)))
	assert.Equal(t, []string{`[{"key":"k","value":0}]`}, strs(got.Column(4)))
	assert.Equal(t, []string{"7"}, strs(got.Column(5)))

	// Wrong wire type, truncation, bad tags.
	for _, tc := range []struct {
		rec  []byte
		want string
	}{
		{protowire.AppendVarint(protowire.AppendTag(nil, 3, protowire.VarintType), 1), "field i32: wire type 0 does not match the field's type (expected 5)"},
		{[]byte{0x1d, 0x01}, "field i32: unexpected end of data"},
		{[]byte{0x00}, "invalid field tag"},
		{[]byte{0xfa, 0x01, 0x05, 'a'}, "field alc: unexpected end of data"},
		{protowire.AppendTag(nil, 995, protowire.EndGroupType), "field #995"},
	} {
		rows.Reset()
		err := dec.Decode(rows, protowire.AppendBytes(nil, tc.rec))
		require.Error(t, err, "%x", tc.rec)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// Proto2: explicit defaults for absent fields, required and optional fields.
func TestProto2Defaults(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	writeFile(t, dir, "p2.proto", `syntax = "proto2";
message M {
  optional int32 a = 1 [default = 42];
  optional string s = 2 [default = "dflt"];
  optional Color c = 3 [default = GREEN];
  required uint64 r = 4;
  enum Color { RED = 1; GREEN = 2; }
}`)
	s := format.DefaultSettings()
	s.Schema, s.SchemaPath = "p2:M", dir
	h := newHarness(t, mem, Format{}, []string{"a Int32", "s String", "c Enum8('RED' = 1, 'GREEN' = 2)", "r UInt64"}, s)
	defer h.Release()
	h.MustDecode(protowire.AppendBytes(nil, protowire.AppendVarint(protowire.AppendTag(nil, 4, protowire.VarintType), 3)))
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []string{"42"}, strs(rec.Column(0)))
	assert.Equal(t, []string{"dflt"}, strs(rec.Column(1)))
	assert.Equal(t, []string{"GREEN"}, strs(rec.Column(2)))
	assert.Equal(t, []string{"3"}, strs(rec.Column(3)))
}
