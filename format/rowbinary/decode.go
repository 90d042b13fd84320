package rowbinary

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/binio"
	"github.com/chkafka/chkafka/format/internal/chbin"
)

// field is one value of a row as the message lays it out: a table column, or a value to
// skip.
type field struct {
	col  int           // table column index, -1 to skip
	skip chbin.Skipper // col < 0
	name string        // for errors
}

// decoder is the compiled decoder of one schema. Not safe for concurrent use.
type decoder struct {
	f           Format
	cols        []block.Column
	readers     []chbin.RowReader
	index       map[string]int
	useNames    bool
	useTypes    bool
	skipUnknown bool
	table       []field // the columns in table order: the layout without a usable header
	scratch     []byte
	r           binio.Reader

	header []byte  // the last message's header
	plan   []field // its layout
}

func newDecoder(f Format, cols []block.Column, s *format.Settings) (*decoder, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s: a table needs at least one column", f)
	}
	d := &decoder{
		f:           f,
		cols:        cols,
		readers:     make([]chbin.RowReader, len(cols)),
		index:       make(map[string]int, len(cols)),
		useNames:    s.WithNamesUseHeader,
		useTypes:    s.WithTypesUseHeader,
		skipUnknown: s.SkipUnknownFields,
		table:       make([]field, len(cols)),
	}
	for i, c := range cols {
		r, err := chbin.CompileRow(c.Type, &d.scratch)
		if err != nil {
			return nil, fmt.Errorf("%s: column %s: %w", f, c.Name, err)
		}
		d.readers[i] = r
		d.index[c.Name] = i
		d.table[i] = field{col: i, name: c.Name}
	}
	return d, nil
}

// Decode implements [format.Decoder].
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.readers) {
		return fmt.Errorf("%s: rows have %d columns, the decoder was compiled for %d", d.f, dst.NumCols(), len(d.readers))
	}
	d.r.Reset(payload)
	defer d.r.Reset(nil)
	plan := d.table
	if d.f.names() {
		var err error
		if plan, err = d.readHeader(); err != nil {
			return &ParseError{Err: err}
		}
	}
	for row := 1; row == 1 && len(payload) == 0 || !d.r.EOF(); row++ {
		start := d.r.Pos()
		for _, f := range plan {
			if err := d.readField(dst, f); err != nil {
				return &ParseError{Row: row, Column: f.name, Err: err}
			}
		}
		if err := dst.EndRow(); err != nil {
			return &ParseError{Row: row, Err: err}
		}
		if d.r.Pos() == start {
			return &ParseError{Row: row, Err: errors.New("a row without fields: the header names no column")}
		}
	}
	return nil
}

func (d *decoder) readField(dst *block.Rows, f field) error {
	if d.f == WithDefaults {
		flag, err := d.r.Byte()
		if err != nil {
			return err
		}
		if flag != 0 {
			return nil // EndRow gives the column its default
		}
	}
	if f.col < 0 {
		return f.skip(&d.r)
	}
	return d.readers[f.col](&d.r, dst.Col(f.col))
}

// readHeader reads the names (and types) header and returns the layout of the rows. A
// header equal to the previous message's reuses its layout.
func (d *decoder) readHeader() ([]field, error) {
	n, err := d.r.Uvarint()
	if err != nil {
		return nil, err
	}
	if n > uint64(d.r.Len()) {
		return nil, &binio.ShortReadError{Read: d.r.Len(), Expected: int(min(n, 1<<62))}
	}
	start := d.r.Pos()
	k := int(n)
	if d.f == WithNamesAndTypes {
		k *= 2
	}
	for range k {
		if _, err := d.r.String(); err != nil {
			return nil, err
		}
	}
	raw := d.r.Since(0)
	if d.plan != nil && bytes.Equal(raw, d.header) {
		return d.plan, nil
	}
	plan, err := d.compileHeader(int(n), start)
	if err != nil {
		return nil, err
	}
	d.header = append(d.header[:0], raw...)
	d.plan = plan
	return plan, nil
}

// compileHeader builds the layout of a header of n names (and types) read from start.
func (d *decoder) compileHeader(n, start int) ([]field, error) {
	var h binio.Reader
	h.Reset(d.r.Since(start))
	names := make([][]byte, n)
	for i := range names {
		names[i], _ = h.String()
	}
	var types [][]byte
	if d.f == WithNamesAndTypes {
		types = make([][]byte, n)
		for i := range types {
			types[i], _ = h.String()
		}
	}

	var plan []field
	if d.useNames {
		seen := make([]bool, len(d.cols))
		for i, name := range names {
			col, ok := d.index[string(name)]
			if !ok {
				if !d.skipUnknown {
					return nil, fmt.Errorf("Unknown field found in %s header: '%s' at position %d\nSet the 'input_format_skip_unknown_fields' parameter explicitly to ignore and proceed", d.f, name, i)
				}
				if types == nil {
					return nil, fmt.Errorf("Cannot skip unknown field in %s format, because it's type is unknown", d.f)
				}
				t, err := block.ParseType(string(types[i]))
				if err != nil {
					return nil, fmt.Errorf("cannot skip unknown field '%s': %w", name, err)
				}
				skip, err := chbin.CompileSkip(t)
				if err != nil {
					return nil, fmt.Errorf("cannot skip unknown field '%s': %w", name, err)
				}
				plan = append(plan, field{col: -1, skip: skip, name: string(name)})
				continue
			}
			if seen[col] {
				return nil, fmt.Errorf("Duplicate field found while parsing %s header: %s", d.f, name)
			}
			seen[col] = true
			plan = append(plan, field{col: col, name: d.cols[col].Name})
		}
	} else {
		plan = d.table
	}
	if types != nil && d.useTypes {
		if len(types) != len(plan) {
			return nil, errors.New("The number of data types differs from the number of column names in input data")
		}
		for i, f := range plan {
			if f.col < 0 {
				continue
			}
			want := d.cols[f.col].Type
			t, err := block.ParseType(string(types[i]))
			if err != nil || t.String() != want.String() {
				return nil, fmt.Errorf("Type of '%s' must be %s, not %s", d.cols[f.col].Name, want, types[i])
			}
		}
	}
	return plan, nil
}
