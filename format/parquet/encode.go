package parquet

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/chkafka/chkafka/block"
)

// encoder writes record batches of one schema. Not safe for concurrent use.
type encoder struct {
	schema *arrow.Schema // the table's
	write  *arrow.Schema // the file's: LowCardinality columns with their value types
	cols   []block.Column
	plain  []*block.Type // stripLowCardinality of the columns that have it, else nil
	mem    memory.Allocator
	props  *parquet.WriterProperties
	aprops pqarrow.ArrowWriterProperties
}

var codecs = map[string]compress.Compression{
	"none":   compress.Codecs.Uncompressed,
	"snappy": compress.Codecs.Snappy,
	"zstd":   compress.Codecs.Zstd,
	"lz4":    compress.Codecs.Lz4Raw,
	"gzip":   compress.Codecs.Gzip,
	"brotli": compress.Codecs.Brotli,
	"":       compress.Codecs.Lz4Raw,
}

func newEncoder(schema *arrow.Schema, cols []block.Column, compression string) (*encoder, error) {
	codec, ok := codecs[compression]
	if !ok {
		return nil, fmt.Errorf("parquet: unknown output_format_parquet_compression_method %q (none, snappy, zstd, lz4, gzip or brotli)", compression)
	}
	mem := memory.NewGoAllocator()
	plain := make([]*block.Type, len(cols))
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = schema.Field(i)
		if hasLowCardinality(c.Type) {
			plain[i] = stripLowCardinality(c.Type)
			fields[i] = block.Schema([]block.Column{{Name: c.Name, Type: plain[i]}}).Field(0)
		}
	}
	md := schema.Metadata()
	return &encoder{
		schema: schema,
		write:  arrow.NewSchema(fields, &md),
		cols:   cols,
		plain:  plain,
		mem:    mem,
		props: parquet.NewWriterProperties(
			parquet.WithAllocator(mem),
			parquet.WithCompression(codec),
			parquet.WithCreatedBy("chkafka"),
		),
		aprops: pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithStoreSchema()),
	}, nil
}

// appendWriter is an io.Writer appending to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// Append implements [format.Encoder]: rows [i, j) of rec as one Parquet file.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return dst, fmt.Errorf("parquet: rows [%d, %d) out of range of a record batch of %d rows", i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != e.schema.NumFields() {
		return dst, fmt.Errorf("parquet: record batch has %d columns, the encoder was compiled for %d", rec.NumCols(), e.schema.NumFields())
	}
	for k, f := range e.schema.Fields() {
		if got := rec.Column(k).DataType(); !arrow.TypeEqual(got, f.Type) {
			return dst, fmt.Errorf("parquet: column %s has type %s, the encoder was compiled for %s", rec.ColumnName(k), got, f.Type)
		}
	}
	slice, err := e.prepare(rec, i, j)
	if err != nil {
		return dst, err
	}
	defer slice.Release()
	w := &appendWriter{b: dst}
	fw, err := pqarrow.NewFileWriter(slice.Schema(), w, e.props, e.aprops)
	if err != nil {
		return dst, fmt.Errorf("parquet: %w", err)
	}
	if err := fw.Write(slice); err != nil {
		fw.Close()
		return dst, fmt.Errorf("parquet: %w", err)
	}
	if err := fw.Close(); err != nil {
		return dst, fmt.Errorf("parquet: %w", err)
	}
	return w.b, nil
}

// prepare returns rows [i, j) of rec with the file's schema. The caller releases it.
func (e *encoder) prepare(rec arrow.RecordBatch, i, j int) (arrow.RecordBatch, error) {
	slice := rec.NewSlice(int64(i), int64(j))
	defer slice.Release()
	cols := make([]arrow.Array, len(e.cols))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for k, c := range slice.Columns() {
		if e.plain[k] == nil {
			c.Retain()
			cols[k] = c
			continue
		}
		d, err := dense(e.mem, c, e.cols[k].Type, e.write.Field(k).Type)
		if err != nil {
			return nil, fmt.Errorf("parquet: column %s: %w", e.cols[k].Name, err)
		}
		cols[k] = d
	}
	return array.NewRecordBatch(e.write, cols, int64(j-i)), nil
}
