package arrowfmt

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// encoder writes record batches of one schema. Not safe for concurrent use.
type encoder struct {
	f      Format
	schema *arrow.Schema
	opts   []ipc.Option
}

func newEncoder(f Format, schema *arrow.Schema, compression string) (*encoder, error) {
	opts := []ipc.Option{ipc.WithAllocator(memory.NewGoAllocator())}
	switch compression {
	case "", "lz4_frame":
		opts = append(opts, ipc.WithLZ4())
	case "zstd":
		opts = append(opts, ipc.WithZstd())
	case "none":
	default:
		return nil, fmt.Errorf("%s: unknown output_format_arrow_compression_method %q (none, lz4_frame or zstd)", f, compression)
	}
	return &encoder{f: f, schema: schema, opts: opts}, nil
}

// appendWriter is an io.Writer appending to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// Append implements [format.Encoder]: rows [i, j) of rec as one IPC file or stream.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return dst, fmt.Errorf("%s: rows [%d, %d) out of range of a record batch of %d rows", e.f, i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != e.schema.NumFields() {
		return dst, fmt.Errorf("%s: record batch has %d columns, the encoder was compiled for %d", e.f, rec.NumCols(), e.schema.NumFields())
	}
	for k, f := range e.schema.Fields() {
		if got := rec.Column(k).DataType(); !arrow.TypeEqual(got, f.Type) {
			return dst, fmt.Errorf("%s: column %s has type %s, the encoder was compiled for %s", e.f, rec.ColumnName(k), got, f.Type)
		}
	}
	slice := rec.NewSlice(int64(i), int64(j))
	defer slice.Release()
	w := &appendWriter{b: dst}
	if err := e.write(w, slice); err != nil {
		return dst, err
	}
	return w.b, nil
}

func (e *encoder) write(w *appendWriter, rec arrow.RecordBatch) error {
	if e.f == Stream {
		iw := ipc.NewWriter(w, append(e.opts, ipc.WithSchema(rec.Schema()))...)
		if err := iw.Write(rec); err != nil {
			iw.Close()
			return fmt.Errorf("%s: %w", e.f, err)
		}
		if err := iw.Close(); err != nil {
			return fmt.Errorf("%s: %w", e.f, err)
		}
		return nil
	}
	fw, err := ipc.NewFileWriter(w, append(e.opts, ipc.WithSchema(rec.Schema()))...)
	if err != nil {
		return fmt.Errorf("%s: %w", e.f, err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("%s: %w", e.f, err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("%s: %w", e.f, err)
	}
	return nil
}
