// Command quickstart is the canonical example of ClickHouse's Kafka table engine, rebuilt
// with chkafka (SEED_EXAMPLES.md §1): a log queue summed up per day and level.
//
// In ClickHouse it reads:
//
//	CREATE TABLE queue (timestamp UInt64, level String, message String)
//	  ENGINE = Kafka SETTINGS kafka_broker_list = 'localhost:9092', kafka_topic_list = 'topic',
//	    kafka_group_name = 'group1', kafka_format = 'JSONEachRow', kafka_num_consumers = 4;
//	CREATE TABLE daily (day Date, level String, total UInt64)
//	  ENGINE = SummingMergeTree(day, (day, level), 8192);
//	CREATE MATERIALIZED VIEW consumer TO daily
//	  AS SELECT toDate(toDateTime(timestamp)) AS day, level, count() AS total
//	  FROM queue GROUP BY day, level;
//	SELECT level, sum(total) FROM daily GROUP BY level;
//
// Here the Kafka table is a [kafkaengine.Table], the materialized view a
// [kafkaengine.View] whose query aggregates each block, and `daily` a small in-memory
// summing table. The program produces -messages deterministic log rows as JSONEachRow
// messages, runs the table until the consumer group has committed every message, stops
// it and prints the per-level totals, which add up to -messages.
//
// Run it with an in-process Kafka broker (kafkatest):
//
//	go run ./examples/quickstart
//
// or against a Kafka cluster, where it publishes the rows with the table's own Insert
// (use a fresh group, or one whose offsets are at the end of the topic, so that only
// this run's messages are counted):
//
//	go run ./examples/quickstart -brokers localhost:9092 -topic topic -group group1
//
// It exits with status 1 and a message on stderr if the rows are not all consumed
// within -timeout.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is printed
		}
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	brokers    string
	topic      string
	group      string
	messages   int
	consumers  int
	partitions int
	seed       uint64
	timeout    time.Duration
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.StringVar(&c.brokers, "brokers", "", "Kafka bootstrap brokers host:port[,host:port]; empty starts an in-process broker")
	fs.StringVar(&c.topic, "topic", "topic", "topic of the queue table (kafka_topic_list)")
	fs.StringVar(&c.group, "group", "group1", "consumer group of the queue table (kafka_group_name)")
	fs.IntVar(&c.messages, "messages", 5000, "number of log rows to produce, one per message")
	fs.IntVar(&c.consumers, "consumers", 4, "kafka_num_consumers")
	fs.IntVar(&c.partitions, "partitions", 4, "partitions of the topic on the in-process broker")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated rows")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "give up if the messages are not consumed within this time")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.messages < 1:
		return c, fmt.Errorf("-messages %d: must be at least 1", c.messages)
	case c.partitions < 1:
		return c, fmt.Errorf("-partitions %d: must be at least 1", c.partitions)
	}
	return c, nil
}

// run is the program: it parses args, runs the example and prints the result to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	return runWith(ctx, args, stdout, memory.DefaultAllocator)
}

// runWith is run with the allocator of every Arrow batch the example creates.
func runWith(ctx context.Context, args []string, stdout io.Writer, mem memory.Allocator) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	start := time.Now()

	brokers, where := cfg.brokers, "broker "+cfg.brokers
	var cluster *kafkatest.Cluster
	if brokers == "" {
		if cluster, err = kafkatest.NewCluster(kafkatest.Topic(cfg.topic, int32(cfg.partitions))); err != nil {
			return err
		}
		defer cluster.Close()
		brokers, where = cluster.Addr(), fmt.Sprintf("in-process broker, %d partitions", cfg.partitions)
	}

	// CREATE TABLE queue (...) ENGINE = Kafka SETTINGS ...
	schema, err := kafkaengine.Columns(datagen.QueueColumns...)
	if err != nil {
		return err
	}
	queue, err := kafkaengine.New(kafkaengine.Settings{
		BrokerList:   brokers,
		TopicList:    cfg.topic,
		GroupName:    cfg.group,
		Format:       "JSONEachRow",
		NumConsumers: cfg.consumers,
		// Quick blocks for a demo; ClickHouse's defaults are 7.5 s and 500 ms.
		FlushInterval:      200 * time.Millisecond,
		PollTimeout:        100 * time.Millisecond,
		ConsumerReschedule: 100 * time.Millisecond,
	}, schema, kafkaengine.WithAllocator(mem), kafkaengine.WithSaramaConfig(fastSarama()))
	if err != nil {
		return err
	}
	defer queue.Close()

	// The producer's side: N log rows, one JSONEachRow message each.
	rows, err := datagen.Queue(mem, cfg.seed, cfg.messages)
	if err != nil {
		return err
	}
	defer rows.Release()
	if cluster != nil {
		if err := produce(ctx, cluster, cfg.topic, cfg.partitions, rows); err != nil {
			return err
		}
	} else if err := queue.Insert(ctx, rows); err != nil { // INSERT INTO queue
		return err
	}
	fmt.Fprintf(stdout, "produced %d messages to topic %q (%s)\n", cfg.messages, cfg.topic, where)

	// CREATE TABLE daily ...; CREATE MATERIALIZED VIEW consumer TO daily AS SELECT ...
	dailySchema, err := kafkaengine.Columns("day Date", "level String", "total UInt64")
	if err != nil {
		return err
	}
	daily := newSummingTable()
	if err := queue.Attach("consumer", kafkaengine.NewView(dailyQuery(mem, dailySchema), daily)); err != nil {
		return err
	}

	runCtx, stopRun := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- queue.Run(runCtx) }()
	waitErr := waitConsumed(ctx, cluster, queue, cfg, daily)
	stopRun()
	if err := errors.Join(waitErr, <-runErr); err != nil {
		return err
	}
	total, keys := daily.total()
	if total != uint64(cfg.messages) {
		return fmt.Errorf("daily sums up %d rows, want %d", total, cfg.messages)
	}
	fmt.Fprintf(stdout, "consumed and committed %d messages with group %q in %s; daily has %d (day, level) rows\n",
		total, cfg.group, time.Since(start).Round(time.Millisecond), keys)

	// SELECT level, sum(total) FROM daily GROUP BY level
	fmt.Fprintln(stdout, "level\ttotal")
	for _, lt := range daily.byLevel() {
		fmt.Fprintf(stdout, "%s\t%d\n", lt.level, lt.total)
	}
	return nil
}

// fastSarama makes joining the consumer group quick, as befits a short-lived demo.
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

// produce writes rows to the in-process broker as JSONEachRow messages, one row each,
// spread over the partitions round robin.
func produce(ctx context.Context, c *kafkatest.Cluster, topic string, partitions int, rows arrow.RecordBatch) error {
	payloads, err := datagen.Messages(rows, "JSONEachRow", 1)
	if err != nil {
		return err
	}
	msgs := make([]kafkatest.Message, len(payloads))
	for i, p := range payloads {
		msgs[i] = kafkatest.Message{Topic: topic, Partition: int32(i % partitions), Value: p}
	}
	return c.Produce(ctx, msgs...)
}

// waitConsumed returns once the group has committed every message: on the in-process
// broker when its committed offsets reach the end offsets, otherwise when daily counts
// every row and the table's consumers have committed all they read.
func waitConsumed(ctx context.Context, c *kafkatest.Cluster, t *kafkaengine.Table, cfg config, daily *summingTable) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var done bool
		var err error
		if c != nil {
			done, err = committedAll(ctx, c, cfg.group, cfg.topic)
		} else {
			total, _ := daily.total()
			done = total >= uint64(cfg.messages) && drained(t)
		}
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			total, _ := daily.total()
			return fmt.Errorf("waiting for group %q to consume %d messages of topic %q (daily counts %d): %w",
				cfg.group, cfg.messages, cfg.topic, total, context.Cause(ctx))
		case <-tick.C:
		}
	}
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

// dayLevel is the sorting key of daily.
type dayLevel struct {
	day   arrow.Date32
	level string
}

// dailyQuery is the view's SELECT toDate(toDateTime(timestamp)) AS day, level,
// count() AS total FROM queue GROUP BY day, level, run over each block; its result has
// out's columns, in (day, level) order.
func dailyQuery(mem memory.Allocator, out *arrow.Schema) kafkaengine.Query {
	return func(_ context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		ts, err := column[*array.Uint64](rec, "timestamp")
		if err != nil {
			return nil, err
		}
		levels, err := column[*array.String](rec, "level")
		if err != nil {
			return nil, err
		}
		// The keys borrow rec's strings: they live only until the builder copied them.
		counts := map[dayLevel]uint64{}
		for i := range ts.Len() {
			counts[dayLevel{day: arrow.Date32(ts.Value(i) / 86400), level: levels.Value(i)}]++
		}
		keys := make([]dayLevel, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b dayLevel) int {
			return cmp.Or(cmp.Compare(a.day, b.day), strings.Compare(a.level, b.level))
		})
		b := array.NewRecordBuilder(mem, out)
		defer b.Release()
		day := b.Field(0).(*array.Date32Builder)
		level := b.Field(1).(*array.StringBuilder)
		total := b.Field(2).(*array.Uint64Builder)
		for _, k := range keys {
			day.Append(k.day)
			level.Append(k.level)
			total.Append(counts[k])
		}
		return b.NewRecordBatch(), nil
	}
}

// column returns rec's column name as an A, or an error naming what is wrong.
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
	if a.NullN() > 0 {
		return zero, fmt.Errorf("column %q has NULLs", name)
	}
	return a, nil
}

// summingTable is the in-memory `daily` table: a SummingMergeTree keyed by (day, level)
// whose total adds up on every insert. It is a [kafkaengine.Sink], safe for concurrent
// use; Write borrows its batch and keeps nothing of it.
type summingTable struct {
	mu     sync.Mutex
	totals map[dayLevel]uint64
}

func newSummingTable() *summingTable { return &summingTable{totals: map[dayLevel]uint64{}} }

// Write adds rec's totals (columns day, level, total) to the table.
func (s *summingTable) Write(_ context.Context, rec arrow.RecordBatch) error {
	day, err := column[*array.Date32](rec, "day")
	if err != nil {
		return err
	}
	level, err := column[*array.String](rec, "level")
	if err != nil {
		return err
	}
	total, err := column[*array.Uint64](rec, "total")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range day.Len() {
		// Clone: the key outlives rec, whose memory is released after the call.
		s.totals[dayLevel{day: day.Value(i), level: strings.Clone(level.Value(i))}] += total.Value(i)
	}
	return nil
}

// total returns the sum of every total and the number of (day, level) rows.
func (s *summingTable) total() (sum uint64, rows int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.totals {
		sum += v
	}
	return sum, len(s.totals)
}

type levelTotal struct {
	level string
	total uint64
}

// byLevel is SELECT level, sum(total) FROM daily GROUP BY level ORDER BY level.
func (s *summingTable) byLevel() []levelTotal {
	s.mu.Lock()
	sums := map[string]uint64{}
	for k, v := range s.totals {
		sums[k.level] += v
	}
	s.mu.Unlock()
	out := make([]levelTotal, 0, len(sums))
	for l, v := range sums {
		out = append(out, levelTotal{l, v})
	}
	slices.SortFunc(out, func(a, b levelTotal) int { return strings.Compare(a.level, b.level) })
	return out
}
