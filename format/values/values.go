package values

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
	"github.com/chkafka/chkafka/format/internal/separated"
)

func init() {
	format.Register("Values", Format{})
}

// ParseError is the error the decoder returns for a message it cannot decode: Row is the
// 1-based row within the message, Column the column whose value failed (if any), Msg the
// ClickHouse-style description and Err the cause (usually a *block.ValueError).
type ParseError = escape.ParseError

// Format is the Values format. The zero value is ready to use and safe for concurrent use;
// its decoders and encoders are not.
type Format struct{}

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the rows it decodes into). A nil s means [format.DefaultSettings]; NullAsDefault acts
// through [block.Rows]. It fails when a column's type cannot be derived from schema or
// the schema has no column.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("values: a table needs at least one column")
	}
	s = settingsOrDefault(s)
	d := &decoder{names: make([]string, len(cols)), fields: make([]*escape.Field, len(cols))}
	for i, c := range cols {
		f, err := escape.NewField(c.Type, escape.Quoted, escape.ReadOptions{NullAsDefault: s.NullAsDefault})
		if err != nil {
			return nil, fmt.Errorf("values: column %s: %w", c.Name, err)
		}
		d.names[i], d.fields[i] = c.Name, f
	}
	return d, nil
}

// NewEncoder compiles an encoder writing records of schema as Values tuples. A nil s means
// [format.DefaultSettings]. It fails when a column's type cannot be derived from schema or
// its time zone is unknown.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	e := &encoder{types: make([]arrow.DataType, len(cols)), writers: make([]escape.Writer, len(cols))}
	for i, c := range cols {
		dt := schema.Field(i).Type
		w, err := escape.NewWriter(c.Type, dt, escape.Quoted, escape.WriteOptions{})
		if err != nil {
			return nil, fmt.Errorf("values: column %s: %w", c.Name, err)
		}
		e.types[i], e.writers[i] = dt, w
	}
	return e, nil
}

func settingsOrDefault(s *format.Settings) *format.Settings {
	if s == nil {
		d := format.DefaultSettings()
		return &d
	}
	return s
}

// decoder is the compiled Values decoder of one schema. Not safe for concurrent use.
type decoder struct {
	names  []string
	fields []*escape.Field
	s      escape.Scanner
}

// Decode implements [format.Decoder].
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.fields) {
		return fmt.Errorf("values: rows have %d columns, the decoder was compiled for %d", dst.NumCols(), len(d.fields))
	}
	s := &d.s
	s.Reset(payload)
	defer s.Release()
	s.SkipBOM()
	last := len(d.fields) - 1
	for row := 1; ; row++ {
		s.SkipSpaces()
		if s.EOF() {
			return nil
		}
		if s.Skip(";") {
			s.SkipSpaces()
			if !s.EOF() {
				return escape.RowError(row, "", s.ExpectedAt(s.Pos, "eof"))
			}
			return nil
		}
		if err := s.Expect("("); err != nil {
			return escape.RowError(row, "", err)
		}
		for k, f := range d.fields {
			s.SkipSpaces()
			next := ","
			if k == last {
				next = ")"
			}
			if err := f.Read(s, dst.Col(k), next); err != nil {
				return escape.RowError(row, d.names[k], err)
			}
			s.SkipSpaces()
			if err := s.Expect(next); err != nil {
				return escape.RowError(row, "", err)
			}
		}
		if err := dst.EndRow(); err != nil {
			return escape.RowError(row, "", err)
		}
		s.SkipSpaces()
		s.Skip(",")
	}
}

// encoder is the compiled Values encoder of one schema. Not safe for concurrent use.
type encoder struct {
	types   []arrow.DataType
	writers []escape.Writer
}

// Append implements [format.Encoder]: rows [i, j) as (v,...) tuples joined by commas.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if err := separated.CheckRecord("values", e.types, rec, i, j); err != nil {
		return dst, err
	}
	cols := rec.Columns()
	for r := i; r < j; r++ {
		if r > i {
			dst = append(dst, ',')
		}
		dst = append(dst, '(')
		for k, w := range e.writers {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = w(dst, cols[k], r)
		}
		dst = append(dst, ')')
	}
	return dst, nil
}
