package native

import (
	"errors"
	"fmt"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/binio"
	"github.com/chkafka/chkafka/format/internal/chbin"
)

// mapped is a column of the current block that fills a table column.
type mapped struct {
	col    int
	name   string
	reader chbin.Column
}

// decoder is the compiled Native decoder of one schema. Not safe for concurrent use.
type decoder struct {
	cols        []block.Column
	index       map[string]int
	skipUnknown bool
	readers     []map[string]chbin.Column // per table column, by the message's type name
	skipping    map[string]chbin.Column   // readers of unknown columns, by type name
	scratch     []byte
	r           binio.Reader
	block       []mapped
	seen        []bool
	all         []chbin.Column // every reader used by the current block, to release
}

func newDecoder(cols []block.Column, skipUnknown bool) *decoder {
	d := &decoder{
		cols:        cols,
		index:       make(map[string]int, len(cols)),
		skipUnknown: skipUnknown,
		readers:     make([]map[string]chbin.Column, len(cols)),
		skipping:    map[string]chbin.Column{},
		seen:        make([]bool, len(cols)),
	}
	for i, c := range cols {
		d.index[c.Name] = i
		d.readers[i] = map[string]chbin.Column{}
	}
	return d
}

// Decode implements [format.Decoder]: every block of payload, its rows in order.
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.cols) {
		return fmt.Errorf("native: rows have %d columns, the decoder was compiled for %d", dst.NumCols(), len(d.cols))
	}
	if len(payload) == 0 {
		return &ParseError{Err: binio.ErrReadAfterEOF}
	}
	d.r.Reset(payload)
	defer d.release()
	for !d.r.EOF() {
		if err := d.readBlock(dst); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) release() {
	d.r.Reset(nil)
	for _, c := range d.all {
		c.Release()
	}
	d.all = d.all[:0]
}

func (d *decoder) readBlock(dst *block.Rows) error {
	ncols, err := d.r.Uvarint()
	if err != nil {
		return &ParseError{Err: err}
	}
	nrows, err := d.r.Uvarint()
	if err != nil {
		return &ParseError{Err: err}
	}
	if ncols > uint64(d.r.Len()) {
		return &ParseError{Err: &binio.ShortReadError{Read: d.r.Len(), Expected: int(min(ncols, 1<<62))}}
	}
	if nrows > uint64(d.r.Len()) {
		return &ParseError{Err: &binio.ShortReadError{Read: d.r.Len(), Expected: int(min(nrows, 1<<62))}}
	}
	rows := int(nrows)
	d.block = d.block[:0]
	clear(d.seen)
	for range ncols {
		name, err := d.r.String()
		if err != nil {
			return &ParseError{Err: err}
		}
		typ, err := d.r.String()
		if err != nil {
			return &ParseError{Column: string(name), Err: err}
		}
		idx, known := d.index[string(name)]
		if !known && !d.skipUnknown {
			return &ParseError{Err: fmt.Errorf("Unknown column with name %s found while reading data in Native format", name)}
		}
		if known && d.seen[idx] {
			return &ParseError{Err: fmt.Errorf("Duplicate column with name %s found while reading data in Native format", name)}
		}
		reader, err := d.reader(idx, known, typ)
		if err != nil {
			return &ParseError{Column: string(name), Err: err}
		}
		d.all = append(d.all, reader)
		if rows > 0 { // zero rows are zero bytes of data
			if err := reader.ReadPrefix(&d.r); err != nil {
				return &ParseError{Column: string(name), Err: err}
			}
			if err := reader.Read(&d.r, rows); err != nil {
				return &ParseError{Column: string(name), Err: err}
			}
		}
		if known {
			d.seen[idx] = true
			d.block = append(d.block, mapped{col: idx, name: d.cols[idx].Name, reader: reader})
		}
	}
	for i := range rows {
		for _, m := range d.block {
			if err := m.reader.Stage(dst.Col(m.col), i); err != nil {
				return &ParseError{Column: m.name, Err: err}
			}
		}
		if err := dst.EndRow(); err != nil {
			return &ParseError{Err: err}
		}
	}
	return nil
}

var errNoType = errors.New("Unknown data type")

// reader returns the cached reader of the message type typ for table column idx (or for
// skipping when !known), compiling it the first time.
func (d *decoder) reader(idx int, known bool, typ []byte) (chbin.Column, error) {
	cache := d.skipping
	if known {
		cache = d.readers[idx]
	}
	if r, ok := cache[string(typ)]; ok {
		return r, nil
	}
	t, err := block.ParseType(string(typ))
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", errNoType, typ, err)
	}
	var table *block.Type
	if known {
		table = d.cols[idx].Type
	}
	r, err := chbin.CompileColumn(t, table, &d.scratch)
	if err != nil {
		return nil, err
	}
	if len(cache) < 64 { // a message cannot grow the cache without bound
		cache[string(typ)] = r
	}
	return r, nil
}
