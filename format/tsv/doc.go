// Package tsv implements ClickHouse's TabSeparated formats, read and write:
//
//	TabSeparated                      (aliases TSV)
//	TabSeparatedRaw                   (aliases TSVRaw, Raw)
//	TabSeparatedWithNames             (TSVWithNames)
//	TabSeparatedWithNamesAndTypes     (TSVWithNamesAndTypes)
//	TabSeparatedRawWithNames          (TSVRawWithNames, RawWithNames)
//	TabSeparatedRawWithNamesAndTypes  (TSVRawWithNamesAndTypes, RawWithNamesAndTypes)
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/tsv"
//
//	f, _ := format.Lookup("TSV")
//	dec, _ := f.NewDecoder(schema, nil)
//	err := dec.Decode(rows, []byte("0\t0\tAM\t0.5\t1\n1\t0\tAM\t0.5\t1\n"))
//
// # Decoding
//
// A message holds any number of rows, fields separated by tabs and rows ended by newlines;
// the newline after the last row is optional and an empty message has no rows (except for
// the WithNamesAndTypes variants, as in ClickHouse). Fields use the Escaped rule (\t, \n,
// \\, \xHH, ... are unescaped; \N is NULL, or format_tsv_null_representation), the Raw
// variants take them verbatim. Arrays, maps and tuples are ClickHouse literals
// (['a','b'], {'k':1}, (1,'x')). The WithNames variants map header names to columns
// (input_format_with_names_use_header; unknown names are skipped with
// input_format_skip_unknown_fields, missing columns get defaults) and the WithNamesAndTypes
// variants check the types row (input_format_with_types_use_header). Headers are per
// message, as every Kafka message is its own document. A names row none of whose fields is
// a column is an error (ClickHouse would read rows of defaults), so that garbage such as
// "qwertyuiop" is never taken for a header followed by no rows.
//
// Errors are [*ParseError] values with ClickHouse's wording, e.g. "Cannot parse input:
// expected '\t' before: 'BAD\tAM\t0.5\t1\n': (at row 1)" followed by the conversion error.
//
// # Encoding
//
// Rows are written as ClickHouse writes them: values escaped (or raw), NULL as
// format_tsv_null_representation, dates and times in the column's time zone, floats in
// shortest form, Decimal without trailing zeros, compound values as literals; the WithNames
// variants write the names row (and the types row) at the start of every message.
package tsv
