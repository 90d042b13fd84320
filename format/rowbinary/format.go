package rowbinary

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/binio"
)

func init() {
	format.Register("RowBinary", Plain)
	format.Register("RowBinaryWithNames", WithNames)
	format.Register("RowBinaryWithNamesAndTypes", WithNamesAndTypes)
	format.Register("RowBinaryWithDefaults", WithDefaults)
}

// Format is one of the RowBinary formats. Its values are safe for concurrent use; the
// decoders and encoders they return are not.
type Format uint8

// The RowBinary formats, registered under ClickHouse's names.
const (
	// Plain is "RowBinary": rows of values in column order, no header.
	Plain Format = iota
	// WithNames is "RowBinaryWithNames": a header of column names, then the rows.
	WithNames
	// WithNamesAndTypes is "RowBinaryWithNamesAndTypes": a header of names and type names.
	WithNamesAndTypes
	// WithDefaults is "RowBinaryWithDefaults" (read only): every value is preceded by a
	// byte, 1 for "use the column's default" (no value follows), 0 for a value.
	WithDefaults
)

// String returns the format's ClickHouse name.
func (f Format) String() string {
	switch f {
	case Plain:
		return "RowBinary"
	case WithNames:
		return "RowBinaryWithNames"
	case WithNamesAndTypes:
		return "RowBinaryWithNamesAndTypes"
	case WithDefaults:
		return "RowBinaryWithDefaults"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

func (f Format) names() bool { return f == WithNames || f == WithNamesAndTypes }

// ParseError is the error a decoder returns for a message it cannot decode: the cause in
// ClickHouse's words, the 1-based row within the message and the column being read, e.g.
// "Cannot read all data. Bytes read: 9. Bytes expected: 65.: (at row 1)\n: (while reading
// column val1)". Header errors have Row 0.
type ParseError = binio.ParseError

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the [block.Rows] it will decode into). A nil s means [format.DefaultSettings]; the
// settings it honours are WithNamesUseHeader, WithTypesUseHeader and SkipUnknownFields
// (NullAsDefault acts through [block.Rows]). It fails when a column's type cannot be
// derived from schema.
func (f Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return newDecoder(f, cols, settingsOrDefault(s))
}

// NewEncoder compiles an encoder writing records of schema in the format. RowBinaryWithDefaults
// is read only: its NewEncoder returns an error wrapping [errors.ErrUnsupported]. It fails
// when a column's type cannot be derived from schema.
func (f Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	if f == WithDefaults {
		return nil, fmt.Errorf("%s is an input format: %w", f, errors.ErrUnsupported)
	}
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return newEncoder(f, schema, cols)
}

func settingsOrDefault(s *format.Settings) *format.Settings {
	if s == nil {
		d := format.DefaultSettings()
		return &d
	}
	return s
}
