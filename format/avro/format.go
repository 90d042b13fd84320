package avro

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

func init() {
	format.Register("Avro", Format{})
	format.Register("AvroConfluent", Confluent{})
}

// Format is ClickHouse's Avro format: every message is one Avro object container file
// (header with the writer schema, then data blocks). The zero value is ready to use and
// safe for concurrent use; the decoders and encoders it returns are not.
type Format struct{}

// NewDecoder compiles a decoder for schema (the table's physical columns). The writer
// schema comes from each message's container header; plans compiled from it are cached
// per schema text. A nil s means [format.DefaultSettings]; no setting changes decoding
// (NullAsDefault acts through [block.Rows]). It fails when a column's type cannot be
// derived from schema.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("avro: %w", err)
	}
	return &decoder{comp: newCompiler(cols), plans: map[string]*plan{}}, nil
}

// NewEncoder compiles an encoder writing rows of schema as one object container file per
// message, with the Avro schema ClickHouse derives from the columns (see the package
// documentation) and the codec of s.AvroCodec ("" is ClickHouse's default, snappy). It
// fails for a column type Avro cannot express (Map keys other than String or
// FixedString) or an unknown codec.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	if s == nil {
		d := format.DefaultSettings()
		s = &d
	}
	w, err := newRowWriter(schema)
	if err != nil {
		return nil, fmt.Errorf("avro: %w", err)
	}
	codec := s.AvroCodec
	if codec == "" {
		codec = "snappy"
	}
	ocf, err := newOCFWriter(w.schemaJSON, codec)
	if err != nil {
		return nil, fmt.Errorf("avro: %w", err)
	}
	return &encoder{w: w, ocf: ocf}, nil
}

// maxPlans bounds the per-decoder cache of compiled writer schemas.
const maxPlans = 64

// decoder decodes object container files. Not safe for concurrent use.
type decoder struct {
	comp    *compiler
	plans   map[string]*plan
	cols    []*block.Col
	rows    *block.Rows
	scratch []byte
	r, br   reader
	c       container
}

// planFor returns the compiled plan of a writer schema, compiling it on first use.
func planFor(comp *compiler, plans map[string]*plan, schema []byte) (*plan, error) {
	if p, ok := plans[string(schema)]; ok {
		return p, nil
	}
	p, err := comp.compile(schema)
	if err != nil {
		return nil, err
	}
	if len(plans) >= maxPlans {
		clear(plans)
	}
	plans[string(schema)] = p
	return p, nil
}

// bind resolves the staged columns of dst once per Decode call.
func bind(cols []*block.Col, rows **block.Rows, dst *block.Rows, want int) ([]*block.Col, error) {
	if dst.NumCols() != want {
		return cols, fmt.Errorf("rows have %d columns, the decoder was compiled for %d", dst.NumCols(), want)
	}
	if *rows != dst || len(cols) != want {
		cols = cols[:0]
		for i := range want {
			cols = append(cols, dst.Col(i))
		}
		*rows = dst
	}
	return cols, nil
}

// Decode implements [format.Decoder]: payload must be one complete object container file;
// its records become rows. An empty payload is an error, as in ClickHouse.
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	var err error
	if d.cols, err = bind(d.cols, &d.rows, dst, len(d.comp.cols)); err != nil {
		return fmt.Errorf("avro: %w", err)
	}
	r, br, c := &d.r, &d.br, &d.c
	*r = reader{buf: payload}
	defer func() { r.buf, br.buf = nil, nil }() // do not retain the payload
	if err := readHeader(r, c); err != nil {
		return fmt.Errorf("avro: %w", err)
	}
	p, err := planFor(d.comp, d.plans, c.schema)
	if err != nil {
		return fmt.Errorf("avro: %w", err)
	}
	row := 0
	*br = reader{}
	for {
		count, data, err := c.nextBlock(r, &d.scratch)
		if err != nil {
			return &RowError{Row: row + 1, Err: err}
		}
		if count < 0 {
			return nil
		}
		br.buf, br.pos = data, 0
		for ; count > 0; count-- {
			row++
			if err := p.row(br, d.cols); err != nil {
				return &RowError{Row: row, Err: err}
			}
			if err := dst.EndRow(); err != nil {
				return &RowError{Row: row, Err: err}
			}
		}
		if br.remaining() != 0 {
			return &RowError{Row: row, Err: fmt.Errorf("%d bytes left in a data block after its records", br.remaining())}
		}
	}
}

// RowError is a decoding failure at one row (record) of a message. Its text is
// "avro: <Err>: (at row <Row>)"; Unwrap gives Err, which wraps a *block.ValueError when a
// value did not fit its column.
type RowError struct {
	Row int   // 1-based record number within the message
	Err error // the cause
}

// Error returns "avro: <Err>: (at row <Row>)".
func (e *RowError) Error() string {
	return "avro: " + e.Err.Error() + ": (at row " + strconv.Itoa(e.Row) + ")"
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// errBadRange is returned by Append for rows outside the record batch.
var errBadRange = errors.New("rows out of range")

func checkRange(rec arrow.RecordBatch, i, j int) error {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return fmt.Errorf("%w: [%d, %d) of a record batch of %d rows", errBadRange, i, j, rec.NumRows())
	}
	return nil
}
