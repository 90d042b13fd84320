package block

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/virtualcols"
)

// The builder's own buffers: messages of one row and of several, empty arrays and strings
// at the start of a batch, the first NULL in the middle of a batch (the validity bitmap
// appears then), batches after the first (buffers sized from the last one), and a batch
// of zero rows.
func TestBuilderBuffersAcrossBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols := mustColumns(t, "i Int32", "n Nullable(Int64)", "s String", "ns Nullable(String)",
		"lc LowCardinality(String)", "lcn LowCardinality(Nullable(String))",
		"a Array(LowCardinality(String))", "an Array(Nullable(UInt8))", "m Map(String, Array(String))",
		"e Enum8('x' = 1, 'y' = 2)", "d DateTime")
	b, err := NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	rows := NewRows(cols, Options{})

	// row k's values as text; NULL where k%7 == 3 for the Nullable columns.
	text := func(k int) []string {
		null := k%7 == 3
		n, ns, lcn := fmt.Sprint(k*1000), fmt.Sprintf("v%d", k), fmt.Sprintf("c%d", k%3)
		if null {
			n, ns, lcn = "NULL", "NULL", "NULL"
		}
		arr := "[]"
		if k%4 != 0 {
			arr = fmt.Sprintf("['t%d','u']", k%5)
		}
		an := "[]"
		if k%3 == 1 {
			an = "[1,NULL,3]"
		}
		return []string{fmt.Sprint(k), n, fmt.Sprintf("str%d", k%11), ns, fmt.Sprintf("l%d", k%2), lcn,
			arr, an, fmt.Sprintf("{'k%d':['a','b']}", k%2), []string{"x", "y"}[k%2], fmt.Sprintf("2024-01-01 00:00:%02d", k%60)}
	}
	stage := func(k int) {
		for i, v := range text(k) {
			c := rows.Col(i)
			var err error
			if v == "NULL" {
				err = c.AppendNull()
			} else {
				err = c.AppendText([]byte(v))
			}
			require.NoError(t, err, "row %d column %s", k, c.Name())
		}
		require.NoError(t, rows.EndRow())
	}
	want := func(lo, hi int) [][]string {
		out := make([][]string, len(cols))
		for k := lo; k < hi; k++ {
			for i, v := range text(k) {
				switch {
				case v == "NULL":
				case cols[i].Name == "a" || cols[i].Name == "m":
					v = strings.ReplaceAll(v, "'", "") // cell renders strings unquoted
				case cols[i].Name == "d":
					v = "2024-01-01 00:00:" + v[len(v)-2:]
				}
				out[i] = append(out[i], v)
			}
		}
		return out
	}
	check := func(lo, hi int) {
		t.Helper()
		rec := b.NewRecordBatch()
		defer rec.Release()
		require.EqualValues(t, hi-lo, rec.NumRows())
		exp := want(lo, hi)
		for i, arr := range rec.Columns() {
			got := column(arr)
			if hi == lo {
				assert.Empty(t, got, cols[i].Name)
				continue
			}
			assert.Equal(t, exp[i], got, "column %s rows [%d, %d)", cols[i].Name, lo, hi)
			if v, ok := arr.(interface{ ValidateFull() error }); ok {
				assert.NoError(t, v.ValidateFull(), cols[i].Name)
			}
			// Without NULLs the array has no validity bitmap; with one, a bitmap.
			assert.Equal(t, arr.NullN() > 0, arr.Data().Buffers()[0] != nil, "bitmap of %s", cols[i].Name)
		}
	}

	// Batch 1: one row per message; the first NULL comes at row 3.
	for k := range 10 {
		rows.Reset()
		stage(k)
		b.Append(rows, nil)
	}
	check(0, 10)
	// Batch 2: several rows per message, more rows than batch 1 (the buffers grow past
	// the size the last batch left as a hint).
	for k := 10; k < 60; k += 5 {
		rows.Reset()
		for j := k; j < k+5; j++ {
			stage(j)
		}
		b.Append(rows, nil)
	}
	check(10, 60)
	// Batch 3: no NULL at all (no bitmap), fewer rows.
	for _, k := range []int{14, 15, 16} {
		rows.Reset()
		stage(k)
		b.Append(rows, nil)
	}
	check(14, 17)
	// Batch 4: empty.
	check(0, 0)
}

// The next buffer is sized for the larger of the recent ones, so that blocks alternating
// in size do not grow (copy) their buffers, and the size decays when blocks shrink.
func TestGrowBufHint(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g := growBuf{mem: mem}
	// fill writes a block of n bytes and returns the size of its first allocation.
	fill := func(n int) (first int) {
		for i := range n / 100 {
			g.appendBytes(make([]byte, 100))
			if i == 0 {
				first = len(g.b)
			}
		}
		g.finish().Release()
		return first
	}
	fill(100_000)
	assert.GreaterOrEqual(t, fill(50_000), 100_000, "a smaller block after a larger one")
	first := fill(100_000)
	assert.GreaterOrEqual(t, first, 100_000, "room for the larger one again: no growth")
	assert.Less(t, first, 2*100_000)
	for range 150 { // 1/64 per block: 100k × (63/64)^150 ≈ 9.5k
		fill(10_000)
	}
	assert.Less(t, fill(10_000), 20_000, "the size follows blocks that stay small")
}

// countingAllocator counts the allocations and reallocations that reach mem.
type countingAllocator struct {
	memory.Allocator
	calls int
}

func (a *countingAllocator) Allocate(size int) []byte {
	a.calls++
	return a.Allocator.Allocate(size)
}

func (a *countingAllocator) Reallocate(size int, b []byte) []byte {
	a.calls++
	return a.Allocator.Reallocate(size, b)
}

// After Reserve(total), a batch of the same kind of rows reaches total without allocating
// again: every type's buffers (Nullable ones with their bitmaps, arrays, maps, tuples,
// dictionaries' indices, arrow-go's builders) and every virtual column. Without Reserve the
// same appends grow the buffers (so the count can fail), and the batch is the same either
// way, also when more rows than total arrive.
func TestBuilderReserve(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	mem := &countingAllocator{Allocator: checked}
	defs := make([]string, len(allTypes))
	for i, tc := range allTypes {
		defs[i] = tc.def
	}
	cols := mustColumns(t, defs...)
	staged := NewRows(cols, Options{})
	for r := range 3 {
		stageRow(t, staged, r)
	}
	ts := time.Date(2026, 11, 21, 1, 2, 3, 0, time.UTC)
	msg := &virtualcols.Message{Topic: "t", Partition: 1, Offset: 7, Key: []byte("key"), Timestamp: ts, HasTimestamp: true,
		Headers: []virtualcols.Header{{Key: []byte("h"), Value: []byte("v")}}, Raw: []byte("raw"), Err: "bad"}

	// batch appends 3*k rows, calling Reserve(total) after the first 30 when total > 0,
	// and returns the batch's columns and the allocations made after that point.
	batch := func(total, k int) ([][]string, int) {
		b, err := NewBuilder(mem, cols, virtualcols.Names())
		require.NoError(t, err)
		defer b.Release()
		calls := 0
		for i := range k {
			if i == 10 {
				b.Reserve(total)
				calls = mem.calls
			}
			b.Append(staged, msg)
		}
		calls = mem.calls - calls
		rec := b.NewRecordBatch()
		defer rec.Release()
		out := make([][]string, rec.NumCols())
		for i, arr := range rec.Columns() {
			out[i] = column(arr)
		}
		return out, calls
	}
	want, grew := batch(0, 1000)
	assert.Positive(t, grew, "without Reserve the buffers grow")
	got, calls := batch(3000, 1000)
	assert.Zero(t, calls, "allocations after Reserve(3000) while appending 3000 rows")
	assert.Equal(t, want, got)

	// More rows than reserved: appended as before.
	want, _ = batch(0, 1500)
	got, _ = batch(3000, 1500)
	assert.Equal(t, want, got)

	// After a first batch, the builder's own buffers start at the recent batches' size
	// and Reserve leaves them alone (no second allocation holding both).
	own := mustColumns(t, "i Int64", "s String", "lc LowCardinality(String)", "a Array(UInt32)")
	ob, err := NewBuilder(mem, own, nil)
	require.NoError(t, err)
	defer ob.Release()
	orows := NewRows(own, Options{})
	for i, v := range []string{"7", "text", "lc", "[1,2]"} {
		require.NoError(t, orows.Col(i).AppendText([]byte(v)))
	}
	require.NoError(t, orows.EndRow())
	for range 1000 {
		ob.Append(orows, nil)
	}
	ob.NewRecordBatch().Release()
	ob.Append(orows, nil)
	before := mem.calls
	ob.Reserve(100_000)
	assert.Equal(t, before, mem.calls, "Reserve in a batch after the first")

	// Batches cut short of Reserve(3000) size the next as reserved: one, or 20 in a row
	// (the hint alone would decay below 3000 rows' size), and the next batch reaches 3000
	// rows without growing (only the first append of each buffer allocates).
	sb, err := NewBuilder(mem, own, nil)
	require.NoError(t, err)
	defer sb.Release()
	for _, short := range []int{1, 20} {
		for range short {
			for range 100 {
				sb.Append(orows, nil)
			}
			sb.Reserve(3000)
			sb.NewRecordBatch().Release()
		}
		sb.Append(orows, nil)
		before = mem.calls
		for range 2999 {
			sb.Append(orows, nil)
		}
		assert.Equal(t, before, mem.calls, "allocations in a batch after %d cut short of Reserve(3000)", short)
		sb.NewRecordBatch().Release()
	}

	// No-ops: before the first row, and for a total the batch already has.
	b, err := NewBuilder(mem, cols, virtualcols.Names())
	require.NoError(t, err)
	defer b.Release()
	before = mem.calls
	b.Reserve(1000)
	assert.Equal(t, before, mem.calls, "Reserve before the first row")
	b.Append(staged, msg)
	before = mem.calls
	b.Reserve(3)
	assert.Equal(t, before, mem.calls, "Reserve(Len())")
}
