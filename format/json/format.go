package json

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

// kind is one format of the family. The zero kind is JSONEachRow.
type kind uint8

const (
	kindEachRow kind = iota
	kindStringsEachRow
	kindCompactEachRow
	kindCompactEachRowWithNames
	kindCompactEachRowWithNamesAndTypes
	kindCompactStringsEachRow
	kindCompactStringsEachRowWithNames
	kindCompactStringsEachRowWithNamesAndTypes
	kindObjectEachRow
	kindAsString
	kindDocument
	kindCompact
	kindStrings
	kindCompactStrings
	kindColumns
	kindCompactColumns
	kindColumnsWithMetadata
	numKinds
)

var kindNames = [numKinds]string{
	kindEachRow:                                "JSONEachRow",
	kindStringsEachRow:                         "JSONStringsEachRow",
	kindCompactEachRow:                         "JSONCompactEachRow",
	kindCompactEachRowWithNames:                "JSONCompactEachRowWithNames",
	kindCompactEachRowWithNamesAndTypes:        "JSONCompactEachRowWithNamesAndTypes",
	kindCompactStringsEachRow:                  "JSONCompactStringsEachRow",
	kindCompactStringsEachRowWithNames:         "JSONCompactStringsEachRowWithNames",
	kindCompactStringsEachRowWithNamesAndTypes: "JSONCompactStringsEachRowWithNamesAndTypes",
	kindObjectEachRow:                          "JSONObjectEachRow",
	kindAsString:                               "JSONAsString",
	kindDocument:                               "JSON",
	kindCompact:                                "JSONCompact",
	kindStrings:                                "JSONStrings",
	kindCompactStrings:                         "JSONCompactStrings",
	kindColumns:                                "JSONColumns",
	kindCompactColumns:                         "JSONCompactColumns",
	kindColumnsWithMetadata:                    "JSONColumnsWithMetadata",
}

// String returns the format's ClickHouse name.
func (k kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// strings reports whether every value is written, and read, as a JSON string of its text.
func (k kind) strings() bool {
	switch k {
	case kindStringsEachRow, kindCompactStringsEachRow, kindCompactStringsEachRowWithNames,
		kindCompactStringsEachRowWithNamesAndTypes, kindStrings, kindCompactStrings:
		return true
	}
	return false
}

// objects reports whether rows are JSON objects keyed by column name.
func (k kind) objects() bool {
	switch k {
	case kindEachRow, kindStringsEachRow, kindObjectEachRow, kindDocument, kindStrings:
		return true
	}
	return false
}

// compactRows reports whether the format is of the JSONCompactEachRow family.
func (k kind) compactRows() bool {
	return k >= kindCompactEachRow && k <= kindCompactStringsEachRowWithNamesAndTypes
}

func (k kind) withNames() bool {
	switch k {
	case kindCompactEachRowWithNames, kindCompactEachRowWithNamesAndTypes,
		kindCompactStringsEachRowWithNames, kindCompactStringsEachRowWithNamesAndTypes:
		return true
	}
	return false
}

func (k kind) withTypes() bool {
	return k == kindCompactEachRowWithNamesAndTypes || k == kindCompactStringsEachRowWithNamesAndTypes
}

// block reports whether the format is block-oriented (one message per record batch).
func (k kind) block() bool {
	return k == kindColumns || k == kindCompactColumns || k == kindColumnsWithMetadata
}

// readable reports whether ClickHouse has an input format of this name (JSONStrings and
// JSONCompactStrings are output-only).
func (k kind) readable() bool {
	return k != kindStrings && k != kindCompactStrings
}

// validatesUTF8 reports whether output replaces invalid UTF-8, as ClickHouse's JSON and
// JSONCompact output formats always do.
func (k kind) validatesUTF8() bool {
	return k == kindDocument || k == kindCompact || k == kindStrings || k == kindCompactStrings
}

func init() {
	for k := range numKinds {
		format.Register(k.String(), Format{kind: k})
	}
	// ClickHouse registers these names as aliases of JSONEachRow.
	format.Register("JSONLines", Format{kind: kindEachRow})
	format.Register("NDJSON", Format{kind: kindEachRow})
}

// Format is one format of the JSON family, as registered under its ClickHouse name (see the
// package documentation for the list). Obtain it with [format.Lookup]; the zero value is
// JSONEachRow. A Format is safe for concurrent use; the decoders and encoders it returns are
// not.
type Format struct {
	kind kind
}

// Name returns the format's ClickHouse name, e.g. "JSONCompactEachRow".
func (f Format) Name() string { return f.kind.String() }

// BlockOriented implements [format.BlockFormat]: JSONColumns, JSONCompactColumns and
// JSONColumnsWithMetadata write one document per record batch.
func (f Format) BlockOriented() bool { return f.kind.block() }

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the [block.Rows] it will decode into). A nil s means [format.DefaultSettings]. The settings
// it honours are SkipUnknownFields, ImportNestedJSON (the formats with rows as objects),
// WithNamesUseHeader and WithTypesUseHeader (the WithNames and WithNamesAndTypes formats),
// and NullAsDefault, which also decides whether the *Strings* formats read "NULL" as NULL;
// NullAsDefault and DateTimeBestEffort act through [block.Rows]. It fails when a column's
// type cannot be derived from schema, for JSONAsString unless the table has exactly one
// String column, and with an error wrapping [errors.ErrUnsupported] for the output-only
// JSONStrings and JSONCompactStrings.
func (f Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	if !f.kind.readable() {
		return nil, fmt.Errorf("json: %s is an output-only format: %w", f.kind, errors.ErrUnsupported)
	}
	cols, err := columns(f.kind, schema)
	if err != nil {
		return nil, err
	}
	return newDecoder(f.kind, cols, settingsOrDefault(s))
}

// NewEncoder compiles an encoder writing records of schema in the format, the way ClickHouse
// writes it. A nil s means [format.DefaultSettings]; Quote64BitIntegers and QuoteDecimals
// apply to the formats whose values are typed JSON. It fails when a column's type cannot be
// derived from schema or its time zone is unknown, and for JSONAsString unless the table has
// exactly one String column.
func (f Format) NewEncoder(schema *arrow.Schema, s *format.Settings) (format.Encoder, error) {
	cols, err := columns(f.kind, schema)
	if err != nil {
		return nil, err
	}
	return newEncoder(f.kind, schema, cols, settingsOrDefault(s))
}

// columns derives the table's columns and checks what the format requires of them.
func columns(k kind, schema *arrow.Schema) ([]block.Column, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("json: %s: %w", k, err)
	}
	if k == kindAsString {
		if len(cols) != 1 {
			return nil, fmt.Errorf("json: %s is only suitable for tables with a single column of type String, but the number of columns is %d", k, len(cols))
		}
		t := cols[0].Type
		for t.Kind == block.Nullable || t.Kind == block.LowCardinality {
			t = t.Elem
		}
		if t.Kind != block.String {
			return nil, fmt.Errorf("json: %s is only suitable for tables with a single column of type String, but column %s has type %s", k, cols[0].Name, cols[0].Type)
		}
	}
	return cols, nil
}

func settingsOrDefault(s *format.Settings) *format.Settings {
	if s == nil {
		d := format.DefaultSettings()
		return &d
	}
	return s
}
