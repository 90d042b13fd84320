package block

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDictKey checks that dictKeyAt, which loads words around a value and masks off its
// neighbours' bytes, gives dictKeyOf of the value, for every length it takes and any
// neighbours, and that the key words of two values of equal length up to 32 bytes are
// equal only when the values are.
func TestDictKey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 96)
	for n := 1; n <= 32; n++ {
		for range 200 {
			for i := range buf {
				buf[i] = byte(r.Uint32())
			}
			s := 16 + r.IntN(len(buf)-48-16+1)
			want := dictKeyOf(buf[s : s+n])
			got := dictKeyAt(unsafe.Pointer(unsafe.SliceData(buf)), s, n)
			require.Equal(t, want, got, "n=%d s=%d", n, s)
			// Changing any byte of the value changes its key; the neighbours do not.
			i, bit := r.IntN(n), byte(1)<<r.IntN(8)
			buf[s+i] ^= bit
			assert.NotEqual(t, want, dictKeyOf(buf[s:s+n]), "n=%d byte %d", n, i)
			buf[s+i] ^= bit
			buf[s-1-r.IntN(16)]++
			buf[s+n+r.IntN(16)]++
			assert.Equal(t, dictKeyOf(buf[s:s+n]), dictKeyAt(unsafe.Pointer(unsafe.SliceData(buf)), s, n), "n=%d s=%d", n, s)
		}
	}
	for n := 33; n <= 40; n++ {
		v := make([]byte, n)
		for i := range v {
			v[i] = byte(i + 1)
		}
		k := dictKeyOf(v)
		assert.Equal(t, dictKey{w0: 0x0807060504030201, w1: le64(v[n-8:]), w2: 0x100f0e0d0c0b0a09, w3: le64(v[n-16:])}, k)
	}
}

func le64(b []byte) uint64 {
	var w uint64
	for i := 7; i >= 0; i-- {
		w = w<<8 | uint64(b[i])
	}
	return w
}

// TestDictNeighbours stages LowCardinality strings of 0 to 40 bytes between neighbours
// of random bytes, in runs long enough for the inline path (findRun) and short enough
// for the ends of the staged bytes, and checks each row's value and that the dictionary
// holds each distinct value once, in first-seen order.
func TestDictNeighbours(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols := mustColumns(t, "lc LowCardinality(String)", "a Array(LowCardinality(String))")
	b, err := NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	r := rand.New(rand.NewPCG(5, 6))
	pool := make([]string, 300)
	for i := range pool {
		v := make([]byte, r.IntN(41))
		for j := range v {
			v[j] = "ab\x00\xff"[r.IntN(4)]
		}
		pool[i] = string(v)
	}
	for _, rowsPerBatch := range []int{1, 2, 3, 7, 50, 2000} {
		rows := NewRows(cols, Options{})
		var want, wantElems []string
		for range rowsPerBatch {
			v := pool[r.IntN(len(pool))]
			require.NoError(t, rows.Col(0).AppendText([]byte(v)))
			el := rows.Col(1).BeginArray()
			for range r.IntN(3) {
				e := pool[r.IntN(len(pool))]
				require.NoError(t, el.AppendText([]byte(e)))
				wantElems = append(wantElems, e)
			}
			rows.Col(1).EndArray()
			require.NoError(t, rows.EndRow())
			want = append(want, v)
		}
		for lo := 0; lo < rowsPerBatch; lo += 5 {
			b.AppendRange(rows, lo, min(lo+5, rowsPerBatch), nil)
		}
		rec := b.NewRecordBatch()
		assert.Equal(t, want, column(rec.Column(0)), "%d rows", rowsPerBatch)
		d := rec.Column(0).(*array.Dictionary)
		assert.Equal(t, firstSeen(want), column(d.Dictionary()), "%d rows", rowsPerBatch)
		l := rec.Column(1).(*array.List)
		ed := l.ListValues().(*array.Dictionary)
		var gotElems []string
		for i := range ed.Len() {
			gotElems = append(gotElems, ed.Dictionary().(*array.String).Value(ed.GetValueIndex(i)))
		}
		assert.Equal(t, wantElems, gotElems, "%d rows", rowsPerBatch)
		assert.Equal(t, firstSeen(wantElems), column(ed.Dictionary()), "%d rows", rowsPerBatch)
		rec.Release()
	}
}

// firstSeen returns the distinct values of vs in order of first appearance.
func firstSeen(vs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
