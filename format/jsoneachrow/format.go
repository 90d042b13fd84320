package jsoneachrow

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

func init() {
	format.Register("JSONEachRow", Format{})
	// ClickHouse registers these names as aliases of JSONEachRow.
	format.Register("JSONLines", Format{})
	format.Register("NDJSON", Format{})
}

// Format is the JSONEachRow format: one JSON object per row. It is registered as
// "JSONEachRow" and under ClickHouse's aliases "JSONLines" and "NDJSON". The zero value is
// ready to use and safe for concurrent use; the decoders and encoders it returns are not.
type Format struct{}

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the [block.Rows] it will decode into). A nil s means [format.DefaultSettings]. The settings
// it honours are SkipUnknownFields and ImportNestedJSON; NullAsDefault and DateTimeBestEffort
// act through [block.Rows]. It fails when a column's type cannot be derived from schema.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("jsoneachrow: %w", err)
	}
	return newDecoder(cols, settingsOrDefault(s))
}

// NewEncoder compiles an encoder writing records of schema as `{"col":value,...}\n` lines
// in ClickHouse's output form. A nil s means [format.DefaultSettings]; Quote64BitIntegers and
// QuoteDecimals apply. It fails when a column's type cannot be derived from schema or its
// time zone is unknown.
func (Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("jsoneachrow: %w", err)
	}
	return newEncoder(schema, cols, settingsOrDefault(s))
}

func settingsOrDefault(s *format.Settings) *format.Settings {
	if s == nil {
		d := format.DefaultSettings()
		return &d
	}
	return s
}
