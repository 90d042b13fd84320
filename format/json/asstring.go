package json

import (
	"bytes"
)

var (
	errNotObject        = &syntaxError{msg: "JSON object must begin with '{'."}
	errUnfinishedObject = &syntaxError{msg: "Unexpected end of file while parsing JSON object."}
)

// decodeAsString reads a JSONAsString message: each top-level JSON object, verbatim, is the
// value of the only column. Objects may be separated by whitespace or commas and wrapped in
// a JSON array; an empty message has no rows. Like ClickHouse, the object is only checked
// for balanced braces outside strings.
func (d *decoder) decodeAsString() error {
	d.skipBOM()
	d.skipSpace()
	inArray := d.skip('[')
	col := d.rows.Col(0)
	row := 0
	for {
		d.skipSpace()
		if d.pos >= len(d.buf) || !inArray && d.buf[d.pos] == ';' || inArray && d.buf[d.pos] == ']' {
			break
		}
		row++
		start := d.pos
		if err := d.skipObjectText(); err != nil {
			return rowError(row, err)
		}
		if err := col.AppendText(d.buf[start:d.pos]); err != nil {
			return &ParseError{Row: row, Err: err}
		}
		if err := d.rows.EndRow(); err != nil {
			return &ParseError{Row: row, Err: err}
		}
		d.skipSpace()
		d.skip(',')
	}
	d.skipSpace()
	if inArray {
		if err := d.expect(']'); err != nil {
			return rowError(row+1, err)
		}
	}
	return d.semicolonEOF(row)
}

// skipObjectText moves past a JSON object by counting braces outside strings (ClickHouse's
// JSONAsStringRowInputFormat::readJSONObject).
func (d *decoder) skipObjectText() error {
	if d.pos >= len(d.buf) || d.buf[d.pos] != '{' {
		return errNotObject
	}
	d.pos++
	balance := 1
	for balance > 0 {
		i := bytes.IndexAny(d.buf[d.pos:], "\"{}\\")
		if i < 0 {
			d.pos = len(d.buf)
			return errUnfinishedObject
		}
		d.pos += i
		switch d.buf[d.pos] {
		case '{':
			balance++
			d.pos++
		case '}':
			balance--
			d.pos++
		case '\\':
			d.pos += 2 // an escaped byte
			if d.pos > len(d.buf) {
				d.pos = len(d.buf)
				return errUnfinishedObject
			}
		case '"':
			d.pos++
			for {
				j := bytes.IndexAny(d.buf[d.pos:], "\"\\")
				if j < 0 {
					d.pos = len(d.buf)
					return errUnfinishedObject
				}
				d.pos += j
				if d.buf[d.pos] == '"' {
					d.pos++
					break
				}
				d.pos += 2 // an escaped byte
				if d.pos > len(d.buf) {
					d.pos = len(d.buf)
					return errUnfinishedObject
				}
			}
		}
	}
	return nil
}
