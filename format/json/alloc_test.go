package json

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// queueMessage is a 100-row message of the queue schema in format k, as the encoder writes it.
func queueMessage(t testing.TB, mem memory.Allocator, k kind) []byte {
	t.Helper()
	h := newHarness(t, mem, []string{"timestamp UInt64", "level String", "message String"}, defaults())
	defer h.Release()
	h.mustDecode(queuePayload(100))
	rec := h.record()
	defer rec.Release()
	enc, err := Format{kind: k}.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 100)
	require.NoError(t, err)
	return out
}

// A steady-state decode allocates nothing per row in any format of the family.
func TestDecodeAllocationsAllFormats(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	for _, k := range readableKinds() {
		t.Run(k.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			defs := []string{"timestamp UInt64", "level String", "message String"}
			payload := []byte(nil)
			if k == kindAsString {
				defs = []string{"doc String"}
				payload = []byte(queuePayload(100))
			} else {
				payload = queueMessage(t, mem, k)
			}
			h := newFormatHarness(t, mem, Format{kind: k}, defs, defaults())
			defer h.Release()
			for range 3 {
				require.NoError(t, h.dec.Decode(h.rows, payload))
				require.Equal(t, 100, h.rows.Len())
				h.rows.Reset()
			}
			allocs := testing.AllocsPerRun(20, func() {
				if err := h.dec.Decode(h.rows, payload); err != nil {
					panic(err)
				}
				h.rows.Reset()
			})
			assert.LessOrEqual(t, allocs, 2.0, "allocations per 100-row message")
		})
	}
}

// A steady-state encode allocates nothing per row either.
func TestEncodeAllocationsAllFormats(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, []string{"timestamp UInt64", "level String", "message String"}, defaults())
	defer h.Release()
	h.mustDecode(queuePayload(100))
	rec := h.record()
	defer rec.Release()
	for k := range numKinds {
		if k == kindAsString {
			continue
		}
		enc, err := Format{kind: k}.NewEncoder(rec.Schema(), nil)
		require.NoError(t, err)
		var buf []byte
		for range 3 {
			buf, err = enc.Append(buf[:0], rec, 0, 100)
			require.NoError(t, err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			buf, _ = enc.Append(buf[:0], rec, 0, 100)
		})
		assert.LessOrEqual(t, allocs, 1.0, "%s: allocations per 100-row message", k)
	}
}

// BenchmarkDecodeFormats decodes a 100-row message of the queue schema in every readable
// format (the JSONEachRow numbers are BenchmarkDecode's).
func BenchmarkDecodeFormats(b *testing.B) {
	for _, k := range readableKinds() {
		if k == kindAsString {
			continue
		}
		b.Run(k.String(), func(b *testing.B) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(b, 0)
			payload := queueMessage(b, mem, k)
			h := newFormatHarness(b, mem, Format{kind: k}, []string{"timestamp UInt64", "level String", "message String"}, defaults())
			defer h.Release()
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if err := h.dec.Decode(h.rows, payload); err != nil {
					b.Fatal(err)
				}
				h.rows.Reset()
			}
		})
	}
}
