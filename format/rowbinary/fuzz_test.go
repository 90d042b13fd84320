package rowbinary

import (
	"testing"

	"github.com/chkafka/chkafka/format/internal/codectest"
)

// fuzzCols covers the matrix table and every reader.
var fuzzCols = []string{
	"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8",
	"a Array(Nullable(Int32))", "m Map(String, String)", "t Tuple(a Int8, b String)",
	"d DateTime64(3)", "dd Date", "dec Decimal(10, 2)", "e Enum8('a' = 1, 'b' = 2)", "u UUID",
	"lc LowCardinality(Nullable(String))", "fs FixedString(3)",
}

func FuzzDecode(f *testing.F) {
	codectest.Seeds(f, "testdata", []byte{}, []byte{0})
	codectest.Fuzz(f, Plain, codectest.MatrixCols, defaults(), codectest.ReadTestdata(f, "matrix_m1.bin"))
}

func FuzzDecodeWithNamesAndTypes(f *testing.F) {
	codectest.Seeds(f, "testdata", []byte{1, 1, 'a', 5, 'I', 'n', 't', '6', '4'})
	codectest.Fuzz(f, WithNamesAndTypes, fuzzCols, defaults(), codectest.ReadTestdata(f, "names_types_m1.bin"))
}
