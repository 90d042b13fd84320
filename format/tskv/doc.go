// Package tskv implements ClickHouse's TSKV format, read and write: every row is a line of
// tab-separated key=value fields, e.g. "id=0\tblockNo=0\tval1=AM\tval2=0.5\tval3=1\n".
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/tskv"
//
// # Decoding
//
// A message holds any number of rows; the newline after the last row is optional, an empty
// line is a row of defaults, and an empty message is an error, as in ClickHouse's Kafka
// tests ("Unexpected end of stream while reading key name from TSKV format"). Keys and
// values use the Escaped rule of TabSeparated (a key may escape '=' as \=); \N is NULL.
// Keys may come in any order; missing keys give the column's default, unknown keys are
// skipped (input_format_skip_unknown_fields) or an error, a repeated key is an error, and a
// lone "tskv" field is ignored. A value that stops being a number before its field ends is
// "Found garbage after field in TSKV format: <key>".
//
// Errors are [*ParseError] values with ClickHouse's wording and "(at row N)".
//
// # Encoding
//
// Rows are written in the schema's column order as ClickHouse writes them: the key escaped
// (with '=' as \=), '=', the value by the Escaped rule (see package tsv), fields separated
// by tabs and every row ended by a newline.
package tskv
