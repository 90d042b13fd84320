package capnproto

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/block"
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

	settings    = codectest.SchemaSettings
	readFile    = codectest.ReadTestdata
	writeFile   = codectest.WriteFile
	checkMatrix = codectest.CheckMatrix
	matrixCols  = codectest.MatrixCols
	// roundTripDefs are the columns testdata/roundtrip.capnp has a field for.
	roundTripDefs = codectest.SchemaRoundTripDefs
)

// sourceRecord stages the round-trip values of roundTripDefs and cuts a record batch.
func sourceRecord(t testing.TB, mem memory.Allocator) ([]block.Column, arrow.RecordBatch) {
	return codectest.SourceRecordOf(t, mem, roundTripDefs)
}
