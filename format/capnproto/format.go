package capnproto

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/arrowcol"
)

func init() {
	format.Register("CapnProto", Format{})
}

// Format is ClickHouse's CapnProto format: a message holds any number of Cap'n Proto
// messages in the standard stream framing, one row each, of the struct kafka_schema names.
// The zero value is ready to use and safe for concurrent use; its decoders and encoders
// are not.
type Format struct{}

// NewDecoder compiles kafka_schema (s.Schema, "file.capnp:Struct" or "file:Struct",
// resolved in s.SchemaPath) and binds the struct's fields to the columns of schema. It
// fails when the setting is missing, the schema does not compile (or the capnp compiler
// is missing and no precompiled schema exists), the struct is not found, no column
// matches a field, or a column cannot hold its field.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, c, sb, err := prepare(schema, s)
	if err != nil {
		return nil, err
	}
	return &decoder{root: c.compileDec(sb), ncols: len(cols)}, nil
}

// NewEncoder compiles an encoder writing each row as one single-segment message with the
// stream framing, laid out as the schema compiler assigned.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, c, sb, err := prepare(schema, s)
	if err != nil {
		return nil, err
	}
	e := &encoder{node: sb.node, vals: make([]val, len(cols))}
	rs := make([]*arrowcol.Reader, len(cols))
	for i, col := range cols {
		dt := schema.Field(i).Type
		if rs[i], err = arrowcol.Compile(col.Type, dt); err != nil {
			return nil, fmt.Errorf("capnproto: column %s: %w", col.Name, err)
		}
		e.types = append(e.types, dt)
		e.names = append(e.names, col.Name)
	}
	if e.root, err = c.compileEnc(sb, rs); err != nil {
		return nil, fmt.Errorf("capnproto: %w", err)
	}
	return e, nil
}

func prepare(schema *arrow.Schema, s *format.Settings) ([]block.Column, *compiler, *structBind, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("capnproto: %w", err)
	}
	set, root, err := loadSchema(s)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("capnproto: %w", err)
	}
	c := &compiler{set: set}
	cands := make([]cand, len(cols))
	for i, col := range cols {
		cands[i] = cand{name: col.Name, t: col.Type, out: i, full: col.Name}
	}
	sb, used, err := c.bindStruct(root, cands, 0)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("capnproto: %w", err)
	}
	for _, u := range used {
		if u {
			return cols, c, sb, nil
		}
	}
	return nil, nil, nil, fmt.Errorf("capnproto: no column matches a field of struct %s", root.name)
}

// RowError is a decoding failure at one row (framed message) of a Kafka message:
// "capnproto: <Err>: (at row <Row>)". Unwrap gives Err, which wraps a *block.ValueError
// when a value did not fit its column.
type RowError struct {
	Row int
	Err error
}

// Error returns "capnproto: <Err>: (at row <Row>)".
func (e *RowError) Error() string {
	return "capnproto: " + e.Err.Error() + ": (at row " + strconv.Itoa(e.Row) + ")"
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// decoder decodes concatenated framed messages. Not safe for concurrent use.
type decoder struct {
	root  *decStruct
	ncols int
	msg   message
	cols  []*block.Col
	rows  *block.Rows
}

// Decode implements [format.Decoder]. An empty payload is an error, as in ClickHouse.
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != d.ncols {
		return fmt.Errorf("capnproto: rows have %d columns, the decoder was compiled for %d", dst.NumCols(), d.ncols)
	}
	if d.rows != dst || len(d.cols) != d.ncols {
		d.cols = d.cols[:0]
		for i := range d.ncols {
			d.cols = append(d.cols, dst.Col(i))
		}
		d.rows = dst
	}
	defer d.msg.release()
	row := 0
	for {
		row++
		n, err := d.msg.readFrame(payload)
		if err != nil {
			return &RowError{Row: row, Err: err}
		}
		payload = payload[n:]
		root, err := d.msg.readStruct(0, 0)
		if err != nil {
			return &RowError{Row: row, Err: fmt.Errorf("root: %w", err)}
		}
		if err := d.root.decode(root, d.cols); err != nil {
			return &RowError{Row: row, Err: err}
		}
		if err := dst.EndRow(); err != nil {
			return &RowError{Row: row, Err: err}
		}
		if len(payload) == 0 {
			return nil
		}
	}
}

// encoder writes one framed message per row. Not safe for concurrent use.
type encoder struct {
	node  *cnode
	root  *encStruct
	types []arrow.DataType
	names []string
	vals  []val
	b     builder
}

// Append implements [format.Encoder]: rows [i, j) as concatenated framed messages.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return dst, fmt.Errorf("capnproto: rows [%d, %d) out of range of a record batch of %d rows", i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != len(e.types) {
		return dst, fmt.Errorf("capnproto: record batch has %d columns, the encoder was compiled for %d", rec.NumCols(), len(e.types))
	}
	for k, dt := range e.types {
		if err := arrowcol.Check(dt, rec.Column(k)); err != nil {
			return dst, fmt.Errorf("capnproto: column %s %w", e.names[k], err)
		}
	}
	out := dst
	for r := i; r < j; r++ {
		for k := range e.vals {
			e.vals[k] = val{rec.Column(k), r}
		}
		e.b.reset()
		off := e.b.newStruct(0, e.node.dataWords, e.node.ptrWords)
		if err := e.root.encode(&e.b, off, off+e.node.dataWords, e.vals); err != nil {
			return dst, fmt.Errorf("capnproto: %w: (at row %d)", err, r-i+1)
		}
		out = e.b.appendFrame(out)
	}
	return out, nil
}
