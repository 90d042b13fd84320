package datagen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/kafkaengine"
)

// QueueColumns are the columns of the quickstart's Kafka table `queue` (SEED_EXAMPLES.md
// §1), as ClickHouse column definitions for [kafkaengine.Columns].
var QueueColumns = []string{"timestamp UInt64", "level String", "message String"}

// QueueLevels are the log levels [Queue] draws from, most frequent first ("info" about
// 45% of the rows, "critical" about 2%).
var QueueLevels = []string{"info", "debug", "warning", "error", "critical"}

// queueLevelWeights are the relative frequencies of QueueLevels, in per cent.
var queueLevelWeights = []int{45, 30, 15, 8, 2}

// queueStart is the first second of the three days the timestamps of [Queue] spread over.
var queueStart = time.Date(2024, 5, 13, 0, 0, 0, 0, time.UTC).Unix()

const queueSpan = 3 * 24 * 60 * 60

// QueueGenerator produces the log rows of [Queue] batch by batch. It is not safe for
// concurrent use.
type QueueGenerator struct {
	r      *rand.Rand
	schema *arrow.Schema
	buf    []byte
}

// NewQueueGenerator returns a generator of the row stream that seed determines.
func NewQueueGenerator(seed uint64) (*QueueGenerator, error) {
	schema, err := kafkaengine.Columns(QueueColumns...)
	if err != nil {
		return nil, fmt.Errorf("datagen: queue columns: %w", err)
	}
	return &QueueGenerator{r: rand.New(rand.NewPCG(seed, 0x71756575)), schema: schema}, nil
}

// Schema returns the schema of the batches: [kafkaengine.Columns] of [QueueColumns].
func (g *QueueGenerator) Schema() *arrow.Schema { return g.schema }

// Next returns the next n rows of the stream, allocated with mem; the caller must
// Release the batch.
func (g *QueueGenerator) Next(mem memory.Allocator, n int) (arrow.RecordBatch, error) {
	if n < 0 {
		return nil, fmt.Errorf("datagen: negative row count %d", n)
	}
	b := array.NewRecordBuilder(mem, g.schema)
	defer b.Release()
	ts := b.Field(0).(*array.Uint64Builder)
	level := b.Field(1).(*array.StringBuilder)
	msg := b.Field(2).(*array.StringBuilder)
	ts.Reserve(n)
	level.Reserve(n)
	msg.Reserve(n)
	for range n {
		l := pickWeighted(g.r, queueLevelWeights)
		ts.Append(uint64(queueStart) + g.r.Uint64N(queueSpan))
		level.Append(QueueLevels[l])
		g.buf = g.message(g.buf[:0], l)
		msg.BinaryBuilder.Append(g.buf)
	}
	return b.NewRecordBatch(), nil
}

// Queue returns n rows of the queue table (timestamps over three days in May 2024,
// levels from [QueueLevels] with uneven frequencies, messages of 20 to a few hundred
// bytes) determined by seed. The caller must Release the batch.
func Queue(mem memory.Allocator, seed uint64, n int) (arrow.RecordBatch, error) {
	g, err := NewQueueGenerator(seed)
	if err != nil {
		return nil, err
	}
	return g.Next(mem, n)
}

var (
	queueResources = []string{"users", "orders", "invoices", "sessions", "products", "carts", "reports"}
	queueHosts     = []string{"db-1.internal", "db-2.internal", "cache-1.internal", "auth.internal", "payments.example.com"}
	queueWords     = []string{"request", "worker", "shard", "replica", "batch", "retry", "queue", "lease",
		"token", "buffer", "socket", "handler", "deadline", "snapshot", "checkpoint", "partition"}
)

// message appends a log message for level l to dst.
func (g *QueueGenerator) message(dst []byte, l int) []byte {
	r := g.r
	switch QueueLevels[l] {
	case "info":
		switch r.IntN(3) {
		case 0:
			dst = fmt.Appendf(dst, "GET /api/v1/%s/%d 200 %dms", pick(r, queueResources), r.IntN(100000), 1+r.IntN(250))
		case 1:
			dst = fmt.Appendf(dst, "user %d logged in from 10.%d.%d.%d", r.IntN(50000), r.IntN(256), r.IntN(256), r.IntN(256))
		default:
			dst = fmt.Appendf(dst, "job %s-%d finished in %dms", pick(r, queueWords), r.IntN(1000), r.IntN(60000))
		}
	case "debug":
		if r.IntN(2) == 0 {
			dst = fmt.Appendf(dst, "cache %s for key %s:%d", pick(r, []string{"hit", "miss"}), pick(r, queueResources), r.IntN(100000))
		} else {
			dst = fmt.Appendf(dst, "query on %s took %dµs", pick(r, queueResources), r.IntN(20000))
		}
	case "warning":
		if r.IntN(2) == 0 {
			dst = fmt.Appendf(dst, "slow query on %s: %dms", pick(r, queueResources), 500+r.IntN(10000))
		} else {
			dst = fmt.Appendf(dst, "retrying request to %s (attempt %d)", pick(r, queueHosts), 2+r.IntN(4))
		}
	case "error":
		if r.IntN(2) == 0 {
			dst = fmt.Appendf(dst, "failed to connect to %s: connection refused", pick(r, queueHosts))
		} else {
			dst = fmt.Appendf(dst, "request %016x failed: timeout after %dms", r.Uint64(), 1000*(1+r.IntN(30)))
		}
	default:
		dst = fmt.Appendf(dst, "disk /dev/sd%c is %d%% full", 'a'+rune(r.IntN(4)), 95+r.IntN(6))
	}
	// About a third of the messages carry details, of very different lengths.
	if r.IntN(3) == 0 {
		dst = append(dst, " ("...)
		for i := range 2 + r.IntN(40) {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, pick(r, queueWords)...)
			if r.IntN(4) == 0 {
				dst = append(dst, '=')
				dst = strconv.AppendInt(dst, int64(r.IntN(10000)), 10)
			}
		}
		dst = append(dst, ')')
	}
	return dst
}

// pick returns a uniformly drawn element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// pickWeighted returns an index of weights drawn with probability proportional to its
// weight.
func pickWeighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
