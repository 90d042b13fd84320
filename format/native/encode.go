package native

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
	"github.com/chkafka/chkafka/format/internal/binio"
	"github.com/chkafka/chkafka/format/internal/chbin"
)

// encoder is the compiled Native encoder of one schema. Not safe for concurrent use.
type encoder struct {
	types   []arrow.DataType
	heads   [][]byte // name and type name of each column, length-prefixed
	writers []chbin.ColumnWriter
}

func newEncoder(schema *arrow.Schema, cols []block.Column) (*encoder, error) {
	e := &encoder{types: make([]arrow.DataType, len(cols)), heads: make([][]byte, len(cols)), writers: make([]chbin.ColumnWriter, len(cols))}
	for i, c := range cols {
		dt := schema.Field(i).Type
		v, err := arrowval.Compile(c.Type, dt)
		if err != nil {
			return nil, fmt.Errorf("native: column %s: %w", c.Name, err)
		}
		w, err := chbin.CompileColumnWriter(v)
		if err != nil {
			return nil, fmt.Errorf("native: column %s: %w", c.Name, err)
		}
		e.types[i], e.writers[i] = dt, w
		e.heads[i] = binio.AppendString(binio.AppendString(nil, c.Name), c.Type.String())
	}
	return e, nil
}

// Append implements [format.Encoder]: rows [i, j) of rec as one Native block.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return dst, fmt.Errorf("native: rows [%d, %d) out of range of a record batch of %d rows", i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != len(e.types) {
		return dst, fmt.Errorf("native: record batch has %d columns, the encoder was compiled for %d", rec.NumCols(), len(e.types))
	}
	for k, dt := range e.types {
		if got := rec.Column(k).DataType(); !arrow.TypeEqual(got, dt) {
			return dst, fmt.Errorf("native: column %s has type %s, the encoder was compiled for %s", rec.ColumnName(k), got, dt)
		}
	}
	out := binio.AppendUvarint(dst, uint64(len(e.writers)))
	out = binio.AppendUvarint(out, uint64(j-i))
	for k, w := range e.writers {
		out = append(out, e.heads[k]...)
		if j == i {
			continue // ClickHouse writes no data, not even the prefix, for zero rows
		}
		out = w.Prefix(out)
		var err error
		if out, err = w.Data(out, rec.Column(k), i, j); err != nil {
			return dst, fmt.Errorf("native: column %s: %w", rec.ColumnName(k), err)
		}
	}
	return out, nil
}
