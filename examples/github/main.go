// Command github replays ClickHouse's Kafka tutorial on GitHub events with chkafka
// (SEED_EXAMPLES.md §2): 200,000 events through the topic `github` (5 partitions) into
// an in-memory `github` table, then the tutorial's changes one by one.
//
//  1. Loading: a [kafkaengine.Table] `github_queue` (JSONEachRow, group `clickhouse`,
//     kafka_num_consumers = 1, kafka_thread_per_consumer = 0) with the view `github_mv`
//     (SELECT * FROM github_queue) fills `github` until count() reaches -events.
//  2. Adding Kafka metadata: the view is detached (consumption stops, offsets stay),
//     events arrive meanwhile, and the view is attached again as
//     SELECT *, _topic AS topic, _partition AS partition; the new rows carry both.
//  3. Changing engine settings: the Kafka table is dropped and created again with a larger
//     kafka_max_block_size; consumption resumes from the group's offsets, nothing is
//     read twice.
//  6. Writing to Kafka directly: INSERT INTO github_queue SELECT * FROM github LIMIT 100
//     publishes 100 rows, which the same table's view reads back into `github`.
//  7. Writing to Kafka through a view: `github_out_mv` on `github` publishes every new
//     row of `github` to the topic `github_out` through the Kafka table
//     `github_out_queue` (group `clickhouse_out`), which then counts them as a consumer.
//
// (Steps 4 and 5 of the tutorial, malformed messages and at-least-once delivery, are
// settings and semantics that kafkaengine's tests cover.) Every step prints its counts and
// the program checks them: it exits with status 1 and a message on stderr when a count is
// wrong or a step does not finish within -timeout.
//
// Run it with an in-process Kafka broker (kafkatest):
//
//	go run ./examples/github -events 200000
//
// or against a Kafka cluster, where the events are published with the Kafka table's own
// Insert. Create the topic `github` with 5 partitions first (an auto-created topic gets the
// broker's default). The groups `clickhouse` and `clickhouse_out` resume from their
// offsets, so the program may run again; messages an earlier run left unconsumed would be
// counted, and the program reports them as rows delivered twice.
//
//	go run ./examples/github -brokers localhost:9092 -events 200000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	_ "github.com/chkafka/chkafka/format/all"
	"github.com/chkafka/chkafka/internal/datagen"
	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkatest"
)

// The tutorial's names.
const (
	topic      = "github"
	group      = "clickhouse"
	outTopic   = "github_out"
	outGroup   = "clickhouse_out"
	partitions = 5
)

// produceChunk is how many events are generated, encoded and produced at a time, which
// bounds the memory the producer side needs.
const produceChunk = 10000

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is printed
		}
		fmt.Fprintln(os.Stderr, "github:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	brokers string
	events  int
	more    int
	seed    uint64
	timeout time.Duration
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("github", flag.ContinueOnError)
	fs.StringVar(&c.brokers, "brokers", "", "Kafka bootstrap brokers host:port[,host:port]; empty starts an in-process broker")
	fs.IntVar(&c.events, "events", 200000, "events loaded in step 1")
	fs.IntVar(&c.more, "more", 1000, "events produced in each of steps 2, 3 and 7")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated events")
	fs.DurationVar(&c.timeout, "timeout", 2*time.Minute, "give up if a step does not complete within this time")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.events < 100:
		return c, fmt.Errorf("-events %d: must be at least 100 (step 6 re-inserts 100 rows)", c.events)
	case c.more < 1:
		return c, fmt.Errorf("-more %d: must be at least 1", c.more)
	}
	return c, nil
}

// run is the program: it parses args, runs the tutorial and prints its steps to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	return runWith(ctx, args, stdout, memory.DefaultAllocator)
}

// runWith is run with the allocator of every Arrow batch the example creates.
func runWith(ctx context.Context, args []string, stdout io.Writer, mem memory.Allocator) (err error) {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	e := &example{cfg: cfg, out: stdout, mem: mem, brokers: cfg.brokers, github: newMemTable()}
	defer e.github.release()
	if e.brokers == "" {
		e.cluster, err = kafkatest.NewCluster(kafkatest.Topic(topic, partitions), kafkatest.Topic(outTopic, 1))
		if err != nil {
			return err
		}
		defer e.cluster.Close()
		e.brokers = e.cluster.Addr()
	}
	if e.schema, err = kafkaengine.Columns(datagen.GitHubColumns...); err != nil {
		return err
	}
	if e.gen, err = datagen.NewGitHubGenerator(cfg.seed); err != nil {
		return err
	}
	defer func() {
		if e.queue != nil {
			err = errors.Join(err, e.stopQueue(), e.queue.Close())
		}
	}()
	start := time.Now()
	for _, step := range []func(context.Context) error{e.load, e.addMetadata, e.changeSettings, e.insertDirectly, e.writeThroughView} {
		stepCtx, cancel := context.WithTimeout(ctx, cfg.timeout)
		err := step(stepCtx)
		cancel()
		if err != nil {
			return err
		}
	}
	e.printf("\nsummary: github count() = %d (%d loaded, %d with metadata, %d after re-creating github_queue, 100 re-inserted, %d through github_out_mv); github_out holds %d messages; %s in all\n",
		e.github.count(), cfg.events, cfg.more, cfg.more, cfg.more, e.outCount, time.Since(start).Round(time.Millisecond))
	return nil
}

// example is the tutorial's state from step to step.
type example struct {
	cfg     config
	out     io.Writer
	mem     memory.Allocator
	brokers string
	cluster *kafkatest.Cluster // nil with -brokers
	schema  *arrow.Schema      // the 25 columns of github_queue and github
	gen     *datagen.GitHubGenerator

	produced  int       // events produced to topic github so far, by produce
	github    *memTable // the target table `github`
	queue     *kafkaengine.Table
	stopQueue func() error
	mv        kafkaengine.Sink // the current github_mv
	outCount  int
}

func (e *example) printf(format string, args ...any) { fmt.Fprintf(e.out, format, args...) }

// settings are github_queue's: JSONEachRow, one consumer, kafka_thread_per_consumer = 0,
// and blocks cut every maxBlockSize rows or 500 ms (ClickHouse's default interval is
// 7.5 s; a demo wants to see its rows sooner).
func (e *example) settings(maxBlockSize int) kafkaengine.Settings {
	return kafkaengine.Settings{
		BrokerList:         e.brokers,
		TopicList:          topic,
		GroupName:          group,
		Format:             "JSONEachRow",
		NumConsumers:       1,
		ThreadPerConsumer:  false,
		MaxBlockSize:       maxBlockSize,
		FlushInterval:      500 * time.Millisecond,
		PollTimeout:        100 * time.Millisecond,
		ConsumerReschedule: 100 * time.Millisecond,
	}
}

// newQueue creates (CREATE TABLE github_queue ... ENGINE = Kafka) and starts the Kafka
// table, with the virtual columns step 2 selects, and attaches the current view.
func (e *example) newQueue(maxBlockSize int) error {
	q, err := kafkaengine.New(e.settings(maxBlockSize), e.schema,
		kafkaengine.WithVirtualColumns("_topic", "_partition"),
		kafkaengine.WithAllocator(e.mem),
		kafkaengine.WithSaramaConfig(fastSarama()),
		kafkaengine.WithName("github_queue"))
	if err != nil {
		return err
	}
	if err := q.Attach("github_mv", e.mv); err != nil {
		return errors.Join(err, q.Close())
	}
	e.queue, e.stopQueue = q, start(q)
	return nil
}

// dropQueue stops and closes the Kafka table (DROP TABLE github_queue).
func (e *example) dropQueue() error {
	err := errors.Join(e.stopQueue(), e.queue.Close())
	e.queue, e.stopQueue = nil, nil
	return err
}

// Step 1: the producer writes N events to the topic, github_mv moves them into github.
func (e *example) load(ctx context.Context) error {
	e.printf("step 1: loading %d events: topic %s (%d partitions) → github_queue → github_mv → github\n", e.cfg.events, topic, partitions)
	e.mv = kafkaengine.NewProjectionView(e.github, "*") // SELECT * FROM github_queue
	if err := e.newQueue(65536); err != nil {
		return err
	}
	t0 := time.Now()
	if err := e.produce(ctx, e.cfg.events); err != nil {
		return err
	}
	e.printf("  produced %d events in %s\n", e.cfg.events, time.Since(t0).Round(time.Millisecond))
	if err := e.settle(ctx, e.queue, group, topic, e.github.count, e.cfg.events); err != nil {
		return err
	}
	d := time.Since(t0)
	e.printf("  SELECT count() FROM github → %d (%s, %.0f rows/s)\n", e.github.count(), d.Round(time.Millisecond), float64(e.cfg.events)/d.Seconds())
	return nil
}

// Step 2: stop consumption, re-create the view with the Kafka metadata, resume.
func (e *example) addMetadata(ctx context.Context) error {
	e.printf("step 2: adding Kafka metadata (topic, partition) to github\n")
	before := e.github.count()
	if err := e.queue.Detach("github_mv"); err != nil { // DETACH: consumption stops
		return err
	}
	if err := e.produce(ctx, e.cfg.more); err != nil {
		return err
	}
	if err := sleep(ctx, 3*e.settings(0).FlushInterval/2); err != nil {
		return err
	}
	e.printf("  github_mv detached; %d events produced meanwhile; count() still %d\n", e.cfg.more, e.github.count())
	if n := e.github.count(); n != before {
		return fmt.Errorf("github grew from %d to %d rows while github_mv was detached", before, n)
	}
	// ALTER TABLE github ADD COLUMN topic String, ADD COLUMN partition UInt64: the
	// in-memory table takes any columns. The view is created again with them.
	e.mv = kafkaengine.NewProjectionView(e.github, "*", "_topic AS topic", "_partition AS partition")
	if err := e.queue.Attach("github_mv", e.mv); err != nil {
		return err
	}
	want := before + e.cfg.more
	if err := e.settle(ctx, e.queue, group, topic, e.github.count, want); err != nil {
		return err
	}
	byPartition := map[uint64]int{}
	err := e.github.each(before, func(rec arrow.RecordBatch, i int) error {
		t, err := column[*array.Dictionary](rec, "topic")
		if err != nil {
			return err
		}
		p, err := column[*array.Uint64](rec, "partition")
		if err != nil {
			return err
		}
		if got := t.ValueStr(i); got != topic {
			return fmt.Errorf("row with topic %q, want %q", got, topic)
		}
		if p.Value(i) >= partitions {
			return fmt.Errorf("row with partition %d, want 0..%d", p.Value(i), partitions-1)
		}
		byPartition[p.Value(i)]++
		return nil
	})
	if err != nil {
		return err
	}
	e.printf("  github_mv attached again as SELECT *, _topic AS topic, _partition AS partition; count() → %d\n", e.github.count())
	e.printf("  SELECT topic, partition, count() FROM github WHERE topic != '' GROUP BY ALL →")
	for _, p := range sortedKeys(byPartition) {
		e.printf(" (%s, %d, %d)", topic, p, byPartition[p])
	}
	e.printf("\n")
	return nil
}

// Step 3: drop the Kafka table and create it again with other settings.
func (e *example) changeSettings(ctx context.Context) error {
	old := e.queue.Settings().MaxBlockSize
	if err := e.dropQueue(); err != nil {
		return err
	}
	const bigger = 262144
	e.printf("step 3: re-creating github_queue with kafka_max_block_size %d (was %d)\n", bigger, old)
	before := e.github.count()
	if err := e.newQueue(bigger); err != nil {
		return err
	}
	if err := e.produce(ctx, e.cfg.more); err != nil {
		return err
	}
	if err := e.settle(ctx, e.queue, group, topic, e.github.count, before+e.cfg.more); err != nil {
		return err
	}
	e.printf("  %d new events; count() → %d: consumption resumed from the group's offsets, nothing read twice\n",
		e.cfg.more, e.github.count())
	return nil
}

// Step 6: INSERT INTO github_queue SELECT * FROM github LIMIT 100.
func (e *example) insertDirectly(ctx context.Context) error {
	e.printf("step 6: INSERT INTO github_queue SELECT * FROM github LIMIT 100\n")
	before := e.github.count()
	head, err := e.github.head(100, e.schema)
	if err != nil {
		return err
	}
	defer release(head)
	for _, rec := range head {
		if err := e.queue.Insert(ctx, rec); err != nil {
			return err
		}
	}
	if err := e.settle(ctx, e.queue, group, topic, e.github.count, before+100); err != nil {
		return err
	}
	// The rows read back are the rows inserted (in another order: the producer spread
	// them over the partitions).
	want := rowStrings(e.schema, head...)
	var got [][]string
	if err := e.github.each(before, func(rec arrow.RecordBatch, i int) error {
		got = append(got, rowString(e.schema, rec, i))
		return nil
	}); err != nil {
		return err
	}
	if !sameRows(got, want) {
		return errors.New("the rows read back differ from the 100 rows inserted")
	}
	e.printf("  count() → %d; the 100 rows read back equal the 100 rows inserted\n", e.github.count())
	return nil
}

// Step 7: a second Kafka table and a view that publishes github's new rows to it.
func (e *example) writeThroughView(ctx context.Context) error {
	e.printf("step 7: github_out_mv publishes every new row of github to topic %s through github_out_queue\n", outTopic)
	out, err := kafkaengine.New(kafkaengine.Settings{
		BrokerList:         e.brokers,
		TopicList:          outTopic,
		GroupName:          outGroup,
		Format:             "JSONEachRow",
		FlushInterval:      200 * time.Millisecond,
		PollTimeout:        100 * time.Millisecond,
		ConsumerReschedule: 100 * time.Millisecond,
	}, e.schema, kafkaengine.WithAllocator(e.mem), kafkaengine.WithSaramaConfig(fastSarama()), kafkaengine.WithName("github_out_queue"))
	if err != nil {
		return err
	}
	defer out.Close()
	// CREATE MATERIALIZED VIEW github_out_mv TO github_out_queue AS
	// SELECT file_time, event_type, ..., member_login FROM github
	cols := make([]string, e.schema.NumFields())
	for i, f := range e.schema.Fields() {
		cols[i] = f.Name
	}
	e.github.attach("github_out_mv", kafkaengine.NewProjectionView(out, cols...))
	before := e.github.count()
	if err := e.produce(ctx, e.cfg.more); err != nil {
		return err
	}
	if err := e.settle(ctx, e.queue, group, topic, e.github.count, before+e.cfg.more); err != nil {
		return err
	}
	published := e.github.count() - before
	e.printf("  %d new events reached github; count() → %d\n", published, e.github.count())

	// The consumer's side (kcat -C -t github_out | wc -l): github_out_queue reads its own
	// topic with its group and counts the rows.
	var counter rowCounter
	if err := out.Attach("count", &counter); err != nil {
		return err
	}
	stop := start(out)
	err = e.settle(ctx, out, outGroup, outTopic, counter.count, published)
	if err := errors.Join(err, stop()); err != nil {
		return err
	}
	e.outCount = counter.count()
	if e.cluster != nil {
		ends, err := e.cluster.EndOffsets(ctx, outTopic)
		if err != nil {
			return err
		}
		var n int64
		for _, off := range ends {
			n += off
		}
		if n != int64(published) {
			return fmt.Errorf("topic %s holds %d messages, want %d", outTopic, n, published)
		}
	}
	e.printf("  a consumer of %s (group %s) counts %d messages, one per row inserted into github since github_out_mv exists\n",
		outTopic, outGroup, e.outCount)
	return nil
}

// produce generates the next n events and writes them to the topic as JSONEachRow
// messages: on the in-process broker directly, spread over the partitions round robin;
// otherwise with github_queue's Insert.
func (e *example) produce(ctx context.Context, n int) error {
	for n > 0 {
		k := min(n, produceChunk)
		rec, err := e.gen.Next(e.mem, k)
		if err != nil {
			return err
		}
		if e.cluster != nil {
			err = e.produceInProcess(ctx, rec)
		} else {
			err = e.queue.Insert(ctx, rec)
		}
		rec.Release()
		if err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func (e *example) produceInProcess(ctx context.Context, rec arrow.RecordBatch) error {
	payloads, err := datagen.Messages(rec, "JSONEachRow", 1)
	if err != nil {
		return err
	}
	msgs := make([]kafkatest.Message, len(payloads))
	for i, p := range payloads {
		msgs[i] = kafkatest.Message{Topic: topic, Partition: int32(e.produced % partitions), Value: p}
		e.produced++
	}
	return e.cluster.Produce(ctx, msgs...)
}

// settle waits until count() reaches want and t's group has committed every message of
// t's topic: on the in-process broker until the committed offsets reach the end offsets,
// otherwise until t's consumers committed all they read. A count beyond want is an
// error: a row was delivered twice.
func (e *example) settle(ctx context.Context, t *kafkaengine.Table, group, topic string, count func() int, want int) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		n := count()
		if n > want {
			return fmt.Errorf("%d rows, want %d: rows were delivered twice, or the topic held messages before this run (with -brokers, use fresh topics and groups)", n, want)
		}
		if n == want {
			done := true
			if e.cluster != nil {
				var err error
				if done, err = committedAll(ctx, e.cluster, group, topic); err != nil {
					return err
				}
			} else {
				done = drained(t)
			}
			if done {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d rows from topic %s with group %s (have %d): %w", want, topic, group, n, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// start runs t until the returned stop is called; stop returns Run's error.
func start(t *kafkaengine.Table) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- t.Run(ctx) }()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
}

// fastSarama makes joining the consumer group quick, as befits a demo that re-creates
// tables.
func fastSarama() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second
	cfg.Consumer.Group.Heartbeat.Interval = 100 * time.Millisecond
	cfg.Consumer.Group.Rebalance.Retry.Backoff = 50 * time.Millisecond
	cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRoundRobin()}
	// Commits travel on the connection the fetches use, and Kafka answers a connection's
	// requests in order: a short fetch wait keeps a commit from queueing behind an idle
	// fetch for sarama's default 500 ms.
	cfg.Consumer.MaxWaitTime = 100 * time.Millisecond
	cfg.Metadata.Retry.Backoff = 50 * time.Millisecond
	cfg.Producer.Retry.Backoff = 50 * time.Millisecond
	return cfg
}

// committedAll reports whether group's committed offsets reached the end of every
// partition of topic.
func committedAll(ctx context.Context, c *kafkatest.Cluster, group, topic string) (bool, error) {
	ends, err := c.EndOffsets(ctx, topic)
	if err != nil {
		return false, err
	}
	committed, err := c.Committed(ctx, group, topic)
	if err != nil {
		return false, err
	}
	for p, end := range ends {
		if end > 0 && committed[p] != end {
			return false, nil
		}
	}
	return true, nil
}

// drained reports whether every consumer of t committed all it read: no block in
// progress, every assigned partition committed up to its read position.
func drained(t *kafkaengine.Table) bool {
	for _, s := range t.Stats().Consumers {
		if s.InUse {
			return false
		}
		for _, a := range s.Assignments {
			if a.Current != a.Committed {
				return false
			}
		}
	}
	return true
}

// memTable is the in-memory target table `github` (a MergeTree in ClickHouse): it keeps
// every block written to it and passes each one on to the views attached to it, as
// ClickHouse runs a table's materialized views on every insert. It is a
// [kafkaengine.Sink], safe for concurrent use; it retains the batches it keeps until
// release.
type memTable struct {
	mu    sync.Mutex
	recs  []arrow.RecordBatch
	rows  int
	views []namedSink
}

type namedSink struct {
	name string
	sink kafkaengine.Sink
}

func newMemTable() *memTable { return &memTable{} }

// Write inserts rec: the views first, so that a failing view fails the insert before
// anything is kept (the block is then delivered again).
func (m *memTable) Write(ctx context.Context, rec arrow.RecordBatch) error {
	m.mu.Lock()
	views := m.views
	m.mu.Unlock()
	for _, v := range views {
		if err := v.sink.Write(ctx, rec); err != nil {
			return fmt.Errorf("view %s: %w", v.name, err)
		}
	}
	rec.Retain()
	m.mu.Lock()
	m.recs = append(m.recs, rec)
	m.rows += int(rec.NumRows())
	m.mu.Unlock()
	return nil
}

// attach adds a view that sees every later insert.
func (m *memTable) attach(name string, s kafkaengine.Sink) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.views = append(slices.Clip(m.views), namedSink{name, s})
}

// count is SELECT count() FROM github.
func (m *memTable) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rows
}

// each calls fn for every row from the from-th on, in insertion order.
func (m *memTable) each(from int, fn func(rec arrow.RecordBatch, i int) error) error {
	m.mu.Lock()
	recs := slices.Clone(m.recs)
	m.mu.Unlock()
	row := 0
	for _, rec := range recs {
		n := int(rec.NumRows())
		for i := max(from-row, 0); i < n; i++ {
			if err := fn(rec, i); err != nil {
				return err
			}
		}
		row += n
	}
	return nil
}

// head is SELECT <schema's columns> FROM github LIMIT n: record batches of schema's
// columns (matched by name) holding the first n rows. The caller releases them.
func (m *memTable) head(n int, schema *arrow.Schema) ([]arrow.RecordBatch, error) {
	m.mu.Lock()
	recs := slices.Clone(m.recs)
	m.mu.Unlock()
	var out []arrow.RecordBatch
	for _, rec := range recs {
		if n == 0 {
			break
		}
		cols := make([]arrow.Array, schema.NumFields())
		fields := make([]arrow.Field, schema.NumFields())
		for i, f := range schema.Fields() {
			idx := rec.Schema().FieldIndices(f.Name)
			if len(idx) == 0 {
				release(out)
				return nil, fmt.Errorf("github has no column %q", f.Name)
			}
			cols[i], fields[i] = rec.Column(idx[0]), rec.Schema().Field(idx[0])
		}
		k := min(n, int(rec.NumRows()))
		whole := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
		out = append(out, whole.NewSlice(0, int64(k)))
		whole.Release()
		n -= k
	}
	return out, nil
}

// release releases the batches the table keeps.
func (m *memTable) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	release(m.recs)
	m.recs, m.rows = nil, 0
}

// rowCounter is a sink that counts rows.
type rowCounter struct {
	mu   sync.Mutex
	rows int
}

// Write counts rec's rows.
func (c *rowCounter) Write(_ context.Context, rec arrow.RecordBatch) error {
	c.mu.Lock()
	c.rows += int(rec.NumRows())
	c.mu.Unlock()
	return nil
}

func (c *rowCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rows
}

// column returns rec's column name as an A.
func column[A arrow.Array](rec arrow.RecordBatch, name string) (A, error) {
	var zero A
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return zero, fmt.Errorf("no column %q", name)
	}
	a, ok := rec.Column(idx[0]).(A)
	if !ok {
		return zero, fmt.Errorf("column %q is %s, want %T", name, rec.Column(idx[0]).DataType(), zero)
	}
	return a, nil
}

// rowString renders row i of rec's columns named as schema's as text.
func rowString(schema *arrow.Schema, rec arrow.RecordBatch, i int) []string {
	row := make([]string, schema.NumFields())
	for j, f := range schema.Fields() {
		if idx := rec.Schema().FieldIndices(f.Name); len(idx) > 0 {
			row[j] = rec.Column(idx[0]).ValueStr(i)
		}
	}
	return row
}

func rowStrings(schema *arrow.Schema, recs ...arrow.RecordBatch) [][]string {
	var out [][]string
	for _, rec := range recs {
		for i := range int(rec.NumRows()) {
			out = append(out, rowString(schema, rec, i))
		}
	}
	return out
}

// sameRows reports whether a and b hold the same rows, in any order.
func sameRows(a, b [][]string) bool {
	key := func(rows [][]string) []string {
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = strings.Join(r, "\x00")
		}
		sort.Strings(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

func sortedKeys[V any](m map[uint64]V) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
	}
	return nil
}
