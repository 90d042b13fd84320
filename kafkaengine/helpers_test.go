package kafkaengine_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkatest"

	_ "github.com/chkafka/chkafka/format/all"
)

// newCluster starts an in-process broker for the test.
func newCluster(t *testing.T, opts ...kafkatest.Option) *kafkatest.Cluster {
	t.Helper()
	c, err := kafkatest.NewCluster(opts...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// fastSarama makes group membership changes quick, as tests start and stop members often.
func fastSarama() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second
	cfg.Consumer.Group.Heartbeat.Interval = 100 * time.Millisecond
	cfg.Consumer.Group.Rebalance.Timeout = 5 * time.Second
	cfg.Consumer.Group.Rebalance.Retry.Backoff = 50 * time.Millisecond
	cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRoundRobin()}
	cfg.Metadata.Retry.Backoff = 50 * time.Millisecond
	cfg.Producer.Retry.Backoff = 50 * time.Millisecond
	return cfg
}

// baseSettings are quick-flushing settings for topic and group on cluster c.
func baseSettings(c *kafkatest.Cluster, topic, group string) kafkaengine.Settings {
	return kafkaengine.Settings{
		BrokerList:         c.Addr(),
		TopicList:          topic,
		GroupName:          group,
		Format:             "JSONEachRow",
		FlushInterval:      100 * time.Millisecond,
		PollTimeout:        50 * time.Millisecond,
		ConsumerReschedule: 50 * time.Millisecond,
	}
}

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func newTable(t *testing.T, s kafkaengine.Settings, cols []string, opts ...kafkaengine.Option) *kafkaengine.Table {
	t.Helper()
	schema, err := kafkaengine.Columns(cols...)
	require.NoError(t, err)
	opts = append([]kafkaengine.Option{kafkaengine.WithSaramaConfig(fastSarama())}, opts...)
	tbl, err := kafkaengine.New(s, schema, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tbl.Close()) })
	return tbl
}

// start runs tbl until the returned stop is called (or the test ends). It returns once
// the run has started.
func start(t *testing.T, tbl *kafkaengine.Table) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	before := tbl.Consumers()
	go func() { done <- tbl.Run(ctx) }()
	eventually(t, 5*time.Second, func() bool {
		now := tbl.Consumers()
		return len(now) > 0 && (len(before) == 0 || now[0] != before[0])
	}, "table running")
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			require.NoError(t, <-done)
		})
	}
	t.Cleanup(stop)
	return stop
}

// collector is a sink that keeps every block it receives.
type collector struct {
	mu    sync.Mutex
	recs  []arrow.RecordBatch
	rows  int
	fails int // fail this many writes first
	calls int
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	t.Cleanup(c.release)
	return c
}

var errSinkDown = errors.New("sink down")

func (c *collector) Write(_ context.Context, rec arrow.RecordBatch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.fails > 0 {
		c.fails--
		return errSinkDown
	}
	rec.Retain()
	c.recs = append(c.recs, rec)
	c.rows += int(rec.NumRows())
	return nil
}

func (c *collector) Rows() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rows
}

func (c *collector) blocks() []arrow.RecordBatch {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]arrow.RecordBatch(nil), c.recs...)
}

func (c *collector) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.recs {
		r.Release()
	}
	c.recs = nil
}

// column returns the values of column name over every block, formatted with ValueStr.
func (c *collector) column(name string) []string {
	var out []string
	for _, r := range c.blocks() {
		idx := r.Schema().FieldIndices(name)
		if len(idx) == 0 {
			panic(fmt.Sprintf("no column %s", name))
		}
		col := r.Column(idx[0])
		for i := range col.Len() {
			out = append(out, col.ValueStr(i))
		}
	}
	return out
}

// eventually waits for cond, checking it every 10ms, and fails after timeout.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for: "+msg, append([]any{timeout}, args...)...)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// committed returns the group's committed offsets for topic, summed over partitions.
func committedTotal(t *testing.T, c *kafkatest.Cluster, group, topic string) int64 {
	t.Helper()
	m, err := c.Committed(context.Background(), group, topic)
	require.NoError(t, err)
	var n int64
	for _, o := range m {
		n += o
	}
	return n
}

func jsonRows(from, to int) []string {
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf(`{"key": %d, "value": %d}`, i, i))
	}
	return out
}

func produceSpread(t *testing.T, c *kafkatest.Cluster, topic string, partitions int32, values []string) {
	t.Helper()
	msgs := make([]kafkatest.Message, len(values))
	for i, v := range values {
		msgs[i] = kafkatest.Message{Topic: topic, Partition: int32(i) % partitions, Value: []byte(v)}
	}
	require.NoError(t, c.Produce(context.Background(), msgs...))
}

var _ = array.NewRecordBatch
