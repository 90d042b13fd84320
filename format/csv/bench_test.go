package csv

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

// queueMessages are messages of one row of the quickstart's queue table, as ClickHouse
// writes them: an unquoted number and two quoted strings, about 60 to 200 bytes.
func queueMessages(n int) [][]byte {
	levels := []string{"info", "debug", "warning", "error", "critical"}
	msgs := make([][]byte, n)
	for i := range msgs {
		text := fmt.Sprintf("GET /api/v1/orders/%d 200 %dms", i*7919%100000, i%250)
		if i%3 == 0 {
			text += " (retry worker=12 shard replica lease=77 token buffer socket handler deadline)"
		}
		msgs[i] = fmt.Appendf(nil, "%d,%q,%q\n", 1715558400+i*7919%259200, levels[i*31%len(levels)], text)
	}
	return msgs
}

// BenchmarkDecode decodes one-row messages of the queue table as the engine does: Decode,
// then Reset. One op is one message.
func BenchmarkDecode(b *testing.B) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	h := tt.NewHarness(b, mem, Format{}, []string{"timestamp UInt64", "level String", "message String"}, defaults())
	defer h.Release()
	msgs := queueMessages(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := h.Dec.Decode(h.Rows, msgs[i]); err != nil {
			b.Fatal(err)
		}
		h.Rows.Reset()
		i = (i + 1) % len(msgs)
	}
}
