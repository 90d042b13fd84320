package avro

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/registry"
)

// Confluent is ClickHouse's AvroConfluent format: every row is a Confluent wire-format
// frame, the magic byte 0x00, the 4-byte big-endian schema id and the Avro binary datum;
// a message holds any number of frames, which may use different schema ids. Schemas come
// from the schema registry at format_avro_schema_registry_url.
//
// The zero value uses a registry client of its own per decoder and encoder, made from
// Settings.AvroSchemaRegistryURL. Confluent values are safe for concurrent use; the
// decoders and encoders they return are not.
type Confluent struct {
	// Registry, when not nil, is used instead of a client built from the URL setting: to
	// share one schema cache between tables, or to configure TLS, credentials and time
	// limits with the options of package registry.
	Registry *registry.Client
}

func (f Confluent) client(s *format.Settings) (*registry.Client, error) {
	if f.Registry != nil {
		return f.Registry, nil
	}
	if s == nil || s.AvroSchemaRegistryURL == "" {
		return nil, errors.New("avroconfluent: format_avro_schema_registry_url is not set")
	}
	c, err := registry.New(s.AvroSchemaRegistryURL)
	if err != nil {
		return nil, fmt.Errorf("avroconfluent: %w", err)
	}
	return c, nil
}

// NewDecoder compiles a decoder for schema (the table's physical columns). Writer schemas
// are fetched from the registry by id on first use and compiled once per id. It fails
// when the registry URL is missing or malformed (it does not contact the registry) or a
// column's type cannot be derived from schema.
func (f Confluent) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("avroconfluent: %w", err)
	}
	c, err := f.client(s)
	if err != nil {
		return nil, err
	}
	return &confluentDecoder{reg: c, comp: newCompiler(cols), byID: map[uint32]*plan{}}, nil
}

// NewEncoder compiles an encoder writing each row as a Confluent frame with the Avro
// schema the Avro format derives from the columns. The schema is registered (or looked
// up) under the subject "<topic>-value" at the first Append, so the encoder must first be
// bound to a topic with ForTopic (see [format.TopicEncoder]); Append on an unbound encoder fails.
func (f Confluent) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	w, err := newRowWriter(schema)
	if err != nil {
		return nil, fmt.Errorf("avroconfluent: %w", err)
	}
	c, err := f.client(s)
	if err != nil {
		return nil, err
	}
	return &confluentEncoder{reg: c, w: w}, nil
}

// The AvroConfluent encoder is a [format.TopicEncoder]: ForTopic returns an encoder
// bound to the subject "<topic>-value" (Confluent's TopicNameStrategy), sharing the
// compiled schema. The engine calls it once per producer topic.
var _ format.TopicEncoder = (*confluentEncoder)(nil)

// confluentDecoder decodes concatenated Confluent frames. Not safe for concurrent use.
type confluentDecoder struct {
	reg  *registry.Client
	comp *compiler
	byID map[uint32]*plan
	cols []*block.Col
	rows *block.Rows
	r    reader
}

// headerSize is the Confluent frame header: magic byte and 4-byte schema id.
const headerSize = 5

// Decode implements [format.Decoder]. An empty payload has no rows.
func (d *confluentDecoder) Decode(dst *block.Rows, payload []byte) error {
	var err error
	if d.cols, err = bind(d.cols, &d.rows, dst, len(d.comp.cols)); err != nil {
		return fmt.Errorf("avroconfluent: %w", err)
	}
	r := &d.r
	*r = reader{buf: payload}
	defer func() { r.buf = nil }() // do not retain the payload
	for row := 1; r.remaining() > 0; row++ {
		if r.remaining() < headerSize {
			return d.rowError(row, fmt.Errorf("Missing AvroConfluent magic byte or schema identifier: %d bytes left, the frame header has %d (magic byte 0x00 and a 4-byte schema id)", r.remaining(), headerSize))
		}
		if m := r.buf[r.pos]; m != 0 {
			return d.rowError(row, fmt.Errorf("Invalid magic byte before AvroConfluent schema identifier. Must be zero byte, found %d instead", m))
		}
		id := binary.BigEndian.Uint32(r.buf[r.pos+1:])
		r.pos += headerSize
		p, err := d.plan(id)
		if err != nil {
			return d.rowError(row, err)
		}
		if err := p.row(r, d.cols); err != nil {
			return d.rowError(row, fmt.Errorf("schema id %d: %w", id, err))
		}
		if err := dst.EndRow(); err != nil {
			return d.rowError(row, err)
		}
	}
	return nil
}

func (d *confluentDecoder) rowError(row int, err error) error {
	return &ConfluentError{RowError: RowError{Row: row, Err: err}}
}

// ConfluentError is an AvroConfluent decoding failure at one row (frame) of a message;
// its text starts with "avroconfluent: ".
type ConfluentError struct{ RowError }

// Error returns "avroconfluent: <Err>: (at row <Row>)".
func (e *ConfluentError) Error() string {
	return "avroconfluent: " + e.Err.Error() + ": (at row " + strconv.Itoa(e.Row) + ")"
}

// Unwrap returns the cause.
func (e *ConfluentError) Unwrap() error { return e.Err }

// plan returns the compiled plan of schema id, fetching the schema from the registry on
// first use. Registry failures are not cached: a later message retries.
func (d *confluentDecoder) plan(id uint32) (*plan, error) {
	if p, ok := d.byID[id]; ok {
		return p, nil
	}
	s, err := d.reg.SchemaByID(context.Background(), int(id))
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	if s.Type != registry.Avro {
		return nil, fmt.Errorf("schema id %d at %s has type %s, not AVRO", id, d.reg.URL(), s.Type)
	}
	p, err := d.comp.compile([]byte(s.Text))
	if err != nil {
		return nil, fmt.Errorf("schema id %d at %s: %w", id, d.reg.URL(), err)
	}
	if len(d.byID) >= maxPlans {
		clear(d.byID)
	}
	d.byID[id] = p
	return p, nil
}

// confluentEncoder writes Confluent frames. Not safe for concurrent use.
type confluentEncoder struct {
	reg     *registry.Client
	w       *rowWriter
	subject string
	id      uint32
}

// ForTopic implements [TopicEncoder].
func (e *confluentEncoder) ForTopic(topic string) (format.Encoder, error) {
	if topic == "" {
		return nil, errors.New("avroconfluent: empty topic")
	}
	return &confluentEncoder{reg: e.reg, w: e.w, subject: topic + "-value"}, nil
}

// Append implements [format.Encoder]: each row of [i, j) as one frame.
func (e *confluentEncoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if err := checkRange(rec, i, j); err != nil {
		return dst, fmt.Errorf("avroconfluent: %w", err)
	}
	if err := e.w.check(rec); err != nil {
		return dst, fmt.Errorf("avroconfluent: %w", err)
	}
	if i == j {
		return dst, nil
	}
	if e.id == 0 {
		if e.subject == "" {
			return dst, errors.New("avroconfluent: the encoder is not bound to a topic (call ForTopic): the schema subject is \"<topic>-value\"")
		}
		id, err := e.register()
		if err != nil {
			return dst, err
		}
		e.id = id
	}
	cols := rec.Columns()
	out := dst
	for r := i; r < j; r++ {
		out = append(out, 0)
		out = binary.BigEndian.AppendUint32(out, e.id)
		out = e.w.appendRow(out, cols, r)
	}
	return out, nil
}

// register looks the schema up under the subject and registers it when the subject does
// not have it yet (a registry that refuses writes still serves lookups).
func (e *confluentEncoder) register() (uint32, error) {
	ctx := context.Background()
	s := registry.Schema{Type: registry.Avro, Text: string(e.w.schemaJSON)}
	id, err := e.reg.Lookup(ctx, e.subject, s)
	if errors.Is(err, registry.ErrNotFound) {
		id, err = e.reg.Register(ctx, e.subject, s)
	}
	if err != nil {
		return 0, fmt.Errorf("avroconfluent: subject %s: %w", e.subject, err)
	}
	if id <= 0 || id > 1<<32-1 {
		return 0, fmt.Errorf("avroconfluent: subject %s: schema id %d out of range", e.subject, id)
	}
	return uint32(id), nil
}
