package protobuf

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// harness decodes messages into staged rows and appends the good ones to a record builder,
// the way the engine does.
type harness struct {
	t    testing.TB
	cols []block.Column
	dec  format.Decoder
	rows *block.Rows
	b    *block.Builder
}

// settings returns default settings with kafka_schema and the testdata schema directory.
func settings(schema string) format.Settings {
	s := format.DefaultSettings()
	s.Schema = schema
	s.SchemaPath = "testdata"
	return s
}

func newHarness(t testing.TB, mem memory.Allocator, f format.Format, defs []string, s format.Settings) *harness {
	t.Helper()
	cols, err := block.ParseColumns(defs)
	require.NoError(t, err)
	dec, err := f.NewDecoder(block.Schema(cols), &s)
	require.NoError(t, err)
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: s.NullAsDefault})
	return &harness{t: t, cols: cols, dec: dec, rows: rows, b: b}
}

// Release frees the record builder; defer it after the allocator check.
func (h *harness) Release() { h.b.Release() }

// decode decodes one message and returns its row count; a broken message leaves nothing.
func (h *harness) decode(payload []byte) (int, error) {
	err := h.dec.Decode(h.rows, payload)
	if err != nil {
		h.rows.Reset()
		return 0, err
	}
	n := h.rows.Len()
	h.b.Append(h.rows, &virtualcols.Message{})
	h.rows.Reset()
	return n, nil
}

func (h *harness) mustDecode(payloads ...[]byte) {
	h.t.Helper()
	for _, p := range payloads {
		_, err := h.decode(p)
		require.NoError(h.t, err, "payload %x", p)
	}
}

func (h *harness) record() arrow.RecordBatch { return h.b.NewRecordBatch() }

// strs renders a column with arrow's ValueStr ("(null)" for nulls).
func strs(arr arrow.Array) []string {
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

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

var matrixCols = []string{"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8"}

// checkMatrix checks the 17 rows of VECTORS §1: ids 0, 1..15, 0 of (id, 0, 'AM', 0.5, 1).
func checkMatrix(t *testing.T, rec arrow.RecordBatch) {
	t.Helper()
	require.EqualValues(t, 17, rec.NumRows())
	ids := []string{"0"}
	for i := 1; i <= 15; i++ {
		ids = append(ids, fmt.Sprint(i))
	}
	ids = append(ids, "0")
	rep := func(s string) []string {
		out := make([]string, 17)
		for i := range out {
			out[i] = s
		}
		return out
	}
	require.Equal(t, ids, strs(rec.Column(0)))
	require.Equal(t, rep("0"), strs(rec.Column(1)))
	require.Equal(t, rep("AM"), strs(rec.Column(2)))
	require.Equal(t, rep("0.5"), strs(rec.Column(3)))
	require.Equal(t, rep("1"), strs(rec.Column(4)))
}

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

// roundTripColumns is every type of the mapping (the list of format/jsoneachrow's
// round-trip test) with five rows of values; testdata/roundtrip.proto has a field for
// each.
var roundTripColumns = []struct {
	def  string
	rows [5]cell
}{
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
func sourceRecord(t testing.TB, mem memory.Allocator) ([]block.Column, arrow.RecordBatch) {
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

func writeFile(t testing.TB, dir, name, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
}
