package kafkaengine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expected size of a block is the least of the cut by size (kafka_max_block_size
// plus half the largest poll batch, or 8/9 of a whole one more when the builder's 1/8 of room then covers it), the unread messages and what the rate
// brings before the flush interval ends, in rows per message of the block so far; before
// a rate is known, only an estimate within firstBatchGrowth times the rows so far.
func TestBlockOutlook(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    blockOutlook
		want int
	}{
		{"catching up: the cut by size", blockOutlook{rows: 1024, msgs: 1024, maxRows: 65536, batch: 512, unread: 1_000_000, rate: 500_000, left: 7.4}, 65792},
		{"the topic's end comes first", blockOutlook{rows: 1024, msgs: 1024, maxRows: 65536, batch: 512, unread: 2000, rate: 500_000, left: 7.4}, 3024},
		{"the flush interval comes first", blockOutlook{rows: 1024, msgs: 1024, maxRows: 65536, batch: 512, unread: 1_000_000, rate: 1000, left: 5}, 6024},
		{"no flush interval", blockOutlook{rows: 1024, msgs: 1024, maxRows: 65536, batch: 512, unread: 1_000_000, rate: 1000, left: -1}, 65792},
		{"the deadline has passed", blockOutlook{rows: 1024, msgs: 1024, maxRows: 65536, batch: 512, unread: 1_000_000, rate: 1000, left: 0}, 1024},
		{"three rows per message", blockOutlook{rows: 3000, msgs: 1000, maxRows: 10_000, batch: 100, unread: 100, rate: 1e6, left: 7}, 3300},
		{"three rows per message, the cut", blockOutlook{rows: 3000, msgs: 1000, maxRows: 10_000, batch: 100, unread: 1e6, rate: 1e6, left: 7}, 10_150},
		{"first poll batch: the topic's end", blockOutlook{rows: 1024, msgs: 1024, maxRows: 65536, batch: 1024, unread: 4000, rate: -1, left: 7}, 5024},
		{"first poll batch: the cut", blockOutlook{rows: 8192, msgs: 8192, maxRows: 65536, batch: 8192, unread: 1e6, rate: -1, left: 7}, 69632},
		{"first poll batch: too far to tell", blockOutlook{rows: 1024, msgs: 1024, maxRows: 65536, batch: 1024, unread: 1e6, rate: -1, left: 7}, 1024},
		{"small blocks: room for a whole poll batch more", blockOutlook{rows: 1024, msgs: 1024, maxRows: 16384, batch: 8704, unread: 1e6, rate: 1e6, left: 7}, 22300},
		{"nothing known unread", blockOutlook{rows: 1024, msgs: 1024, maxRows: 65536, batch: 512, rate: 1e6, left: 7}, 1024},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.o.expected())
		})
	}
}
