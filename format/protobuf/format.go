package protobuf

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/arrowcol"
)

func init() {
	format.Register("Protobuf", Format{})
	format.Register("ProtobufSingle", Single{})
	format.Register("ProtobufList", List{})
	format.Register("ProtobufConfluent", Confluent{})
}

// framing is how records sit in a Kafka message.
type framing uint8

const (
	delimited framing = iota + 1 // Protobuf: varint length before each record
	single                       // ProtobufSingle: one record, no length
	list                         // ProtobufList: a length-delimited Envelope, rows = its field 1
)

var names = map[framing]string{delimited: "protobuf", single: "protobufsingle", list: "protobuflist"}

// Format is ClickHouse's Protobuf format: a message holds any number of records of the
// kafka_schema message type, each preceded by its length as a varint. The zero value is
// ready to use and safe for concurrent use; its decoders and encoders are not.
type Format struct{}

// Single is ClickHouse's ProtobufSingle format: a message is exactly one record, without
// a length. An empty message is one record with every field absent.
type Single struct{}

// List is ClickHouse's ProtobufList format: a message is one length-delimited record of
// the message "Envelope" of the schema file, whose repeated field 1 holds the rows, each a
// record of Envelope's nested message named by kafka_schema.
type List struct{}

// NewDecoder compiles kafka_schema (s.Schema, "file.proto:Message", resolved in
// s.SchemaPath) with protocompile and binds the message's fields to the columns of
// schema. It fails when the setting is missing, the file does not compile, the message is
// not found, no column matches a field, or a column cannot hold its field.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	return newDecoder(schema, s, delimited)
}

// NewEncoder compiles an encoder writing rows [i, j) as length-delimited records.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	return newEncoder(schema, s, delimited)
}

// NewDecoder is like [Format.NewDecoder].
func (Single) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	return newDecoder(schema, s, single)
}

// NewEncoder compiles an encoder writing one row as one bare record; Append fails for
// more than one row (ClickHouse: ProtobufSingle has no row delimiter).
func (Single) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	return newEncoder(schema, s, single)
}

// NewDecoder is like [Format.NewDecoder], with the message looked up inside "Envelope".
func (List) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	return newDecoder(schema, s, list)
}

// NewEncoder compiles an encoder writing rows [i, j) as one length-delimited Envelope.
func (List) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	return newEncoder(schema, s, list)
}

func newDecoder(schema *arrow.Schema, s *format.Settings, fr framing) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", names[fr], err)
	}
	md, err := loadMessage(s, fr == list)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", names[fr], err)
	}
	root, err := compileDecoder(md, cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", names[fr], err)
	}
	return &decoder{framing: fr, name: names[fr], root: root, ncols: len(cols)}, nil
}

func compileDecoder(md protoreflect.MessageDescriptor, cols []block.Column) (*decMsg, error) {
	mb, err := bindColumns(md, cols)
	if err != nil {
		return nil, err
	}
	return compileDecMsg(mb)
}

// decoder decodes messages of one framing. Not safe for concurrent use.
type decoder struct {
	framing framing
	name    string
	root    *decMsg
	ncols   int
	cols    []*block.Col
	rows    *block.Rows
}

// RowError is a decoding failure at one row (record) of a message: "<format>: <Err>: (at
// row <Row>)". Unwrap gives Err, which wraps a *block.ValueError when a value did not fit
// its column.
type RowError struct {
	Format string // "protobuf", "protobufsingle", "protobuflist" or "protobufconfluent"
	Row    int    // 1-based record number within the message
	Err    error
}

// Error returns "<format>: <Err>: (at row <Row>)".
func (e *RowError) Error() string {
	return e.Format + ": " + e.Err.Error() + ": (at row " + strconv.Itoa(e.Row) + ")"
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// errEOF is the error of an empty Protobuf or ProtobufList message, worded as ClickHouse's.
var errEOF = errors.New("Attempt to read after eof: empty message")

func (d *decoder) bind(dst *block.Rows) error {
	if dst.NumCols() != d.ncols {
		return fmt.Errorf("%s: rows have %d columns, the decoder was compiled for %d", d.name, dst.NumCols(), d.ncols)
	}
	if d.rows != dst || len(d.cols) != d.ncols {
		d.cols = d.cols[:0]
		for i := range d.ncols {
			d.cols = append(d.cols, dst.Col(i))
		}
		d.rows = dst
	}
	return nil
}

// row decodes one record into a row.
func (d *decoder) row(dst *block.Rows, n int, rec []byte) error {
	if err := d.root.decode(rec, d.cols); err != nil {
		return &RowError{Format: d.name, Row: n, Err: err}
	}
	if err := dst.EndRow(); err != nil {
		return &RowError{Format: d.name, Row: n, Err: err}
	}
	return nil
}

// Decode implements [format.Decoder].
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if err := d.bind(dst); err != nil {
		return err
	}
	switch d.framing {
	case single:
		return d.row(dst, 1, payload)
	case list:
		if len(payload) == 0 {
			return &RowError{Format: d.name, Row: 1, Err: errEOF}
		}
		row := 0
		for len(payload) > 0 {
			env, n, err := delimitedRecord(payload)
			if err != nil {
				return &RowError{Format: d.name, Row: row + 1, Err: fmt.Errorf("envelope: %w", err)}
			}
			payload = payload[n:]
			for len(env) > 0 {
				num, typ, k := protowire.ConsumeTag(env)
				if k < 0 {
					return &RowError{Format: d.name, Row: row + 1, Err: fmt.Errorf("envelope: invalid field tag: %w", wireError(k))}
				}
				env = env[k:]
				if num != 1 {
					k = protowire.ConsumeFieldValue(num, typ, env)
					if k < 0 {
						return &RowError{Format: d.name, Row: row + 1, Err: fmt.Errorf("envelope: field #%d: %w", num, wireError(k))}
					}
					env = env[k:]
					continue
				}
				if typ != protowire.BytesType {
					return &RowError{Format: d.name, Row: row + 1, Err: fmt.Errorf("envelope: field 1 has wire type %d, not a message", typ)}
				}
				rec, k := protowire.ConsumeBytes(env)
				if k < 0 {
					return &RowError{Format: d.name, Row: row + 1, Err: fmt.Errorf("envelope: %w", wireError(k))}
				}
				env = env[k:]
				row++
				if err := d.row(dst, row, rec); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if len(payload) == 0 {
		return &RowError{Format: d.name, Row: 1, Err: errEOF}
	}
	for row := 1; len(payload) > 0; row++ {
		rec, n, err := delimitedRecord(payload)
		if err != nil {
			return &RowError{Format: d.name, Row: row, Err: err}
		}
		payload = payload[n:]
		if err := d.row(dst, row, rec); err != nil {
			return err
		}
	}
	return nil
}

// delimitedRecord returns the length-delimited record at the start of b and the bytes it
// takes with its length.
func delimitedRecord(b []byte) ([]byte, int, error) {
	size, n := protowire.ConsumeVarint(b)
	if n < 0 {
		return nil, 0, fmt.Errorf("cannot read the record length: %w", wireError(n))
	}
	if size > uint64(len(b)-n) {
		return nil, 0, fmt.Errorf("record of %d bytes is longer than the %d bytes left: Protobuf messages are corrupted or don't match the provided schema (every record must be prefixed by its length as a varint)", size, len(b)-n)
	}
	return b[n : n+int(size)], n + int(size), nil
}

// encoder writes records of one framing. Not safe for concurrent use.
type encoder struct {
	framing framing
	name    string
	root    *encMsg
	types   []arrow.DataType
	colName []string
	vals    []val
	body    []byte
	env     []byte
}

func newEncoder(schema *arrow.Schema, s *format.Settings, fr framing) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", names[fr], err)
	}
	md, err := loadMessage(s, fr == list)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", names[fr], err)
	}
	mb, err := bindColumns(md, cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", names[fr], err)
	}
	rs := make([]*arrowcol.Reader, len(cols))
	e := &encoder{framing: fr, name: names[fr], vals: make([]val, len(cols))}
	for i, c := range cols {
		dt := schema.Field(i).Type
		if rs[i], err = arrowcol.Compile(c.Type, dt); err != nil {
			return nil, fmt.Errorf("%s: column %s: %w", names[fr], c.Name, err)
		}
		e.types = append(e.types, dt)
		e.colName = append(e.colName, c.Name)
	}
	if e.root, err = compileEncMsg(mb, rs); err != nil {
		return nil, fmt.Errorf("%s: %w", names[fr], err)
	}
	return e, nil
}

// Append implements [format.Encoder].
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return dst, fmt.Errorf("%s: rows [%d, %d) out of range of a record batch of %d rows", e.name, i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != len(e.types) {
		return dst, fmt.Errorf("%s: record batch has %d columns, the encoder was compiled for %d", e.name, rec.NumCols(), len(e.types))
	}
	for k, dt := range e.types {
		if err := arrowcol.Check(dt, rec.Column(k)); err != nil {
			return dst, fmt.Errorf("%s: column %s %w", e.name, e.colName[k], err)
		}
	}
	if e.framing == single && j-i != 1 {
		return dst, fmt.Errorf("%s: the ProtobufSingle format can't be used to write %d rows in one message because this format doesn't have any row delimiter (set kafka_max_rows_per_message = 1)", e.name, j-i)
	}
	out := dst
	e.env = e.env[:0]
	for r := i; r < j; r++ {
		for k := range e.vals {
			e.vals[k] = val{rec.Column(k), r}
		}
		body, err := e.root.encode(e.body[:0], e.vals)
		e.body = body
		if err != nil {
			return dst, fmt.Errorf("%s: %w: (at row %d)", e.name, err, r-i+1)
		}
		switch e.framing {
		case single:
			out = append(out, body...)
		case delimited:
			out = protowire.AppendBytes(out, body)
		case list:
			e.env = protowire.AppendTag(e.env, 1, protowire.BytesType)
			e.env = protowire.AppendBytes(e.env, body)
		}
	}
	if e.framing == list {
		out = protowire.AppendBytes(out, e.env)
	}
	return out, nil
}
