// Package texttest is test support for the text format codecs: a harness that decodes
// messages the way the engine does, the VECTORS.md §1 format-matrix check, and the
// round-trip table of every ClickHouse type of the Arrow mapping. It is imported only by
// tests.
package texttest

import (
	"math"
	"os"
	"path/filepath"
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

// Harness decodes messages into staged rows and appends the good ones to a record builder.
type Harness struct {
	T    testing.TB
	Cols []block.Column
	Dec  format.Decoder
	Rows *block.Rows
	B    *block.Builder
}

// NewHarness compiles f's decoder for the column definitions. The caller defers Release.
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

// Release frees the record builder.
func (h *Harness) Release() { h.B.Release() }

// Decode decodes one message and returns its row count; a broken message leaves nothing.
func (h *Harness) Decode(payload string) (int, error) {
	err := h.Dec.Decode(h.Rows, []byte(payload))
	if err != nil {
		h.Rows.Reset()
		return 0, err
	}
	n := h.Rows.Len()
	h.B.Append(h.Rows, &virtualcols.Message{})
	h.Rows.Reset()
	return n, nil
}

// MustDecode decodes messages that must be good.
func (h *Harness) MustDecode(payloads ...string) {
	h.T.Helper()
	for _, p := range payloads {
		_, err := h.Decode(p)
		require.NoError(h.T, err, "payload %q", p)
	}
}

// Record cuts the record batch; the caller releases it.
func (h *Harness) Record() arrow.RecordBatch { return h.B.NewRecordBatch() }

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

// Testdata reads testdata/name.
func Testdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// Seeds adds every file of testdata/ to a fuzz corpus.
func Seeds(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	require.NoError(f, err)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		require.NoError(f, err)
		f.Add(b)
	}
}

// MatrixCols is the table of VECTORS.md §1.
var MatrixCols = []string{"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8"}

// KeyValue is the table of VECTORS.md §3.
var KeyValue = []string{"key UInt64", "value UInt64"}

// Garbage are the payloads of VECTORS.md §3 and test_formats_errors.
var Garbage = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "Broken message\nBroken message\nBroken message\n"}

// Matrix decodes VECTORS.md §1's messages for one format — the empty message when
// emptyOK, M1 (row 0), M2 (rows 1..15) and M1 again — and checks the 17 rows.
func Matrix(t *testing.T, f format.Format, s format.Settings, emptyOK bool, m1, m2 string) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := NewHarness(t, mem, f, MatrixCols, s)
	defer h.Release()
	msgs := []struct {
		payload string
		rows    int
	}{{m1, 1}, {m2, 15}, {m1, 1}}
	if emptyOK {
		n, err := h.Decode("")
		require.NoError(t, err, "empty message")
		require.Zero(t, n)
	} else {
		_, err := h.Decode("")
		require.Error(t, err, "empty message")
	}
	for _, m := range msgs {
		n, err := h.Decode(m.payload)
		require.NoError(t, err, "%q", m.payload)
		require.Equal(t, m.rows, n, "%q", m.payload)
	}
	rec := h.Record()
	defer rec.Release()
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

// Cell stages one value into a column.
type Cell func(c *block.Col) error

// Txt, Num, Unum, Flt, Boolean and Null stage a scalar.
func Txt(s string) Cell   { return func(c *block.Col) error { return c.AppendText([]byte(s)) } }
func Num(v int64) Cell    { return func(c *block.Col) error { return c.AppendInt(v) } }
func Unum(v uint64) Cell  { return func(c *block.Col) error { return c.AppendUint(v) } }
func Flt(v float64) Cell  { return func(c *block.Col) error { return c.AppendFloat(v) } }
func Boolean(v bool) Cell { return func(c *block.Col) error { return c.AppendBool(v) } }
func Null() Cell          { return func(c *block.Col) error { return c.AppendNull() } }

// Arr stages an array of the elements.
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

// Tup stages a tuple of the fields.
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

// Column is one column of the round-trip table: its definition and five values.
type Column struct {
	Def  string
	Rows [5]Cell
}

// RoundTripColumns is every type of the mapping with five rows of values each (the
// JSONEachRow round-trip table), with strings full of the bytes escaping rules care about.
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
	{"s String", [5]Cell{Txt(""), Txt("a\"b\\c/d\n\r\t\b\f\x00\x01\x1f'x,y|z;"), Txt("Привет 😀 \u2028\u2029"), Txt("\xff\xfe invalid \xe2\x80"), Txt(`\N`)}},
	{"fs FixedString(4)", [5]Cell{Txt("abcd"), Txt("ab"), Txt(""), Txt("é\x01\x02"), Txt("\xff\t\"\\")}},
	{"d Date", [5]Cell{Txt("1970-01-01"), Txt("2149-06-06"), Txt("2024-02-29"), Txt("2000-12-31"), Txt("1999-01-01")}},
	{"d32 Date32", [5]Cell{Txt("1900-01-01"), Txt("2299-12-31"), Txt("1969-12-31"), Txt("2024-02-29"), Txt("1970-01-01")}},
	{"dt DateTime", [5]Cell{Txt("1970-01-01 00:00:00"), Txt("2106-02-07 06:28:15"), Txt("2020-01-02 03:04:05"), Txt("2000-02-29 23:59:59"), Txt("2024-06-30 12:00:00")}},
	{"dtz DateTime('Asia/Istanbul')", [5]Cell{Txt("2020-06-01 12:34:56"), Txt("1970-01-01 02:00:00"), Txt("2016-03-27 04:00:00"), Txt("2000-01-01 00:00:00"), Txt("2038-01-19 06:14:07")}},
	{"dt64 DateTime64(3)", [5]Cell{Txt("2020-01-01 00:00:00.123"), Txt("1969-12-31 23:59:59.999"), Txt("1970-01-01 00:00:00.000"), Txt("2299-12-31 23:59:59.001"), Txt("1900-01-01 00:00:00.5")}},
	{"dt64u DateTime64(6, 'UTC')", [5]Cell{Txt("2020-01-01 00:00:00.123456"), Txt("1969-12-31 23:59:59.000001"), Txt("1970-01-01 00:00:00"), Txt("2100-01-01 00:00:00.1"), Txt("1950-06-15 13:14:15.999999")}},
	{"dt64d DateTime64(1)", [5]Cell{Txt("2020-01-01 00:00:00.1"), Txt("1969-12-31 23:59:59.9"), Txt("1970-01-01 00:00:00"), Num(-1), Num(15)}},
	{"dt64n DateTime64(9, 'Asia/Istanbul')", [5]Cell{Txt("2020-01-01 00:00:00.123456789"), Txt("1969-12-31 23:59:59.000000001"), Txt("2016-03-27 04:00:00"), Num(1), Txt("2200-01-01 00:00:00.5")}},
	{"dec Decimal(9, 2)", [5]Cell{Txt("123.45"), Txt("-0.01"), Txt("0"), Txt("9999999.99"), Txt("1.5")}},
	{"dec40 Decimal(40, 5)", [5]Cell{Txt("12345678901234567890123456789012345.12345"), Txt("-1.00001"), Txt("0"), Txt("-99999999999999999999999999999999999.99999"), Txt("0.1")}},
	{"uuid UUID", [5]Cell{Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), Txt("00000000-0000-0000-0000-000000000000"), Txt("ffffffff-ffff-ffff-ffff-ffffffffffff"), Txt("01234567-89ab-cdef-0123-456789abcdef"), Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0")}},
	{"e8 Enum8('a' = 1, 'b' = 2, 'c\"\\'' = -3, 'd\\te' = 4)", [5]Cell{Txt("a"), Txt("b"), Txt("c\"'"), Txt("d\te"), Num(2)}},
	{"e16 Enum16('x' = -1000, 'y' = 1000)", [5]Cell{Txt("x"), Txt("y"), Txt("y"), Txt("x"), Txt("x")}},
	{"lc LowCardinality(String)", [5]Cell{Txt("foo"), Txt("bar"), Txt("foo"), Txt(""), Txt("bar\n")}},
	{"lcn LowCardinality(Nullable(String))", [5]Cell{Null(), Txt("x"), Txt(""), Null(), Txt("x")}},
	{"ni Nullable(Int32)", [5]Cell{Null(), Num(5), Num(-7), Null(), Num(0)}},
	{"ns Nullable(String)", [5]Cell{Txt("null"), Null(), Txt("NULL"), Txt("x"), Null()}},
	{"alc Array(LowCardinality(String))", [5]Cell{Arr(), Arr(Txt("a"), Txt("b"), Txt("a")), Arr(Txt("")), Arr(Txt("c]'\t\\")), Arr()}},
	{"aa Array(Array(Int8))", [5]Cell{Arr(Arr(Num(1), Num(2)), Arr(), Arr(Num(-128))), Arr(), Arr(Arr()), Arr(Arr(Num(127))), Arr()}},
	{"an Array(Nullable(Float64))", [5]Cell{Arr(Null(), Flt(1.5)), Arr(), Arr(Flt(math.Inf(1))), Arr(Null()), Arr()}},
	{"ad Array(DateTime)", [5]Cell{Arr(Txt("2020-01-02 03:04:05")), Arr(), Arr(Txt("1970-01-01 00:00:00"), Txt("2000-02-29 23:59:59")), Arr(), Arr()}},
	{"m Map(String, UInt64)", [5]Cell{Mp(Txt("k1"), Unum(1), Txt("k\"2'"), Unum(math.MaxUint64)), Mp(), Mp(Txt(""), Unum(0)), Mp(Txt("a"), Unum(1)), Mp()}},
	{"mk Map(UInt64, Array(String))", [5]Cell{Mp(Unum(1), Arr(Txt("x"))), Mp(), Mp(Unum(math.MaxUint64), Arr()), Mp(Unum(0), Arr(Txt("y"), Txt("z"))), Mp()}},
	{"t Tuple(a Int8, b String)", [5]Cell{Tup(Num(1), Txt("x")), Tup(Num(-1), Txt("")), Tup(Num(0), Txt("z\"")), Tup(Num(127), Txt("é,)")), Tup(Num(2), Txt("w"))}},
	{"tu Tuple(Int64, Nullable(String))", [5]Cell{Tup(Num(1), Txt("x")), Tup(Num(math.MinInt64), Null()), Tup(Num(0), Txt("")), Tup(Num(2), Null()), Tup(Num(3), Txt("v"))}},
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
	cols, err := block.ParseColumns(Defs(columns))
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

// RoundTrip encodes the columns' five rows with f in the groups [0,3) and [3,5) (one
// message each, as kafka_max_rows_per_message would cut them), decodes the messages and
// checks that every column comes back equal. It returns the two messages.
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
	rows := block.NewRows(cols, block.Options{NullAsDefault: s.NullAsDefault})
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()

	var msgs []string
	for _, g := range [][2]int{{0, 3}, {3, 5}} {
		msg, err := enc.Append([]byte("prefix|"), src, g[0], g[1])
		require.NoError(t, err)
		require.Equal(t, "prefix|", string(msg[:7]))
		payload := msg[7:]
		msgs = append(msgs, string(payload))
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

	// An empty range writes no row; a bad range or record is an error and dst unchanged.
	out, err := enc.Append([]byte("x"), src, 4, 6)
	require.Error(t, err)
	assert.Equal(t, "x", string(out))
	return msgs
}

// AllocsPerDecode returns the average number of allocations of decoding payload into
// h's staged rows, in steady state.
func (h *Harness) AllocsPerDecode(payload string) float64 {
	h.T.Helper()
	b := []byte(payload)
	for range 3 {
		require.NoError(h.T, h.Dec.Decode(h.Rows, b))
		h.Rows.Reset()
	}
	return testing.AllocsPerRun(20, func() {
		if err := h.Dec.Decode(h.Rows, b); err != nil {
			panic(err)
		}
		h.Rows.Reset()
	})
}
