package tskv

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
	"github.com/chkafka/chkafka/format/internal/separated"
)

func init() {
	format.Register("TSKV", Format{})
}

// ParseError is the error the decoder returns for a message it cannot decode: Row is the
// 1-based row within the message, Column the column whose value failed (if any), Msg the
// ClickHouse-style description and Err the cause (usually a *block.ValueError).
type ParseError = escape.ParseError

// Format is the TSKV format. The zero value is ready to use and safe for concurrent use;
// its decoders and encoders are not.
type Format struct{}

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the rows it decodes into). A nil s means [format.DefaultSettings]; it honours
// SkipUnknownFields, NullAsDefault and TSVNullRepresentation. It fails when a column's
// type cannot be derived from schema.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("tskv: %w", err)
	}
	s = settingsOrDefault(s)
	d := &decoder{
		names:       make([]string, len(cols)),
		fields:      make([]*escape.Field, len(cols)),
		index:       make(map[string]int, len(cols)),
		seen:        make([]uint32, len(cols)),
		skipUnknown: s.SkipUnknownFields,
		opts:        escape.ReadOptions{NullAsDefault: s.NullAsDefault, TSVNull: s.TSVNullRepresentation},
	}
	for i, c := range cols {
		f, err := escape.NewField(c.Type, escape.Escaped, d.opts)
		if err != nil {
			return nil, fmt.Errorf("tskv: column %s: %w", c.Name, err)
		}
		d.names[i], d.fields[i], d.index[c.Name] = c.Name, f, i
	}
	return d, nil
}

// NewEncoder compiles an encoder writing records of schema as key=value lines. A nil s
// means [format.DefaultSettings]; TSVNullRepresentation applies. It fails when a column's
// type cannot be derived from schema or its time zone is unknown.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("tskv: %w", err)
	}
	s = settingsOrDefault(s)
	e := &encoder{types: make([]arrow.DataType, len(cols)), keys: make([][]byte, len(cols)), writers: make([]escape.Writer, len(cols))}
	for i, c := range cols {
		dt := schema.Field(i).Type
		w, err := escape.NewWriter(c.Type, dt, escape.Escaped, escape.WriteOptions{TSVNull: s.TSVNullRepresentation})
		if err != nil {
			return nil, fmt.Errorf("tskv: column %s: %w", c.Name, err)
		}
		var key []byte
		if i > 0 {
			key = append(key, '\t')
		}
		key = escape.AppendEscaped(key, c.Name, '=')
		e.types[i], e.keys[i], e.writers[i] = dt, append(key, '='), w
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

// decoder is the compiled TSKV decoder of one schema. Not safe for concurrent use.
type decoder struct {
	names       []string
	fields      []*escape.Field
	index       map[string]int
	seen        []uint32 // seen[i] == gen: column i has a value in this row
	gen         uint32
	skipUnknown bool
	opts        escape.ReadOptions
	s           escape.Scanner
	name        []byte // the current key when it had escapes
}

var errKeyEOF = &escape.SyntaxError{Msg: "Unexpected end of stream while reading key name from TSKV format"}

// Decode implements [format.Decoder].
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.fields) {
		return fmt.Errorf("tskv: rows have %d columns, the decoder was compiled for %d", dst.NumCols(), len(d.fields))
	}
	s := &d.s
	s.Reset(payload)
	defer s.Release()
	if len(payload) == 0 {
		return escape.RowError(1, "", errKeyEOF)
	}
	s.SkipBOM()
	for row := 1; !s.EOF(); row++ {
		if err := d.readRow(dst); err != nil {
			return escape.RowError(row, "", err)
		}
		if err := dst.EndRow(); err != nil {
			return escape.RowError(row, "", err)
		}
	}
	return nil
}

func (d *decoder) readRow(dst *block.Rows) error {
	s := &d.s
	if s.Skip("\n") {
		return nil // an empty line is a row of defaults
	}
	d.gen++
	if d.gen == 0 {
		clear(d.seen)
		d.gen = 1
	}
	for {
		name, hasValue, err := d.readName()
		if err != nil {
			return err
		}
		if !hasValue {
			if string(name) != "tskv" {
				return &escape.SyntaxError{Msg: "Found field without value while parsing TSKV format: " + string(name)}
			}
		} else if idx, ok := d.index[string(name)]; ok {
			if d.seen[idx] == d.gen {
				return &escape.SyntaxError{Msg: "Duplicate field found while parsing TSKV format: " + string(name)}
			}
			d.seen[idx] = d.gen
			if err := d.fields[idx].Read(s, dst.Col(idx), "\t"); err != nil {
				var se *escape.SyntaxError
				if errors.As(err, &se) && se.Garbage {
					err = &escape.SyntaxError{Msg: "Found garbage after field in TSKV format: " + d.names[idx], Err: se.Err}
				}
				return escape.RowError(0, d.names[idx], err)
			}
		} else if !d.skipUnknown {
			return &escape.SyntaxError{Msg: "Unknown field found while parsing TSKV format: " + string(name)}
		} else if err := escape.Skip(s, escape.Escaped, d.opts, "\t"); err != nil {
			return err
		}
		switch {
		case s.EOF() || s.Skip("\n"):
			return nil // the newline after the last row is optional
		case s.Skip("\t"):
		default:
			return &escape.SyntaxError{Msg: "Found garbage after field in TSKV format: " + string(name)}
		}
	}
}

// readName reads a key up to '=' (hasValue) or a tab or newline (a field without value).
// The key is a sub-slice of the payload, or d.name when it had escapes.
func (d *decoder) readName() (name []byte, hasValue bool, err error) {
	s := &d.s
	buf := s.Buf
	start := s.Pos
	escaped := false
	for i := start; i < len(buf); i++ {
		switch buf[i] {
		case '\\':
			escaped = true
			i++
		case '=', '\t', '\n':
			name = buf[start:i]
			hasValue = buf[i] == '='
			s.Pos = i
			if hasValue {
				s.Pos++
			}
			if escaped {
				d.name = unescapeName(d.name[:0], name)
				name = d.name
			}
			return name, hasValue, nil
		}
	}
	s.Pos = len(buf)
	if string(buf[start:]) == "tskv" {
		return buf[start:], false, nil
	}
	return nil, false, errKeyEOF
}

// unescapeName decodes a key's escapes as ClickHouse's TSKV reader does (each escaped
// byte stands for itself or its control character).
func unescapeName(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' && i+1 < len(b) {
			i++
			c = b[i]
			switch c {
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case '0':
				c = 0
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// encoder is the compiled TSKV encoder of one schema. Not safe for concurrent use.
type encoder struct {
	types   []arrow.DataType
	keys    [][]byte // "key=" for the first column, "\tkey=" for the others
	writers []escape.Writer
}

// Append implements [format.Encoder]: rows [i, j) as key=value lines.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if err := separated.CheckRecord("tskv", e.types, rec, i, j); err != nil {
		return dst, err
	}
	cols := rec.Columns()
	for r := i; r < j; r++ {
		for k, w := range e.writers {
			dst = append(dst, e.keys[k]...)
			dst = w(dst, cols[k], r)
		}
		dst = append(dst, '\n')
	}
	return dst, nil
}
