package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/kafkaengine"
)

// groupSeq makes every consumer group of the process new: each iteration reads its topic
// from the beginning.
var groupSeq atomic.Int64

func newGroup(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), groupSeq.Add(1))
}

// pollTimeout of the benchmark tables (kafka_poll_timeout_ms = 1): the block in progress
// when the topic runs dry is cut after 10 empty polls (ClickHouse's rule), so the tail of
// each run costs 10 polls, 10 ms here (100 ms with 10 ms polls: a fifth of a GitHub run).
// While messages flow a poll never waits, so the setting does not change the throughput.
const pollTimeout = 1 * time.Millisecond

// BenchmarkEndToEnd reads a pre-filled topic (JSONEachRow, one row per message, four
// partitions) through a kafkaengine.Table into a discarding sink until the committed
// offsets reach the end of the topic; sarama is a raw sarama consumer group reading the
// same topic without decoding, until it has received every message. One op is the whole
// topic, with a new consumer group.
func BenchmarkEndToEnd(b *testing.B) {
	for _, t := range []*dataTopic{queue1M, github200k} {
		b.Run(t.name, func(b *testing.B) {
			b.Run("chkafka", func(b *testing.B) {
				t.fill(b)
				runOps(b, t, func(b *testing.B) (span, error) {
					res, err := ingest(b, t, memory.NewGoAllocator(), nil, 1, blockRows)
					return res.span, err
				})
			})
			// Two consumers with a pipeline each (kafka_num_consumers = 2,
			// kafka_thread_per_consumer = 1): decoding on two goroutines.
			b.Run("chkafka-2x", func(b *testing.B) {
				t.fill(b)
				runOps(b, t, func(b *testing.B) (span, error) {
					res, err := ingest(b, t, memory.NewGoAllocator(), nil, 2, blockRows)
					return res.span, err
				})
			})
			b.Run("sarama", func(b *testing.B) {
				t.fill(b)
				runOps(b, t, func(b *testing.B) (span, error) { return saramaConsume(b, t) })
			})
		})
	}
}

// runOps runs op b.N times, timing only op's span, and reports the throughput and the
// CPU time per row of this process (cpu-ns/row) and of the broker process
// (broker-cpu-ns/row) during the spans.
func runOps(b *testing.B, t *dataTopic, op func(b *testing.B) (span, error)) {
	b.SetBytes(t.bytes)
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	var total span
	for range b.N {
		runtime.GC()
		d, err := op(b)
		if err != nil {
			b.Fatal(err)
		}
		total.add(d)
	}
	total.report(b, t.n*b.N)
}

// span is the timed part of one op: wall time and the CPU time of both processes.
type span struct {
	elapsed, cpu, brokerCPU time.Duration
	start                   time.Time
}

// begin starts b's timer and the span.
func (s *span) begin(b *testing.B) {
	s.cpu, s.brokerCPU = processCPU(), brokerCPU()
	b.StartTimer()
	s.start = time.Now()
}

// end stops the span and b's timer.
func (s *span) end(b *testing.B) {
	s.elapsed = time.Since(s.start)
	b.StopTimer()
	s.cpu, s.brokerCPU = processCPU()-s.cpu, brokerCPU()-s.brokerCPU
}

func (s *span) add(o span) {
	s.elapsed += o.elapsed
	s.cpu += o.cpu
	s.brokerCPU += o.brokerCPU
}

func (s *span) report(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)/s.elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(s.cpu.Nanoseconds())/float64(rows), "cpu-ns/row")
	b.ReportMetric(float64(s.brokerCPU.Nanoseconds())/float64(rows), "broker-cpu-ns/row")
}

// processCPU is this process's user and system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// brokerCPU is the broker process's user and system CPU time (from /proc, Linux only;
// 0 elsewhere).
func brokerCPU() time.Duration {
	if broker.cmd == nil {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", broker.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which ends with ')'): state is field 3, utime 14,
	// stime 15, in clock ticks of 1/100 s (USER_HZ).
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

type ingestResult struct {
	span
	rows     int64
	blocks   int64
	maxBlock int64 // largest block's Arrow buffer bytes
	maxRows  int64

	firstBlock, allRows time.Duration // since the start: first block delivered, every row delivered
}

// traceEnv makes the Kafka benchmarks print the timeline of each run on stderr.
const traceEnv = "CHKAFKA_BENCH_TRACE"

// ingest runs a table over the topic with a new group until every offset is committed.
// The timer runs from Run to the commit of the last offset. sample, if not nil, is called
// every few milliseconds while the table runs (memory sampling). consumers > 1 runs that
// many consumers, each with its own pipeline (kafka_thread_per_consumer = 1).
func ingest(b *testing.B, t *dataTopic, mem memory.Allocator, sample func(), consumers, blockSize int) (ingestResult, error) {
	var res ingestResult
	table, err := kafkaengine.New(kafkaengine.Settings{
		BrokerList:        brokerAddr(b),
		TopicList:         t.name,
		GroupName:         newGroup("e2e"),
		Format:            "JSONEachRow",
		MaxBlockSize:      blockSize,
		PollTimeout:       pollTimeout,
		NumConsumers:      consumers,
		ThreadPerConsumer: consumers > 1,
	}, t.schema.arrowSchema(b), kafkaengine.WithAllocator(mem))
	if err != nil {
		return res, err
	}
	defer table.Close()
	var rows, blocks, maxBlock, maxRows atomic.Int64
	if err := table.Attach("discard", kafkaengine.SinkFunc(func(_ context.Context, rec arrow.RecordBatch) error {
		n := rec.NumRows()
		rows.Add(n)
		blocks.Add(1)
		storeMax(&maxBlock, recordBytes(rec))
		storeMax(&maxRows, n)
		return nil
	})); err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := make(chan error, 1)
	res.begin(b)
	go func() { runErr <- table.Run(ctx) }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Minute)
	var lastTrace, firstRead time.Duration // firstRead: when a consumer first read a message (traced)
	trace := os.Getenv(traceEnv) != ""
	for done := false; !done; {
		select {
		case <-tick.C:
		case err := <-runErr:
			res.end(b)
			return res, fmt.Errorf("table stopped: %v", err)
		case <-deadline:
			res.end(b)
			return res, fmt.Errorf("%s: timed out after %d of %d rows", t.name, rows.Load(), t.n)
		}
		if sample != nil {
			sample()
		}
		if os.Getenv(traceEnv) == "2" {
			if now := time.Since(res.start); now/(100*time.Millisecond) != lastTrace {
				lastTrace = now / (100 * time.Millisecond)
				for _, c := range table.Consumers() {
					st := c.Stats()
					fmt.Fprintf(os.Stderr, "  %v read %d lag %d rows %d inuse %v assign %d exc %d\n", now.Round(time.Millisecond), st.MessagesRead, st.Lag, rows.Load(), st.InUse, len(st.Assignments), len(st.Exceptions))
				}
			}
		}
		if trace && firstRead == 0 {
			for _, c := range table.Consumers() {
				if c.Stats().MessagesRead > 0 {
					firstRead = time.Since(res.start)
				}
			}
		}
		if res.firstBlock == 0 && rows.Load() > 0 {
			res.firstBlock = time.Since(res.start)
		}
		if res.allRows == 0 && rows.Load() >= int64(t.n) {
			res.allRows = time.Since(res.start)
		}
		done = committed(table) >= int64(t.n)
	}
	res.end(b)
	if trace {
		fmt.Fprintf(os.Stderr, "bench: %s: first read after %v, first block after %v, all rows after %v, committed after %v, %d blocks\n",
			t.name, firstRead, res.firstBlock, res.allRows, res.elapsed, blocks.Load())
	}
	cancel()
	if err := <-runErr; err != nil {
		return res, err
	}
	res.rows, res.blocks, res.maxBlock, res.maxRows = rows.Load(), blocks.Load(), maxBlock.Load(), maxRows.Load()
	if res.rows < int64(t.n) {
		return res, fmt.Errorf("%s: committed with %d rows delivered, want %d", t.name, res.rows, t.n)
	}
	return res, nil
}

// committed sums the committed offsets of every consumer's assignments: with a new group
// starting at offset 0 it is the number of messages committed.
func committed(t *kafkaengine.Table) int64 {
	var sum int64
	for _, c := range t.Consumers() {
		for _, a := range c.Stats().Assignments {
			sum += max(a.Committed, 0)
		}
	}
	return sum
}

func storeMax(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if n <= old || v.CompareAndSwap(old, n) {
			return
		}
	}
}

// recordBytes is the size of the Arrow buffers of rec (dictionaries included).
func recordBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, col := range rec.Columns() {
		n += dataBytes(col.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, buf := range d.Buffers() {
		if buf != nil {
			n += int64(buf.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c)
	}
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		n += dataBytes(dict)
	}
	return n
}

// saramaConfig is the sarama configuration the engine would use for a consumer
// (kafkaengine's saramaConfig with default options): round robin, a 100 ms rebalance
// retry backoff, oldest offset, a channel buffer of 4096 messages.
func saramaConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.ClientID = "bench-sarama"
	cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRoundRobin()}
	cfg.Consumer.Group.Rebalance.Retry.Backoff = 100 * time.Millisecond
	cfg.Consumer.Group.Rebalance.Retry.Max = 80
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Return.Errors = true
	cfg.ChannelBufferSize = 4096
	cfg.Producer.Return.Successes = true
	cfg.Producer.Return.Errors = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	return cfg
}

// saramaConsume reads the topic with a raw sarama consumer group (MarkMessage per message,
// sarama's auto-commit) until it has received every message.
func saramaConsume(b *testing.B, t *dataTopic) (span, error) {
	var sp span
	// The span starts before the client connects, as the engine's starts before
	// Table.Run connects.
	sp.begin(b)
	group, err := sarama.NewConsumerGroup(strings.Split(brokerAddr(b), ","), newGroup("raw"), saramaConfig())
	if err != nil {
		sp.end(b)
		return sp, err
	}
	defer group.Close()
	go func() {
		for range group.Errors() {
		}
	}()
	h := &countHandler{want: int64(t.n), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	consumeErr := make(chan error, 1)
	wg.Go(func() {
		for ctx.Err() == nil {
			if err := group.Consume(ctx, []string{t.name}, h); err != nil && ctx.Err() == nil {
				consumeErr <- err
				return
			}
		}
	})
	select {
	case <-h.done:
	case err := <-consumeErr:
		sp.end(b)
		return sp, err
	case <-time.After(5 * time.Minute):
		sp.end(b)
		return sp, fmt.Errorf("%s: timed out after %d of %d messages", t.name, h.n.Load(), t.n)
	}
	sp.end(b)
	if os.Getenv(traceEnv) != "" {
		fmt.Fprintf(os.Stderr, "bench: %s: raw sarama: first message after %v, all after %v\n",
			t.name, time.Duration(h.first.Load()-sp.start.UnixNano()), sp.elapsed)
	}
	cancel()
	wg.Wait()
	return sp, nil
}

type countHandler struct {
	n     atomic.Int64
	first atomic.Int64 // unix nanoseconds of the first message
	want  int64
	once  sync.Once
	done  chan struct{}
}

func (h *countHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *countHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *countHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		sess.MarkMessage(m, "")
		n := h.n.Add(1)
		if n == 1 {
			h.first.Store(time.Now().UnixNano())
		}
		if n == h.want {
			h.once.Do(func() { close(h.done) })
		}
	}
	return nil
}
