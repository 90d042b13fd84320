package csv

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
	"github.com/chkafka/chkafka/format/internal/separated"
)

func init() {
	format.Register("CSV", Format{})
	format.Register("CSVWithNames", Format{WithNames: true})
	format.Register("CSVWithNamesAndTypes", Format{WithNames: true, WithTypes: true})
}

// ParseError is the error the decoders return for a message they cannot decode: Row is the
// 1-based row within the message, Column the column whose value failed (if any), Msg the
// ClickHouse-style description and Err the cause (usually a *block.ValueError).
type ParseError = escape.ParseError

// Format is one of the CSV formats. The zero value is CSV; the fields select the variant.
// It is safe for concurrent use; its decoders and encoders are not.
type Format struct {
	// WithNames adds a row of column names at the start of every message.
	WithNames bool
	// WithTypes adds a row of column types after the names (only with WithNames).
	WithTypes bool
}

// Name returns the format's ClickHouse name, e.g. "CSVWithNames".
func (f Format) Name() string {
	switch {
	case f.WithNames && f.WithTypes:
		return "CSVWithNamesAndTypes"
	case f.WithNames:
		return "CSVWithNames"
	}
	return "CSV"
}

func (f Format) layout(s *format.Settings) (separated.Layout, separated.Options) {
	delim := s.CSVDelimiter
	if delim == 0 {
		delim = ','
	}
	l := separated.Layout{
		Name:       "CSV",
		Format:     f.Name(),
		Pkg:        "csv",
		Rule:       escape.CSV,
		FieldDelim: string(delim),
		RowAfter:   "\n",
		WithNames:  f.WithNames,
		WithTypes:  f.WithNames && f.WithTypes,
		CSV:        true,
		EmptyOK:    !f.WithNames,
		EmptyErr:   "Attempt to read after eof",
	}
	o := separated.Options{
		Read: escape.ReadOptions{
			NullAsDefault:   s.NullAsDefault,
			CSVNull:         s.CSVNullRepresentation,
			EmptyAsDefault:  s.CSVEmptyAsDefault,
			CSVDelimiter:    delim,
			CSVSingleQuotes: s.CSVAllowSingleQuotes,
			CSVDoubleQuotes: s.CSVAllowDoubleQuotes,
		},
		Write:             escape.WriteOptions{CSVNull: s.CSVNullRepresentation},
		SkipUnknownFields: s.SkipUnknownFields,
		UseNamesHeader:    s.WithNamesUseHeader,
		UseTypesHeader:    s.WithTypesUseHeader,
	}
	return l, o
}

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the rows it decodes into). A nil s means [format.DefaultSettings]; it honours
// CSVDelimiter, CSVAllowSingleQuotes, CSVAllowDoubleQuotes, CSVEmptyAsDefault,
// CSVNullRepresentation, NullAsDefault, SkipUnknownFields, WithNamesUseHeader and
// WithTypesUseHeader. It fails when a column's type cannot be derived from schema.
func (f Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	l, o := f.layout(settingsOrDefault(s))
	return separated.NewDecoder(schema, l, o)
}

// NewEncoder compiles an encoder writing records of schema in the format. A nil s means
// [format.DefaultSettings]; CSVDelimiter and CSVNullRepresentation apply. It fails when a
// column's type cannot be derived from schema or its time zone is unknown.
func (f Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	l, o := f.layout(settingsOrDefault(s))
	return separated.NewEncoder(schema, l, o)
}

func settingsOrDefault(s *format.Settings) *format.Settings {
	if s == nil {
		d := format.DefaultSettings()
		return &d
	}
	return s
}
