// Package codectest holds the test kit shared by the binary formats' tests: a decoding
// harness that appends good messages the way the engine does, the VECTORS.md format matrix
// check, the round trip over every type of the mapping, the block-splitting check and the
// body of the decoders' fuzz targets. Only _test.go files import it.
package codectest

import (
	"math"
	"os"
	"path/filepath"
	"slices"
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

// MatrixCols is the table of VECTORS.md §1.
var MatrixCols = []string{"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8"}

// KeyValueCols is the table of VECTORS.md §3.
var KeyValueCols = []string{"key UInt64", "value UInt64"}

// Garbage are the messages of VECTORS.md §3.
var Garbage = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}

// FormatsErrors is the payload of test_formats_errors (VECTORS.md §3).
const FormatsErrors = "Broken message\nBroken message\nBroken message\n"

// Harness decodes messages into staged rows and appends the good ones to a record builder,
// the way the engine does.
type Harness struct {
	T    testing.TB
	Cols []block.Column
	Dec  format.Decoder
	Rows *block.Rows
	B    *block.Builder
}

// NewHarness compiles a decoder of f for the column definitions. The caller defers Release.
func NewHarness(t testing.TB, mem memory.Allocator, f format.Format, defs []string, s format.Settings) *Harness {
	t.Helper()
	cols, err := block.ParseColumns(defs)
	require.NoError(t, err)
	dec, err := f.NewDecoder(block.Schema(cols), &s)
	require.NoError(t, err)
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: s.NullAsDefault, DateTimeBestEffort: s.DateTimeBestEffort})
	return &Harness{T: t, Cols: cols, Dec: dec, Rows: rows, B: b}
}

// Release frees the builder.
func (h *Harness) Release() { h.B.Release() }

// Decode decodes one message and returns its row count; a broken message leaves nothing.
func (h *Harness) Decode(payload []byte) (int, error) {
	err := h.Dec.Decode(h.Rows, payload)
	if err != nil {
		h.Rows.Reset()
		return 0, err
	}
	n := h.Rows.Len()
	h.B.Append(h.Rows, &virtualcols.Message{})
	h.Rows.Reset()
	return n, nil
}

// MustDecode decodes messages that must be good and returns their total row count.
func (h *Harness) MustDecode(payloads ...[]byte) int {
	h.T.Helper()
	total := 0
	for _, p := range payloads {
		n, err := h.Decode(p)
		require.NoError(h.T, err, "payload %x", p)
		total += n
	}
	return total
}

// Record cuts the record batch; the caller releases it.
func (h *Harness) Record() arrow.RecordBatch { return h.B.NewRecordBatch() }

// Matrix decodes VECTORS.md §1's messages M1 (row 0), M2 (rows 1..15) and M1 again, which
// must be good, and checks the 17 rows with [CheckMatrix]. The format's own check of the
// empty message comes before.
func (h *Harness) Matrix(m1, m2 []byte) {
	h.T.Helper()
	for _, p := range []struct {
		payload []byte
		rows    int
	}{{m1, 1}, {m2, 15}, {m1, 1}} {
		n, err := h.Decode(p.payload)
		require.NoError(h.T, err, "%q", p.payload)
		require.Equal(h.T, p.rows, n, "%q", p.payload)
	}
	rec := h.Record()
	defer rec.Release()
	CheckMatrix(h.T, rec)
}

// AllocsPerDecode returns the average number of allocations of decoding payload into h's
// staged rows, in steady state.
func (h *Harness) AllocsPerDecode(payload []byte) float64 {
	h.T.Helper()
	for range 3 {
		require.NoError(h.T, h.Dec.Decode(h.Rows, payload))
		h.Rows.Reset()
	}
	return testing.AllocsPerRun(20, func() {
		if err := h.Dec.Decode(h.Rows, payload); err != nil {
			panic(err)
		}
		h.Rows.Reset()
	})
}

// Strs renders a column with arrow's ValueStr ("(null)" for nulls).
func Strs(arr arrow.Array) []string {
	out := make([]string, arr.Len())
	for i := range out {
		if arr.IsNull(i) {
			out[i] = "(null)"
			continue
		}
		out[i] = arr.ValueStr(i)
	}
	return out
}

// CheckMatrix checks the 17 rows of VECTORS.md §1: ids 0..15 then 0, each (0, "AM", 0.5, 1).
func CheckMatrix(t testing.TB, rec arrow.RecordBatch) {
	t.Helper()
	require.EqualValues(t, 17, rec.NumRows())
	ids := rec.Column(0).(*array.Int64)
	for i := range 17 {
		want := int64(i)
		if i == 16 {
			want = 0
		}
		assert.Equal(t, want, ids.Value(i))
		assert.Equal(t, uint16(0), rec.Column(1).(*array.Uint16).Value(i))
		assert.Equal(t, "AM", rec.Column(2).(*array.String).Value(i))
		assert.Equal(t, float32(0.5), rec.Column(3).(*array.Float32).Value(i))
		assert.Equal(t, uint8(1), rec.Column(4).(*array.Uint8).Value(i))
	}
}

// MatrixRecord returns rows of the matrix table with the given ids. The caller releases it.
func MatrixRecord(t testing.TB, mem memory.Allocator, ids ...int64) arrow.RecordBatch {
	t.Helper()
	cols, err := block.ParseColumns(MatrixCols)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{})
	for _, id := range ids {
		require.NoError(t, rows.Col(0).AppendInt(id))
		require.NoError(t, rows.Col(1).AppendInt(0))
		require.NoError(t, rows.Col(2).AppendText([]byte("AM")))
		require.NoError(t, rows.Col(3).AppendFloat(0.5))
		require.NoError(t, rows.Col(4).AppendInt(1))
		require.NoError(t, rows.EndRow())
	}
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, &virtualcols.Message{})
	return b.NewRecordBatch()
}

// MatrixRecords returns the rows of VECTORS.md §1's messages M1 (id 0) and M2 (ids
// 1..15). The caller releases both.
func MatrixRecords(t testing.TB, mem memory.Allocator) (m1, m2 arrow.RecordBatch) {
	t.Helper()
	return MatrixRecord(t, mem, 0), MatrixRecord(t, mem, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
}

// EncodeErrors checks the append convention of f's encoder (nil settings) on errors: rows
// [1,3) of a record of two rows, and a record of another schema, are errors that return
// dst unchanged.
func EncodeErrors(t *testing.T, f format.Format) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := MatrixRecord(t, mem, 0, 1)
	defer rec.Release()
	enc, err := f.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append([]byte("keep"), rec, 1, 3)
	require.Error(t, err)
	assert.Equal(t, "keep", string(out))
	other, err := block.ParseColumns([]string{"a Int8"})
	require.NoError(t, err)
	enc, err = f.NewEncoder(block.Schema(other), nil)
	require.NoError(t, err)
	out, err = enc.Append([]byte("keep"), rec, 0, 1)
	require.Error(t, err)
	assert.Equal(t, "keep", string(out))
}

// Cell stages one value into a column.
type Cell func(c *block.Col) error

// Txt, Num, Unum, Flt, Boolean and Null stage a value of their kind.
func Txt(s string) Cell   { return func(c *block.Col) error { return c.AppendText([]byte(s)) } }
func Num(v int64) Cell    { return func(c *block.Col) error { return c.AppendInt(v) } }
func Unum(v uint64) Cell  { return func(c *block.Col) error { return c.AppendUint(v) } }
func Flt(v float64) Cell  { return func(c *block.Col) error { return c.AppendFloat(v) } }
func Boolean(v bool) Cell { return func(c *block.Col) error { return c.AppendBool(v) } }
func Null() Cell          { return func(c *block.Col) error { return c.AppendNull() } }

// Arr stages an array of the cells.
func Arr(elems ...Cell) Cell {
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

// Mp stages a map from alternating key and value cells.
func Mp(kv ...Cell) Cell {
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

// Tup stages a tuple of the cells.
func Tup(fields ...Cell) Cell {
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

// Column is a column definition with five rows of values.
type Column struct {
	Def  string
	Rows [5]Cell
}

// RoundTripColumns is every type of the mapping with five rows of values each (the list of
// format/jsoneachrow's round trip).
var RoundTripColumns = []Column{
	{"i8 Int8", [5]Cell{Num(-128), Num(127), Num(0), Num(-1), Num(42)}},
	{"i16 Int16", [5]Cell{Num(-32768), Num(32767), Num(0), Num(-1), Num(300)}},
	{"i32 Int32", [5]Cell{Num(math.MinInt32), Num(math.MaxInt32), Num(0), Num(-1), Num(70000)}},
	{"i64 Int64", [5]Cell{Num(math.MinInt64), Num(math.MaxInt64), Num(0), Num(-1), Num(1 << 53)}},
	{"u8 UInt8", [5]Cell{Unum(0), Unum(255), Unum(1), Unum(2), Unum(3)}},
	{"u16 UInt16", [5]Cell{Unum(0), Unum(65535), Unum(1), Unum(2), Unum(3)}},
	{"u32 UInt32", [5]Cell{Unum(0), Unum(math.MaxUint32), Unum(1), Unum(2), Unum(3)}},
	{"u64 UInt64", [5]Cell{Unum(0), Unum(math.MaxUint64), Unum(1 << 63), Unum(2), Unum(3)}},
	{"f32 Float32", [5]Cell{Flt(0.5), Flt(math.Inf(1)), Flt(math.Inf(-1)), Flt(math.NaN()), Flt(math.MaxFloat32)}},
	{"f64 Float64", [5]Cell{Flt(0.1), Flt(1e-7), Flt(math.NaN()), Flt(-1e300), Flt(math.SmallestNonzeroFloat64)}},
	{"b Bool", [5]Cell{Boolean(true), Boolean(false), Boolean(true), Boolean(false), Boolean(true)}},
	{"s String", [5]Cell{Txt(""), Txt("a\"b\\c/d\n\r\t\b\f\x00\x01\x1f"), Txt("Привет 😀 \u2028\u2029"), Txt("\xff\xfe invalid \xe2\x80"), Txt(`{"not":"an object"}`)}},
	{"fs FixedString(4)", [5]Cell{Txt("abcd"), Txt("ab"), Txt(""), Txt("é\x01\x02"), Txt("\xff\xff\"\\")}},
	{"d Date", [5]Cell{Txt("1970-01-01"), Txt("2149-06-06"), Txt("2024-02-29"), Txt("2000-12-31"), Txt("1999-01-01")}},
	{"d32 Date32", [5]Cell{Txt("1900-01-01"), Txt("2299-12-31"), Txt("1969-12-31"), Txt("2024-02-29"), Txt("1970-01-01")}},
	{"dt DateTime", [5]Cell{Txt("1970-01-01 00:00:00"), Txt("2106-02-07 06:28:15"), Txt("2020-01-02 03:04:05"), Txt("2000-02-29 23:59:59"), Txt("2024-06-30 12:00:00")}},
	{"dtz DateTime('Asia/Istanbul')", [5]Cell{Txt("2020-06-01 12:34:56"), Txt("1970-01-01 02:00:00"), Txt("2016-03-27 04:00:00"), Txt("2000-01-01 00:00:00"), Txt("2038-01-19 06:14:07")}},
	{"dt64 DateTime64(3)", [5]Cell{Txt("2020-01-01 00:00:00.123"), Txt("1969-12-31 23:59:59.999"), Txt("1970-01-01 00:00:00.000"), Txt("2299-12-31 23:59:59.001"), Txt("1900-01-01 00:00:00.5")}},
	{"dt64u DateTime64(6, 'UTC')", [5]Cell{Txt("2020-01-01 00:00:00.123456"), Txt("1969-12-31 23:59:59.000001"), Txt("1970-01-01 00:00:00"), Txt("2100-01-01 00:00:00.1"), Txt("1950-06-15 13:14:15.999999")}},
	{"dt64d DateTime64(1)", [5]Cell{Txt("2020-01-01 00:00:00.1"), Txt("1969-12-31 23:59:59.9"), Txt("1970-01-01 00:00:00"), Num(-1), Num(15)}},
	{"dt64n DateTime64(9, 'Asia/Istanbul')", [5]Cell{Txt("2020-01-01 00:00:00.123456789"), Txt("1969-12-31 23:59:59.000000001"), Txt("2016-03-27 04:00:00"), Num(1), Txt("2200-01-01 00:00:00.5")}},
	{"dec Decimal(9, 2)", [5]Cell{Txt("123.45"), Txt("-0.01"), Txt("0"), Txt("9999999.99"), Txt("1.5")}},
	{"dec18 Decimal(18, 4)", [5]Cell{Txt("-12345678901234.5678"), Txt("0.0001"), Txt("0"), Txt("99999999999999.9999"), Txt("-1")}},
	{"dec38 Decimal(38, 10)", [5]Cell{Txt("-1234567890123456789012345678.0123456789"), Txt("0.0000000001"), Txt("0"), Txt("9999999999999999999999999999.9999999999"), Txt("1")}},
	{"dec40 Decimal(40, 5)", [5]Cell{Txt("12345678901234567890123456789012345.12345"), Txt("-1.00001"), Txt("0"), Txt("-99999999999999999999999999999999999.99999"), Txt("0.1")}},
	{"uuid UUID", [5]Cell{Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), Txt("00000000-0000-0000-0000-000000000000"), Txt("ffffffff-ffff-ffff-ffff-ffffffffffff"), Txt("01234567-89ab-cdef-0123-456789abcdef"), Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0")}},
	{"e8 Enum8('a' = 1, 'b' = 2, 'c\"\\'' = -3)", [5]Cell{Txt("a"), Txt("b"), Txt("c\"'"), Txt("a"), Num(2)}},
	{"e16 Enum16('x' = -1000, 'y' = 1000)", [5]Cell{Txt("x"), Txt("y"), Txt("y"), Txt("x"), Txt("x")}},
	{"lc LowCardinality(String)", [5]Cell{Txt("foo"), Txt("bar"), Txt("foo"), Txt(""), Txt("bar\n")}},
	{"lcn LowCardinality(Nullable(String))", [5]Cell{Null(), Txt("x"), Txt(""), Null(), Txt("x")}},
	{"lci LowCardinality(UInt32)", [5]Cell{Unum(7), Unum(7), Unum(0), Unum(math.MaxUint32), Unum(7)}},
	{"ni Nullable(Int32)", [5]Cell{Null(), Num(5), Num(-7), Null(), Num(0)}},
	{"ns Nullable(String)", [5]Cell{Txt("null"), Null(), Txt(""), Txt("x"), Null()}},
	{"nd Nullable(Decimal(20, 3))", [5]Cell{Txt("1.5"), Null(), Txt("-0.001"), Null(), Txt("12345678901234567.891")}},
	{"alc Array(LowCardinality(String))", [5]Cell{Arr(), Arr(Txt("a"), Txt("b"), Txt("a")), Arr(Txt("")), Arr(Txt("c")), Arr()}},
	{"aa Array(Array(Int8))", [5]Cell{Arr(Arr(Num(1), Num(2)), Arr(), Arr(Num(-128))), Arr(), Arr(Arr()), Arr(Arr(Num(127))), Arr()}},
	{"an Array(Nullable(Float64))", [5]Cell{Arr(Null(), Flt(1.5)), Arr(), Arr(Flt(math.Inf(1))), Arr(Null()), Arr()}},
	{"m Map(String, UInt64)", [5]Cell{Mp(Txt("k1"), Unum(1), Txt("k\"2"), Unum(math.MaxUint64)), Mp(), Mp(Txt(""), Unum(0)), Mp(Txt("a"), Unum(1)), Mp()}},
	{"mk Map(UInt64, Array(String))", [5]Cell{Mp(Unum(1), Arr(Txt("x"))), Mp(), Mp(Unum(math.MaxUint64), Arr()), Mp(Unum(0), Arr(Txt("y"), Txt("z"))), Mp()}},
	{"t Tuple(a Int8, b String)", [5]Cell{Tup(Num(1), Txt("x")), Tup(Num(-1), Txt("")), Tup(Num(0), Txt("z\"")), Tup(Num(127), Txt("é")), Tup(Num(2), Txt("w"))}},
	{"tu Tuple(Int64, Nullable(String))", [5]Cell{Tup(Num(1), Txt("x")), Tup(Num(math.MinInt64), Null()), Tup(Num(0), Txt("")), Tup(Num(2), Null()), Tup(Num(3), Txt("v"))}},
	// Beyond format/jsoneachrow's list: LowCardinality, Nullable and containers nested.
	{"mlc Map(LowCardinality(String), LowCardinality(Nullable(UInt64)))", [5]Cell{Mp(Txt("a"), Unum(math.MaxUint64), Txt("b"), Null()), Mp(), Mp(Txt("a"), Unum(0)), Mp(Txt(""), Null()), Mp()}},
	{"tlc Tuple(x LowCardinality(String), y Array(LowCardinality(UInt64)))", [5]Cell{Tup(Txt("s"), Arr(Unum(1), Unum(1))), Tup(Txt(""), Arr()), Tup(Txt("s"), Arr(Unum(math.MaxUint64))), Tup(Txt("t"), Arr()), Tup(Txt("s"), Arr(Unum(2)))}},
	{"at Array(Tuple(Int8, Array(Nullable(String))))", [5]Cell{Arr(Tup(Num(1), Arr(Txt("a"), Null())), Tup(Num(2), Arr())), Arr(), Arr(Tup(Num(-1), Arr(Null()))), Arr(), Arr(Tup(Num(0), Arr(Txt(""))))}},
	{"am Array(Map(String, Nullable(Decimal(38, 3))))", [5]Cell{Arr(Mp(Txt("k"), Txt("-1.5")), Mp()), Arr(), Arr(Mp(Txt("n"), Null())), Arr(Mp()), Arr()}},
	{"fs16 FixedString(16)", [5]Cell{Txt("0123456789abcdef"), Txt(""), Txt("x"), Txt("\x00"), Txt("fedcba9876543210")}},
}

// SchemaSettings returns default settings with kafka_schema set to schema and the schema
// directory "testdata": what the schema formats (Protobuf, CapnProto) read in their tests.
func SchemaSettings(schema string) format.Settings {
	s := format.DefaultSettings()
	s.Schema = schema
	s.SchemaPath = "testdata"
	return s
}

// ReadTestdata returns the bytes of testdata/name.
func ReadTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// WriteFile writes text to dir/name.
func WriteFile(t testing.TB, dir, name, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
}

// SchemaRoundTripDefs are the columns of RoundTripColumns that the schema formats' test
// schemas (testdata/roundtrip.proto, testdata/roundtrip.capnp) have a field for.
var SchemaRoundTripDefs = []string{
	"i8 Int8",
	"i16 Int16",
	"i32 Int32",
	"i64 Int64",
	"u8 UInt8",
	"u16 UInt16",
	"u32 UInt32",
	"u64 UInt64",
	"f32 Float32",
	"f64 Float64",
	"b Bool",
	"s String",
	"fs FixedString(4)",
	"d Date",
	"d32 Date32",
	"dt DateTime",
	"dtz DateTime('Asia/Istanbul')",
	"dt64 DateTime64(3)",
	"dt64u DateTime64(6, 'UTC')",
	"dt64d DateTime64(1)",
	"dt64n DateTime64(9, 'Asia/Istanbul')",
	"dec Decimal(9, 2)",
	"dec40 Decimal(40, 5)",
	"uuid UUID",
	"e8 Enum8('a' = 1, 'b' = 2, 'c\"\\'' = -3)",
	"e16 Enum16('x' = -1000, 'y' = 1000)",
	"lc LowCardinality(String)",
	"lcn LowCardinality(Nullable(String))",
	"ni Nullable(Int32)",
	"ns Nullable(String)",
	"alc Array(LowCardinality(String))",
	"aa Array(Array(Int8))",
	"an Array(Nullable(Float64))",
	"m Map(String, UInt64)",
	"mk Map(UInt64, Array(String))",
	"t Tuple(a Int8, b String)",
	"tu Tuple(Int64, Nullable(String))",
}

// RoundTripColumnsWith returns RoundTripColumns followed by extra: the list of a format
// that round-trips types not every format supports.
func RoundTripColumnsWith(extra ...Column) []Column {
	return append(slices.Clone(RoundTripColumns), extra...)
}

// Select returns the columns whose definition keep accepts (all when keep is nil).
func Select(columns []Column, keep func(def string) bool) []Column {
	var sel []Column
	for _, c := range columns {
		if keep == nil || keep(c.Def) {
			sel = append(sel, c)
		}
	}
	return sel
}

// SourceRecordOf is SourceRecord of exactly the columns defs, which must all be in
// RoundTripColumns or extra. The caller releases the record batch.
func SourceRecordOf(t testing.TB, mem memory.Allocator, defs []string, extra ...Column) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	sel := Select(RoundTripColumnsWith(extra...), func(def string) bool { return slices.Contains(defs, def) })
	require.Len(t, sel, len(defs), "a column of defs is not in RoundTripColumns or extra")
	return SourceRecordFrom(t, mem, sel)
}

// SourceRecord stages the round-trip values of the columns keep accepts (all when keep is
// nil) through block.Rows and cuts a record batch. The caller releases it.
func SourceRecord(t testing.TB, mem memory.Allocator, keep func(def string) bool) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	return SourceRecordFrom(t, mem, Select(RoundTripColumns, keep))
}

// SourceRecordFrom stages the columns' five rows of values through block.Rows and cuts a
// record batch. The caller releases it.
func SourceRecordFrom(t testing.TB, mem memory.Allocator, columns []Column) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	defs := make([]string, len(columns))
	for i, c := range columns {
		defs[i] = c.Def
	}
	cols, err := block.ParseColumns(defs)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	for r := range 5 {
		for i, c := range columns {
			require.NoError(t, c.Rows[r](rows.Col(i)), "row %d column %s", r, c.Def)
		}
		require.NoError(t, rows.EndRow())
	}
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, &virtualcols.Message{})
	return cols, b.NewRecordBatch()
}

// RoundTrip encodes the round-trip record in the groups of rows [0,3) and [3,5), one
// message each, decodes the messages and checks that every column is equal to the source.
// Every message must not start with the bytes the encoder was given (dst is extended).
func RoundTrip(t *testing.T, f format.Format, s format.Settings, keep func(def string) bool) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, src := SourceRecord(t, mem, keep)
	defer src.Release()

	enc, err := f.NewEncoder(src.Schema(), &s)
	require.NoError(t, err)
	dec, err := f.NewDecoder(src.Schema(), &s)
	require.NoError(t, err)
	RoundTripCodec(t, mem, cols, src, enc, dec, block.Options{NullAsDefault: s.NullAsDefault})
}

// RoundTripCodec encodes src's five rows with enc in the groups [0,3) and [3,5) (one
// message each, as kafka_max_rows_per_message would cut them, each appended to a prefix
// that must stay), decodes the messages with dec into rows staged with opts and checks
// that every column comes back equal. It returns the two messages without the prefix.
func RoundTripCodec(t *testing.T, mem memory.Allocator, cols []block.Column, src arrow.RecordBatch, enc format.Encoder, dec format.Decoder, opts block.Options) [][]byte {
	t.Helper()
	rows := block.NewRows(cols, opts)
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()

	var msgs [][]byte
	for _, g := range [][2]int{{0, 3}, {3, 5}} {
		msg, err := enc.Append([]byte("prefix|"), src, g[0], g[1])
		require.NoError(t, err)
		require.Equal(t, "prefix|", string(msg[:7]))
		payload := msg[7:]
		msgs = append(msgs, payload)
		require.NoError(t, dec.Decode(rows, payload), "%q", payload)
		require.Equal(t, g[1]-g[0], rows.Len(), "%q", payload)
		b.Append(rows, &virtualcols.Message{})
		rows.Reset()
	}
	got := b.NewRecordBatch()
	defer got.Release()
	require.Equal(t, src.NumRows(), got.NumRows())
	for k := range src.NumCols() {
		assert.True(t, array.ApproxEqual(src.Column(int(k)), got.Column(int(k)), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
			"column %s:\nwant %v\ngot  %v\nmessages %q", src.ColumnName(int(k)), src.Column(int(k)), got.Column(int(k)), msgs)
	}
	return msgs
}

// BlockSplit is VECTORS.md §6.4 for a block format: 100 rows (i*10, i*100) in record
// batches of 12 rows are 9 messages, one per batch, that read back as the 100 rows in
// order.
func BlockSplit(t *testing.T, f format.Format) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	require.True(t, format.IsBlockOriented(f))
	h := NewHarness(t, mem, f, KeyValueCols, format.DefaultSettings())
	defer h.Release()
	rows := block.NewRows(h.Cols, block.Options{})
	for i := range 100 {
		require.NoError(t, rows.Col(0).AppendInt(int64(i*10)))
		require.NoError(t, rows.Col(1).AppendInt(int64(i*100)))
		require.NoError(t, rows.EndRow())
	}
	b, err := block.NewBuilder(mem, h.Cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, &virtualcols.Message{})
	all := b.NewRecordBatch()
	defer all.Release()
	enc, err := f.NewEncoder(all.Schema(), nil)
	require.NoError(t, err)
	var msgs [][]byte
	for lo := int64(0); lo < all.NumRows(); lo += 12 {
		batch := all.NewSlice(lo, min(lo+12, all.NumRows()))
		msg, err := enc.Append(nil, batch, 0, int(batch.NumRows()))
		batch.Release()
		require.NoError(t, err)
		msgs = append(msgs, msg)
	}
	require.Len(t, msgs, 9)
	assert.Equal(t, 100, h.MustDecode(msgs...))
	rec := h.Record()
	defer rec.Release()
	keys, values := rec.Column(0).(*array.Uint64), rec.Column(1).(*array.Uint64)
	for i := range 100 {
		assert.Equal(t, uint64(i*10), keys.Value(i))
		assert.Equal(t, uint64(i*100), values.Value(i))
	}
}

// Seeds returns the files of dir (testdata) as fuzz seeds, with extra.
func Seeds(f *testing.F, dir string, extra ...[]byte) {
	seeds(f, dir, func(string) bool { return true })
	for _, b := range extra {
		f.Add(b)
	}
}

// seeds adds the files of dir whose name keep accepts to a fuzz corpus.
func seeds(f *testing.F, dir string, keep func(name string) bool) {
	entries, err := os.ReadDir(dir)
	require.NoError(f, err)
	for _, e := range entries {
		if e.IsDir() || !keep(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(f, err)
		f.Add(b)
	}
}

// Fuzz is the body of a decoder's fuzz target: no payload panics, a failed message leaves
// the staged rows resettable (good decodes afterwards), and every message that decodes
// survives an encode/decode round trip (when fm has an encoder).
func Fuzz(f *testing.F, fm format.Format, defs []string, s format.Settings, good []byte) {
	cols, err := block.ParseColumns(defs)
	require.NoError(f, err)
	schema := block.Schema(cols)
	dec, err := fm.NewDecoder(schema, &s)
	require.NoError(f, err)
	enc, err := fm.NewEncoder(schema, &s)
	if err != nil {
		enc = nil
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rows := block.NewRows(cols, block.Options{NullAsDefault: true})
		if err := dec.Decode(rows, payload); err != nil {
			require.NotEmpty(t, err.Error())
			rows.Reset()
			require.NoError(t, dec.Decode(rows, good))
			require.NotZero(t, rows.Len())
			return
		}
		if enc == nil || rows.Len() == 0 {
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
		require.NoError(t, dec.Decode(rows, out), "re-decoding %x", out)
		require.Equal(t, n, rows.Len())
		b.Append(rows, &virtualcols.Message{})
		again := b.NewRecordBatch()
		defer again.Release()
		for k := range int(rec.NumCols()) {
			require.True(t, array.ApproxEqual(rec.Column(k), again.Column(k), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
				"column %s of %x re-encoded as %x:\n%v\n%v", rec.ColumnName(k), payload, out, rec.Column(k), again.Column(k))
		}
	})
}
