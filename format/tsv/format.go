package tsv

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
	"github.com/chkafka/chkafka/format/internal/separated"
)

func init() {
	for _, f := range []struct {
		names []string
		f     Format
	}{
		{[]string{"TabSeparated", "TSV"}, Format{}},
		{[]string{"TabSeparatedRaw", "TSVRaw", "Raw"}, Format{Raw: true}},
		{[]string{"TabSeparatedWithNames", "TSVWithNames"}, Format{WithNames: true}},
		{[]string{"TabSeparatedWithNamesAndTypes", "TSVWithNamesAndTypes"}, Format{WithNames: true, WithTypes: true}},
		{[]string{"TabSeparatedRawWithNames", "TSVRawWithNames", "RawWithNames"}, Format{Raw: true, WithNames: true}},
		{[]string{"TabSeparatedRawWithNamesAndTypes", "TSVRawWithNamesAndTypes", "RawWithNamesAndTypes"}, Format{Raw: true, WithNames: true, WithTypes: true}},
	} {
		for _, name := range f.names {
			format.Register(name, f.f)
		}
	}
}

// ParseError is the error the decoders return for a message they cannot decode: Row is the
// 1-based row within the message, Column the column whose value failed (if any), Msg the
// ClickHouse-style description and Err the cause (usually a *block.ValueError).
type ParseError = escape.ParseError

// Format is one of the TabSeparated formats. The zero value is TabSeparated; the fields
// select the variant. It is safe for concurrent use; its decoders and encoders are not.
type Format struct {
	// Raw selects the Raw rule: values are not escaped (TabSeparatedRaw).
	Raw bool
	// WithNames adds a row of column names at the start of every message.
	WithNames bool
	// WithTypes adds a row of column types after the names (only with WithNames).
	WithTypes bool
}

// Name returns the format's ClickHouse name, e.g. "TabSeparatedRawWithNames".
func (f Format) Name() string {
	n := "TabSeparated"
	if f.Raw {
		n += "Raw"
	}
	if f.WithNames {
		n += "WithNames"
		if f.WithTypes {
			n += "AndTypes"
		}
	}
	return n
}

func (f Format) layout(s *format.Settings) (separated.Layout, separated.Options) {
	rule := escape.Escaped
	if f.Raw {
		rule = escape.Raw
	}
	l := separated.Layout{
		Name:       "TSV",
		Format:     f.Name(),
		Pkg:        "tsv",
		Rule:       rule,
		FieldDelim: "\t",
		RowAfter:   "\n",
		WithNames:  f.WithNames,
		WithTypes:  f.WithNames && f.WithTypes,
		// ClickHouse reads an empty message as no rows, except with a types row.
		EmptyOK:  !(f.WithNames && f.WithTypes),
		EmptyErr: `Cannot parse input: expected '\n' at end of stream.`,
	}
	o := separated.Options{
		Read: escape.ReadOptions{
			NullAsDefault:  s.NullAsDefault,
			TSVNull:        s.TSVNullRepresentation,
			EmptyAsDefault: s.TSVEmptyAsDefault,
		},
		Write:             escape.WriteOptions{TSVNull: s.TSVNullRepresentation},
		SkipUnknownFields: s.SkipUnknownFields,
		UseNamesHeader:    s.WithNamesUseHeader,
		UseTypesHeader:    s.WithTypesUseHeader,
	}
	return l, o
}

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the rows it decodes into). A nil s means [format.DefaultSettings]; it honours
// TSVNullRepresentation, TSVEmptyAsDefault, NullAsDefault, SkipUnknownFields,
// WithNamesUseHeader and WithTypesUseHeader. It fails when a column's type cannot be
// derived from schema.
func (f Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	l, o := f.layout(settingsOrDefault(s))
	return separated.NewDecoder(schema, l, o)
}

// NewEncoder compiles an encoder writing records of schema in the format. A nil s means
// [format.DefaultSettings]; TSVNullRepresentation applies. It fails when a column's type
// cannot be derived from schema or its time zone is unknown.
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
