package msgpack

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/binio"
)

func init() {
	format.Register("MsgPack", Format{})
}

// Format is the MsgPack format: each row is its column values as consecutive MessagePack
// values. It is registered as "MsgPack". The zero value is ready to use and safe for
// concurrent use; the decoders and encoders it returns are not.
type Format struct{}

// ParseError is the error the decoder returns for a message it cannot decode: the cause in
// ClickHouse's words, the 1-based row within the message and the column being read.
type ParseError = binio.ParseError

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the [block.Rows] it will decode into). A nil s means [format.DefaultSettings]; no setting
// applies besides NullAsDefault, which acts through [block.Rows]. It fails when a column's
// type cannot be derived from schema or the schema has no column.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("msgpack: %w", err)
	}
	return newDecoder(cols)
}

// NewEncoder compiles an encoder writing records of schema as MessagePack rows, the way
// ClickHouse writes them. A nil s means [format.DefaultSettings]; no setting applies.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("msgpack: %w", err)
	}
	return newEncoder(schema, cols)
}
