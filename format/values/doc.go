// Package values implements ClickHouse's Values format, read and write: rows are SQL
// tuples of literals, e.g. "(0,0,'AM',0.5,1),(1,0,'AM',0.5,1)".
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/values"
//
// # Decoding
//
// A message holds any number of rows separated by optional commas and whitespace, and may
// end with ';'; an empty message has no rows. Values are SQL literals (the Quoted escaping
// rule): numbers, true/false, NULL (any case), strings in single quotes with backslash
// escapes or a doubled quote for a quote, arrays [..], tuples (..) and maps {..}. A quoted string for a
// number, date or other scalar column is converted as CAST would ('1' into an Int32), and
// fails with ClickHouse's "Cannot parse string 'BAD' as UInt16: syntax error at begin of
// string. Note: there are toUInt16OrZero and toUInt16OrNull functions, which returns
// zero/NULL instead of throwing exception". Unlike ClickHouse, expressions (now(), 1+2) are
// not evaluated: chkafka has no SQL engine.
//
// Errors are [*ParseError] values with ClickHouse's wording and "(at row N)".
//
// # Encoding
//
// Rows are written as ClickHouse writes them: (v1,v2,...) joined by commas with no
// trailing delimiter, values by the Quoted rule: numbers bare, strings, dates, times, UUIDs
// and enums in single quotes, NULL, [..], (..) and {..}.
package values
