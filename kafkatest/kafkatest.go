// Package kafkatest runs an in-process Kafka broker for tests and examples, in the spirit
// of net/http/httptest: chkafka's own tests use it, and so can users testing their sinks.
//
// The broker is franz-go's kfake: it speaks the real Kafka wire protocol on loopback, so
// any client (chkafka, sarama, franz-go, kcat) talks to it as to a real cluster.
//
//	c, err := kafkatest.NewCluster(kafkatest.Topic("events", 4))
//	if err != nil { ... }
//	defer c.Close()
//	settings := kafkaengine.Settings{BrokerList: c.Addr(), TopicList: "events", ...}
//	c.ProduceValues(ctx, "events", `{"a":1}`, `{"a":2}`)
//
// Fault injection (lost connections, failed commits, slow fetches) goes through the
// underlying cluster's control hooks, reachable with [Cluster.Kfake].
package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Option configures a [Cluster].
type Option func(*config)

type config struct {
	kfake []kfake.Opt
}

// Topic creates topic with the given number of partitions when the cluster starts.
func Topic(name string, partitions int32) Option {
	return func(c *config) { c.kfake = append(c.kfake, kfake.SeedTopics(partitions, name)) }
}

// Brokers sets the number of brokers (default 1).
func Brokers(n int) Option {
	return func(c *config) { c.kfake = append(c.kfake, kfake.NumBrokers(n)) }
}

// SASL enables SASL authentication with one user for mechanism PLAIN, SCRAM-SHA-256
// or SCRAM-SHA-512.
func SASL(mechanism, user, password string) Option {
	return func(c *config) {
		c.kfake = append(c.kfake, kfake.EnableSASL(), kfake.Superuser(mechanism, user, password))
	}
}

// KfakeOptions passes options straight to the underlying kfake cluster.
func KfakeOptions(opts ...kfake.Opt) Option {
	return func(c *config) { c.kfake = append(c.kfake, opts...) }
}

// Cluster is an in-process Kafka cluster listening on loopback. Its methods are safe for
// concurrent use.
type Cluster struct {
	fake *kfake.Cluster

	mu     sync.Mutex
	client *kgo.Client // lazily created producer/admin client
	sasl   []kgo.Opt
	closed bool
}

// NewCluster starts a cluster. Topics not created with [Topic] or [Cluster.CreateTopic]
// are created on first use with one partition. The caller must call [Cluster.Close].
func NewCluster(opts ...Option) (*Cluster, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	cfg.kfake = append([]kfake.Opt{
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(1),
		// Tests make members come and go: keep rebalances quick.
		kfake.GroupMinSessionTimeout(100 * time.Millisecond),
	}, cfg.kfake...)
	fake, err := kfake.NewCluster(cfg.kfake...)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: start cluster: %w", err)
	}
	return &Cluster{fake: fake}, nil
}

// Addr returns the bootstrap broker list, comma-separated, as kafka_broker_list takes it.
func (c *Cluster) Addr() string { return strings.Join(c.fake.ListenAddrs(), ",") }

// Kfake returns the underlying kfake cluster, for its control hooks (fault injection).
func (c *Cluster) Kfake() *kfake.Cluster { return c.fake }

// WithClientSASL makes the cluster's own helper client authenticate; use it together with
// the [SASL] option.
func (c *Cluster) WithClientSASL(opts ...kgo.Opt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sasl = append(c.sasl, opts...)
}

// Close stops the cluster and the helper client. It is idempotent.
func (c *Cluster) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	cl := c.client
	c.mu.Unlock()
	if cl != nil {
		cl.Close()
	}
	c.fake.Close()
}

func (c *Cluster) kgo() (*kgo.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("kafkatest: cluster closed")
	}
	if c.client != nil {
		return c.client, nil
	}
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(c.fake.ListenAddrs()...),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.AllowAutoTopicCreation(),
		kgo.ProducerLinger(0),
	}, c.sasl...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: client: %w", err)
	}
	c.client = cl
	return cl, nil
}

// Header is one Kafka record header.
type Header struct {
	Key   string
	Value []byte
}

// Message is a record to produce. Partition is used as given (0 by default).
// A zero Timestamp means "now" (the producer's clock).
type Message struct {
	Topic     string
	Partition int32
	Key       []byte
	Value     []byte
	Headers   []Header
	Timestamp time.Time
}

// Produce writes msgs synchronously and returns the first error. Messages to the same
// partition keep their order.
func (c *Cluster) Produce(ctx context.Context, msgs ...Message) error {
	cl, err := c.kgo()
	if err != nil {
		return err
	}
	recs := make([]*kgo.Record, len(msgs))
	for i, m := range msgs {
		r := &kgo.Record{Topic: m.Topic, Partition: m.Partition, Key: m.Key, Value: m.Value, Timestamp: m.Timestamp}
		for _, h := range m.Headers {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
		}
		recs[i] = r
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("kafkatest: produce: %w", err)
	}
	return nil
}

// ProduceValues writes one message per value to partition 0 of topic.
func (c *Cluster) ProduceValues(ctx context.Context, topic string, values ...string) error {
	msgs := make([]Message, len(values))
	for i, v := range values {
		msgs[i] = Message{Topic: topic, Value: []byte(v)}
	}
	return c.Produce(ctx, msgs...)
}

// CreateTopic creates topic with the given number of partitions.
func (c *Cluster) CreateTopic(ctx context.Context, topic string, partitions int32) error {
	cl, err := c.kgo()
	if err != nil {
		return err
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = topic
	t.NumPartitions = partitions
	t.ReplicationFactor = 1
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("kafkatest: create topic %s: %w", topic, err)
	}
	for _, rt := range resp.Topics {
		if err := kerrOf(rt.ErrorCode); err != nil {
			return fmt.Errorf("kafkatest: create topic %s: %w", topic, err)
		}
	}
	return nil
}

// Committed returns the group's committed offsets ("next offset to read") for topic,
// by partition. Partitions without a commit are absent; a group that does not exist has
// none.
func (c *Cluster) Committed(ctx context.Context, group, topic string) (map[int32]int64, error) {
	cl, err := c.kgo()
	if err != nil {
		return nil, err
	}
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	parts, err := c.partitions(ctx, cl, topic)
	if err != nil {
		return nil, err
	}
	rt.Partitions = parts
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: offset fetch: %w", err)
	}
	if resp.ErrorCode == kerr.GroupIDNotFound.Code {
		return map[int32]int64{}, nil // a group that never committed
	}
	if err := kerrOf(resp.ErrorCode); err != nil {
		return nil, fmt.Errorf("kafkatest: offset fetch: %w", err)
	}
	out := map[int32]int64{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerrOf(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("kafkatest: offset fetch %s/%d: %w", topic, p.Partition, err)
			}
			if p.Offset >= 0 {
				out[p.Partition] = p.Offset
			}
		}
	}
	return out, nil
}

// EndOffsets returns the high watermark (offset of the next message) of each partition.
func (c *Cluster) EndOffsets(ctx context.Context, topic string) (map[int32]int64, error) {
	cl, err := c.kgo()
	if err != nil {
		return nil, err
	}
	parts, err := c.partitions(ctx, cl, topic)
	if err != nil {
		return nil, err
	}
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for _, p := range parts {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition = p
		rp.Timestamp = -1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	out := map[int32]int64{}
	for _, shard := range cl.RequestSharded(ctx, req) {
		if shard.Err != nil {
			return nil, fmt.Errorf("kafkatest: list offsets: %w", shard.Err)
		}
		for _, t := range shard.Resp.(*kmsg.ListOffsetsResponse).Topics {
			for _, p := range t.Partitions {
				if err := kerrOf(p.ErrorCode); err != nil {
					return nil, fmt.Errorf("kafkatest: list offsets %s/%d: %w", topic, p.Partition, err)
				}
				out[p.Partition] = p.Offset
			}
		}
	}
	return out, nil
}

// Consume reads every record of topic from the beginning up to the end offsets at the time
// of the call, without a group, and returns them in partition, offset order.
func (c *Cluster) Consume(ctx context.Context, topic string) ([]*kgo.Record, error) {
	ends, err := c.EndOffsets(ctx, topic)
	if err != nil {
		return nil, err
	}
	want := map[int32]int64{}
	start := map[string]map[int32]kgo.Offset{topic: {}}
	for p, end := range ends {
		if end > 0 {
			want[p] = end
			start[topic][p] = kgo.NewOffset().AtStart()
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	c.mu.Lock()
	opts := append([]kgo.Opt{kgo.SeedBrokers(c.fake.ListenAddrs()...), kgo.ConsumePartitions(start)}, c.sasl...)
	c.mu.Unlock()
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: consume client: %w", err)
	}
	defer cl.Close()
	byPart := map[int32][]*kgo.Record{}
	for len(want) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("kafkatest: consume %s: %w", topic, err)
		}
		for _, fe := range fs.Errors() {
			return nil, fmt.Errorf("kafkatest: consume %s/%d: %w", fe.Topic, fe.Partition, fe.Err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			end, ok := want[r.Partition]
			if !ok || r.Offset >= end {
				return
			}
			byPart[r.Partition] = append(byPart[r.Partition], r)
			if r.Offset == end-1 {
				delete(want, r.Partition)
			}
		})
	}
	var out []*kgo.Record
	for p := int32(0); len(byPart) > 0; p++ {
		out = append(out, byPart[p]...)
		delete(byPart, p)
	}
	return out, nil
}

func (c *Cluster) partitions(ctx context.Context, cl *kgo.Client, topic string) ([]int32, error) {
	req := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, mt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: metadata %s: %w", topic, err)
	}
	for _, t := range resp.Topics {
		if err := kerrOf(t.ErrorCode); err != nil {
			return nil, fmt.Errorf("kafkatest: metadata %s: %w", topic, err)
		}
		parts := make([]int32, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			parts = append(parts, p.Partition)
		}
		return parts, nil
	}
	return nil, fmt.Errorf("kafkatest: topic %s not found", topic)
}
