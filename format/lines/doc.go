// Package lines implements ClickHouse's single-column text formats, read and write:
//
//   - LineAsString: every line of a message is one row of the table's only column, which
//     must be a String. Lines end with "\n" (a "\r" before it stays in the value); the
//     newline after the last line is optional, so "a\nb" and "a\nb\n" are both two rows,
//     and an empty message has no rows. The encoder writes each value and a newline.
//   - RawBLOB: the whole message is one value of the only String column; an empty message
//     has no rows. The encoder writes the values' bytes as they are, with no delimiter.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/lines"
//
// Any bytes are a valid value, so no message is malformed; a table that is not a single
// String column is refused when the decoder or encoder is created, as ClickHouse refuses
// it ("This input format is only suitable for tables with a single column of type String").
package lines
