package escape

import (
	"errors"
	"strconv"
	"strings"

	"github.com/chkafka/chkafka/block"
)

// SyntaxError is a problem with the text of a message, in ClickHouse's wording ("Cannot
// parse input: expected '\t' before: 'BAD\tAM\n'"), optionally caused by a conversion
// error from package block.
type SyntaxError struct {
	Msg string
	Err error // the cause, may be nil
	// Garbage is set when a value was read but text that cannot belong to it follows
	// inside its field (a number followed by letters): TSKV words this "Found garbage
	// after field".
	Garbage bool
}

// Error returns Msg, then ": " and the cause when there is one.
func (e *SyntaxError) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SyntaxError) Unwrap() error { return e.Err }

// ParseError is the error a row format's decoder returns for a message it cannot decode.
// Its text follows ClickHouse's: "<Msg>: (at row <Row>)", then a newline and the cause
// (usually a [*block.ValueError] naming the column, type and value) when there is one.
type ParseError struct {
	Row    int    // 1-based row within the message; 0 for an error in a header or prefix
	Column string // the column whose value failed, "" when the error is not in a value
	Msg    string // ClickHouse-style description; "" when Err says it all
	Err    error  // the cause, may be nil
}

// Error returns the ClickHouse-style text described at [ParseError].
func (e *ParseError) Error() string {
	var b strings.Builder
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	b.WriteString(msg)
	if e.Column != "" && !isValueError(e.Err) {
		b.WriteString(": (while reading the value of column ")
		b.WriteString(e.Column)
		b.WriteString(")")
	}
	if e.Row > 0 {
		b.WriteString(": (at row ")
		b.WriteString(strconv.Itoa(e.Row))
		b.WriteString(")")
	}
	if e.Msg != "" && e.Err != nil {
		b.WriteString("\n")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

func isValueError(err error) bool {
	var ve *block.ValueError
	return errors.As(err, &ve)
}

// RowError wraps err, returned while reading row (1-based; 0 for a header) and column
// ("" outside a value), into a [*ParseError]. A *SyntaxError contributes its message and
// cause; a *ParseError is returned with the row set if it had none.
func RowError(row int, column string, err error) *ParseError {
	switch e := err.(type) {
	case *ParseError:
		if e.Row == 0 {
			e.Row = row
		}
		if e.Column == "" {
			e.Column = column
		}
		return e
	case *SyntaxError:
		return &ParseError{Row: row, Column: column, Msg: e.Msg, Err: e.Err}
	}
	return &ParseError{Row: row, Column: column, Err: err}
}
