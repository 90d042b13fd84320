package kafkaengine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkatest"
)

// countErrors splits a stream-mode block's rows into good and error rows.
func countErrors(t *testing.T, sink *collector) (good, bad int) {
	t.Helper()
	for _, e := range sink.column("_error") {
		if e == "" {
			good++
		} else {
			bad++
		}
	}
	return good, bad
}

func randString(r *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// test_kafka_engine_put_errors_to_stream: 128 messages, every odd one broken → 64 rows
// and 64 error rows, offset 128 committed (VECTORS.md §4 variant 1).
func TestStreamModeOddMessagesBroken(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("stream", 1))
	r := rand.New(rand.NewPCG(1, 2))
	var msgs []string
	for n := range 128 {
		if n%2 == 0 {
			msgs = append(msgs, fmt.Sprintf(`{"i": %d, "s": "%s"}`, n, randString(r, 8)))
		} else {
			msgs = append(msgs, fmt.Sprintf(`{"i": "n_%s", "s": "%s"}`, randString(r, 4), randString(r, 8)))
		}
	}
	require.NoError(t, c.ProduceValues(context.Background(), "stream", msgs...))
	s := baseSettings(c, "stream", "g")
	s.HandleErrorMode = kafkaengine.ErrorModeStream
	s.MaxBlockSize = 128
	tbl := newTable(t, s, []string{"i Int64", "s String"}, kafkaengine.WithAllocator(mem), kafkaengine.WithVirtualColumns("_offset"))
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "stream") == 128 }, "offset 128 committed")
	good, bad := countErrors(t, sink)
	assert.Equal(t, 64, good)
	assert.Equal(t, 64, bad)
	raws, errs, offs := sink.column("_raw_message"), sink.column("_error"), sink.column("_offset")
	for i := range raws {
		if errs[i] == "" {
			assert.Empty(t, raws[i])
			continue
		}
		assert.Contains(t, raws[i], `"i": "n_`, "the whole message is kept")
		assert.Contains(t, errs[i], "(while reading the value of key i)")
		off, err := strconv.Atoi(offs[i])
		require.NoError(t, err)
		assert.Equal(t, 1, off%2, "only odd messages are broken")
	}
	assert.Equal(t, uint64(64), tbl.Stats().BrokenMessages)
}

// test_kafka_engine_put_errors_to_stream_with_random_malformed_json: 10 objects per
// message, one malformed in odd messages → 640 data rows and 64 error rows; the good
// objects of a broken message are discarded with it (VECTORS.md §4 variant 2).
func TestStreamModeMalformedObjectInMessage(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("stream10", 1))
	r := rand.New(rand.NewPCG(3, 4))
	const good, bad = `{"i":1000, "s":"ABC123abc"}`, `{"i":"n1000", "s":"1000"}`
	var msgs []string
	for n := range 128 {
		objs := make([]string, 10)
		for j := range objs {
			objs[j] = good
		}
		if n%2 == 1 {
			objs[r.IntN(10)] = bad
		}
		msgs = append(msgs, strings.Join(objs, " ")+" ")
	}
	require.NoError(t, c.ProduceValues(context.Background(), "stream10", msgs...))
	s := baseSettings(c, "stream10", "g")
	s.HandleErrorMode = kafkaengine.ErrorModeStream
	s.MaxBlockSize = 100
	s.PollMaxBatchSize = 1
	tbl := newTable(t, s, []string{"i Int64", "s String"}, kafkaengine.WithAllocator(mem))
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "stream10") == 128 }, "all committed")
	g, b := countErrors(t, sink)
	assert.Equal(t, 640, g)
	assert.Equal(t, 64, b)
}

// kafka_skip_broken_messages = 1: one broken message in a block is skipped; two in one
// block fail it, nothing is committed and the table keeps retrying, visibly; once the
// poison message is handled (stream mode, table restarted) everything is consumed.
func TestSkipBrokenBudgetPerBlock(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("one", 1), kafkatest.Topic("two", 1))
	ctx := context.Background()
	good := func(i int) string { return fmt.Sprintf(`{"key": %d, "value": %d}`, i, i) }
	require.NoError(t, c.ProduceValues(ctx, "one", good(0), good(1), "}{very_broken_message,", good(2), good(3)))
	require.NoError(t, c.ProduceValues(ctx, "two", good(0), good(1), "}{very_broken_message,", "}another{very_broken_message,", good(2)))

	s := baseSettings(c, "one", "g")
	s.SkipBrokenMessages = 1
	s.FlushInterval = 2 * time.Second // all five messages in one block
	one := newTable(t, s, kvCols)
	oneSink := newCollector(t)
	require.NoError(t, one.Attach("mv", oneSink))
	start(t, one)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "one") == 5 }, "5 committed")
	assert.Equal(t, []int{0, 1, 2, 3}, sortedInts(t, oneSink.column("key")))

	var mu sync.Mutex
	var broken []*kafkaengine.BrokenMessageError
	s.TopicList = "two"
	two := newTable(t, s, kvCols, kafkaengine.WithErrorHandler(func(err error) {
		var be *kafkaengine.BrokenMessageError
		if assert.ErrorAs(t, err, &be) {
			mu.Lock()
			broken = append(broken, be)
			mu.Unlock()
		}
	}))
	twoSink := newCollector(t)
	require.NoError(t, two.Attach("mv", twoSink))
	stop := start(t, two)
	failing := func() (n int) {
		mu.Lock()
		defer mu.Unlock()
		for _, be := range broken {
			if be.Offset == 3 {
				n++
			}
		}
		return n
	}
	eventually(t, 20*time.Second, func() bool { return failing() >= 2 }, "the block fails repeatedly")
	stop()
	assert.Equal(t, int64(0), committedTotal(t, c, "g", "two"), "nothing committed")
	assert.Equal(t, 0, twoSink.Rows())
	nFailing := failing()
	mu.Lock()
	first, last := broken[0], broken[len(broken)-1]
	skipped := len(broken) - nFailing
	mu.Unlock()
	assert.Equal(t, int64(2), first.Offset, "the first broken message is skipped")
	assert.Equal(t, 1, skipped, "and reported once, not again on each retry")
	assert.Equal(t, "two", last.Topic)
	assert.Equal(t, int32(0), last.Partition)
	assert.Equal(t, int64(3), last.Offset)
	assert.ErrorContains(t, last, "(topic: two, partition: 0, offset: 3)")
	assert.ErrorContains(t, last, "expected '{'")
	exc := two.Stats().Consumers[0].Exceptions
	require.NotEmpty(t, exc)
	assert.LessOrEqual(t, len(exc), 10)
	assert.Contains(t, exc[len(exc)-1].Text, "offset: 3")
	assert.False(t, exc[len(exc)-1].Time.IsZero())

	// The poison message handled: stream mode, table restarted; nothing is lost.
	s.HandleErrorMode = kafkaengine.ErrorModeStream
	fixed := newTable(t, s, kvCols)
	fixedSink := newCollector(t)
	require.NoError(t, fixed.Attach("mv", fixedSink))
	start(t, fixed)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "two") == 5 }, "5 committed")
	g, b := countErrors(t, fixedSink)
	assert.Equal(t, 3, g)
	assert.Equal(t, 2, b)
}

// Dead-letter round trip: broken messages land in the dead-letter topic with their
// coordinates, key, headers and error; good ones in the sink; committed offsets cover
// both. Replaying sends them back to where they came from.
func TestDeadLetterQueueRoundTrip(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("src", 2), kafkatest.Topic("dlq", 1))
	ctx := context.Background()
	require.NoError(t, c.Produce(ctx,
		kafkatest.Message{Topic: "src", Partition: 0, Value: []byte(`{"key": 1, "value": 1}`)},
		kafkatest.Message{Topic: "src", Partition: 0, Key: []byte("k-bad"), Value: []byte("qwertyuiop"),
			Headers: []kafkatest.Header{{Key: "trace", Value: []byte("t1")}}},
		kafkatest.Message{Topic: "src", Partition: 1, Value: []byte(`{"key": 2, "value": 2}`)},
		kafkatest.Message{Topic: "src", Partition: 1, Value: []byte("zxcvbnm")},
	))
	dlqSettings := kafkaengine.Settings{BrokerList: c.Addr(), TopicList: "dlq"}
	dlq, err := kafkaengine.NewDeadLetterProducer(dlqSettings)
	require.NoError(t, err)
	defer dlq.Close()

	s := baseSettings(c, "src", "g")
	s.HandleErrorMode = kafkaengine.ErrorModeDeadLetterQueue
	schema, err := kafkaengine.Columns(kvCols...)
	require.NoError(t, err)
	_, err = kafkaengine.New(s, schema)
	assert.ErrorContains(t, err, "WithDeadLetterSink", "the mode needs a dead-letter sink")

	tbl := newTable(t, s, kvCols, kafkaengine.WithAllocator(mem), kafkaengine.WithName("events"), kafkaengine.WithDeadLetterSink(dlq))
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	stop := start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "src") == 4 }, "4 committed")
	stop()
	assert.Equal(t, []int{1, 2}, sortedInts(t, sink.column("key")))

	recs, err := c.Consume(ctx, "dlq")
	require.NoError(t, err)
	require.Len(t, recs, 2)
	byValue := map[string]map[string]string{}
	for _, r := range recs {
		h := map[string]string{"key": string(r.Key)}
		for _, kv := range r.Headers {
			h[kv.Key] = string(kv.Value)
		}
		byValue[string(r.Value)] = h
	}
	bad := byValue["qwertyuiop"]
	require.NotNil(t, bad)
	assert.Equal(t, "k-bad", bad["key"])
	assert.Equal(t, "t1", bad["trace"], "original headers kept")
	assert.Equal(t, "src", bad[kafkaengine.HeaderTopic])
	assert.Equal(t, "0", bad[kafkaengine.HeaderPartition])
	assert.Equal(t, "1", bad[kafkaengine.HeaderOffset])
	assert.Equal(t, "events", bad[kafkaengine.HeaderTable])
	assert.Contains(t, bad[kafkaengine.HeaderError], "expected '{'")
	assert.NotEmpty(t, bad[kafkaengine.HeaderTime])
	assert.Equal(t, "1", byValue["zxcvbnm"][kafkaengine.HeaderPartition])

	n, err := kafkaengine.ReplayDeadLetters(ctx, kafkaengine.Settings{BrokerList: c.Addr(), TopicList: "dlq", GroupName: "replay"})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	back, err := c.Consume(ctx, "src")
	require.NoError(t, err)
	require.Len(t, back, 6)
	replayed := map[string]bool{}
	for _, r := range back {
		if r.Offset == 2 {
			replayed[string(r.Value)] = true
			if string(r.Value) == "qwertyuiop" {
				assert.Equal(t, int32(0), r.Partition)
				assert.Equal(t, "k-bad", string(r.Key))
				require.Len(t, r.Headers, 1, "x-chkafka headers removed, original kept")
				assert.Equal(t, "trace", r.Headers[0].Key)
			}
		}
	}
	assert.Equal(t, map[string]bool{"qwertyuiop": true, "zxcvbnm": true}, replayed)
	n, err = kafkaengine.ReplayDeadLetters(ctx, kafkaengine.Settings{BrokerList: c.Addr(), TopicList: "dlq", GroupName: "replay"})
	require.NoError(t, err)
	assert.Equal(t, 0, n, "committed: nothing replayed twice")
}

// Sink isolation: with three sinks, one of them isolated and failing for a while, the
// other two receive each row exactly once and the failing one every row after it
// recovers; its failures and lag show in its own stats.
func TestIsolatedSink(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("iso", 2))
	s := baseSettings(c, "iso", "g")
	tbl := newTable(t, s, kvCols)
	a, b, flaky := newCollector(t), newCollector(t), newCollector(t)
	flaky.fails = 4
	require.NoError(t, tbl.Attach("a", a))
	require.NoError(t, tbl.Attach("b", b))
	require.NoError(t, tbl.Attach("flaky", flaky, kafkaengine.Isolated()))
	require.ErrorIs(t, tbl.Attach("flaky", flaky), kafkaengine.ErrSinkExists)
	start(t, tbl)
	produceSpread(t, c, "iso", 2, jsonRows(0, 50))

	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "iso") == 50 }, "the table commits without the failing sink")
	assert.Equal(t, seq(0, 50), sortedInts(t, a.column("key")), "exactly once")
	assert.Equal(t, seq(0, 50), sortedInts(t, b.column("key")), "exactly once")

	eventually(t, 30*time.Second, func() bool { return committedTotal(t, c, "g.flaky", "iso") == 50 }, "the isolated sink catches up")
	assert.Equal(t, seq(0, 50), sortedInts(t, flaky.column("key")))
	st := tbl.Stats().Sinks["flaky"]
	require.NotEmpty(t, st.Consumers)
	assert.NotEmpty(t, st.Consumers[0].Exceptions, "its failures are in its own stats")
	assert.Equal(t, int64(0), st.Lag)
	require.NoError(t, tbl.Detach("flaky"))
	assert.Nil(t, tbl.Stats().Sinks)
}

// unreliable is JSONEachRow whose decoders fail on the payload with key 2 while down
// is set: a format that depends on something outside the message, as AvroConfluent on
// its schema registry.
type unreliable struct {
	format.Format
	down *atomic.Bool
}

func (u unreliable) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	dec, err := u.Format.NewDecoder(schema, s)
	return unreliableDecoder{dec, u.down}, err
}

type unreliableDecoder struct {
	format.Decoder
	down *atomic.Bool
}

func (d unreliableDecoder) Decode(dst *block.Rows, payload []byte) error {
	if d.down.Load() && bytes.Contains(payload, []byte(`"key": 2,`)) {
		return errors.New("schema registry unreachable")
	}
	return d.Decoder.Decode(dst, payload)
}

var unreliableDown atomic.Bool

func init() {
	f, err := format.Lookup("JSONEachRow")
	if err != nil {
		panic(err)
	}
	format.Register("UnreliableJSONEachRow", unreliable{f, &unreliableDown})
}

// A message that fails its block with the skip budget spent is decoded again after the
// reschedule delay, as ClickHouse reads it again after seeking back: once its decoder
// succeeds, the block goes out whole (the rows before it, it, the rows after it), once.
func TestStuckMessageDecodedAgain(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("stuck", 1))
	ctx := context.Background()
	require.NoError(t, c.ProduceValues(ctx, "stuck",
		`{"key": 0, "value": 0}`, `{"key": 1, "value": 1}`, `{"key": 2, "value": 2}`, `{"key": 3, "value": 3}`))
	unreliableDown.Store(true)
	t.Cleanup(func() { unreliableDown.Store(false) })

	s := baseSettings(c, "stuck", "g")
	s.Format = "UnreliableJSONEachRow"
	s.FlushInterval = time.Second // the four messages in one block
	var failures atomic.Int32
	tbl := newTable(t, s, kvCols, kafkaengine.WithAllocator(checkedMem(t)), kafkaengine.WithErrorHandler(func(err error) {
		var be *kafkaengine.BrokenMessageError
		if assert.ErrorAs(t, err, &be) {
			assert.Equal(t, int64(2), be.Offset)
			failures.Add(1)
		}
	}))
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return failures.Load() >= 3 }, "the block fails on offset 2, again and again")
	assert.Equal(t, 0, sink.Rows())
	assert.Equal(t, int64(0), committedTotal(t, c, "g", "stuck"))

	unreliableDown.Store(false)
	eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", "stuck") == 4 }, "4 committed")
	assert.Equal(t, []int{0, 1, 2, 3}, sortedInts(t, sink.column("key")))
	require.Len(t, sink.blocks(), 1, "one block, delivered once")
}
