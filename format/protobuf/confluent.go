package protobuf

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/registry"
)

// Confluent is Confluent-framed Protobuf, read with the schema registry. It is a chkafka
// extension registered as "ProtobufConfluent" (ClickHouse has no such format; its users
// strip the frame with kafka_schema_registry_skip_bytes and a fixed kafka_schema).
//
// A message is one record in Confluent's wire format: the magic byte 0x00, the 4-byte
// big-endian schema id, the message-index path (a zigzag varint count, then that many
// zigzag varint indexes; a single 0 stands for [0], the file's first message), then the
// record. The schema is the registry's .proto text for the id (its references fetched
// from the registry, the well-known google/protobuf files built in), compiled with
// protocompile; the path picks the message, whose fields are bound to the columns as for
// [Format]. Compiled plans are cached per (id, path). An empty message has no rows.
//
// The registry URL is format_avro_schema_registry_url (Settings.AvroSchemaRegistryURL),
// or Registry when set; kafka_schema is not used. Encoding is not supported.
type Confluent struct {
	// Registry, when not nil, is used instead of a client built from the URL setting.
	Registry *registry.Client
}

// NewDecoder returns a decoder for schema (the table's physical columns). It fails when
// the registry URL is missing or malformed; it does not contact the registry.
func (f Confluent) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("protobufconfluent: %w", err)
	}
	reg := f.Registry
	if reg == nil {
		if s == nil || s.AvroSchemaRegistryURL == "" {
			return nil, errors.New("protobufconfluent: format_avro_schema_registry_url is not set")
		}
		if reg, err = registry.New(s.AvroSchemaRegistryURL); err != nil {
			return nil, fmt.Errorf("protobufconfluent: %w", err)
		}
	}
	return &confluentDecoder{
		decoder: decoder{framing: single, name: "protobufconfluent", ncols: len(cols)},
		reg:     reg, cols: cols,
		files: map[uint32]protoreflect.FileDescriptor{}, plans: map[planKey]*decMsg{},
	}, nil
}

// NewEncoder returns an error wrapping errors.ErrUnsupported: ProtobufConfluent is
// read-only.
func (Confluent) NewEncoder(*arrow.Schema, *format.Settings) (format.Encoder, error) {
	return nil, fmt.Errorf("protobufconfluent: writing: %w", errors.ErrUnsupported)
}

type planKey struct {
	id   uint32
	path string
}

// maxPlans bounds the per-decoder caches.
const maxPlans = 256

type confluentDecoder struct {
	decoder
	reg   *registry.Client
	cols  []block.Column
	files map[uint32]protoreflect.FileDescriptor
	plans map[planKey]*decMsg
	path  []int
	// the plan of the previous message, reused without a map lookup
	lastID   uint32
	lastPath []byte
}

// Decode implements [format.Decoder].
func (d *confluentDecoder) Decode(dst *block.Rows, payload []byte) error {
	if err := d.bind(dst); err != nil {
		return err
	}
	if len(payload) == 0 {
		return nil
	}
	fail := func(err error) error { return &RowError{Format: d.name, Row: 1, Err: err} }
	if len(payload) < 5 {
		return fail(fmt.Errorf("message of %d bytes is shorter than the 5-byte Confluent header (magic byte 0x00 and a 4-byte schema id)", len(payload)))
	}
	if payload[0] != 0 {
		return fail(fmt.Errorf("invalid magic byte before the schema id: must be zero, found %d", payload[0]))
	}
	id := binary.BigEndian.Uint32(payload[1:])
	rest := payload[5:]
	count, n := protowire.ConsumeVarint(rest)
	if n < 0 {
		return fail(fmt.Errorf("schema id %d: cannot read the message-index count: %w", id, wireError(n)))
	}
	rest = rest[n:]
	cnt := protowire.DecodeZigZag(count)
	if cnt < 0 || cnt > 64 {
		return fail(fmt.Errorf("schema id %d: invalid message-index count %d", id, cnt))
	}
	d.path = d.path[:0]
	if cnt == 0 {
		d.path = append(d.path, 0)
	}
	for range cnt {
		v, n := protowire.ConsumeVarint(rest)
		if n < 0 {
			return fail(fmt.Errorf("schema id %d: cannot read the message indexes: %w", id, wireError(n)))
		}
		idx := protowire.DecodeZigZag(v)
		if idx < 0 || idx > 1<<20 {
			return fail(fmt.Errorf("schema id %d: invalid message index %d", id, idx))
		}
		d.path = append(d.path, int(idx))
		rest = rest[n:]
	}
	path := payload[5 : len(payload)-len(rest)]
	if d.root == nil || id != d.lastID || !bytes.Equal(path, d.lastPath) {
		m, err := d.plan(planKey{id: id, path: string(path)}, id)
		if err != nil {
			return fail(err)
		}
		d.root, d.lastID, d.lastPath = m, id, append(d.lastPath[:0], path...)
	}
	return d.row(dst, 1, rest)
}

// plan returns the compiled plan of (schema id, message-index path).
func (d *confluentDecoder) plan(key planKey, id uint32) (*decMsg, error) {
	if m, ok := d.plans[key]; ok {
		return m, nil
	}
	fd, err := d.file(id)
	if err != nil {
		return nil, err
	}
	var md protoreflect.MessageDescriptor
	ms := fd.Messages()
	for k, idx := range d.path {
		if idx >= ms.Len() {
			return nil, fmt.Errorf("schema id %d: message index %d out of range (%d messages at level %d)", id, idx, ms.Len(), k)
		}
		md = ms.Get(idx)
		ms = md.Messages()
	}
	m, err := compileDecoder(md, d.cols)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	if len(d.plans) >= maxPlans {
		clear(d.plans)
	}
	d.plans[key] = m
	return m, nil
}

// maxReferences bounds the schemas one registry schema may pull in through references.
const maxReferences = 64

// file fetches and compiles the schema of id.
func (d *confluentDecoder) file(id uint32) (protoreflect.FileDescriptor, error) {
	if fd, ok := d.files[id]; ok {
		return fd, nil
	}
	ctx := context.Background()
	s, err := d.reg.SchemaByID(ctx, int(id))
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	if s.Type != registry.Protobuf {
		return nil, fmt.Errorf("schema id %d at %s has type %s, not PROTOBUF", id, d.reg.URL(), s.Type)
	}
	main := "registry-schema-" + strconv.FormatUint(uint64(id), 10) + ".proto"
	srcs := map[string]string{main: s.Text}
	queue := append([]registry.Reference(nil), s.References...)
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if _, ok := srcs[ref.Name]; ok {
			continue
		}
		if len(srcs) > maxReferences {
			return nil, fmt.Errorf("schema id %d: more than %d references", id, maxReferences)
		}
		rs, err := d.reg.SubjectVersion(ctx, ref.Subject, ref.Version)
		if err != nil {
			return nil, fmt.Errorf("schema id %d: reference %s: %w", id, ref.Name, err)
		}
		srcs[ref.Name] = rs.Text
		queue = append(queue, rs.References...)
	}
	fd, err := compileFile(ctx, &protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(srcs)}, main)
	if err != nil {
		return nil, fmt.Errorf("schema id %d at %s: %w", id, d.reg.URL(), err)
	}
	if fd.Messages().Len() == 0 {
		return nil, fmt.Errorf("schema id %d at %s has no message type", id, d.reg.URL())
	}
	if len(d.files) >= maxPlans {
		clear(d.files)
	}
	d.files[id] = fd
	return fd, nil
}
