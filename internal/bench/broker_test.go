package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chkafka/chkafka/internal/datagen"
	"github.com/chkafka/chkafka/kafkatest"
)

// brokerEnv makes the test binary a broker process (see TestMain).
const brokerEnv = "CHKAFKA_BENCH_BROKER"

// partitions of every benchmark topic.
const partitions = 4

// dataTopic is a topic the benchmarks read, filled once per process.
type dataTopic struct {
	name   string
	schema schemaDef
	seed   uint64
	n      int // messages, one row each, JSONEachRow

	once  sync.Once
	bytes int64 // payload bytes produced
	err   error
}

var (
	queue1M    = &dataTopic{name: "queue-1m", schema: queueSchema, seed: 11, n: 1_000_000}
	github200k = &dataTopic{name: "github-200k", schema: githubSchema, seed: 12, n: 200_000}
	queue5M    = &dataTopic{name: "queue-5m", schema: queueSchema, seed: 13, n: 5_000_000}
)

// insertTopics are the topics the Insert benchmarks write to.
func insertTopic(schema, variant string) string { return "insert-" + schema + "-" + variant }

var insertVariants = []string{"chkafka", "sarama-sync", "sarama-async"}

// brokerTopics are created with the broker.
func brokerTopics() []string {
	ts := []string{queue1M.name, github200k.name, queue5M.name}
	for _, s := range schemas {
		for _, v := range insertVariants {
			ts = append(ts, insertTopic(s.name, v))
		}
	}
	return ts
}

func TestMain(m *testing.M) {
	if os.Getenv(brokerEnv) == "1" {
		os.Exit(runBroker())
	}
	code := m.Run()
	stopBroker()
	os.Exit(code)
}

// runBroker is the broker process: a kafkatest cluster with the benchmark topics. It
// prints its address and serves until its stdin closes (the parent ended).
func runBroker() int {
	opts := []kafkatest.Option{}
	for _, t := range brokerTopics() {
		opts = append(opts, kafkatest.Topic(t, partitions))
	}
	c, err := kafkatest.NewCluster(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench broker:", err)
		return 1
	}
	defer c.Close()
	fmt.Println(c.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

var broker struct {
	once  sync.Once
	addr  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	err   error
}

// brokerAddr starts the broker process on first use and returns its address.
func brokerAddr(tb testing.TB) string {
	tb.Helper()
	broker.once.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			broker.err = err
			return
		}
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), brokerEnv+"=1")
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			broker.err = err
			return
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			broker.err = err
			return
		}
		if err := cmd.Start(); err != nil {
			broker.err = err
			return
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			broker.err = fmt.Errorf("broker process: %w", err)
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return
		}
		broker.addr, broker.cmd, broker.stdin = strings.TrimSpace(line), cmd, stdin
	})
	if broker.err != nil {
		tb.Fatalf("start broker: %v", broker.err)
	}
	return broker.addr
}

func stopBroker() {
	if broker.cmd != nil {
		_ = broker.stdin.Close()
		_ = broker.cmd.Wait()
	}
}

// fill produces the topic's messages once per process (outside any timer): n rows of
// the schema's generator, JSONEachRow, one row per message, round robin over the
// partitions, uncompressed. Then it reads the topic once with a raw sarama consumer,
// untimed, so that the first measured reader does not pay for the broker's first pass
// over fresh data.
func (t *dataTopic) fill(b *testing.B) {
	b.Helper()
	addr := brokerAddr(b)
	lookupFormat(b, "JSONEachRow")
	t.once.Do(func() {
		start := time.Now()
		if t.bytes, t.err = produceGenerated(addr, t.name, t.schema, t.seed, t.n); t.err != nil {
			return
		}
		fmt.Fprintf(os.Stderr, "bench: produced %d messages (%d MB) to %s in %v\n",
			t.n, t.bytes>>20, t.name, time.Since(start).Round(time.Millisecond))
		_, t.err = saramaConsume(b, t)
		b.StopTimer()
	})
	if t.err != nil {
		b.Fatalf("fill %s: %v", t.name, t.err)
	}
}

func produceGenerated(addr, topic string, s schemaDef, seed uint64, n int) (int64, error) {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(strings.Split(addr, ",")...),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.ProducerBatchMaxBytes(1<<20),
		kgo.MaxBufferedRecords(1<<17),
	)
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	next, err := chunkGenerator(s, seed)
	if err != nil {
		return 0, err
	}
	var (
		total    int64
		firstErr atomic.Value
		ctx      = context.Background()
	)
	for i := 0; i < n; {
		k := min(blockRows, n-i)
		rec, err := next(memory.NewGoAllocator(), k)
		if err != nil {
			return 0, err
		}
		msgs, err := datagen.Messages(rec, "JSONEachRow", 1)
		rec.Release()
		if err != nil {
			return 0, err
		}
		for j, m := range msgs {
			total += int64(len(m))
			r := &kgo.Record{Topic: topic, Partition: int32((i + j) % partitions), Value: m}
			cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
				}
			})
		}
		i += k
	}
	if err := cl.Flush(ctx); err != nil {
		return 0, err
	}
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return total, nil
}

// chunkGenerator returns the schema's row stream for seed, batch by batch.
func chunkGenerator(s schemaDef, seed uint64) (func(memory.Allocator, int) (arrow.RecordBatch, error), error) {
	switch s.name {
	case queueSchema.name:
		g, err := datagen.NewQueueGenerator(seed)
		if err != nil {
			return nil, err
		}
		return g.Next, nil
	case githubSchema.name:
		g, err := datagen.NewGitHubGenerator(seed)
		if err != nil {
			return nil, err
		}
		return g.Next, nil
	}
	return nil, fmt.Errorf("no generator for %s", s.name)
}
