package avro

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	ct "github.com/chkafka/chkafka/format/internal/codectest"
)

// nestedColumns are Avro's round-trip columns beyond codectest.RoundTripColumns: a map of
// records and nested records.
var nestedColumns = []ct.Column{
	{Def: "mt Map(String, Tuple(a Int8, b Array(String)))", Rows: [5]ct.Cell{ct.Mp(ct.Txt("k"), ct.Tup(ct.Num(1), ct.Arr(ct.Txt("x")))), ct.Mp(), ct.Mp(ct.Txt("z"), ct.Tup(ct.Num(-1), ct.Arr())), ct.Mp(), ct.Mp()}},
	{Def: "tt Tuple(a Tuple(x UInt8, y Nullable(Decimal(20, 3))), t Tuple(x UInt8))", Rows: [5]ct.Cell{ct.Tup(ct.Tup(ct.Unum(1), ct.Txt("1.5")), ct.Tup(ct.Unum(2))), ct.Tup(ct.Tup(ct.Unum(0), ct.Null()), ct.Tup(ct.Unum(0))), ct.Tup(ct.Tup(ct.Unum(3), ct.Txt("-0.001")), ct.Tup(ct.Unum(4))), ct.Tup(ct.Tup(ct.Unum(5), ct.Null()), ct.Tup(ct.Unum(6))), ct.Tup(ct.Tup(ct.Unum(7), ct.Txt("12345678901234567.123")), ct.Tup(ct.Unum(8)))}},
}

// roundTripDefs are the columns of Avro's round trip: the schema formats' list less
// Map(UInt64, ...), which Avro cannot express, plus nestedColumns.
var roundTripDefs = append(
	slices.DeleteFunc(slices.Clone(ct.SchemaRoundTripDefs), func(def string) bool { return def == "mk Map(UInt64, Array(String))" }),
	nestedColumns[0].Def, nestedColumns[1].Def)

// sourceRecord stages the values of roundTripDefs and cuts a record batch; the caller
// releases it.
func sourceRecord(t testing.TB, mem memory.Allocator) ([]block.Column, arrow.RecordBatch) {
	t.Helper()
	return ct.SourceRecordOf(t, mem, roundTripDefs, nestedColumns...)
}

func defaults() format.Settings { return format.DefaultSettings() }
