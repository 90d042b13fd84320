package msgpack

import (
	"testing"

	"github.com/chkafka/chkafka/format/internal/codectest"
)

var fuzzCols = []string{
	"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8",
	"a Array(Nullable(Int32))", "m Map(String, String)", "t Tuple(a Int8, b String)",
	"d DateTime64(3)", "dd Date", "dec Decimal(10, 2)", "dec38 Decimal(38, 3)", "e Enum8('a' = 1, 'b' = 2)", "u UUID",
	"lc LowCardinality(Nullable(String))", "fs FixedString(3)", "b Bool", "f Float64",
}

func FuzzDecode(f *testing.F) {
	codectest.Seeds(f, "testdata", []byte{}, []byte{0x92, 1, 2}, []byte{0xd8, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	codectest.Fuzz(f, Format{}, codectest.MatrixCols, defaults(), codectest.ReadTestdata(f, "matrix_m1.msgpack"))
}

func FuzzDecodeTypes(f *testing.F) {
	codectest.Seeds(f, "testdata", []byte{0x81, 0xa1, 'k', 0xa1, 'v'})
	good := []byte{0, 0, 0xa0, 0, 0, 0x90, 0x80, 0x92, 0, 0xa0, 0, 0, 0, 0, 1, 0xd8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xa0, 0, 0}
	codectest.Fuzz(f, Format{}, fuzzCols, defaults(), good)
}
