package custom

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
	"github.com/chkafka/chkafka/format/internal/separated"
)

func init() {
	for _, spaces := range []bool{false, true} {
		for _, f := range []Format{{IgnoreSpaces: spaces}, {IgnoreSpaces: spaces, WithNames: true}, {IgnoreSpaces: spaces, WithNames: true, WithTypes: true}} {
			format.Register(f.Name(), f)
		}
	}
}

// ParseError is the error the decoders return for a message they cannot decode: Row is the
// 1-based row within the message, Column the column whose value failed (if any), Msg the
// ClickHouse-style description and Err the cause (usually a *block.ValueError).
type ParseError = escape.ParseError

// Format is one of the CustomSeparated formats. The zero value is CustomSeparated; the
// fields select the variant. It is safe for concurrent use; its decoders and encoders are
// not.
type Format struct {
	// WithNames adds a row of column names at the start of every message.
	WithNames bool
	// WithTypes adds a row of column types after the names (only with WithNames).
	WithTypes bool
	// IgnoreSpaces skips whitespace around delimiters and values when reading; such
	// formats cannot be written.
	IgnoreSpaces bool
}

// Name returns the format's ClickHouse name, e.g. "CustomSeparatedIgnoreSpacesWithNames".
func (f Format) Name() string {
	n := "CustomSeparated"
	if f.IgnoreSpaces {
		n += "IgnoreSpaces"
	}
	if f.WithNames {
		n += "WithNames"
		if f.WithTypes {
			n += "AndTypes"
		}
	}
	return n
}

func (f Format) layout(s *format.Settings) (separated.Layout, separated.Options, error) {
	rule, err := escape.ParseRule(s.CustomEscapingRule)
	if err != nil {
		return separated.Layout{}, separated.Options{}, fmt.Errorf("custom: %s: format_custom_escaping_rule: %w", f.Name(), err)
	}
	l := separated.Layout{
		Name:         "CustomSeparated",
		Format:       f.Name(),
		Pkg:          "custom",
		Rule:         rule,
		ResultBefore: s.CustomResultBeforeDelimiter,
		ResultAfter:  s.CustomResultAfterDelimiter,
		RowBefore:    s.CustomRowBeforeDelimiter,
		FieldDelim:   s.CustomFieldDelimiter,
		RowAfter:     s.CustomRowAfterDelimiter,
		RowBetween:   s.CustomRowBetweenDelimiter,
		WithNames:    f.WithNames,
		WithTypes:    f.WithNames && f.WithTypes,
		IgnoreSpaces: f.IgnoreSpaces,
		Custom:       true,
		EmptyOK:      !f.WithNames,
	}
	o := separated.Options{
		Read: escape.ReadOptions{
			NullAsDefault:   s.NullAsDefault,
			TSVNull:         s.TSVNullRepresentation,
			CSVNull:         s.CSVNullRepresentation,
			CSVSingleQuotes: s.CSVAllowSingleQuotes,
			CSVDoubleQuotes: s.CSVAllowDoubleQuotes,
		},
		Write: escape.WriteOptions{
			TSVNull:            s.TSVNullRepresentation,
			CSVNull:            s.CSVNullRepresentation,
			Quote64BitIntegers: s.Quote64BitIntegers,
			QuoteDecimals:      s.QuoteDecimals,
		},
		SkipUnknownFields: s.SkipUnknownFields,
		UseNamesHeader:    s.WithNamesUseHeader,
		UseTypesHeader:    s.WithTypesUseHeader,
	}
	return l, o, nil
}

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the rows it decodes into). A nil s means [format.DefaultSettings]; it honours the
// Custom* settings, TSVNullRepresentation (Escaped and Raw rules), the CSV quote and NULL
// settings (CSV rule), NullAsDefault, SkipUnknownFields, WithNamesUseHeader and
// WithTypesUseHeader. It fails for an unknown escaping rule or XML, when a column's type
// cannot be derived from schema, and, as ClickHouse, for a WithNames variant using the
// header whose field and row-after delimiters are equal with no row-between delimiter.
func (f Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	l, o, err := f.layout(settingsOrDefault(s))
	if err != nil {
		return nil, err
	}
	return separated.NewDecoder(schema, l, o)
}

// NewEncoder compiles an encoder writing records of schema in the format. A nil s means
// [format.DefaultSettings]; the Custom* settings, the TSV and CSV NULL representations and,
// for the JSON rule, Quote64BitIntegers and QuoteDecimals apply. The IgnoreSpaces variants
// are input-only: their NewEncoder returns an error wrapping [errors.ErrUnsupported].
func (f Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	if f.IgnoreSpaces {
		return nil, fmt.Errorf("custom: %s: output is not supported, as in ClickHouse: %w", f.Name(), errors.ErrUnsupported)
	}
	l, o, err := f.layout(settingsOrDefault(s))
	if err != nil {
		return nil, err
	}
	return separated.NewEncoder(schema, l, o)
}

func settingsOrDefault(s *format.Settings) *format.Settings {
	if s == nil {
		d := format.DefaultSettings()
		return &d
	}
	return s
}
