package block

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// cell renders value i of arr for comparisons: NULL, dictionary values resolved, fixed-size
// binary in hex, timestamps in UTC, decimals with their scale, lists [a,b], maps {k:v},
// structs (a,b).
func cell(arr arrow.Array, i int) string {
	if arr.IsNull(i) {
		return "NULL"
	}
	switch a := arr.(type) {
	case *array.Dictionary:
		return cell(a.Dictionary(), a.GetValueIndex(i))
	case *array.FixedSizeBinary:
		return hex.EncodeToString(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC().Format("2006-01-02 15:04:05.999999999")
	case *array.Date32:
		return a.Value(i).FormattedString()
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Decimal256:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal256Type).Scale)
	case *array.Map:
		start, end := a.ValueOffsets(i)
		parts := []string{}
		for j := start; j < end; j++ {
			parts = append(parts, cell(a.Keys(), int(j))+":"+cell(a.Items(), int(j)))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case *array.List:
		start, end := a.ValueOffsets(i)
		parts := []string{}
		for j := start; j < end; j++ {
			parts = append(parts, cell(a.ListValues(), int(j)))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case *array.Struct:
		parts := []string{}
		for j := 0; j < a.NumField(); j++ {
			parts = append(parts, cell(a.Field(j), i))
		}
		return "(" + strings.Join(parts, ",") + ")"
	}
	return arr.ValueStr(i)
}

// column renders every row of arr with cell.
func column(arr arrow.Array) []string {
	out := make([]string, arr.Len())
	for i := range out {
		out[i] = cell(arr, i)
	}
	return out
}

// mustColumns parses column definitions.
func mustColumns(t *testing.T, defs ...string) []Column {
	t.Helper()
	cols, err := ParseColumns(defs)
	require.NoError(t, err)
	return cols
}

// build appends rows to a fresh builder and returns the rendered columns.
func build(t *testing.T, mem memory.Allocator, rows *Rows) [][]string {
	t.Helper()
	b, err := NewBuilder(mem, rows.Columns(), nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	out := make([][]string, rec.NumCols())
	for i, arr := range rec.Columns() {
		out[i] = column(arr)
	}
	return out
}
