package kafkaengine

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/virtualcols"
)

// deadLetterColumns are ClickHouse's system.dead_letter_queue columns for Kafka (SPEC
// §13.2), plus the message headers, which a dead-letter topic must keep.
var deadLetterColumns = []string{
	"table_engine Enum8('Kafka' = 1, 'RabbitMQ' = 2)",
	"event_time DateTime64(6)",
	"table String",
	"error String",
	"raw_message String",
	"kafka_topic_name String",
	"kafka_partition UInt64",
	"kafka_offset UInt64",
	"kafka_key String",
	"kafka_headers.name Array(String)",
	"kafka_headers.value Array(String)",
}

// Column positions in deadLetterColumns.
const (
	dlEngine = iota
	dlTime
	dlTable
	dlError
	dlRaw
	dlTopic
	dlPartition
	dlOffset
	dlKey
	dlHeaderNames
	dlHeaderValues
)

// DeadLetterSchema is the schema of the record batches a dead-letter sink receives with
// kafka_handle_error_mode = 'dead_letter_queue': one row per broken message with the
// table name ([WithName]), the decoder's error, the raw payload, the message's topic,
// partition, offset, key and headers, and the time it was found broken.
var DeadLetterSchema = func() *arrow.Schema {
	cols, err := block.ParseColumns(deadLetterColumns)
	if err != nil {
		panic(err)
	}
	return block.Schema(cols)
}()

// WithDeadLetterSink sets the sink of broken messages for kafka_handle_error_mode =
// 'dead_letter_queue' (required in that mode, as ClickHouse requires the
// system.dead_letter_queue table). It receives, before the block's sinks and before the
// commit, a record batch of [DeadLetterSchema] with the block's broken messages; its
// failure fails the block like any sink's. [NewDeadLetterProducer] is a ready sink
// that publishes them to a Kafka topic.
func WithDeadLetterSink(s Sink) Option { return func(o *options) { o.dlq = s } }

// deadLetters stages the dead-letter records of the block in progress.
type deadLetters struct {
	table string
	rows  *block.Rows
	blk   heldBlock
	empty virtualcols.Message
}

func newDeadLetters(mem memory.Allocator, table string) (*deadLetters, error) {
	cols, err := block.ColumnsFromSchema(DeadLetterSchema)
	if err != nil {
		return nil, err
	}
	b, err := block.NewBuilder(mem, cols, nil)
	if err != nil {
		return nil, err
	}
	return &deadLetters{table: table, rows: block.NewRows(cols, block.Options{}), blk: newHeldBlock(mem, b)}, nil
}

// add stages one broken message: m its coordinates, key and headers, value its payload.
// It cannot fail for values the engine produces.
func (d *deadLetters) add(m *virtualcols.Message, value []byte, reason error) error {
	r := d.rows
	r.Reset()
	texts := []struct {
		col int
		v   []byte
	}{
		{dlEngine, []byte("Kafka")},
		{dlTable, []byte(d.table)},
		{dlError, []byte(reason.Error())},
		{dlRaw, value},
		{dlTopic, []byte(m.Topic)},
		{dlKey, m.Key},
	}
	for _, tv := range texts {
		if err := r.Col(tv.col).AppendText(tv.v); err != nil {
			return err
		}
	}
	if err := r.Col(dlTime).AppendInt(time.Now().UnixMicro()); err != nil {
		return err
	}
	if err := r.Col(dlPartition).AppendUint(uint64(m.Partition)); err != nil {
		return err
	}
	if err := r.Col(dlOffset).AppendUint(uint64(m.Offset)); err != nil {
		return err
	}
	names, values := r.Col(dlHeaderNames).BeginArray(), r.Col(dlHeaderValues).BeginArray()
	for _, h := range m.Headers {
		if err := names.AppendText(h.Key); err != nil {
			return err
		}
		if err := values.AppendText(h.Value); err != nil {
			return err
		}
	}
	r.Col(dlHeaderNames).EndArray()
	r.Col(dlHeaderValues).EndArray()
	if err := r.EndRow(); err != nil {
		return err
	}
	d.blk.b.Append(r, &d.empty)
	return nil
}

func (d *deadLetters) release() { d.blk.release() }

// Dead-letter message headers added by [DeadLetterProducer]; [ReplayDeadLetters] reads
// them to send a message back where it came from.
const (
	HeaderError     = "x-chkafka-error"
	HeaderTopic     = "x-chkafka-topic"
	HeaderPartition = "x-chkafka-partition"
	HeaderOffset    = "x-chkafka-offset"
	HeaderTable     = "x-chkafka-table"
	HeaderTime      = "x-chkafka-time"
)

// DeadLetterProducer is a dead-letter [Sink] that publishes each broken message to a
// Kafka topic: the original payload as the value, the original key and headers, plus
// headers with the error and the source coordinates (HeaderError, HeaderTopic, ...).
// Write returns once every message was acknowledged. It is safe for concurrent use.
type DeadLetterProducer struct {
	topic   string
	brokers []string
	cfg     *sarama.Config

	mu     sync.Mutex
	sp     sarama.SyncProducer
	closed bool
}

// NewDeadLetterProducer returns a dead-letter sink publishing to the single topic of
// s.TopicList on s.BrokerList (with s's security and compression settings; the format
// and group are not used). It connects on the first Write.
func NewDeadLetterProducer(s Settings, opts ...Option) (*DeadLetterProducer, error) {
	if s.GroupName == "" {
		s.GroupName = "dead-letter-producer"
	}
	if s.Format == "" {
		s.Format = "RawBLOB"
	}
	s.HandleErrorMode = ""
	if err := s.Validate(); err != nil {
		return nil, err
	}
	topics := s.Topics()
	if len(topics) != 1 {
		return nil, &SettingError{Setting: "kafka_topic_list", Value: s.TopicList, Reason: "a dead-letter topic must be exactly one topic"}
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	t := &Table{settings: s, opts: o}
	return &DeadLetterProducer{topic: topics[0], brokers: s.Brokers(), cfg: t.saramaConfig(s.clientID(0))}, nil
}

// Write publishes the rows of rec, a batch of [DeadLetterSchema]. rec is borrowed.
func (d *DeadLetterProducer) Write(_ context.Context, rec arrow.RecordBatch) error {
	if !rec.Schema().Equal(DeadLetterSchema) {
		return fmt.Errorf("kafkaengine: dead-letter producer: batch is not of DeadLetterSchema: %s", rec.Schema())
	}
	str := func(col, i int) []byte {
		return bytes.Clone(stringAt(rec.Column(col), i))
	}
	u64 := func(col, i int) uint64 { return rec.Column(col).(*array.Uint64).Value(i) }
	msgs := make([]*sarama.ProducerMessage, rec.NumRows())
	times := rec.Column(dlTime).(*array.Timestamp)
	for i := range msgs {
		m := &sarama.ProducerMessage{Topic: d.topic, Value: sarama.ByteEncoder(str(dlRaw, i))}
		if k := str(dlKey, i); len(k) > 0 {
			m.Key = sarama.ByteEncoder(k)
		}
		names, values := rec.Column(dlHeaderNames).(*array.List), rec.Column(dlHeaderValues).(*array.List)
		ns, ne := names.ValueOffsets(i)
		vs, _ := values.ValueOffsets(i)
		for k := int64(0); k < ne-ns; k++ {
			m.Headers = append(m.Headers, sarama.RecordHeader{
				Key:   bytes.Clone(stringAt(names.ListValues(), int(ns+k))),
				Value: bytes.Clone(stringAt(values.ListValues(), int(vs+k))),
			})
		}
		ts := times.Value(i).ToTime(arrow.Microsecond)
		m.Headers = append(m.Headers,
			sarama.RecordHeader{Key: []byte(HeaderError), Value: str(dlError, i)},
			sarama.RecordHeader{Key: []byte(HeaderTopic), Value: str(dlTopic, i)},
			sarama.RecordHeader{Key: []byte(HeaderPartition), Value: []byte(strconv.FormatUint(u64(dlPartition, i), 10))},
			sarama.RecordHeader{Key: []byte(HeaderOffset), Value: []byte(strconv.FormatUint(u64(dlOffset, i), 10))},
			sarama.RecordHeader{Key: []byte(HeaderTable), Value: str(dlTable, i)},
			sarama.RecordHeader{Key: []byte(HeaderTime), Value: []byte(ts.UTC().Format(time.RFC3339Nano))},
		)
		msgs[i] = m
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if d.sp == nil {
		sp, err := sarama.NewSyncProducer(d.brokers, d.cfg)
		if err != nil {
			return fmt.Errorf("kafkaengine: dead-letter producer: %w", err)
		}
		d.sp = sp
	}
	if err := d.sp.SendMessages(msgs); err != nil {
		return fmt.Errorf("kafkaengine: dead-letter producer: publish to %s: %w", d.topic, err)
	}
	return nil
}

// Close closes the producer. It is idempotent.
func (d *DeadLetterProducer) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	if d.sp != nil {
		return d.sp.Close()
	}
	return nil
}

// ReplayDeadLetters sends the messages of a dead-letter topic written by
// [DeadLetterProducer] back to the topic and partition they came from, with their
// original key and headers, so that the table reads them again (after the reason they
// broke was fixed). It reads s.TopicList on s.BrokerList with consumer group
// s.GroupName up to the end offsets at the time of the call, commits what it replayed
// (a second call replays only newer dead letters) and returns how many messages it
// sent. A message without the source headers is an error.
func ReplayDeadLetters(ctx context.Context, s Settings, opts ...Option) (int, error) {
	if s.Format == "" {
		s.Format = "RawBLOB"
	}
	s.HandleErrorMode = ""
	if err := s.Validate(); err != nil {
		return 0, err
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	t := &Table{settings: s, opts: o}
	cfg := t.saramaConfig(s.clientID(0))
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	client, err := sarama.NewClient(s.Brokers(), cfg)
	if err != nil {
		return 0, fmt.Errorf("kafkaengine: replay: %w", err)
	}
	defer client.Close()
	ends := map[string]map[int32]int64{}
	for _, topic := range s.Topics() {
		parts, err := client.Partitions(topic)
		if err != nil {
			return 0, fmt.Errorf("kafkaengine: replay: partitions of %s: %w", topic, err)
		}
		ends[topic] = map[int32]int64{}
		for _, p := range parts {
			if ends[topic][p], err = client.GetOffset(topic, p, sarama.OffsetNewest); err != nil {
				return 0, fmt.Errorf("kafkaengine: replay: end of %s/%d: %w", topic, p, err)
			}
		}
	}
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		return 0, fmt.Errorf("kafkaengine: replay: %w", err)
	}
	defer producer.Close()
	group, err := sarama.NewConsumerGroupFromClient(s.GroupName, client)
	if err != nil {
		return 0, fmt.Errorf("kafkaengine: replay: %w", err)
	}
	defer group.Close()
	r := &replayer{ends: ends, producer: producer}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.cancel = cancel
	for runCtx.Err() == nil && !r.finished() {
		if err := group.Consume(runCtx, s.Topics(), r); err != nil && runCtx.Err() == nil {
			return r.count(), fmt.Errorf("kafkaengine: replay: %w", err)
		}
		if err := r.failure(); err != nil {
			return r.count(), err
		}
	}
	if err := r.failure(); err != nil {
		return r.count(), err
	}
	if !r.finished() {
		return r.count(), ctx.Err()
	}
	return r.count(), nil
}

// replayer is the consumer-group handler of ReplayDeadLetters.
type replayer struct {
	ends     map[string]map[int32]int64
	producer sarama.SyncProducer
	cancel   context.CancelFunc

	mu   sync.Mutex
	n    int
	done map[string]map[int32]bool
	err  error
}

func (r *replayer) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (r *replayer) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (r *replayer) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	end := r.ends[claim.Topic()][claim.Partition()]
	if claim.InitialOffset() >= end && claim.InitialOffset() >= 0 {
		r.partitionDone(claim.Topic(), claim.Partition())
		return nil
	}
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			if m.Offset >= end {
				r.partitionDone(claim.Topic(), claim.Partition())
				return nil
			}
			if err := r.replay(m); err != nil {
				r.fail(err)
				return err
			}
			sess.MarkMessage(m, "")
			sess.Commit()
			if m.Offset+1 >= end {
				r.partitionDone(claim.Topic(), claim.Partition())
				return nil
			}
		case <-sess.Context().Done():
			return nil
		}
	}
}

func (r *replayer) replay(m *sarama.ConsumerMessage) error {
	out := &sarama.ProducerMessage{Value: sarama.ByteEncoder(m.Value), Partition: -1}
	if m.Key != nil {
		out.Key = sarama.ByteEncoder(m.Key)
	}
	for _, h := range m.Headers {
		if h == nil {
			continue
		}
		switch string(h.Key) {
		case HeaderTopic:
			out.Topic = string(h.Value)
		case HeaderPartition:
			p, err := strconv.ParseInt(string(h.Value), 10, 32)
			if err != nil {
				return fmt.Errorf("kafkaengine: replay: dead letter %s/%d/%d: bad %s header %q", m.Topic, m.Partition, m.Offset, HeaderPartition, h.Value)
			}
			out.Partition = int32(p)
		default:
			if !strings.HasPrefix(string(h.Key), "x-chkafka-") {
				out.Headers = append(out.Headers, sarama.RecordHeader{Key: h.Key, Value: h.Value})
			}
		}
	}
	if out.Topic == "" || out.Partition < 0 {
		return fmt.Errorf("kafkaengine: replay: dead letter %s/%d/%d has no %s/%s headers", m.Topic, m.Partition, m.Offset, HeaderTopic, HeaderPartition)
	}
	if _, _, err := r.producer.SendMessage(out); err != nil {
		return fmt.Errorf("kafkaengine: replay: send to %s/%d: %w", out.Topic, out.Partition, err)
	}
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
	return nil
}

func (r *replayer) partitionDone(topic string, p int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done == nil {
		r.done = map[string]map[int32]bool{}
	}
	if r.done[topic] == nil {
		r.done[topic] = map[int32]bool{}
	}
	r.done[topic][p] = true
	if r.finishedLocked() {
		r.cancel()
	}
}

func (r *replayer) finishedLocked() bool {
	for topic, parts := range r.ends {
		for p, end := range parts {
			if end > 0 && !r.done[topic][p] {
				return false
			}
		}
	}
	return true
}

func (r *replayer) finished() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.finishedLocked()
}

func (r *replayer) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
	r.cancel()
}

func (r *replayer) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *replayer) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}
