package parquet

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/binio"
)

func init() {
	format.Register("Parquet", Format{})
}

// Format is the Parquet format: every message is a complete Parquet file. It is registered
// as "Parquet" and is block-oriented: the encoder writes a record batch as one file. The
// zero value is ready to use and safe for concurrent use; the decoders and encoders it
// returns are not.
type Format struct{}

// BlockOriented reports true: one message carries one record batch.
func (Format) BlockOriented() bool { return true }

// ParseError is the error the decoder returns for a message it cannot decode: the cause
// and, for a value that does not fit its column, the column's name.
type ParseError = binio.ParseError

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the [block.Rows] it will decode into). A nil s means [format.DefaultSettings]; no setting
// applies besides NullAsDefault, which acts through [block.Rows]. It fails when a column's
// type cannot be derived from schema.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return newDecoder(cols), nil
}

// NewEncoder compiles an encoder writing record batches of schema as Parquet files,
// compressed per ParquetCompression (output_format_parquet_compression_method: none,
// snappy, zstd, lz4 (default; LZ4_RAW), gzip or brotli). A nil s means
// [format.DefaultSettings]. It fails for an unknown compression method or a column whose
// type cannot be derived from schema.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	if s == nil {
		d := format.DefaultSettings()
		s = &d
	}
	return newEncoder(schema, cols, s.ParquetCompression)
}
