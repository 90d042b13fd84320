package native

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/binio"
)

func init() {
	format.Register("Native", Format{})
}

// Format is ClickHouse's Native format: blocks of columns in ClickHouse's own
// serialization. It is registered as "Native" and is block-oriented: the encoder writes a
// record batch as one message. The zero value is ready to use and safe for concurrent use;
// the decoders and encoders it returns are not.
type Format struct{}

// BlockOriented reports true: one message carries one record batch.
func (Format) BlockOriented() bool { return true }

// ParseError is the error the decoder returns for a message it cannot decode: the cause in
// ClickHouse's words and the column being read, e.g. "Cannot convert: String to UInt16:
// (while reading column blockNo)". Native errors have no row.
type ParseError = binio.ParseError

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the [block.Rows] it will decode into). A nil s means [format.DefaultSettings]; it honours
// SkipUnknownFields (NullAsDefault acts through [block.Rows]). It fails when a column's type
// cannot be derived from schema.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	if s == nil {
		d := format.DefaultSettings()
		s = &d
	}
	return newDecoder(cols, s.SkipUnknownFields), nil
}

// NewEncoder compiles an encoder writing records of schema as Native blocks. A nil s means
// [format.DefaultSettings]; no setting applies. It fails when a column's type cannot be
// derived from schema.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	return newEncoder(schema, cols)
}
