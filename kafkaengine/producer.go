package kafkaengine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// Producer publishes Arrow rows to a topic in a format: the INSERT side of a Kafka table
// ([Table.Insert] uses one), also usable on its own. It is safe for concurrent use;
// writes are serialised.
type Producer struct {
	topic    string
	cols     []block.Column
	physical *arrow.Schema
	enc      format.Encoder
	blockFmt bool
	perMsg   int
	cfg      *sarama.Config
	brokers  []string

	mu     sync.Mutex
	sp     sarama.SyncProducer // connected on the first Write
	buf    []byte
	closed bool
}

// NewProducer returns a producer for settings' single topic, format, compression codec
// and level and kafka_max_rows_per_message; schema is the payload's columns, as for
// [New]. It connects on the first Write.
func NewProducer(settings Settings, schema *arrow.Schema, opts ...Option) (*Producer, error) {
	t, err := New(settings, schema, opts...)
	if err != nil {
		return nil, err
	}
	return newProducer(t.settings, t.cols, t.format, t.opts, t.saramaConfig(t.settings.clientID(0)))
}

func newProducer(s Settings, cols []block.Column, f format.Format, o options, cfg *sarama.Config) (*Producer, error) {
	topics := s.Topics()
	if len(topics) != 1 {
		return nil, &SettingError{Setting: "kafka_topic_list", Value: s.TopicList,
			Reason: "writing needs exactly one topic (can't write to a Kafka table with multiple topics)"}
	}
	physical := block.Schema(cols)
	fs := s.formatSettings()
	enc, err := f.NewEncoder(physical, &fs)
	if err != nil {
		return nil, fmt.Errorf("kafkaengine: format %s: %w", s.Format, err)
	}
	if te, ok := enc.(format.TopicEncoder); ok {
		if enc, err = te.ForTopic(topics[0]); err != nil {
			return nil, fmt.Errorf("kafkaengine: format %s for topic %s: %w", s.Format, topics[0], err)
		}
	}
	return &Producer{
		topic:    topics[0],
		cols:     cols,
		physical: physical,
		enc:      enc,
		blockFmt: format.IsBlockOriented(f),
		perMsg:   s.maxRowsPerMessage(),
		cfg:      cfg,
		brokers:  s.Brokers(),
	}, nil
}

// meta is the message metadata columns of an inserted record batch.
type meta struct {
	key, ts, hname, hvalue arrow.Array
}

// Write publishes rec's rows (see [Table.Insert] for the rules) and returns once every
// message was acknowledged, or the first error. A record batch of zero rows sends
// nothing. rec is borrowed.
func (p *Producer) Write(ctx context.Context, rec arrow.RecordBatch) error {
	payload, md, err := p.split(rec)
	if err != nil {
		return err
	}
	defer payload.Release()
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	step := p.perMsg
	if p.blockFmt {
		step = n
	}
	msgs := make([]*sarama.ProducerMessage, 0, (n+step-1)/step)
	for i := 0; i < n; i += step {
		j := min(i+step, n)
		p.buf, err = p.enc.Append(p.buf[:0], payload, i, j)
		if err != nil {
			return fmt.Errorf("kafkaengine: encode rows [%d, %d): %w", i, j, err)
		}
		m := &sarama.ProducerMessage{Topic: p.topic, Value: sarama.ByteEncoder(bytes.Clone(p.buf))}
		md.apply(m, j-1)
		msgs = append(msgs, m)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.sp == nil {
		if p.sp, err = sarama.NewSyncProducer(p.brokers, p.cfg); err != nil {
			return fmt.Errorf("kafkaengine: producer: %w", err)
		}
	}
	if err := p.sp.SendMessages(msgs); err != nil {
		var perrs sarama.ProducerErrors
		if errors.As(err, &perrs) && len(perrs) > 0 {
			return fmt.Errorf("kafkaengine: %d of %d messages to %s not delivered: %w", len(perrs), len(msgs), p.topic, perrs[0].Err)
		}
		return fmt.Errorf("kafkaengine: produce to %s: %w", p.topic, err)
	}
	return nil
}

// split matches rec's columns by name: the table's columns form the payload, the
// metadata columns set message metadata, anything else is an error.
func (p *Producer) split(rec arrow.RecordBatch) (arrow.RecordBatch, meta, error) {
	var md meta
	cols := make([]arrow.Array, len(p.cols))
	sc := rec.Schema()
	for i, f := range sc.Fields() {
		col := rec.Column(i)
		switch f.Name {
		case virtualcols.Key:
			if !isStringType(f.Type) {
				return nil, md, fmt.Errorf("kafkaengine: insert: column %s must be a string, not %s", f.Name, f.Type)
			}
			md.key = col
			continue
		case virtualcols.Timestamp:
			if _, ok := f.Type.(*arrow.TimestampType); !ok {
				return nil, md, fmt.Errorf("kafkaengine: insert: column %s must be a timestamp, not %s", f.Name, f.Type)
			}
			md.ts = col
			continue
		case virtualcols.HeadersName, virtualcols.HeadersValue:
			lt, ok := f.Type.(*arrow.ListType)
			if !ok || !isStringType(lt.Elem()) {
				return nil, md, fmt.Errorf("kafkaengine: insert: column %s must be a list of strings, not %s", f.Name, f.Type)
			}
			if f.Name == virtualcols.HeadersName {
				md.hname = col
			} else {
				md.hvalue = col
			}
			continue
		}
		j := p.physical.FieldIndices(f.Name)
		if len(j) == 0 {
			return nil, md, fmt.Errorf("kafkaengine: insert: no column %q in the table (columns: %s)", f.Name, fieldNames(p.physical))
		}
		want := p.physical.Field(j[0]).Type
		if !arrow.TypeEqual(f.Type, want) {
			return nil, md, fmt.Errorf("kafkaengine: insert: column %q is %s, the table has %s", f.Name, f.Type, want)
		}
		cols[j[0]] = col
	}
	for i, c := range cols {
		if c == nil {
			return nil, md, fmt.Errorf("kafkaengine: insert: column %q missing", p.physical.Field(i).Name)
		}
	}
	if (md.hname == nil) != (md.hvalue == nil) {
		return nil, md, fmt.Errorf("kafkaengine: insert: %s and %s go together", virtualcols.HeadersName, virtualcols.HeadersValue)
	}
	return array.NewRecordBatch(p.physical, cols, rec.NumRows()), md, nil
}

func isStringType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return true
	}
	return false
}

// apply sets m's key, timestamp and headers from row i (the message's last row).
func (md meta) apply(m *sarama.ProducerMessage, i int) {
	if md.key != nil && md.key.IsValid(i) {
		m.Key = sarama.ByteEncoder(bytes.Clone(stringAt(md.key, i)))
	}
	if md.ts != nil && md.ts.IsValid(i) {
		ts := md.ts.(*array.Timestamp)
		unit := ts.DataType().(*arrow.TimestampType).Unit
		m.Timestamp = time.Unix(0, int64(ts.Value(i))*int64(unit.Multiplier()))
	}
	if md.hname != nil && md.hname.IsValid(i) && md.hvalue.IsValid(i) {
		names, values := md.hname.(*array.List), md.hvalue.(*array.List)
		ns, ne := names.ValueOffsets(i)
		vs, ve := values.ValueOffsets(i)
		for k := int64(0); k < ne-ns && k < ve-vs; k++ {
			m.Headers = append(m.Headers, sarama.RecordHeader{
				Key:   bytes.Clone(stringAt(names.ListValues(), int(ns+k))),
				Value: bytes.Clone(stringAt(values.ListValues(), int(vs+k))),
			})
		}
	}
}

func stringAt(a arrow.Array, i int) []byte {
	switch a := a.(type) {
	case *array.String:
		return []byte(a.Value(i))
	case *array.Binary:
		return a.Value(i)
	case *array.LargeString:
		return []byte(a.Value(i))
	case *array.LargeBinary:
		return a.Value(i)
	}
	return nil
}

// Close closes the connection to the brokers. It is idempotent.
func (p *Producer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if p.sp != nil {
		return p.sp.Close()
	}
	return nil
}
