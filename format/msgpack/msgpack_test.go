package msgpack

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
	"github.com/chkafka/chkafka/virtualcols"
)

func defaults() format.Settings { return format.DefaultSettings() }

func TestRegistered(t *testing.T) {
	f, err := format.Lookup("MsgPack")
	require.NoError(t, err)
	assert.Equal(t, Format{}, f)
	assert.False(t, format.IsBlockOriented(f))
}

// VECTORS.md §1: the format matrix, MsgPack row.
func TestDecodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	m1, m2 := codectest.ReadTestdata(t, "matrix_m1.msgpack"), codectest.ReadTestdata(t, "matrix_m2.msgpack")
	require.Equal(t, "0000a2414dca3f00000001", hex.EncodeToString(m1))
	require.Len(t, m2, 165)
	_, err := h.Decode(nil) // not OK for MsgPack (VECTORS.md §1.2)
	require.EqualError(t, err, "Unexpected end of file while parsing msgpack object.: (at row 1)\n: (while reading column id)")
	h.Matrix(m1, m2)
}

// The encoder writes the matrix rows as ClickHouse does today: String as bin 8 (c4 02)
// where the old fixture has fixstr (a2).
func TestEncodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := codectest.MatrixRecord(t, mem, 0, 1, 15)
	defer rec.Release()
	enc, err := Format{}.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 3)
	require.NoError(t, err)
	assert.Equal(t, "0000c402414dca3f00000001"+"0100c402414dca3f00000001"+"0f00c402414dca3f00000001", hex.EncodeToString(out))
	fixture := strings.ReplaceAll(hex.EncodeToString(codectest.ReadTestdata(t, "matrix_m1.msgpack")), "a2414d", "c402414d")
	assert.Equal(t, fixture, hex.EncodeToString(out[:12]))
}

func TestValueEncodings(t *testing.T) {
	tests := []struct {
		def  string
		val  codectest.Cell
		want string
	}{
		{"a Int8", codectest.Num(-1), "ff"},
		{"a Int8", codectest.Num(-33), "d0df"},
		{"a Int16", codectest.Num(300), "cd012c"},
		{"a Int32", codectest.Num(-40000), "d2ffff63c0"},
		{"a Int64", codectest.Num(-1 << 40), "d3ffffff0000000000"},
		{"a UInt64", codectest.Unum(1 << 63), "cf8000000000000000"},
		{"a UInt8", codectest.Unum(200), "ccc8"},
		{"a Float32", codectest.Flt(0.5), "ca3f000000"},
		{"a Float64", codectest.Flt(0.5), "cb3fe0000000000000"},
		{"a Bool", codectest.Boolean(true), "01"},
		{"a String", codectest.Txt("AM"), "c402414d"},
		{"a FixedString(3)", codectest.Txt("ab"), "c403616200"},
		{"a Date", codectest.Txt("2020-01-01"), "cd4756"},
		{"a Date32", codectest.Txt("1969-12-31"), "ff"},
		{"a DateTime", codectest.Num(1577836801), "ce5e0be101"},
		{"a DateTime64(3)", codectest.Num(1500), "cd05dc"},
		{"a Decimal(9, 2)", codectest.Txt("-1.5"), "d1ff6a"},
		{"a Decimal(18, 2)", codectest.Txt("1.5"), "cc96"},
		{"a Decimal(38, 2)", codectest.Txt("-0.01"), "c410ffffffffffffffffffffffffffffffff"},
		{"a UUID", codectest.Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), "d80261f0c4045cb311e7907ba6006ad3dba0"},
		{"a Enum8('x' = -1, 'y' = 5)", codectest.Txt("x"), "ff"},
		{"a Nullable(UInt8)", codectest.Null(), "c0"},
		{"a LowCardinality(Nullable(String))", codectest.Txt("q"), "c40171"},
		{"a Array(UInt8)", codectest.Arr(codectest.Unum(1), codectest.Unum(2)), "920102"},
		{"a Map(String, UInt8)", codectest.Mp(codectest.Txt("k"), codectest.Unum(9)), "81c4016b09"},
		{"a Tuple(Int8, String)", codectest.Tup(codectest.Num(1), codectest.Txt("z")), "9201c4017a"},
	}
	for _, tt := range tests {
		t.Run(tt.def+"/"+tt.want, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			cols, err := block.ParseColumns([]string{tt.def})
			require.NoError(t, err)
			rows := block.NewRows(cols, block.Options{})
			require.NoError(t, tt.val(rows.Col(0)))
			require.NoError(t, rows.EndRow())
			b, err := block.NewBuilder(mem, cols, nil)
			require.NoError(t, err)
			defer b.Release()
			b.Append(rows, &virtualcols.Message{})
			rec := b.NewRecordBatch()
			defer rec.Release()
			enc, err := Format{}.NewEncoder(rec.Schema(), nil)
			require.NoError(t, err)
			out, err := enc.Append(nil, rec, 0, 1)
			require.NoError(t, err)
			assert.Equal(t, strings.ReplaceAll(tt.want, " ", ""), hex.EncodeToString(out))

			h := codectest.NewHarness(t, mem, Format{}, []string{tt.def}, defaults())
			defer h.Release()
			h.MustDecode(out)
			got := h.Record()
			defer got.Release()
			assert.Equal(t, rec.Column(0).String(), got.Column(0).String())
		})
	}
}

func TestDecodeLenient(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{},
		[]string{"s String", "f Float32", "u UUID", "d Decimal(9, 2)", "dt DateTime64(3)", "b Bool", "e Enum8('a' = 1)"}, defaults())
	defer h.Release()
	payload := []byte{0xa1, 'x', 0x01, 0xd9, 36}
	payload = append(payload, "61f0c404-5cb3-11e7-907b-a6006ad3dba0"...)
	payload = append(payload, 0xcd, 0x01, 0x2c) // 300 → 3.00
	payload = append(payload, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	payload = append(payload, 0xc3, 0xa1, 'a')
	// Second row: bin string, float 64, UUID as bin in ClickHouse order, float decimal.
	payload = append(payload, 0xc4, 1, 'y', 0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 0xc4, 16)
	payload = append(payload, 0xe7, 0x11, 0xb3, 0x5c, 0x04, 0xc4, 0xf0, 0x61, 0xa0, 0xdb, 0xd3, 0x6a, 0x00, 0xa6, 0x7b, 0x90)
	payload = append(payload, 0xca, 0x3f, 0xc0, 0, 0, 0x00, 0x00, 0x01)
	assert.Equal(t, 2, h.MustDecode(payload))
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []string{"x", "y"}, []string{rec.Column(0).ValueStr(0), rec.Column(0).ValueStr(1)})
	assert.Equal(t, []float32{1, 0.5}, rec.Column(1).(*array.Float32).Float32Values())
	assert.Equal(t, rec.Column(2).ValueStr(0), rec.Column(2).ValueStr(1))
	assert.Equal(t, "3", rec.Column(3).ValueStr(0))
	assert.Equal(t, "1.5", rec.Column(3).ValueStr(1))
	assert.Equal(t, int64(-1), int64(rec.Column(4).(*array.Timestamp).Value(0)))
	assert.Equal(t, "true", rec.Column(5).ValueStr(0))
	assert.Equal(t, "a", rec.Column(6).ValueStr(0))
}

func TestDecodeErrors(t *testing.T) {
	noNull := defaults()
	noNull.NullAsDefault = false
	tests := []struct {
		name     string
		cols     []string
		settings *format.Settings
		payload  []byte
		want     string
		row      int
		column   string
		is       error
	}{
		{name: "empty", cols: codectest.KeyValueCols, payload: []byte{}, want: "Unexpected end of file while parsing msgpack object.: (at row 1)", row: 1, column: "key"},
		{name: "garbage asdfghjkl", cols: codectest.KeyValueCols, payload: []byte("asdfghjkl"), want: "Not enough values to complete the row.: (at row 5)", row: 5},
		{name: "garbage zxcvbnm", cols: codectest.KeyValueCols, payload: []byte("zxcvbnm"), want: "Not enough values to complete the row.: (at row 4)", row: 4},
		{name: "formats_errors", cols: codectest.KeyValueCols, payload: []byte(codectest.FormatsErrors), want: "Not enough values to complete the row.: (at row 23)", row: 23},
		{name: "truncated value", cols: codectest.MatrixCols, payload: []byte{0, 0, 0xa2, 'A'}, want: "Unexpected end of file while parsing msgpack object.: (at row 1)\n: (while reading column val1)", row: 1, column: "val1"},
		{name: "never used byte", cols: []string{"a Int8"}, payload: []byte{0xc1}, want: "Error occurred while parsing msgpack data.", row: 1, column: "a"},
		{name: "array into int", cols: []string{"a Int8"}, payload: []byte{0x90}, want: "Cannot insert MessagePack array into column with type Int8.", row: 1, column: "a"},
		{name: "int into array", cols: []string{"a Array(Int8)"}, payload: []byte{1}, want: "Cannot insert MessagePack integer into column with type Array(Int8).", row: 1, column: "a"},
		{name: "tuple size", cols: []string{"t Tuple(Int8, Int8)"}, payload: []byte{0x91, 1}, want: "Cannot insert MessagePack array with size 1 into Tuple column with 2 elements", row: 1, column: "t"},
		{name: "out of range", cols: []string{"a UInt8"}, payload: []byte{0xcd, 1, 0}, want: "out of range", row: 1, column: "a"},
		{name: "null", cols: []string{"a UInt8"}, settings: &noNull, payload: []byte{0xc0}, row: 1, column: "a", is: block.ErrNotNullable},
		{name: "unknown extension", cols: []string{"u UUID"}, payload: []byte{0xd4, 5, 0}, want: "Unsupported MsgPack extension type: 5", row: 1, column: "u"},
		{name: "huge array", cols: []string{"a Array(Int8)"}, payload: []byte{0xdd, 0xff, 0xff, 0xff, 0xff, 1}, want: "Unexpected end of file", row: 1, column: "a"},
		{name: "huge string", cols: []string{"a String"}, payload: []byte{0xdb, 0xff, 0xff, 0xff, 0xff, 1}, want: "Unexpected end of file", row: 1, column: "a"},
		{name: "second row", cols: []string{"a Int8"}, payload: []byte{1, 0xcc, 0xff}, want: "out of range", row: 2, column: "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tt.settings != nil {
				s = *tt.settings
			}
			h := codectest.NewHarness(t, mem, Format{}, tt.cols, s)
			defer h.Release()
			n, err := h.Decode(tt.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tt.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.row, pe.Row, "row")
			assert.Equal(t, tt.column, pe.Column, "column")
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

// VECTORS.md §3 does not list MsgPack: every ASCII byte is a positive fixint, so
// "qwertyuiop" is five valid rows of (key UInt64, value UInt64). The odd-length garbage and
// the test_formats_errors payload (45 bytes) end in the middle of a row: one error each.
func TestGarbage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.KeyValueCols, defaults())
	defer h.Release()
	n, err := h.Decode([]byte("qwertyuiop"))
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	for _, p := range []string{"asdfghjkl", "zxcvbnm", codectest.FormatsErrors} {
		n, err := h.Decode([]byte(p))
		assert.Error(t, err, p)
		assert.Zero(t, n)
	}
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []uint64{'q', 'e', 't', 'u', 'o'}, rec.Column(0).(*array.Uint64).Uint64Values())
}

func TestRoundTrip(t *testing.T) { codectest.RoundTrip(t, Format{}, defaults(), nil) }

func TestEncodeErrors(t *testing.T) { codectest.EncodeErrors(t, Format{}) }

func TestDecodeAllocations(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	payload := codectest.ReadTestdata(t, "matrix_m2.msgpack")
	allocs := h.AllocsPerDecode(payload)
	assert.Zero(t, allocs)
}
