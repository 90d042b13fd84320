package rowbinary

import (
	"encoding/hex"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/codectest"
	"github.com/chkafka/chkafka/virtualcols"
)

// Each type's binary encoding, as ClickHouse writes it (SELECT ... FORMAT RowBinary).
func TestValueEncodings(t *testing.T) {
	tests := []struct {
		def  string
		val  codectest.Cell
		want string // hex
	}{
		{"a Int8", codectest.Num(-2), "fe"},
		{"a Int16", codectest.Num(-2), "feff"},
		{"a UInt32", codectest.Unum(0x01020304), "04030201"},
		{"a Int64", codectest.Num(1), "0100000000000000"},
		{"a UInt64", codectest.Unum(1 << 63), "0000000000000080"},
		{"a Float32", codectest.Flt(0.5), "0000003f"},
		{"a Float64", codectest.Flt(-2), "00000000000000c0"},
		{"a Bool", codectest.Boolean(true), "01"},
		{"a String", codectest.Txt("AM"), "02414d"},
		{"a FixedString(3)", codectest.Txt("ab"), "616200"},
		{"a Date", codectest.Txt("2020-01-01"), "5647"},
		{"a Date32", codectest.Txt("1969-12-31"), "ffffffff"},
		{"a DateTime", codectest.Num(1577836801), "01e10b5e"},
		{"a DateTime64(3)", codectest.Num(-1), "ffffffffffffffff"},
		{"a Decimal(9, 2)", codectest.Txt("-1.5"), "6affffff"},
		{"a Decimal(18, 2)", codectest.Txt("1.5"), "9600000000000000"},
		{"a Decimal(38, 2)", codectest.Txt("-0.01"), "ffffffffffffffffffffffffffffffff"},
		{"a Decimal(76, 0)", codectest.Txt("1"), "01" + "00000000000000000000000000000000000000000000000000000000000000"},
		{"a UUID", codectest.Txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), "e711b35c04c4f061a0dbd36a00a67b90"},
		{"a Enum8('x' = -1, 'y' = 5)", codectest.Txt("y"), "05"},
		{"a Enum16('x' = -1000)", codectest.Txt("x"), "18fc"},
		{"a Nullable(UInt8)", codectest.Null(), "01"},
		{"a Nullable(UInt8)", codectest.Unum(7), "0007"},
		{"a LowCardinality(Nullable(String))", codectest.Txt("q"), "000171"},
		{"a LowCardinality(Nullable(String))", codectest.Null(), "01"},
		{"a Array(UInt8)", codectest.Arr(codectest.Unum(1), codectest.Unum(2)), "020102"},
		{"a Map(String, UInt8)", codectest.Mp(codectest.Txt("k"), codectest.Unum(9)), "01016b09"},
		{"a Tuple(Int8, String)", codectest.Tup(codectest.Num(1), codectest.Txt("z")), "01017a"},
	}
	for _, tt := range tests {
		t.Run(tt.def, func(t *testing.T) {
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
			enc, err := Plain.NewEncoder(rec.Schema(), nil)
			require.NoError(t, err)
			out, err := enc.Append(nil, rec, 0, 1)
			require.NoError(t, err)
			want, err := hex.DecodeString(stripSpaces(tt.want))
			require.NoError(t, err)
			assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString(out))

			// And back.
			h := codectest.NewHarness(t, mem, Plain, []string{tt.def}, defaults())
			defer h.Release()
			h.MustDecode(out)
			got := h.Record()
			defer got.Release()
			assert.Equal(t, rec.Column(0).String(), got.Column(0).String())
		})
	}
}

func stripSpaces(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			out = append(out, s[i])
		}
	}
	return string(out)
}
