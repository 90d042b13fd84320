package bson

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/binio"
)

func init() {
	format.Register("BSONEachRow", Format{})
}

// Format is the BSONEachRow format: each row is one BSON document whose field names are
// column names. It is registered as "BSONEachRow". The zero value is ready to use and safe
// for concurrent use; the decoders and encoders it returns are not.
type Format struct{}

// ParseError is the error the decoder returns for a message it cannot decode: the cause in
// ClickHouse's words, the 1-based row (document) within the message and the column being
// read.
type ParseError = binio.ParseError

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the [block.Rows] it will decode into). A nil s means [format.DefaultSettings]; it honours
// SkipUnknownFields (NullAsDefault acts through [block.Rows]). It fails when a column's type
// cannot be derived from schema.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("bson: %w", err)
	}
	if s == nil {
		d := format.DefaultSettings()
		s = &d
	}
	return newDecoder(cols, s.SkipUnknownFields)
}

// NewEncoder compiles an encoder writing records of schema as BSON documents, the way
// ClickHouse writes them. A nil s means [format.DefaultSettings]; no setting applies
// (output_format_bson_string_as_string is ClickHouse's default, false). It fails when a
// column's type cannot be derived from schema or a column name contains a NUL byte.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("bson: %w", err)
	}
	return newEncoder(schema, cols)
}
