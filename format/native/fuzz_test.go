package native

import (
	"testing"

	"github.com/chkafka/chkafka/format/internal/codectest"
)

var fuzzCols = []string{
	"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8",
	"a Array(Nullable(Int32))", "m Map(String, String)", "t Tuple(a Int8, b String)",
	"d DateTime64(3)", "dd Date", "dec Decimal(10, 2)", "e Enum8('a' = 1, 'b' = 2)", "u UUID",
	"lc LowCardinality(Nullable(String))", "fs FixedString(3)",
}

func FuzzDecode(f *testing.F) {
	codectest.Seeds(f, "testdata", []byte{}, []byte{0, 0})
	codectest.Fuzz(f, Format{}, fuzzCols, defaults(), codectest.ReadTestdata(f, "matrix_m1.native"))
}
