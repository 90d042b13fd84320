package json

import (
	"strings"
	"testing"
	_ "time/tzdata" // DateTime('Asia/Istanbul') without a system zoneinfo

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
	"slices"
)

// roundTripColumn is a column definition with five rows of values.
type roundTripColumn = codectest.Column

// roundTripColumns is every type of the mapping with five rows of values each: the columns
// of codectest.RoundTripColumns that the schema formats have too, which began as this
// package's list.
var roundTripColumns = codectest.Select(codectest.RoundTripColumns, func(def string) bool {
	return slices.Contains(codectest.SchemaRoundTripDefs, def)
})

// sourceRecord stages the round-trip values through block.Rows and cuts a record batch.
func sourceRecord(t *testing.T, mem memory.Allocator) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	return codectest.SourceRecordFrom(t, mem, roundTripColumns)
}

func TestRoundTrip(t *testing.T) {
	quoted := defaults()
	quoted.Quote64BitIntegers = false
	quoted.QuoteDecimals = true
	for name, s := range map[string]format.Settings{"defaults": defaults(), "unquoted 64-bit, quoted decimals": quoted} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			cols, src := sourceRecord(t, mem)
			defer src.Release()

			enc, err := Format{}.NewEncoder(src.Schema(), &s)
			require.NoError(t, err)
			dec, err := Format{}.NewDecoder(src.Schema(), &s)
			require.NoError(t, err)
			// kafka_max_rows_per_message style groups.
			msgs := codectest.RoundTripCodec(t, mem, cols, src, enc, dec, block.Options{NullAsDefault: s.NullAsDefault})
			for i, g := range [][2]int{{0, 3}, {3, 5}} {
				assert.Equal(t, g[1]-g[0], strings.Count(string(msgs[i]), "\n"))
			}
		})
	}
}

// The encoder writes ClickHouse's JSONEachRow output form.
func TestEncodeOutputForm(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, src := sourceRecord(t, mem)
	defer src.Release()
	s := defaults()
	enc, err := Format{}.NewEncoder(src.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append(nil, src, 0, 2)
	require.NoError(t, err)
	lines := strings.Split(string(out), "\n")
	require.Len(t, lines, 3)
	assert.Equal(t, `{"i8":-128,"i16":-32768,"i32":-2147483648,"i64":"-9223372036854775808","u8":0,"u16":0,"u32":0,"u64":"0",`+
		`"f32":0.5,"f64":0.1,"b":true,"s":"","fs":"abcd","d":"1970-01-01","d32":"1900-01-01","dt":"1970-01-01 00:00:00",`+
		`"dtz":"2020-06-01 12:34:56","dt64":"2020-01-01 00:00:00.123","dt64u":"2020-01-01 00:00:00.123456","dt64d":"2020-01-01 00:00:00.1","dt64n":"2020-01-01 00:00:00.123456789","dec":123.45,`+
		`"dec40":12345678901234567890123456789012345.12345,"uuid":"61f0c404-5cb3-11e7-907b-a6006ad3dba0","e8":"a","e16":"x",`+
		`"lc":"foo","lcn":null,"ni":null,"ns":"null","alc":[],"aa":[[1,2],[],[-128]],"an":[null,1.5],"m":{"k1":"1","k\"2":"18446744073709551615"},`+
		`"mk":{"1":["x"]},"t":{"a":1,"b":"x"},"tu":["1","x"]}`, lines[0])
	assert.Equal(t, `{"i8":127,"i16":32767,"i32":2147483647,"i64":"9223372036854775807","u8":255,"u16":65535,"u32":4294967295,"u64":"18446744073709551615",`+
		`"f32":"inf","f64":1e-7,"b":false,"s":"a\"b\\c\/d\n\r\t\b\f\u0000\u0001\u001F","fs":"ab\u0000\u0000","d":"2149-06-06","d32":"2299-12-31","dt":"2106-02-07 06:28:15",`+
		`"dtz":"1970-01-01 02:00:00","dt64":"1969-12-31 23:59:59.999","dt64u":"1969-12-31 23:59:59.000001","dt64d":"1969-12-31 23:59:59.9","dt64n":"1969-12-31 23:59:59.000000001","dec":-0.01,`+
		`"dec40":-1.00001,"uuid":"00000000-0000-0000-0000-000000000000","e8":"b","e16":"y",`+
		`"lc":"bar","lcn":"x","ni":5,"ns":null,"alc":["a","b","a"],"aa":[],"an":[],"m":{},`+
		`"mk":{},"t":{"a":-1,"b":""},"tu":["-9223372036854775808",null]}`, lines[1])
	assert.Empty(t, lines[2])

	// Empty range: nothing; bad range or record: an error and dst unchanged.
	out, err = enc.Append([]byte("x"), src, 3, 3)
	require.NoError(t, err)
	assert.Equal(t, "x", string(out))
	out, err = enc.Append([]byte("x"), src, 4, 6)
	require.Error(t, err)
	assert.Equal(t, "x", string(out))
}

func TestEncodeSchemaMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"a Int32"})
	require.NoError(t, err)
	enc, err := Format{}.NewEncoder(block.Schema(cols), nil)
	require.NoError(t, err)

	bld := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil))
	defer bld.Release()
	bld.Field(0).(*array.Int64Builder).Append(1)
	rec := bld.NewRecordBatch()
	defer rec.Release()
	out, err := enc.Append([]byte("keep"), rec, 0, 1)
	require.Error(t, err)
	assert.Equal(t, "keep", string(out))
}

// An encoder over a plain Arrow schema (no ClickHouse metadata) infers the types.
func TestEncodePlainArrowSchema(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "timestamp", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "level", Type: arrow.BinaryTypes.String},
		{Name: "message", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.Uint64Builder).AppendValues([]uint64{1, 2}, nil)
	bld.Field(1).(*array.StringBuilder).AppendValues([]string{"info", "error"}, nil)
	bld.Field(2).(*array.StringBuilder).AppendValues([]string{"m", ""}, []bool{true, false})
	rec := bld.NewRecordBatch()
	defer rec.Release()
	enc, err := Format{}.NewEncoder(schema, nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 2)
	require.NoError(t, err)
	assert.Equal(t, `{"timestamp":"1","level":"info","message":"m"}`+"\n"+`{"timestamp":"2","level":"error","message":null}`+"\n", string(out))
}

func TestEncodeInferredArrowTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "d64", Type: &arrow.Decimal64Type{Precision: 10, Scale: 2}},
		{Name: "d32", Type: &arrow.Decimal32Type{Precision: 5, Scale: 1}},
		{Name: "sv", Type: arrow.BinaryTypes.StringView},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString},
		{Name: "bin", Type: arrow.BinaryTypes.Binary},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{Name: "l", Type: arrow.LargeListOf(arrow.PrimitiveTypes.Int32)},
		{Name: "tu", Type: arrow.StructOf(arrow.Field{Name: "1", Type: arrow.PrimitiveTypes.Int8}, arrow.Field{Name: "2", Type: arrow.BinaryTypes.String})},
	}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.Decimal64Builder).Append(-12345)
	bld.Field(1).(*array.Decimal32Builder).Append(5)
	bld.Field(2).(*array.StringViewBuilder).Append("a long string view value over twelve bytes")
	bld.Field(3).(*array.LargeStringBuilder).Append("large")
	bld.Field(4).(*array.BinaryBuilder).Append([]byte{0xff, '"'})
	bld.Field(5).(*array.TimestampBuilder).Append(1500)
	lb := bld.Field(6).(*array.LargeListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{1, 2}, nil)
	sb := bld.Field(7).(*array.StructBuilder)
	sb.Append(true)
	sb.FieldBuilder(0).(*array.Int8Builder).Append(7)
	sb.FieldBuilder(1).(*array.StringBuilder).Append("x")
	rec := bld.NewRecordBatch()
	defer rec.Release()
	enc, err := Format{}.NewEncoder(schema, nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, `{"d64":-123.45,"d32":0.5,"sv":"a long string view value over twelve bytes","ls":"large","bin":"`+"\xff"+`\"",`+
		`"ts":"1970-01-01 00:00:01.500","l":[1,2],"tu":[7,"x"]}`+"\n", string(out))
}
