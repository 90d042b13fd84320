package arrowfmt

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/binio"
)

func init() {
	format.Register("Arrow", File)
	format.Register("ArrowStream", Stream)
}

// Format is one of the Arrow IPC formats. Both are block-oriented: the encoder writes a
// record batch as one message. Its values are safe for concurrent use; the decoders and
// encoders they return are not.
type Format uint8

const (
	// File is "Arrow": every message is an Arrow IPC file ("ARROW1" magic, footer).
	File Format = iota
	// Stream is "ArrowStream": every message is an Arrow IPC stream.
	Stream
)

// String returns the format's ClickHouse name.
func (f Format) String() string {
	if f == Stream {
		return "ArrowStream"
	}
	return "Arrow"
}

// BlockOriented reports true: one message carries one record batch.
func (Format) BlockOriented() bool { return true }

// ParseError is the error a decoder returns for a message it cannot decode: the cause and,
// for a value that does not fit its column, the column's name.
type ParseError = binio.ParseError

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the [block.Rows] it will decode into). A nil s means [format.DefaultSettings]; no setting
// applies besides NullAsDefault, which acts through [block.Rows]. It fails when a column's
// type cannot be derived from schema.
func (f Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return newDecoder(f, cols), nil
}

// NewEncoder compiles an encoder writing record batches of schema as Arrow IPC files or
// streams, compressed per ArrowCompression (output_format_arrow_compression_method: none,
// lz4_frame (default) or zstd). A nil s means [format.DefaultSettings]. It fails for an
// unknown compression method or a column whose type cannot be derived from schema.
func (f Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	if _, err := block.ColumnsFromSchema(schema); err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	if s == nil {
		d := format.DefaultSettings()
		s = &d
	}
	return newEncoder(f, schema, s.ArrowCompression)
}
