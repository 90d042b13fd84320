package json

import (
	"math"
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
	"github.com/chkafka/chkafka/virtualcols"
)

// cell stages one value into a column.
type cell func(c *block.Col) error

func txt(s string) cell   { return func(c *block.Col) error { return c.AppendText([]byte(s)) } }
func num(v int64) cell    { return func(c *block.Col) error { return c.AppendInt(v) } }
func unum(v uint64) cell  { return func(c *block.Col) error { return c.AppendUint(v) } }
func flt(v float64) cell  { return func(c *block.Col) error { return c.AppendFloat(v) } }
func boolean(v bool) cell { return func(c *block.Col) error { return c.AppendBool(v) } }
func null() cell          { return func(c *block.Col) error { return c.AppendNull() } }
func arr(elems ...cell) cell {
	return func(c *block.Col) error {
		el := c.BeginArray()
		for _, e := range elems {
			if err := e(el); err != nil {
				return err
			}
		}
		c.EndArray()
		return nil
	}
}

// mp stages a map from alternating key and value cells.
func mp(kv ...cell) cell {
	return func(c *block.Col) error {
		k, v := c.BeginMap()
		for i := 0; i < len(kv); i += 2 {
			if err := kv[i](k); err != nil {
				return err
			}
			if err := kv[i+1](v); err != nil {
				return err
			}
		}
		return c.EndMap()
	}
}

func tup(fields ...cell) cell {
	return func(c *block.Col) error {
		c.BeginTuple()
		for i, f := range fields {
			if err := f(c.Field(i)); err != nil {
				return err
			}
		}
		return c.EndTuple()
	}
}

// roundTripColumn is a column definition with five rows of values.
type roundTripColumn struct {
	def  string
	rows [5]cell
}

// roundTripColumns is every type of the mapping with five rows of values each.
var roundTripColumns = []roundTripColumn{
	{"i8 Int8", [5]cell{num(-128), num(127), num(0), num(-1), num(42)}},
	{"i16 Int16", [5]cell{num(-32768), num(32767), num(0), num(-1), num(300)}},
	{"i32 Int32", [5]cell{num(math.MinInt32), num(math.MaxInt32), num(0), num(-1), num(70000)}},
	{"i64 Int64", [5]cell{num(math.MinInt64), num(math.MaxInt64), num(0), num(-1), num(1 << 53)}},
	{"u8 UInt8", [5]cell{unum(0), unum(255), unum(1), unum(2), unum(3)}},
	{"u16 UInt16", [5]cell{unum(0), unum(65535), unum(1), unum(2), unum(3)}},
	{"u32 UInt32", [5]cell{unum(0), unum(math.MaxUint32), unum(1), unum(2), unum(3)}},
	{"u64 UInt64", [5]cell{unum(0), unum(math.MaxUint64), unum(1 << 63), unum(2), unum(3)}},
	{"f32 Float32", [5]cell{flt(0.5), flt(math.Inf(1)), flt(math.Inf(-1)), flt(math.NaN()), flt(math.MaxFloat32)}},
	{"f64 Float64", [5]cell{flt(0.1), flt(1e-7), flt(math.NaN()), flt(-1e300), flt(math.SmallestNonzeroFloat64)}},
	{"b Bool", [5]cell{boolean(true), boolean(false), boolean(true), boolean(false), boolean(true)}},
	{"s String", [5]cell{txt(""), txt("a\"b\\c/d\n\r\t\b\f\x00\x01\x1f"), txt("Привет 😀 \u2028\u2029"), txt("\xff\xfe invalid \xe2\x80"), txt(`{"not":"an object"}`)}},
	{"fs FixedString(4)", [5]cell{txt("abcd"), txt("ab"), txt(""), txt("é\x01\x02"), txt("\xff\xff\"\\")}},
	{"d Date", [5]cell{txt("1970-01-01"), txt("2149-06-06"), txt("2024-02-29"), txt("2000-12-31"), txt("1999-01-01")}},
	{"d32 Date32", [5]cell{txt("1900-01-01"), txt("2299-12-31"), txt("1969-12-31"), txt("2024-02-29"), txt("1970-01-01")}},
	{"dt DateTime", [5]cell{txt("1970-01-01 00:00:00"), txt("2106-02-07 06:28:15"), txt("2020-01-02 03:04:05"), txt("2000-02-29 23:59:59"), txt("2024-06-30 12:00:00")}},
	{"dtz DateTime('Asia/Istanbul')", [5]cell{txt("2020-06-01 12:34:56"), txt("1970-01-01 02:00:00"), txt("2016-03-27 04:00:00"), txt("2000-01-01 00:00:00"), txt("2038-01-19 06:14:07")}},
	{"dt64 DateTime64(3)", [5]cell{txt("2020-01-01 00:00:00.123"), txt("1969-12-31 23:59:59.999"), txt("1970-01-01 00:00:00.000"), txt("2299-12-31 23:59:59.001"), txt("1900-01-01 00:00:00.5")}},
	{"dt64u DateTime64(6, 'UTC')", [5]cell{txt("2020-01-01 00:00:00.123456"), txt("1969-12-31 23:59:59.000001"), txt("1970-01-01 00:00:00"), txt("2100-01-01 00:00:00.1"), txt("1950-06-15 13:14:15.999999")}},
	{"dt64d DateTime64(1)", [5]cell{txt("2020-01-01 00:00:00.1"), txt("1969-12-31 23:59:59.9"), txt("1970-01-01 00:00:00"), num(-1), num(15)}},
	{"dt64n DateTime64(9, 'Asia/Istanbul')", [5]cell{txt("2020-01-01 00:00:00.123456789"), txt("1969-12-31 23:59:59.000000001"), txt("2016-03-27 04:00:00"), num(1), txt("2200-01-01 00:00:00.5")}},
	{"dec Decimal(9, 2)", [5]cell{txt("123.45"), txt("-0.01"), txt("0"), txt("9999999.99"), txt("1.5")}},
	{"dec40 Decimal(40, 5)", [5]cell{txt("12345678901234567890123456789012345.12345"), txt("-1.00001"), txt("0"), txt("-99999999999999999999999999999999999.99999"), txt("0.1")}},
	{"uuid UUID", [5]cell{txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), txt("00000000-0000-0000-0000-000000000000"), txt("ffffffff-ffff-ffff-ffff-ffffffffffff"), txt("01234567-89ab-cdef-0123-456789abcdef"), txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0")}},
	{"e8 Enum8('a' = 1, 'b' = 2, 'c\"\\'' = -3)", [5]cell{txt("a"), txt("b"), txt("c\"'"), txt("a"), num(2)}},
	{"e16 Enum16('x' = -1000, 'y' = 1000)", [5]cell{txt("x"), txt("y"), txt("y"), txt("x"), txt("x")}},
	{"lc LowCardinality(String)", [5]cell{txt("foo"), txt("bar"), txt("foo"), txt(""), txt("bar\n")}},
	{"lcn LowCardinality(Nullable(String))", [5]cell{null(), txt("x"), txt(""), null(), txt("x")}},
	{"ni Nullable(Int32)", [5]cell{null(), num(5), num(-7), null(), num(0)}},
	{"ns Nullable(String)", [5]cell{txt("null"), null(), txt(""), txt("x"), null()}},
	{"alc Array(LowCardinality(String))", [5]cell{arr(), arr(txt("a"), txt("b"), txt("a")), arr(txt("")), arr(txt("c")), arr()}},
	{"aa Array(Array(Int8))", [5]cell{arr(arr(num(1), num(2)), arr(), arr(num(-128))), arr(), arr(arr()), arr(arr(num(127))), arr()}},
	{"an Array(Nullable(Float64))", [5]cell{arr(null(), flt(1.5)), arr(), arr(flt(math.Inf(1))), arr(null()), arr()}},
	{"m Map(String, UInt64)", [5]cell{mp(txt("k1"), unum(1), txt("k\"2"), unum(math.MaxUint64)), mp(), mp(txt(""), unum(0)), mp(txt("a"), unum(1)), mp()}},
	{"mk Map(UInt64, Array(String))", [5]cell{mp(unum(1), arr(txt("x"))), mp(), mp(unum(math.MaxUint64), arr()), mp(unum(0), arr(txt("y"), txt("z"))), mp()}},
	{"t Tuple(a Int8, b String)", [5]cell{tup(num(1), txt("x")), tup(num(-1), txt("")), tup(num(0), txt("z\"")), tup(num(127), txt("é")), tup(num(2), txt("w"))}},
	{"tu Tuple(Int64, Nullable(String))", [5]cell{tup(num(1), txt("x")), tup(num(math.MinInt64), null()), tup(num(0), txt("")), tup(num(2), null()), tup(num(3), txt("v"))}},
}

// sourceRecord stages the round-trip values through block.Rows and cuts a record batch.
func sourceRecord(t *testing.T, mem memory.Allocator) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	return sourceRecordOf(t, mem, roundTripColumns)
}

// sourceRecordOf is sourceRecord for other values.
func sourceRecordOf(t *testing.T, mem memory.Allocator, roundTripColumns []roundTripColumn) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	defs := make([]string, len(roundTripColumns))
	for i, c := range roundTripColumns {
		defs[i] = c.def
	}
	cols, err := block.ParseColumns(defs)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	for r := range 5 {
		for i, c := range roundTripColumns {
			require.NoError(t, c.rows[r](rows.Col(i)), "row %d column %s", r, c.def)
		}
		require.NoError(t, rows.EndRow())
	}
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, &virtualcols.Message{})
	return cols, b.NewRecordBatch()
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
			rows := block.NewRows(cols, block.Options{NullAsDefault: s.NullAsDefault})
			b, err := block.NewBuilder(mem, cols, nil)
			require.NoError(t, err)
			defer b.Release()

			// kafka_max_rows_per_message style groups.
			for _, g := range [][2]int{{0, 3}, {3, 5}} {
				prefix := []byte("prefix|")
				msg, err := enc.Append(prefix, src, g[0], g[1])
				require.NoError(t, err)
				require.Equal(t, "prefix|", string(msg[:7]))
				payload := msg[7:]
				assert.Equal(t, g[1]-g[0], strings.Count(string(payload), "\n"))
				require.NoError(t, dec.Decode(rows, payload), "%s", payload)
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
