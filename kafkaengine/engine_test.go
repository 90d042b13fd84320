package kafkaengine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkatest"
)

var kvCols = []string{"key UInt64", "value UInt64"}

func sortedInts(t *testing.T, vals []string) []int {
	t.Helper()
	out := make([]int, len(vals))
	for i, v := range vals {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		out[i] = n
	}
	slices.Sort(out)
	return out
}

func seq(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// Each message is read once per group, also across a stop and start of the table
// (ClickHouse's DETACH/ATTACH), and the committed offsets reach the end of the topic.
func TestReadOnceAcrossRestart(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("once", 3))
	produceSpread(t, c, "once", 3, jsonRows(0, 90))

	tbl := newTable(t, baseSettings(c, "once", "g"), kvCols, kafkaengine.WithAllocator(mem))
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	stop := start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "once") == 90 }, "90 committed")
	stop()
	require.Equal(t, 90, sink.Rows())

	produceSpread(t, c, "once", 3, jsonRows(90, 150))
	start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "once") == 150 }, "150 committed")
	assert.Equal(t, seq(0, 150), sortedInts(t, sink.column("key")), "every message exactly once")
}

// Two tables with different groups each read everything.
func TestTwoGroupsReadEverything(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("shared", 2))
	produceSpread(t, c, "shared", 2, jsonRows(0, 40))
	var sinks []*collector
	for _, g := range []string{"g1", "g2"} {
		tbl := newTable(t, baseSettings(c, "shared", g), kvCols)
		s := newCollector(t)
		require.NoError(t, tbl.Attach("mv", s))
		sinks = append(sinks, s)
		start(t, tbl)
	}
	for i, s := range sinks {
		eventually(t, 20*time.Second, func() bool { return s.Rows() >= 40 }, "group %d reads 40", i)
		assert.Equal(t, seq(0, 40), sortedInts(t, s.column("key")))
	}
}

// Three sinks each receive every block; a sink failing k times gets the same rows again
// afterwards, nothing is lost, and offsets are committed only after the success.
func TestSinksAllOrNothing(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("mvs", 1))
	produceSpread(t, c, "mvs", 1, jsonRows(0, 20))

	var errs []error
	var mu sync.Mutex
	tbl := newTable(t, baseSettings(c, "mvs", "g"), kvCols, kafkaengine.WithAllocator(mem),
		kafkaengine.WithErrorHandler(func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }))
	a, b, failing := newCollector(t), newCollector(t), newCollector(t)
	failing.fails = 3
	var committedWhileFailing []int64
	checker := kafkaengine.SinkFunc(func(ctx context.Context, rec arrow.RecordBatch) error {
		failing.mu.Lock()
		stillFailing := failing.fails > 0
		failing.mu.Unlock()
		if stillFailing {
			committedWhileFailing = append(committedWhileFailing, committedTotal(t, c, "g", "mvs"))
		}
		return failing.Write(ctx, rec)
	})
	require.NoError(t, tbl.Attach("a", a))
	require.NoError(t, tbl.Attach("b", b))
	require.NoError(t, tbl.Attach("failing", checker))
	start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "mvs") == 20 }, "20 committed")

	assert.Equal(t, []int64{0, 0, 0}, committedWhileFailing, "nothing committed while a sink fails")
	assert.Equal(t, seq(0, 20), sortedInts(t, failing.column("key")), "the failing sink gets every row after recovering")
	// The sinks before the failing one saw the failed block again: at-least-once.
	for _, s := range []*collector{a, b} {
		keys := sortedInts(t, s.column("key"))
		assert.Subset(t, keys, seq(0, 20))
		assert.GreaterOrEqual(t, len(keys), 20)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, errs, 3)
	var se *kafkaengine.SinkError
	require.ErrorAs(t, errs[0], &se)
	assert.Equal(t, "failing", se.Name)
	assert.ErrorIs(t, errs[0], errSinkDown)
	st := tbl.Stats().Consumers
	require.Len(t, st, 1)
	assert.Len(t, st[0].Exceptions, 3)
	assert.Contains(t, st[0].Exceptions[0].Text, `sink "failing": sink down`)
}

// A block is cut when it reaches kafka_max_block_size rows (checked after each poll
// batch: with a poll batch of 1 message the blocks are exactly that size).
func TestFlushBySize(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("size", 1))
	produceSpread(t, c, "size", 1, jsonRows(0, 35))
	s := baseSettings(c, "size", "g")
	s.MaxBlockSize = 10
	s.PollMaxBatchSize = 1
	s.FlushInterval = kafkaengine.NoFlushInterval
	tbl := newTable(t, s, kvCols)
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	// The last 5 rows go after 10 empty polls (50 ms each).
	eventually(t, 20*time.Second, func() bool { return sink.Rows() == 35 }, "35 rows")
	var sizes []int64
	for _, r := range sink.blocks() {
		sizes = append(sizes, r.NumRows())
	}
	assert.Equal(t, []int64{10, 10, 10, 5}, sizes)
}

// A block is cut when kafka_flush_interval_ms has passed, long before 10 empty polls
// (here 10 × 10 s) or the size limit could cut it.
func TestFlushByTime(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("time", 1))
	produceSpread(t, c, "time", 1, jsonRows(0, 5))
	s := baseSettings(c, "time", "g")
	s.PollTimeout = 10 * time.Second
	s.FlushInterval = 200 * time.Millisecond
	tbl := newTable(t, s, kvCols)
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	eventually(t, 15*time.Second, func() bool { return sink.Rows() == 5 }, "5 rows by time")
	require.Len(t, sink.blocks(), 1)
}

// Every virtual column's value for messages with and without key, timestamp and
// headers (SPEC §9, VECTORS.md §5.3).
func TestVirtualColumns(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("virt2_0", 2), kafkatest.Topic("virt2_1", 2))
	h := func(kv ...string) []kafkatest.Header {
		var out []kafkatest.Header
		for i := 0; i < len(kv); i += 2 {
			out = append(out, kafkatest.Header{Key: kv[i], Value: []byte(kv[i+1])})
		}
		return out
	}
	msg := func(topic string, part int32, key string, v int, ms int64, hs []kafkatest.Header) kafkatest.Message {
		var k []byte
		if key != "" {
			k = []byte(key)
		}
		return kafkatest.Message{Topic: topic, Partition: part, Key: k, Value: []byte(fmt.Sprintf(`{"value": %d}`, v)),
			Timestamp: time.UnixMilli(ms), Headers: hs}
	}
	require.NoError(t, c.Produce(context.Background(),
		msg("virt2_0", 0, "k1", 1, 1577836801001, h("content-encoding", "base64")),
		msg("virt2_0", 0, "k2", 2, 1577836802002, h("empty_value", "", "", "empty name", "", "", "repetition", "1", "repetition", "2")),
		msg("virt2_0", 1, "k3", 3, 1577836803003, h("b", "b", "a", "a")),
		msg("virt2_0", 1, "k4", 4, 1577836804004, h("a", "a", "b", "b")),
		msg("virt2_1", 0, "k5", 5, 1577836805005, nil),
		msg("virt2_1", 0, "", 6, 0, nil), // no key, timestamp 0 → 1970-01-01, not NULL
		msg("virt2_1", 1, "k7", 7, 1577836807007, nil),
		msg("virt2_1", 1, "k8", 8, 1577836808008, nil),
	))
	s := baseSettings(c, "virt2_0, virt2_1", "g")
	s.NumConsumers = 2
	tbl := newTable(t, s, []string{"value UInt64"}, kafkaengine.WithAllocator(mem), kafkaengine.WithAllVirtualColumns())
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return sink.Rows() == 8 }, "8 rows")

	names := []string{"value", "_key", "_topic", "_partition", "_offset", "_timestamp", "_timestamp_ms", "_headers.name", "_headers.value"}
	var got []string
	cols := make([][]string, len(names))
	for i, n := range names {
		cols[i] = sink.column(n)
	}
	for r := range cols[0] {
		row := ""
		for i := range names {
			if i > 0 {
				row += " | "
			}
			row += cols[i][r]
		}
		got = append(got, row)
	}
	slices.Sort(got)
	want := []string{
		`1 | k1 | virt2_0 | 0 | 0 | 2020-01-01T00:00:01Z | 2020-01-01T00:00:01.001Z | ["content-encoding"] | ["base64"]`,
		`2 | k2 | virt2_0 | 0 | 1 | 2020-01-01T00:00:02Z | 2020-01-01T00:00:02.002Z | ["empty_value","","","repetition","repetition"] | ["","empty name","","1","2"]`,
		`3 | k3 | virt2_0 | 1 | 0 | 2020-01-01T00:00:03Z | 2020-01-01T00:00:03.003Z | ["b","a"] | ["b","a"]`,
		`4 | k4 | virt2_0 | 1 | 1 | 2020-01-01T00:00:04Z | 2020-01-01T00:00:04.004Z | ["a","b"] | ["a","b"]`,
		`5 | k5 | virt2_1 | 0 | 0 | 2020-01-01T00:00:05Z | 2020-01-01T00:00:05.005Z | [] | []`,
		`6 |  | virt2_1 | 0 | 1 | 1970-01-01T00:00:00Z | 1970-01-01T00:00:00Z | [] | []`,
		`7 | k7 | virt2_1 | 1 | 0 | 2020-01-01T00:00:07Z | 2020-01-01T00:00:07.007Z | [] | []`,
		`8 | k8 | virt2_1 | 1 | 1 | 2020-01-01T00:00:08Z | 2020-01-01T00:00:08.008Z | [] | []`,
	}
	assert.Equal(t, want, got)
	assert.Equal(t, []string{"value", "_topic", "_key", "_offset", "_partition", "_timestamp", "_timestamp_ms", "_headers.name", "_headers.value"},
		fieldNames(tbl.Schema()))
}

func fieldNames(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f.Name)
	}
	return out
}

// A table carries only the virtual columns it asks for.
func TestOnlyRequestedVirtualColumns(t *testing.T) {
	c := newCluster(t)
	tbl := newTable(t, baseSettings(c, "t", "g"), kvCols, kafkaengine.WithVirtualColumns("_offset", "_topic"))
	assert.Equal(t, []string{"key", "value", "_offset", "_topic"}, fieldNames(tbl.Schema()))
	plain := newTable(t, baseSettings(c, "t", "g"), kvCols)
	assert.Equal(t, []string{"key", "value"}, fieldNames(plain.Schema()))

	schema, err := kafkaengine.Columns(kvCols...)
	require.NoError(t, err)
	_, err = kafkaengine.New(baseSettings(c, "t", "g"), schema, kafkaengine.WithVirtualColumns("_nope"))
	assert.ErrorContains(t, err, `"_nope" is not a virtual column`)
	_, err = kafkaengine.New(baseSettings(c, "t", "g"), schema, kafkaengine.WithVirtualColumns("_error"))
	assert.ErrorContains(t, err, "kafka_handle_error_mode = 'stream'")
}

// Column definitions ClickHouse refuses are refused, and so are virtual-column names.
func TestRefusedColumns(t *testing.T) {
	for _, def := range []string{
		"a UInt64 DEFAULT 1",
		"a UInt64 MATERIALIZED 1",
		"a UInt64 EPHEMERAL 1",
		"a UInt64 ALIAS 1",
		"_key String",
		"_topic String",
		"a NoSuchType",
	} {
		t.Run(def, func(t *testing.T) {
			_, err := kafkaengine.Columns("x String", def)
			require.Error(t, err)
		})
	}
	_, err := kafkaengine.Columns("x String", "x UInt8")
	assert.Error(t, err, "duplicate")
}

// Unknown formats are a settings error naming kafka_format.
func TestUnknownFormat(t *testing.T) {
	c := newCluster(t)
	s := baseSettings(c, "t", "g")
	s.Format = "NoSuchFormat"
	schema, err := kafkaengine.Columns(kvCols...)
	require.NoError(t, err)
	_, err = kafkaengine.New(s, schema)
	var se *kafkaengine.SettingError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "kafka_format", se.Setting)
	assert.ErrorContains(t, err, "forgotten import")
}

// Attach and Detach while running: a detached table stops consuming without touching the
// offsets, attaching again resumes.
func TestAttachDetachWhileRunning(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("ad", 1))
	tbl := newTable(t, baseSettings(c, "ad", "g"), kvCols)
	start(t, tbl)
	first := newCollector(t)
	require.NoError(t, tbl.Attach("mv", first))
	require.ErrorIs(t, tbl.Attach("mv", first), kafkaengine.ErrSinkExists)
	produceSpread(t, c, "ad", 1, jsonRows(0, 10))
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "ad") == 10 }, "10 committed")
	require.NoError(t, tbl.Detach("mv"))
	require.ErrorIs(t, tbl.Detach("mv"), kafkaengine.ErrNoSink)

	produceSpread(t, c, "ad", 1, jsonRows(10, 20))
	// Nothing consumes without a sink: the committed offset stays.
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, int64(10), committedTotal(t, c, "g", "ad"))

	second := newCollector(t)
	require.NoError(t, tbl.Attach("mv2", second))
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "ad") == 20 }, "20 committed")
	assert.Equal(t, seq(0, 10), sortedInts(t, first.column("key")))
	assert.Equal(t, seq(10, 20), sortedInts(t, second.column("key")))
}

// A Detach followed at once by an Attach must wake the pipeline: it once read "no sinks"
// and the change channel separately, so an Attach in between was slept through until
// kafka_consumers_pool_ttl_ms (seen as a CI timeout of TestStatsLag). Each round swaps
// the sink back to back and needs its message within a few seconds.
func TestSinkSwapWakesPipeline(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("swap", 1))
	tbl := newTable(t, baseSettings(c, "swap", "g"), kvCols)
	start(t, tbl)
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	const rounds = 60
	for i := range rounds {
		produceSpread(t, c, "swap", 1, jsonRows(i, i+1))
		eventually(t, 10*time.Second, func() bool { return committedTotal(t, c, "g", "swap") == int64(i+1) },
			"round %d: message %d committed after a back-to-back Detach/Attach", i, i)
		require.NoError(t, tbl.Detach("mv"))
		time.Sleep(time.Duration(i%10) * 5 * time.Microsecond) // vary where the Attach lands
		require.NoError(t, tbl.Attach("mv", sink))
	}
	assert.Equal(t, seq(0, rounds), sortedInts(t, sink.column("key")))
}

// kafka_commit_every_batch commits after each poll batch, before the block is written.
func TestCommitEveryBatch(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("ceb", 1))
	produceSpread(t, c, "ceb", 1, jsonRows(0, 6))
	s := baseSettings(c, "ceb", "g")
	s.CommitEveryBatch = true
	s.FlushInterval = kafkaengine.NoFlushInterval
	s.PollTimeout = 2 * time.Second // 10 empty polls take 20 s: the commit comes from the batch
	tbl := newTable(t, s, kvCols)
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	eventually(t, 15*time.Second, func() bool { return committedTotal(t, c, "g", "ceb") == 6 }, "6 committed")
	assert.Equal(t, 0, sink.Rows(), "committed before the block was written")
}

// Run twice at once is refused; Close is idempotent.
func TestRunTwice(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("twice", 1))
	tbl := newTable(t, baseSettings(c, "twice", "g"), kvCols)
	require.NoError(t, tbl.Attach("mv", newCollector(t)))
	start(t, tbl)
	eventually(t, 5*time.Second, func() bool { return len(tbl.Consumers()) == 1 }, "running")
	err := tbl.Run(context.Background())
	assert.ErrorIs(t, err, kafkaengine.ErrRunning)
	assert.NoError(t, tbl.Close())
	assert.NoError(t, tbl.Close())
	assert.ErrorIs(t, tbl.Attach("x", newCollector(t)), kafkaengine.ErrClosed)
}

var _ = errors.New

// A running table without sinks leaves the group after kafka_consumers_pool_ttl_ms, so
// other members of the group get its partitions; attaching a sink brings it back.
func TestIdleTableLeavesGroup(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("idle", 2))
	s := baseSettings(c, "idle", "g")
	s.ConsumersPoolTTL = 300 * time.Millisecond
	idle := newTable(t, s, kvCols)
	start(t, idle)
	busy := newTable(t, s, kvCols)
	busySink := newCollector(t)
	require.NoError(t, busy.Attach("mv", busySink))
	start(t, busy)

	produceSpread(t, c, "idle", 2, jsonRows(0, 20))
	eventually(t, 30*time.Second, func() bool { return busySink.Rows() == 20 }, "the busy table reads both partitions")

	idleSink := newCollector(t)
	require.NoError(t, idle.Attach("mv", idleSink))
	eventually(t, 30*time.Second, func() bool {
		st := idle.Stats().Consumers
		return len(st) == 1 && len(st[0].Assignments) == 1
	}, "the idle table rejoins and gets a partition")
	produceSpread(t, c, "idle", 2, jsonRows(20, 40))
	eventually(t, 30*time.Second, func() bool { return committedTotal(t, c, "g", "idle") == 40 }, "40 committed")
	assert.Equal(t, seq(0, 40), sortedInts(t, append(busySink.column("key"), idleSink.column("key")...)))
	assert.Positive(t, idleSink.Rows())
}

// Members join and leave one group while messages arrive: rows of revoked partitions
// are dropped and re-read by their new owner, so the union of the sinks holds every
// message (DESIGN.md semantics 2). Duplicates can only come from a commit refused
// because the generation moved on; they are counted and logged.
func TestRebalanceNoLoss(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("reb", 4))
	s := baseSettings(c, "reb", "g")
	var sinks []*collector
	var stops []func()
	join := func() {
		tbl := newTable(t, s, kvCols)
		sink := newCollector(t)
		require.NoError(t, tbl.Attach("mv", sink))
		sinks = append(sinks, sink)
		stops = append(stops, start(t, tbl))
	}
	total := 0
	produce := func(n int) {
		produceSpread(t, c, "reb", 4, jsonRows(total, total+n))
		total += n
	}
	join()
	produce(100)
	join()
	produce(100)
	join()
	produce(100)
	stops[0]()
	produce(100)
	stops[1]()
	produce(100)
	eventually(t, 60*time.Second, func() bool { return committedTotal(t, c, "g", "reb") == int64(total) }, "all committed")

	var keys []string
	for _, s := range sinks {
		keys = append(keys, s.column("key")...)
	}
	got := sortedInts(t, keys)
	assert.Equal(t, seq(0, total), slices.Compact(slices.Clone(got)), "no holes")
	t.Logf("%d messages, %d rows delivered, %d duplicates", total, len(got), len(got)-total)
}
