package protobuf

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

// The shared codec test kit under this package's short names.
type (
	harness = codectest.Harness
	cell    = codectest.Cell
)

var (
	newHarness = codectest.NewHarness
	strs       = codectest.Strs
	txt        = codectest.Txt
	num        = codectest.Num
	unum       = codectest.Unum
	flt        = codectest.Flt
	boolean    = codectest.Boolean
	null       = codectest.Null
	arr        = codectest.Arr
	mp         = codectest.Mp
	tup        = codectest.Tup
)

// settings returns default settings with kafka_schema and the testdata schema directory.
func settings(schema string) format.Settings {
	s := format.DefaultSettings()
	s.Schema = schema
	s.SchemaPath = "testdata"
	return s
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

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

// matrixCols is the table of VECTORS.md §1.
var matrixCols = []string{"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8"}

// roundTripDefs are the columns of codectest.RoundTripColumns that testdata/roundtrip.proto has a
// field for.
var roundTripDefs = []string{
	"i8 Int8",
	"i16 Int16",
	"i32 Int32",
	"i64 Int64",
	"u8 UInt8",
	"u16 UInt16",
	"u32 UInt32",
	"u64 UInt64",
	"f32 Float32",
	"f64 Float64",
	"b Bool",
	"s String",
	"fs FixedString(4)",
	"d Date",
	"d32 Date32",
	"dt DateTime",
	"dtz DateTime('Asia/Istanbul')",
	"dt64 DateTime64(3)",
	"dt64u DateTime64(6, 'UTC')",
	"dt64d DateTime64(1)",
	"dt64n DateTime64(9, 'Asia/Istanbul')",
	"dec Decimal(9, 2)",
	"dec40 Decimal(40, 5)",
	"uuid UUID",
	"e8 Enum8('a' = 1, 'b' = 2, 'c\"\\'' = -3)",
	"e16 Enum16('x' = -1000, 'y' = 1000)",
	"lc LowCardinality(String)",
	"lcn LowCardinality(Nullable(String))",
	"ni Nullable(Int32)",
	"ns Nullable(String)",
	"alc Array(LowCardinality(String))",
	"aa Array(Array(Int8))",
	"an Array(Nullable(Float64))",
	"m Map(String, UInt64)",
	"mk Map(UInt64, Array(String))",
	"t Tuple(a Int8, b String)",
	"tu Tuple(Int64, Nullable(String))",
}

// sourceRecord stages the round-trip values of roundTripDefs and cuts a record batch.
func sourceRecord(t testing.TB, mem memory.Allocator) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	cols, rec := codectest.SourceRecord(t, mem, func(def string) bool {
		for _, d := range roundTripDefs {
			if d == def {
				return true
			}
		}
		return false
	})
	if len(cols) != len(roundTripDefs) {
		rec.Release()
		require.Len(t, cols, len(roundTripDefs), "a roundTripDefs entry is not in codectest.RoundTripColumns")
	}
	return cols, rec
}

func writeFile(t testing.TB, dir, name, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
}
