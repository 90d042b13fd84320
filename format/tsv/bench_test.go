package tsv

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

var queueCols = []string{"timestamp UInt64", "level String", "message String"}

func BenchmarkDecode(b *testing.B) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	h := tt.NewHarness(b, mem, Format{}, queueCols, defaults())
	defer h.Release()
	h.BenchDecode(b, []byte(queuePayload(Format{}, 100)))
}

func BenchmarkEncode(b *testing.B) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	h := tt.NewHarness(b, mem, Format{}, queueCols, defaults())
	h.MustDecode(queuePayload(Format{}, 100))
	rec := h.Record()
	h.Release()
	defer rec.Release()
	enc, err := Format{}.NewEncoder(rec.Schema(), nil)
	require.NoError(b, err)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = enc.Append(buf[:0], rec, 0, 100); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
