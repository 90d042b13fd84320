package kafkaengine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	_ "github.com/chkafka/chkafka/format/json"
	"github.com/chkafka/chkafka/virtualcols"
)

// A held block keeps its rows across record (a retried delivery sees them again, with
// the rows appended since), and drop removes exactly the rows of one generation, from
// the builder and from the batches made before, dictionaries and arrays included.
func TestHeldBlockDropAndRecord(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols, err := block.ParseColumns([]string{
		"id UInt32", "actor LowCardinality(String)", "labels Array(LowCardinality(String))",
		"kind Enum8('a' = 1, 'b' = 2)", "note Nullable(String)",
	})
	require.NoError(t, err)
	b, err := block.NewBuilder(mem, cols, []string{virtualcols.Offset})
	require.NoError(t, err)
	h := newHeldBlock(mem, b)
	defer h.release()
	f, err := format.Lookup("JSONEachRow")
	require.NoError(t, err)
	dec, err := f.NewDecoder(block.Schema(cols), &format.Settings{})
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{})

	type row struct {
		g  *generation
		id uint32
	}
	var held []row // what the block must hold, in order
	add := func(g *generation, ids ...uint32) {
		for _, id := range ids {
			rows.Reset()
			note := "null"
			if id%3 == 0 {
				note = fmt.Sprintf(`"n%d"`, id)
			}
			msg := fmt.Sprintf(`{"id":%d,"actor":"u%d","labels":["l%d","x"],"kind":"%s","note":%s}`,
				id, id%4, id%5, []string{"a", "b"}[id%2], note)
			require.NoError(t, dec.Decode(rows, []byte(msg)))
			h.b.AppendRange(rows, 0, rows.Len(), &virtualcols.Message{Offset: int64(id)})
			h.mark(g)
			held = append(held, row{g, id})
		}
	}
	drop := func(g *generation) {
		h.drop(g)
		held = slices.DeleteFunc(held, func(r row) bool { return r.g == g })
		assert.False(t, h.holds(g))
	}
	check := func() {
		t.Helper()
		rec, err := h.record()
		require.NoError(t, err)
		defer rec.Release()
		require.Equal(t, len(held), int(rec.NumRows()))
		require.Equal(t, len(held), h.Len())
		for i, r := range held {
			id := r.id
			assert.Equal(t, id, rec.Column(0).(*array.Uint32).Value(i))
			actor := rec.Column(1).(*array.Dictionary)
			assert.Equal(t, fmt.Sprintf("u%d", id%4), actor.Dictionary().(*array.String).Value(actor.GetValueIndex(i)))
			labels := rec.Column(2).(*array.List)
			lo, hi := labels.ValueOffsets(i)
			require.EqualValues(t, 2, hi-lo)
			ld := labels.ListValues().(*array.Dictionary)
			assert.Equal(t, fmt.Sprintf("l%d", id%5), ld.Dictionary().(*array.String).Value(ld.GetValueIndex(int(lo))))
			assert.Equal(t, "x", ld.Dictionary().(*array.String).Value(ld.GetValueIndex(int(lo)+1)))
			kind := rec.Column(3).(*array.Dictionary)
			assert.Equal(t, []string{"a", "b"}[id%2], kind.Dictionary().(*array.String).Value(kind.GetValueIndex(i)))
			assert.Equal(t, id%3 != 0, rec.Column(4).IsNull(i), "row %d", i)
			assert.Equal(t, uint64(id), rec.Column(5).(*array.Uint64).Value(i))
		}
	}

	g1, g2, g3 := &generation{}, &generation{}, &generation{}
	add(g1, 1, 2)
	add(g2, 3, 4, 5)
	add(g1, 6)
	check()       // a first batch, kept
	add(g3, 7, 8) // in the builder, after it
	add(g2, 9)
	assert.True(t, h.holds(g2))
	drop(g2) // from the batch and from the builder
	check()
	add(g2, 10)
	check()
	drop(g1)
	drop(g1) // nothing to drop
	check()
	drop(g3)
	drop(g2)
	assert.Equal(t, 0, h.Len())
	check()
	add(g1, 11, 12)
	check()
	h.reset()
	held = nil
	assert.Equal(t, 0, h.Len())
	assert.Empty(t, h.spans)
	check()
}

// Random sequences of appends (runs of several rows, several generations), deliveries and
// drops against a model of the rows the block must hold, in order.
func TestHeldBlockRandom(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"id UInt32", "tag LowCardinality(String)", "xs Array(UInt8)"})
	require.NoError(t, err)
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	h := newHeldBlock(mem, b)
	defer h.release()
	rows := block.NewRows(cols, block.Options{})

	type row struct {
		g  *generation
		id uint32
	}
	gens := []*generation{{}, {}, {}, {}}
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		var held []row
		next := uint32(0)
		for op := range 300 {
			switch k := r.IntN(10); {
			case k < 6: // a run of 0-5 rows of one generation
				g := gens[r.IntN(len(gens))]
				rows.Reset()
				for range r.IntN(6) {
					require.NoError(t, rows.Col(0).AppendUint(uint64(next)))
					require.NoError(t, rows.Col(1).AppendText(fmt.Appendf(nil, "t%d", next%7)))
					xs := rows.Col(2).BeginArray()
					for j := range next % 3 {
						require.NoError(t, xs.AppendUint(uint64(j)))
					}
					rows.Col(2).EndArray()
					require.NoError(t, rows.EndRow())
					held = append(held, row{g, next})
					next++
				}
				h.b.AppendRange(rows, 0, rows.Len(), nil)
				h.mark(g)
			case k < 8:
				g := gens[r.IntN(len(gens))]
				h.drop(g)
				held = slices.DeleteFunc(held, func(x row) bool { return x.g == g })
			case k < 9:
				rec, err := h.record()
				require.NoError(t, err)
				require.Equal(t, len(held), int(rec.NumRows()), "seed %d op %d", seed, op)
				ids, tags, xs := rec.Column(0).(*array.Uint32), rec.Column(1).(*array.Dictionary), rec.Column(2).(*array.List)
				for i, x := range held {
					require.Equal(t, x.id, ids.Value(i), "seed %d op %d row %d", seed, op, i)
					require.Equal(t, fmt.Sprintf("t%d", x.id%7), tags.Dictionary().(*array.String).Value(tags.GetValueIndex(i)))
					lo, hi := xs.ValueOffsets(i)
					require.EqualValues(t, x.id%3, hi-lo)
				}
				rec.Release()
			default:
				h.reset()
				held = held[:0]
			}
			require.Equal(t, len(held), h.Len(), "seed %d op %d", seed, op)
			for _, g := range gens {
				require.Equal(t, slices.ContainsFunc(held, func(x row) bool { return x.g == g }), h.holds(g), "seed %d op %d", seed, op)
			}
		}
		h.reset()
	}
}
