// Package csv implements ClickHouse's CSV formats, read and write: CSV, CSVWithNames and
// CSVWithNamesAndTypes.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/csv"
//
//	f, _ := format.Lookup("CSV")
//	dec, _ := f.NewDecoder(schema, nil)
//	err := dec.Decode(rows, []byte("0,0,\"AM\",0.5,1\n"))
//
// # Decoding
//
// A message holds any number of RFC 4180 rows separated by "\n" or "\r\n"; the line end
// after the last row is optional and an empty message has no rows (the WithNames variants
// need their header: an empty message is an error there, as in ClickHouse). Fields are
// separated by format_csv_delimiter (default ','), quoted with double quotes
// (format_csv_allow_double_quotes) or single quotes (format_csv_allow_single_quotes) with a
// doubled quote for a quote, or unquoted; spaces and tabs around fields are insignificant,
// so `0, 0` reads two numbers. An unquoted \N (format_csv_null_representation) is NULL, an
// empty unquoted field is the column's default (input_format_csv_empty_as_default), numbers
// may be quoted, and arrays, maps and tuples are ClickHouse literals inside one field
// ("['a','b']"). The WithNames variants map header names to columns
// (input_format_with_names_use_header, input_format_skip_unknown_fields) and
// CSVWithNamesAndTypes checks the types row (input_format_with_types_use_header); a names
// row none of whose fields is a column is an error, as in package tsv.
//
// Errors are [*ParseError] values with ClickHouse's wording, e.g. "Cannot parse input:
// expected '"' before: 'BAD","AM",0.5,1\n': (at row 1)" followed by the conversion error.
//
// # Encoding
//
// Rows are written as ClickHouse writes them: numbers and booleans bare, strings, dates,
// times, UUIDs, enums and compound values in double quotes, NULL as
// format_csv_null_representation, rows ended by "\n", e.g. `0,0,"AM",0.5,1`.
package csv
