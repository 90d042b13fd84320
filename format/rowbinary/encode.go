package rowbinary

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
	"github.com/chkafka/chkafka/format/internal/binio"
	"github.com/chkafka/chkafka/format/internal/chbin"
)

// encoder is the compiled encoder of one schema. Not safe for concurrent use.
type encoder struct {
	f       Format
	types   []arrow.DataType
	writers []chbin.ValueWriter
	header  []byte
}

func newEncoder(f Format, schema *arrow.Schema, cols []block.Column) (*encoder, error) {
	e := &encoder{f: f, types: make([]arrow.DataType, len(cols)), writers: make([]chbin.ValueWriter, len(cols))}
	for i, c := range cols {
		dt := schema.Field(i).Type
		v, err := arrowval.Compile(c.Type, dt)
		if err != nil {
			return nil, fmt.Errorf("%s: column %s: %w", f, c.Name, err)
		}
		w, err := chbin.CompileWriter(v)
		if err != nil {
			return nil, fmt.Errorf("%s: column %s: %w", f, c.Name, err)
		}
		e.types[i], e.writers[i] = dt, w
	}
	if f.names() {
		e.header = binio.AppendUvarint(e.header, uint64(len(cols)))
		for _, c := range cols {
			e.header = binio.AppendString(e.header, c.Name)
		}
		if f == WithNamesAndTypes {
			for _, c := range cols {
				e.header = binio.AppendString(e.header, c.Type.String())
			}
		}
	}
	return e, nil
}

// Append implements [format.Encoder]: the header of the format, then rows [i, j) of rec.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if err := checkRecord(e.f.String(), e.types, rec, i, j); err != nil {
		return dst, err
	}
	out := append(dst, e.header...)
	cols := rec.Columns()
	for r := i; r < j; r++ {
		for k, w := range e.writers {
			var err error
			if out, err = w(out, cols[k], r); err != nil {
				return dst, fmt.Errorf("%s: column %s, row %d: %w", e.f, rec.ColumnName(k), r, err)
			}
		}
	}
	return out, nil
}

func checkRecord(name string, types []arrow.DataType, rec arrow.RecordBatch, i, j int) error {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return fmt.Errorf("%s: rows [%d, %d) out of range of a record batch of %d rows", name, i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != len(types) {
		return fmt.Errorf("%s: record batch has %d columns, the encoder was compiled for %d", name, rec.NumCols(), len(types))
	}
	for k, dt := range types {
		if got := rec.Column(k).DataType(); !arrow.TypeEqual(got, dt) {
			return fmt.Errorf("%s: column %s has type %s, the encoder was compiled for %s", name, rec.ColumnName(k), got, dt)
		}
	}
	return nil
}
