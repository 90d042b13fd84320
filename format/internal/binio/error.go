package binio

import (
	"strconv"
	"strings"
)

// ParseError is the error the binary formats' decoders return for a message they cannot
// decode. Its text follows ClickHouse's: the cause, then ": (at row N)" for an error inside
// row N (1-based within the message), then, on a new line, the column being read:
//
//	Cannot read all data. Bytes read: 9. Bytes expected: 65.: (at row 1)
//	: (while reading column val1)
type ParseError struct {
	Row    int    // 1-based row within the message; 0 when not inside a row (a header, a block)
	Column string // the column being read; "" when none
	Err    error  // the cause, e.g. a [*ShortReadError] or a conversion error from package block
}

// Error returns the ClickHouse-style text described at [ParseError].
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Row > 0 {
		b.WriteString(": (at row ")
		b.WriteString(strconv.Itoa(e.Row))
		b.WriteString(")")
		if e.Column != "" {
			b.WriteString("\n")
		}
	}
	if e.Column != "" {
		b.WriteString(": (while reading column ")
		b.WriteString(e.Column)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }
