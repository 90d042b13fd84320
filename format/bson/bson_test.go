package bson

import (
	"encoding/binary"
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
	f, err := format.Lookup("BSONEachRow")
	require.NoError(t, err)
	assert.Equal(t, Format{}, f)
	assert.False(t, format.IsBlockOriented(f))
}

// The matrix rows of VECTORS.md §1 as ClickHouse writes them in BSONEachRow (the test
// does not cover the format; the documents are built from ClickHouse's type mapping).
func TestDecodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	m1, m2 := codectest.ReadTestdata(t, "matrix_m1.bson"), codectest.ReadTestdata(t, "matrix_m2.bson")
	_, err := h.Decode(nil)
	require.EqualError(t, err, "Cannot read all data. Bytes read: 0. Bytes expected: 4.: (at row 1)")
	h.Matrix(m1, m2)
}

func TestEncodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	m1, m2 := codectest.MatrixRecords(t, mem)
	defer m1.Release()
	defer m2.Release()
	enc, err := Format{}.NewEncoder(m1.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, m1, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(codectest.ReadTestdata(t, "matrix_m1.bson")), hex.EncodeToString(out))
	out, err = enc.Append(nil, m2, 0, 15)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(codectest.ReadTestdata(t, "matrix_m2.bson")), hex.EncodeToString(out))
}

// Fields of every BSON type: known ones convert, unknown ones are skipped.
func TestDecodeOtherTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	h.MustDecode(codectest.ReadTestdata(t, "other_types.bson"))
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, int64(7), rec.Column(0).(*array.Int64).Value(0))
	assert.Equal(t, "AM", rec.Column(2).(*array.String).Value(0))
	assert.Equal(t, float32(0), rec.Column(3).(*array.Float32).Value(0))
	assert.Equal(t, uint8(1), rec.Column(4).(*array.Uint8).Value(0))
}

func TestValueEncodings(t *testing.T) {
	tests := []struct {
		def  string
		val  codectest.Cell
		want string // hex of the element (type, name "a", value)
	}{
		{"a Int8", codectest.Num(-1), "10 6100 ffffffff"},
		{"a UInt8", codectest.Unum(200), "10 6100 c8000000"},
		{"a UInt16", codectest.Unum(65535), "10 6100 ffff0000"},
		{"a Int32", codectest.Num(-2), "10 6100 feffffff"},
		{"a UInt32", codectest.Unum(1 << 31), "12 6100 0000008000000000"},
		{"a Int64", codectest.Num(1), "12 6100 0100000000000000"},
		{"a UInt64", codectest.Unum(1 << 63), "12 6100 0000000000000080"},
		{"a Float32", codectest.Flt(0.5), "01 6100 000000000000e03f"},
		{"a Bool", codectest.Boolean(true), "08 6100 01"},
		{"a String", codectest.Txt("AM"), "05 6100 02000000 00 414d"},
		{"a FixedString(3)", codectest.Txt("ab"), "05 6100 03000000 00 616200"},
		{"a Date", codectest.Txt("2020-01-01"), "10 6100 56470000"},
		{"a DateTime", codectest.Num(1577836801), "12 6100 01e10b5e00000000"},
		{"a DateTime64(3)", codectest.Num(1500), "09 6100 dc05000000000000"},
		{"a Decimal(9, 2)", codectest.Txt("-1.5"), "10 6100 6affffff"},
		{"a Decimal(18, 2)", codectest.Txt("1.5"), "12 6100 9600000000000000"},
		{"a Decimal(38, 2)", codectest.Txt("-0.01"), "05 6100 10000000 00 ffffffffffffffffffffffffffffffff"},
		{"a UUID", codectest.Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), "05 6100 10000000 04 e711b35c04c4f061a0dbd36a00a67b90"},
		{"a Enum8('x' = -1, 'y' = 5)", codectest.Txt("y"), "10 6100 05000000"},
		{"a Nullable(UInt8)", codectest.Null(), "0a 6100"},
		{"a LowCardinality(Nullable(String))", codectest.Txt("q"), "05 6100 01000000 00 71"},
		{"a Array(UInt8)", codectest.Arr(codectest.Unum(1), codectest.Unum(2)), "04 6100 13000000 10 3000 01000000 10 3100 02000000 00"},
		{"a Map(UInt8, UInt8)", codectest.Mp(codectest.Unum(7), codectest.Unum(9)), "03 6100 0c000000 10 3700 09000000 00"},
		{"a Tuple(x Int8, y String)", codectest.Tup(codectest.Num(1), codectest.Txt("z")), "03 6100 15000000 10 7800 01000000 05 7900 01000000 00 7a 00"},
		{"a Tuple(Int8, String)", codectest.Tup(codectest.Num(1), codectest.Txt("z")), "04 6100 15000000 10 3100 01000000 05 3200 01000000 00 7a 00"},
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
			elem := strings.ReplaceAll(tt.want, " ", "")
			size := make([]byte, 4)
			binary.LittleEndian.PutUint32(size, uint32(4+len(elem)/2+1))
			assert.Equal(t, hex.EncodeToString(size)+elem+"00", hex.EncodeToString(out))

			h := codectest.NewHarness(t, mem, Format{}, []string{tt.def}, defaults())
			defer h.Release()
			h.MustDecode(out)
			got := h.Record()
			defer got.Release()
			assert.Equal(t, rec.Column(0).String(), got.Column(0).String())
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	noNull := defaults()
	noNull.NullAsDefault = false
	doc := func(elems ...string) []byte {
		body, err := hex.DecodeString(strings.ReplaceAll(strings.Join(elems, ""), " ", ""))
		require.NoError(t, err)
		out := binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)+1))
		return append(append(out, body...), 0)
	}
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
		{name: "garbage qwertyuiop", cols: codectest.KeyValueCols, payload: []byte("qwertyuiop"), want: "Cannot read all data. Bytes read: 10. Bytes expected: 1919252337.: (at row 1)", row: 1},
		{name: "garbage asdfghjkl", cols: codectest.KeyValueCols, payload: []byte("asdfghjkl"), want: "Cannot read all data", row: 1},
		{name: "garbage zxcvbnm", cols: codectest.KeyValueCols, payload: []byte("zxcvbnm"), want: "Cannot read all data", row: 1},
		{name: "formats_errors", cols: codectest.KeyValueCols, payload: []byte(codectest.FormatsErrors), want: "Cannot read all data", row: 1},
		{name: "small size", cols: codectest.KeyValueCols, payload: []byte{4, 0, 0, 0}, want: "Invalid document size: 4", row: 1},
		{name: "no terminator", cols: codectest.KeyValueCols, payload: []byte{5, 0, 0, 0, 1}, want: "the fields do not end", row: 1},
		{name: "second document truncated", cols: codectest.KeyValueCols, payload: append(doc(), 9, 0, 0, 0), want: "Bytes read: 4. Bytes expected: 9.", row: 2},
		{name: "unknown field", cols: codectest.KeyValueCols, settings: &strict, payload: doc("10 7a00 01000000"), want: "Unknown field found while parsing BSONEachRow format: z", row: 1},
		{name: "duplicate field", cols: codectest.KeyValueCols, payload: doc("10 6b657900 01000000", "10 6b657900 01000000"), want: "Duplicate field found while parsing BSONEachRow format: key", row: 1},
		{name: "unknown type", cols: codectest.KeyValueCols, payload: doc("20 7a00 01000000"), want: "Unknown BSON type: 0x20", row: 1, column: "z"},
		{name: "string into integer", cols: codectest.KeyValueCols, payload: doc("02 6b657900 02000000 7800"), want: "Cannot insert BSON String into column with type UInt64", row: 1, column: "key"},
		{name: "value past the document", cols: codectest.KeyValueCols, payload: doc("12 6b657900 0100"), want: "Cannot read all data", row: 1, column: "key"},
		{name: "name without terminator", cols: codectest.KeyValueCols, payload: doc("12 6b6579"), want: "no terminating zero byte", row: 1},
		{name: "negative", cols: codectest.KeyValueCols, payload: doc("10 6b657900 ffffffff"), want: "out of range", row: 1, column: "key"},
		{name: "null", cols: codectest.KeyValueCols, settings: &noNull, payload: doc("0a 6b657900"), row: 1, column: "key", is: block.ErrNotNullable},
		{name: "tuple size", cols: []string{"t Tuple(Int8, Int8)"}, payload: doc("04 7400 0c000000 10 3000 01000000 00"), want: "the number of fields in tuple and BSON document doesn't match: 2 != 1", row: 1, column: "t"},
		{name: "tuple name", cols: []string{"t Tuple(a Int8)"}, payload: doc("03 7400 0c000000 10 6200 01000000 00"), want: "tuple doesn't have element with name \"b\"", row: 1, column: "t"},
		{name: "uuid subtype", cols: []string{"u UUID"}, payload: doc("05 7500 10000000 00 00000000000000000000000000000000"), want: "Cannot insert BSON Binary subtype 0 into column with type UUID", row: 1, column: "u"},
		{name: "string size", cols: []string{"s String"}, payload: doc("02 7300 00000000"), want: "Incorrect size of a string (0) in BSON", row: 1, column: "s"},
		{name: "nested size", cols: []string{"a Array(Int8)"}, payload: doc("04 6100 ff000000 00"), want: "Cannot read all data", row: 1, column: "a"},
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

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.KeyValueCols, defaults())
	defer h.Release()
	for _, p := range append(codectest.Garbage, codectest.FormatsErrors) {
		n, err := h.Decode([]byte(p))
		assert.Error(t, err, p)
		assert.Zero(t, n)
	}
}

func TestRoundTrip(t *testing.T) { codectest.RoundTrip(t, Format{}, defaults(), nil) }

func TestEncodeErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := codectest.MatrixRecord(t, mem, 0, 1)
	defer rec.Release()
	enc, err := Format{}.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append([]byte("keep"), rec, 1, 3)
	require.Error(t, err)
	assert.Equal(t, "keep", string(out))
	cols, err := block.ParseColumns([]string{"`a\x00b` Int8"})
	if err == nil {
		_, err = Format{}.NewEncoder(block.Schema(cols), nil)
		assert.Error(t, err)
	}
}

func TestDecodeAllocations(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	payload := codectest.ReadTestdata(t, "matrix_m2.bson")
	allocs := h.AllocsPerDecode(payload)
	assert.Zero(t, allocs)
}
