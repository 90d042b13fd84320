package bson

import (
	"testing"

	"github.com/chkafka/chkafka/format/internal/codectest"
)

var fuzzCols = []string{
	"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8",
	"a Array(Nullable(Int32))", "m Map(String, String)", "t Tuple(a Int8, b String)", "tu Tuple(Int8, String)",
	"d DateTime64(3)", "dt DateTime", "dd Date", "dec Decimal(10, 2)", "dec38 Decimal(38, 3)", "e Enum8('a' = 1, 'b' = 2)",
	"u UUID", "lc LowCardinality(Nullable(String))", "fs FixedString(3)", "b Bool", "u64 UInt64",
}

func FuzzDecode(f *testing.F) {
	codectest.Seeds(f, "testdata", []byte{}, []byte{5, 0, 0, 0, 0})
	codectest.Fuzz(f, Format{}, fuzzCols, defaults(), codectest.ReadTestdata(f, "matrix_m1.bson"))
}
