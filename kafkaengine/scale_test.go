package kafkaengine_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkatest"
)

// 10 topics and 5 members of one group → 2 topics each (SEED §3); a member leaving →
// its topics are taken over and consumed from the committed offsets.
func TestTenTopicsFiveMembers(t *testing.T) {
	var opts []kafkatest.Option
	var topics []string
	for i := range 10 {
		name := fmt.Sprintf("t%d", i)
		topics = append(topics, name)
		opts = append(opts, kafkatest.Topic(name, 1))
	}
	c := newCluster(t, opts...)
	s := baseSettings(c, "t0,t1,t2,t3,t4,t5,t6,t7,t8,t9", "g")
	var tables []*kafkaengine.Table
	var sinks []*collector
	var stops []func()
	for range 5 {
		tbl := newTable(t, s, kvCols)
		sink := newCollector(t)
		require.NoError(t, tbl.Attach("mv", sink))
		tables, sinks, stops = append(tables, tbl), append(sinks, sink), append(stops, start(t, tbl))
	}
	eventually(t, 30*time.Second, func() bool {
		for _, tbl := range tables {
			st := tbl.Stats().Consumers
			if len(st) != 1 || len(st[0].Assignments) != 2 {
				return false
			}
		}
		return true
	}, "2 topics per member")

	produce := func(from, to int) {
		for i := from; i < to; i++ {
			require.NoError(t, c.ProduceValues(context.Background(), topics[i%10], fmt.Sprintf(`{"key": %d, "value": %d}`, i, i)))
		}
	}
	produce(0, 100)
	eventually(t, 30*time.Second, func() bool {
		var n int64
		for _, topic := range topics {
			n += committedTotal(t, c, "g", topic)
		}
		return n == 100
	}, "100 committed")
	stops[0]()
	eventually(t, 30*time.Second, func() bool {
		n := 0
		for _, tbl := range tables[1:] {
			n += len(tbl.Stats().Consumers[0].Assignments)
		}
		return n == 10
	}, "the 4 members left take the 10 topics over")
	produce(100, 200)
	eventually(t, 30*time.Second, func() bool {
		var n int64
		for _, topic := range topics {
			n += committedTotal(t, c, "g", topic)
		}
		return n == 200
	}, "200 committed")
	var keys []string
	for _, s := range sinks {
		keys = append(keys, s.column("key")...)
	}
	assert.Equal(t, seq(0, 200), sortedInts(t, keys), "every message once, the taken-over topics from their committed offsets")
}

// Stats values against known states: lag after producing N and consuming M.
func TestStatsLag(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("lag", 1))
	tbl := newTable(t, baseSettings(c, "lag", "g"), kvCols)
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	produceSpread(t, c, "lag", 1, jsonRows(0, 50))
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "lag") == 50 }, "50 committed")
	eventually(t, 5*time.Second, func() bool {
		st := tbl.Stats()
		return st.Lag == 0 && len(st.Consumers[0].Assignments) == 1 && st.Consumers[0].Assignments[0].Committed == 50
	}, "lag 0 at offset 50")
	st := tbl.Stats().Consumers[0]
	assert.Equal(t, uint64(50), st.MessagesRead)
	assert.Equal(t, int64(50), st.Assignments[0].Current)
	assert.Equal(t, int64(50), st.Assignments[0].HighWatermark)
	assert.GreaterOrEqual(t, st.Commits, uint64(1))
	assert.False(t, st.LastPollTime.IsZero())
	assert.False(t, st.LastCommitTime.IsZero())
	assert.Equal(t, uint64(1), st.RebalanceAssignments)
	assert.Empty(t, st.Exceptions)

	// Consume M = 0 of 30 more: the sink fails, so nothing is committed.
	require.NoError(t, tbl.Detach("mv"))
	failing := newCollector(t)
	failing.fails = 1 << 30
	require.NoError(t, tbl.Attach("failing", failing))
	produceSpread(t, c, "lag", 1, jsonRows(50, 80))
	defer func() {
		if t.Failed() { // seen once under a loaded CI run: keep what the stats said
			t.Logf("stats at failure: %+v", tbl.Stats())
		}
	}()
	eventually(t, 20*time.Second, func() bool {
		st := tbl.Stats()
		return st.Lag == 30 && st.OldestUncommittedAge > 0
	}, "lag 30 with an uncommitted block")
	st = tbl.Stats().Consumers[0]
	assert.Equal(t, int64(80), st.Assignments[0].HighWatermark)
	assert.Equal(t, int64(50), st.Assignments[0].Committed)
	assert.True(t, st.InUse)
	require.NoError(t, tbl.Detach("failing"))
	require.NoError(t, tbl.Attach("mv", sink))
	eventually(t, 20*time.Second, func() bool { return tbl.Stats().Lag == 0 }, "lag back to 0")
	assert.Equal(t, seq(0, 80), sortedInts(t, sink.column("key")))
}

// partitionsOf returns the set of _partition values of each block a sink received.
func partitionsOf(t *testing.T, sink *collector) []map[uint64]bool {
	t.Helper()
	var out []map[uint64]bool
	for _, r := range sink.blocks() {
		col := r.Column(r.Schema().FieldIndices("_partition")[0]).(*array.Uint64)
		set := map[uint64]bool{}
		for i := range col.Len() {
			set[col.Value(i)] = true
		}
		out = append(out, set)
	}
	return out
}

// kafka_thread_per_consumer = 0: all consumers feed one block (rows of every
// partition); = 1: each consumer cuts its own blocks (rows of its partitions only).
// Both commit everything.
func TestThreadPerConsumer(t *testing.T) {
	for _, tpc := range []bool{false, true} {
		t.Run(fmt.Sprintf("thread_per_consumer=%v", tpc), func(t *testing.T) {
			c := newCluster(t, kafkatest.Topic("tpc", 4))
			s := baseSettings(c, "tpc", "g")
			s.NumConsumers = 2
			s.ThreadPerConsumer = tpc
			s.FlushInterval = time.Second // wide enough for one block of everything
			tbl := newTable(t, s, kvCols, kafkaengine.WithVirtualColumns("_partition"))
			eventuallyAssigned := func() bool {
				st := tbl.Stats().Consumers
				return len(st) == 2 && len(st[0].Assignments) == 2 && len(st[1].Assignments) == 2
			}
			sink := newCollector(t)
			start(t, tbl)
			eventually(t, 20*time.Second, eventuallyAssigned, "2 partitions per consumer")
			produceSpread(t, c, "tpc", 4, jsonRows(0, 400))
			require.NoError(t, tbl.Attach("mv", sink))
			eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "tpc") == 400 }, "400 committed")
			assert.Equal(t, seq(0, 400), sortedInts(t, sink.column("key")))
			owner := map[uint64]int{}
			for i, cs := range tbl.Stats().Consumers {
				for _, a := range cs.Assignments {
					owner[uint64(a.Partition)] = i
				}
			}
			mixed := false
			for _, parts := range partitionsOf(t, sink) {
				consumers := map[int]bool{}
				for p := range parts {
					consumers[owner[p]] = true
				}
				if len(consumers) > 1 {
					mixed = true
				}
			}
			assert.Equal(t, !tpc, mixed, "blocks mix the consumers' partitions only with thread_per_consumer = 0")
		})
	}
}

// A group with no committed offsets starts where WithStartPosition says; committed
// offsets always win.
func TestStartPositions(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("pos", 1))
	base := time.UnixMilli(1700000000000)
	var msgs []kafkatest.Message
	for i := range 10 {
		msgs = append(msgs, kafkatest.Message{Topic: "pos", Value: []byte(fmt.Sprintf(`{"key": %d, "value": %d}`, i, i)),
			Timestamp: base.Add(time.Duration(i) * time.Second)})
	}
	require.NoError(t, c.Produce(context.Background(), msgs...))
	read := func(group string, pos kafkaengine.StartPosition, want []int) {
		t.Helper()
		tbl := newTable(t, baseSettings(c, "pos", group), kvCols, kafkaengine.WithStartPosition(pos))
		sink := newCollector(t)
		require.NoError(t, tbl.Attach("mv", sink))
		stop := start(t, tbl)
		defer stop()
		eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, group, "pos") == 10 || sink.Rows() >= len(want) }, "read")
		eventually(t, 20*time.Second, func() bool { return sink.Rows() >= len(want) }, "rows")
		assert.Equal(t, want, sortedInts(t, sink.column("key")))
	}
	read("earliest", kafkaengine.StartEarliest(), seq(0, 10))
	read("at", kafkaengine.StartAt(base.Add(5*time.Second)), seq(5, 10))
	read("offsets", kafkaengine.StartOffsets(map[string]map[int32]int64{"pos": {0: 7}}), seq(7, 10))

	// Latest: only what is produced after the assignment.
	tbl := newTable(t, baseSettings(c, "pos", "latest"), kvCols, kafkaengine.WithStartPosition(kafkaengine.StartLatest()))
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	stop := start(t, tbl)
	// The claim starts at the end offset some time after the assignment: produce until
	// new messages arrive; none of the 10 older ones may.
	next := 10
	eventually(t, 20*time.Second, func() bool {
		if sink.Rows() > 0 {
			return true
		}
		produceSpread(t, c, "pos", 1, jsonRows(next, next+1))
		next++
		time.Sleep(20 * time.Millisecond)
		return false
	}, "new rows")
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "latest", "pos") == int64(next) }, "committed to the end")
	keys := sortedInts(t, sink.column("key"))
	require.NotEmpty(t, keys)
	assert.GreaterOrEqual(t, keys[0], 10, "only messages produced after the start")
	assert.Equal(t, seq(keys[0], next), keys)
	stop()

	// Committed offsets win over the start position.
	read("at", kafkaengine.StartLatest(), seq(10, next))
}

// More consumers than partitions: the extra ones idle without errors.
func TestMoreConsumersThanPartitions(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("few", 1))
	s := baseSettings(c, "few", "g")
	s.NumConsumers = 4
	s.ThreadPerConsumer = true
	tbl := newTable(t, s, kvCols)
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	produceSpread(t, c, "few", 1, jsonRows(0, 20))
	eventually(t, 30*time.Second, func() bool { return committedTotal(t, c, "g", "few") == 20 }, "20 committed")
	idle := 0
	for _, cs := range tbl.Stats().Consumers {
		if len(cs.Assignments) == 0 {
			idle++
		}
		assert.Empty(t, cs.Exceptions)
	}
	assert.Equal(t, 3, idle)
}

// failCommitsOnce makes the next OffsetCommit fail with a non-retriable error.
func failCommitsOnce(c *kafkatest.Cluster, code int16) {
	c.Kfake().ControlKey(int16(kmsg.OffsetCommit), func(req kmsg.Request) (kmsg.Response, error, bool) {
		r := req.(*kmsg.OffsetCommitRequest)
		resp := r.ResponseKind().(*kmsg.OffsetCommitResponse)
		for _, rt := range r.Topics {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
}

// dropFetchConnectionOnce closes the connection of the next fetch.
func dropFetchConnectionOnce(c *kafkatest.Cluster) {
	c.Kfake().ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		return nil, errors.New("injected: connection dropped"), true
	})
}

// A failed commit leads to re-reading (duplicates), never to loss; a dropped
// connection is recovered from.
func TestFaultsRecovered(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("faults", 2))
	var commitErrs atomic.Int32
	tbl := newTable(t, baseSettings(c, "faults", "g"), kvCols, kafkaengine.WithErrorHandler(func(err error) {
		var ce *kafkaengine.CommitError
		if errors.As(err, &ce) {
			commitErrs.Add(1)
		}
	}))
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	produceSpread(t, c, "faults", 2, jsonRows(0, 20))
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "faults") == 20 }, "20 committed")

	failCommitsOnce(c, kerr.UnknownMemberID.Code)
	dropFetchConnectionOnce(c)
	produceSpread(t, c, "faults", 2, jsonRows(20, 40))
	eventually(t, 30*time.Second, func() bool { return committedTotal(t, c, "g", "faults") == 40 }, "40 committed")
	assert.Equal(t, int32(1), commitErrs.Load())
	keys := sortedInts(t, sink.column("key"))
	assert.Subset(t, keys, seq(0, 40), "no holes")
	t.Logf("%d rows for 40 messages: %d re-read after the failed commit", len(keys), len(keys)-40)
}

// keyCounter is a sink counting how often each key arrived; it fails at random.
type keyCounter struct {
	mu     sync.Mutex
	counts []uint16
	rng    *rand.Rand
	failP  float64
	fails  int
}

func (k *keyCounter) Write(_ context.Context, rec arrow.RecordBatch) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rng.Float64() < k.failP {
		k.fails++
		return errSinkDown
	}
	keys := rec.Column(0).(*array.Uint64)
	for i := range keys.Len() {
		k.counts[keys.Value(i)]++
	}
	return nil
}

// Chaos: 200k messages on 8 partitions, three tables in one group whose members are
// stopped and started at random, sinks failing at random, a failed commit and a dropped
// connection injected. Every produced message must reach the union of the sinks (no
// hole); duplicates are counted and reported.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test skipped in -short mode")
	}
	const total, parts = 200_000, 8
	c := newCluster(t, kafkatest.Topic("chaos", parts))
	s := baseSettings(c, "chaos", "g")
	s.MaxBlockSize = 5000
	s.FlushInterval = 200 * time.Millisecond
	rng := rand.New(rand.NewPCG(7, 11))
	counts := make([]uint16, total)
	var mu sync.Mutex // guards counts across the three sinks
	type member struct {
		tbl  *kafkaengine.Table
		sink *keyCounter
		stop func()
	}
	members := make([]*member, 3)
	var commitErrs atomic.Int32
	for i := range members {
		sink := &keyCounter{counts: make([]uint16, total), rng: rand.New(rand.NewPCG(uint64(i), 99)), failP: 0.3}
		tbl := newTable(t, s, kvCols, kafkaengine.WithErrorHandler(func(err error) {
			var ce *kafkaengine.CommitError
			if errors.As(err, &ce) {
				commitErrs.Add(1)
			}
		}))
		require.NoError(t, tbl.Attach("mv", sink))
		members[i] = &member{tbl: tbl, sink: sink}
	}
	for _, m := range members {
		m.stop = start(t, m.tbl)
	}

	produced := make(chan struct{})
	go func() {
		defer close(produced)
		const chunk = 5_000
		for from := 0; from < total; from += chunk {
			msgs := make([]kafkatest.Message, 0, chunk)
			for i := from; i < from+chunk; i++ {
				msgs = append(msgs, kafkatest.Message{Topic: "chaos", Partition: int32(i % parts),
					Value: []byte(`{"key":` + strconv.Itoa(i) + `,"value":` + strconv.Itoa(i) + `}`)})
			}
			if err := c.Produce(context.Background(), msgs...); err != nil {
				t.Errorf("produce: %v", err)
				return
			}
			time.Sleep(100 * time.Millisecond) // spread production over the churn
		}
	}()

	// Churn: stop or start a random member every 100–400 ms, keeping one running;
	// inject the faults along the way.
	deadline := time.Now().Add(2 * time.Minute)
	changes := 0
	for step := 0; ; step++ {
		select {
		case <-produced:
		default:
		}
		done := committedTotal(t, c, "g", "chaos") == total
		if done || time.Now().After(deadline) {
			break
		}
		if step == 1 {
			failCommitsOnce(c, kerr.IllegalGeneration.Code)
		}
		if step == 2 {
			dropFetchConnectionOnce(c)
		}
		m := members[rng.IntN(len(members))]
		running := 0
		for _, o := range members {
			if o.stop != nil {
				running++
			}
		}
		switch {
		case m.stop != nil && running > 1:
			m.stop()
			m.stop = nil
			changes++
		case m.stop == nil:
			m.stop = start(t, m.tbl)
			changes++
		}
		time.Sleep(time.Duration(100+rng.IntN(300)) * time.Millisecond)
		if step > 40 { // churn for a while, then let the group settle
			for _, o := range members {
				if o.stop == nil {
					o.stop = start(t, o.tbl)
				}
			}
			eventually(t, 90*time.Second, func() bool { return committedTotal(t, c, "g", "chaos") == total }, "all committed after the churn")
		}
	}
	<-produced
	require.Equal(t, int64(total), committedTotal(t, c, "g", "chaos"), "everything committed")
	for _, m := range members {
		if m.stop != nil {
			m.stop()
		}
	}

	mu.Lock()
	defer mu.Unlock()
	holes, dups, sinkFails := 0, 0, 0
	for _, m := range members {
		sinkFails += m.sink.fails
		for i, n := range m.sink.counts {
			counts[i] += n
		}
	}
	for _, n := range counts {
		if n == 0 {
			holes++
		}
		if n > 1 {
			dups += int(n) - 1
		}
	}
	t.Logf("chaos: %d messages, %d holes, %d duplicate rows, %d sink failures, %d failed commits, %d membership changes",
		total, holes, dups, sinkFails, commitErrs.Load(), changes)
	require.Zero(t, holes, "every produced message must reach a sink")
}
