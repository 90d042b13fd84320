// Package custom implements ClickHouse's CustomSeparated formats: CustomSeparated,
// CustomSeparatedWithNames and CustomSeparatedWithNamesAndTypes (read and write), and
// CustomSeparatedIgnoreSpaces with its WithNames variants (read only, as in ClickHouse).
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/custom"
//
// A message is format_custom_result_before_delimiter, the optional names and types rows,
// the rows — each format_custom_row_before_delimiter, the fields separated by
// format_custom_field_delimiter, then format_custom_row_after_delimiter, with
// format_custom_row_between_delimiter between rows (and after the header rows) — and
// format_custom_result_after_delimiter. Values use format_custom_escaping_rule (Escaped,
// Quoted, CSV, JSON, Raw; XML can only be written). The defaults give the bytes of
// TabSeparated. Every Kafka message is one complete document: with
// kafka_max_rows_per_message = 3 and result delimiters '<prefix>\n' and '<suffix>\n', five
// rows become "<prefix>\n0\t0\n10\t100\n20\t200\n<suffix>\n" and
// "<prefix>\n30\t300\n40\t400\n<suffix>\n".
//
// # Decoding
//
// Delimiters must match exactly (the IgnoreSpaces variants skip whitespace around them);
// the row-after delimiter of the last row may be missing at the end of a message, and one
// newline may follow the last row or the result-after text. An empty message has no rows
// (with a result-before text or a header it is an error). Values are read as described in
// the escaping rule: with the Escaped and Raw rules a string ends at a tab or newline, as in
// ClickHouse, and numbers and other single-token values also end at the next delimiter.
// Header names and types are handled as in the TSV formats.
//
// Errors are [*ParseError] values with ClickHouse's wording.
package custom
