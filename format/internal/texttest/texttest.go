// Package texttest is test support for the text format codecs: a harness that decodes
// messages the way the engine does, the VECTORS.md §1 format-matrix check, the tables of
// good and broken messages every text format checks (DecodeRows, DecodeErrors, with the
// garbage and wrong-rows checks), and the round-trip table of every ClickHouse type of the
// Arrow mapping. It is imported only by tests.
package texttest

import (
	"math"
	"slices"
	"testing"
	_ "time/tzdata" // DateTime('Asia/Istanbul') without a system zoneinfo

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

// Harness is codectest's harness (decoding messages the way the engine does) with string
// payloads.
type Harness struct{ *codectest.Harness }

// NewHarness compiles f's decoder for the column definitions. The caller defers Release.
func NewHarness(t testing.TB, mem memory.Allocator, f format.Format, defs []string, s format.Settings) *Harness {
	t.Helper()
	return &Harness{codectest.NewHarness(t, mem, f, defs, s)}
}

// Decode decodes one message and returns its row count; a broken message leaves nothing.
func (h *Harness) Decode(payload string) (int, error) { return h.Harness.Decode([]byte(payload)) }

// MustDecode decodes messages that must be good.
func (h *Harness) MustDecode(payloads ...string) {
	h.T.Helper()
	for _, p := range payloads {
		h.Harness.MustDecode([]byte(p))
	}
}

// Columns decodes payloads (which must be good) and returns every column rendered by
// [Strs].
func (h *Harness) Columns(payloads ...string) [][]string {
	h.T.Helper()
	h.MustDecode(payloads...)
	rec := h.Record()
	defer rec.Release()
	out := make([][]string, rec.NumCols())
	for k := range out {
		out[k] = Strs(rec.Column(k))
	}
	return out
}

// AllocsPerDecode returns the average number of allocations of decoding payload into
// h's staged rows, in steady state.
func (h *Harness) AllocsPerDecode(payload string) float64 {
	h.T.Helper()
	return h.Harness.AllocsPerDecode([]byte(payload))
}

// Strs renders a column with arrow's ValueStr ("(null)" for nulls).
func Strs(arr arrow.Array) []string { return codectest.Strs(arr) }

// Testdata reads testdata/name.
func Testdata(t testing.TB, name string) string {
	t.Helper()
	return string(codectest.ReadTestdata(t, name))
}

// Seeds adds every file of testdata/ to a fuzz corpus.
func Seeds(f *testing.F) { codectest.Seeds(f, "testdata") }

// MatrixCols is the table of VECTORS.md §1.
var MatrixCols = codectest.MatrixCols

// KeyValue is the table of VECTORS.md §3.
var KeyValue = codectest.KeyValueCols

// Garbage are the payloads of VECTORS.md §3 and test_formats_errors.
var Garbage = append(slices.Clone(codectest.Garbage), codectest.FormatsErrors)

// Matrix decodes VECTORS.md §1's messages for one format — the empty message when
// emptyOK, M1 (row 0), M2 (rows 1..15) and M1 again — and checks the 17 rows.
func Matrix(t *testing.T, f format.Format, s format.Settings, emptyOK bool, m1, m2 string) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := NewHarness(t, mem, f, MatrixCols, s)
	defer h.Release()
	if emptyOK {
		n, err := h.Decode("")
		require.NoError(t, err, "empty message")
		require.Zero(t, n)
	} else {
		_, err := h.Decode("")
		require.Error(t, err, "empty message")
	}
	h.Matrix([]byte(m1), []byte(m2))
}

// Cell stages one value into a column.
type Cell = codectest.Cell

// Txt, Num, Unum, Flt, Boolean and Null stage a scalar.
func Txt(s string) Cell   { return codectest.Txt(s) }
func Num(v int64) Cell    { return codectest.Num(v) }
func Unum(v uint64) Cell  { return codectest.Unum(v) }
func Flt(v float64) Cell  { return codectest.Flt(v) }
func Boolean(v bool) Cell { return codectest.Boolean(v) }
func Null() Cell          { return codectest.Null() }

// Arr stages an array of the elements.
func Arr(elems ...Cell) Cell { return codectest.Arr(elems...) }

// Mp stages a map from alternating key and value cells.
func Mp(kv ...Cell) Cell { return codectest.Mp(kv...) }

// Tup stages a tuple of the fields.
func Tup(fields ...Cell) Cell { return codectest.Tup(fields...) }

// Column is one column of the round-trip table: its definition and five values.
type Column = codectest.Column

// RoundTripColumns is every type of the mapping with five rows of values each (the
// JSONEachRow round-trip table), with strings full of the bytes escaping rules care about.
var RoundTripColumns = []Column{
	{Def: "i8 Int8", Rows: [5]Cell{Num(-128), Num(127), Num(0), Num(-1), Num(42)}},
	{Def: "i16 Int16", Rows: [5]Cell{Num(-32768), Num(32767), Num(0), Num(-1), Num(300)}},
	{Def: "i32 Int32", Rows: [5]Cell{Num(math.MinInt32), Num(math.MaxInt32), Num(0), Num(-1), Num(70000)}},
	{Def: "i64 Int64", Rows: [5]Cell{Num(math.MinInt64), Num(math.MaxInt64), Num(0), Num(-1), Num(1 << 53)}},
	{Def: "u8 UInt8", Rows: [5]Cell{Unum(0), Unum(255), Unum(1), Unum(2), Unum(3)}},
	{Def: "u16 UInt16", Rows: [5]Cell{Unum(0), Unum(65535), Unum(1), Unum(2), Unum(3)}},
	{Def: "u32 UInt32", Rows: [5]Cell{Unum(0), Unum(math.MaxUint32), Unum(1), Unum(2), Unum(3)}},
	{Def: "u64 UInt64", Rows: [5]Cell{Unum(0), Unum(math.MaxUint64), Unum(1 << 63), Unum(2), Unum(3)}},
	{Def: "f32 Float32", Rows: [5]Cell{Flt(0.5), Flt(math.Inf(1)), Flt(math.Inf(-1)), Flt(math.NaN()), Flt(math.MaxFloat32)}},
	{Def: "f64 Float64", Rows: [5]Cell{Flt(0.1), Flt(1e-7), Flt(math.NaN()), Flt(-1e300), Flt(math.SmallestNonzeroFloat64)}},
	{Def: "b Bool", Rows: [5]Cell{Boolean(true), Boolean(false), Boolean(true), Boolean(false), Boolean(true)}},
	{Def: "s String", Rows: [5]Cell{Txt(""), Txt("a\"b\\c/d\n\r\t\b\f\x00\x01\x1f'x,y|z;"), Txt("Привет 😀 \u2028\u2029"), Txt("\xff\xfe invalid \xe2\x80"), Txt(`\N`)}},
	{Def: "fs FixedString(4)", Rows: [5]Cell{Txt("abcd"), Txt("ab"), Txt(""), Txt("é\x01\x02"), Txt("\xff\t\"\\")}},
	{Def: "d Date", Rows: [5]Cell{Txt("1970-01-01"), Txt("2149-06-06"), Txt("2024-02-29"), Txt("2000-12-31"), Txt("1999-01-01")}},
	{Def: "d32 Date32", Rows: [5]Cell{Txt("1900-01-01"), Txt("2299-12-31"), Txt("1969-12-31"), Txt("2024-02-29"), Txt("1970-01-01")}},
	{Def: "dt DateTime", Rows: [5]Cell{Txt("1970-01-01 00:00:00"), Txt("2106-02-07 06:28:15"), Txt("2020-01-02 03:04:05"), Txt("2000-02-29 23:59:59"), Txt("2024-06-30 12:00:00")}},
	{Def: "dtz DateTime('Asia/Istanbul')", Rows: [5]Cell{Txt("2020-06-01 12:34:56"), Txt("1970-01-01 02:00:00"), Txt("2016-03-27 04:00:00"), Txt("2000-01-01 00:00:00"), Txt("2038-01-19 06:14:07")}},
	{Def: "dt64 DateTime64(3)", Rows: [5]Cell{Txt("2020-01-01 00:00:00.123"), Txt("1969-12-31 23:59:59.999"), Txt("1970-01-01 00:00:00.000"), Txt("2299-12-31 23:59:59.001"), Txt("1900-01-01 00:00:00.5")}},
	{Def: "dt64u DateTime64(6, 'UTC')", Rows: [5]Cell{Txt("2020-01-01 00:00:00.123456"), Txt("1969-12-31 23:59:59.000001"), Txt("1970-01-01 00:00:00"), Txt("2100-01-01 00:00:00.1"), Txt("1950-06-15 13:14:15.999999")}},
	{Def: "dt64d DateTime64(1)", Rows: [5]Cell{Txt("2020-01-01 00:00:00.1"), Txt("1969-12-31 23:59:59.9"), Txt("1970-01-01 00:00:00"), Num(-1), Num(15)}},
	{Def: "dt64n DateTime64(9, 'Asia/Istanbul')", Rows: [5]Cell{Txt("2020-01-01 00:00:00.123456789"), Txt("1969-12-31 23:59:59.000000001"), Txt("2016-03-27 04:00:00"), Num(1), Txt("2200-01-01 00:00:00.5")}},
	{Def: "dec Decimal(9, 2)", Rows: [5]Cell{Txt("123.45"), Txt("-0.01"), Txt("0"), Txt("9999999.99"), Txt("1.5")}},
	{Def: "dec40 Decimal(40, 5)", Rows: [5]Cell{Txt("12345678901234567890123456789012345.12345"), Txt("-1.00001"), Txt("0"), Txt("-99999999999999999999999999999999999.99999"), Txt("0.1")}},
	{Def: "uuid UUID", Rows: [5]Cell{Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), Txt("00000000-0000-0000-0000-000000000000"), Txt("ffffffff-ffff-ffff-ffff-ffffffffffff"), Txt("01234567-89ab-cdef-0123-456789abcdef"), Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0")}},
	{Def: "e8 Enum8('a' = 1, 'b' = 2, 'c\"\\'' = -3, 'd\\te' = 4)", Rows: [5]Cell{Txt("a"), Txt("b"), Txt("c\"'"), Txt("d\te"), Num(2)}},
	{Def: "e16 Enum16('x' = -1000, 'y' = 1000)", Rows: [5]Cell{Txt("x"), Txt("y"), Txt("y"), Txt("x"), Txt("x")}},
	{Def: "lc LowCardinality(String)", Rows: [5]Cell{Txt("foo"), Txt("bar"), Txt("foo"), Txt(""), Txt("bar\n")}},
	{Def: "lcn LowCardinality(Nullable(String))", Rows: [5]Cell{Null(), Txt("x"), Txt(""), Null(), Txt("x")}},
	{Def: "ni Nullable(Int32)", Rows: [5]Cell{Null(), Num(5), Num(-7), Null(), Num(0)}},
	{Def: "ns Nullable(String)", Rows: [5]Cell{Txt("null"), Null(), Txt("NULL"), Txt("x"), Null()}},
	{Def: "alc Array(LowCardinality(String))", Rows: [5]Cell{Arr(), Arr(Txt("a"), Txt("b"), Txt("a")), Arr(Txt("")), Arr(Txt("c]'\t\\")), Arr()}},
	{Def: "aa Array(Array(Int8))", Rows: [5]Cell{Arr(Arr(Num(1), Num(2)), Arr(), Arr(Num(-128))), Arr(), Arr(Arr()), Arr(Arr(Num(127))), Arr()}},
	{Def: "an Array(Nullable(Float64))", Rows: [5]Cell{Arr(Null(), Flt(1.5)), Arr(), Arr(Flt(math.Inf(1))), Arr(Null()), Arr()}},
	{Def: "ad Array(DateTime)", Rows: [5]Cell{Arr(Txt("2020-01-02 03:04:05")), Arr(), Arr(Txt("1970-01-01 00:00:00"), Txt("2000-02-29 23:59:59")), Arr(), Arr()}},
	{Def: "m Map(String, UInt64)", Rows: [5]Cell{Mp(Txt("k1"), Unum(1), Txt("k\"2'"), Unum(math.MaxUint64)), Mp(), Mp(Txt(""), Unum(0)), Mp(Txt("a"), Unum(1)), Mp()}},
	{Def: "mk Map(UInt64, Array(String))", Rows: [5]Cell{Mp(Unum(1), Arr(Txt("x"))), Mp(), Mp(Unum(math.MaxUint64), Arr()), Mp(Unum(0), Arr(Txt("y"), Txt("z"))), Mp()}},
	{Def: "t Tuple(a Int8, b String)", Rows: [5]Cell{Tup(Num(1), Txt("x")), Tup(Num(-1), Txt("")), Tup(Num(0), Txt("z\"")), Tup(Num(127), Txt("é,)")), Tup(Num(2), Txt("w"))}},
	{Def: "tu Tuple(Int64, Nullable(String))", Rows: [5]Cell{Tup(Num(1), Txt("x")), Tup(Num(math.MinInt64), Null()), Tup(Num(0), Txt("")), Tup(Num(2), Null()), Tup(Num(3), Txt("v"))}},
}

// Defs returns the definitions of columns.
func Defs(columns []Column) []string {
	defs := make([]string, len(columns))
	for i, c := range columns {
		defs[i] = c.Def
	}
	return defs
}

// SourceRecord stages the columns' values through block.Rows and cuts a record batch of
// five rows; the caller releases it.
func SourceRecord(t testing.TB, mem memory.Allocator, columns []Column) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	return codectest.SourceRecordFrom(t, mem, columns)
}

// RoundTrip encodes the columns' five rows with f in the groups [0,3) and [3,5) (one
// message each, as kafka_max_rows_per_message would cut them), decodes the messages and
// checks that every column comes back equal (codectest.RoundTripCodec), and that a bad
// range is an error that leaves dst unchanged. It returns the two messages.
func RoundTrip(t *testing.T, f format.Format, s format.Settings, columns []Column) []string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, src := SourceRecord(t, mem, columns)
	defer src.Release()

	enc, err := f.NewEncoder(src.Schema(), &s)
	require.NoError(t, err)
	dec, err := f.NewDecoder(src.Schema(), &s)
	require.NoError(t, err)
	var msgs []string
	for _, m := range codectest.RoundTripCodec(t, mem, cols, src, enc, dec, block.Options{NullAsDefault: s.NullAsDefault}) {
		msgs = append(msgs, string(m))
	}

	// An empty range writes no row; a bad range or record is an error and dst unchanged.
	out, err := enc.Append([]byte("x"), src, 4, 6)
	require.Error(t, err)
	assert.Equal(t, "x", string(out))
	return msgs
}
