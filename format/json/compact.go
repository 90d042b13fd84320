package json

import (
	"fmt"
)

// decodeCompactEachRow reads the JSONCompactEachRow family: rows are arrays of values
// (["0", 0, "AM", 0.5, 1]) in the order of the table's columns or, for the WithNames formats
// with input_format_with_names_use_header, of the names in the header row. Rows may be
// separated by ',' or ';'.
func (d *decoder) decodeCompactEachRow() error {
	d.skipBOM()
	header := d.kind.withNames()
	if err := d.compactHeader(); err != nil {
		return rowError(1, err)
	}
	row := 0
	for {
		// ClickHouse's checkForSuffix, then skipRowBetweenDelimiter (which runs before every
		// row but the first of a message without header rows).
		d.skipSeparator()
		if d.pos >= len(d.buf) {
			return nil
		}
		if row > 0 || header {
			d.skipSeparator()
		}
		row++
		if err := d.compactRow(); err != nil {
			return rowError(row, err)
		}
		if err := d.rows.EndRow(); err != nil {
			return &ParseError{Row: row, Err: err}
		}
	}
}

// skipSeparator skips whitespace, one optional ',' or ';', and whitespace.
func (d *decoder) skipSeparator() {
	d.skipSpace()
	if d.pos < len(d.buf) && (d.buf[d.pos] == ',' || d.buf[d.pos] == ';') {
		d.pos++
	}
	d.skipSpace()
}

// decodeCompact reads a JSONCompact document: {"meta": [...], "data": [[...], ...], ...}.
// The metadata's names map the array elements to columns.
func (d *decoder) decodeCompact() error {
	d.skipBOM()
	if err := d.documentPrefix('[', true); err != nil {
		return rowError(1, err)
	}
	row := 0
	for !d.skipSpaced(']') {
		if row > 0 {
			d.skipSeparator()
		}
		row++
		if err := d.compactRow(); err != nil {
			return rowError(row, err)
		}
		if err := d.rows.EndRow(); err != nil {
			return &ParseError{Row: row, Err: err}
		}
	}
	if err := d.documentSuffix(0); err != nil {
		return rowError(row+1, err)
	}
	return nil
}

// compactRow reads one array of values into the next row: element k goes to column
// d.fields[k], or is skipped when that is negative.
func (d *decoder) compactRow() error {
	if err := d.expectSpaced('['); err != nil {
		return err
	}
	for k, idx := range d.fields {
		if k > 0 {
			if err := d.expectSpaced(','); err != nil {
				return err
			}
		}
		d.skipSpace()
		if idx < 0 {
			if err := d.skipValue(); err != nil {
				return err
			}
			continue
		}
		if err := d.readers[idx](&d.scanner, d.rows.Col(idx)); err != nil {
			return newParseError(d.names[idx], err)
		}
	}
	return d.expectSpaced(']')
}

// compactHeader reads the header rows of the WithNames and WithNamesAndTypes formats and
// sets d.fields. The names row maps fields to columns (input_format_with_names_use_header,
// else it is skipped and fields follow the table), the types row is checked against the
// columns (input_format_with_types_use_header, else skipped).
func (d *decoder) compactHeader() error {
	d.fields = d.identity
	if !d.kind.withNames() {
		return nil
	}
	if d.useNames {
		d.startHeader()
		if _, err := d.headerRow(false); err != nil {
			return err
		}
		d.fields = d.fieldBuf
	} else if err := d.skipHeaderRow(); err != nil {
		return err
	}
	if !d.kind.withTypes() {
		return nil
	}
	if !d.useTypes {
		return d.skipHeaderRow()
	}
	n, err := d.headerRow(true)
	if err != nil {
		return err
	}
	if n != len(d.fields) {
		return &schemaError{msg: "The number of data types differs from the number of column names in input data"}
	}
	return nil
}

// headerRow reads a header row, an array of JSON strings: column names that map the fields
// to columns, or (types) type names checked against the mapped columns. It returns the
// number of strings.
func (d *decoder) headerRow(types bool) (int, error) {
	if err := d.expectSpaced('['); err != nil {
		return 0, err
	}
	n := 0
	for ; ; n++ {
		d.skipSpace()
		v, err := d.readJSONString()
		if err != nil {
			return n, err
		}
		switch {
		case !types:
			idx, ok := d.index[string(v)]
			if !ok {
				idx = unknownField
			}
			if err := d.mapField(v, idx); err != nil {
				return n, err
			}
		case n < len(d.fields) && d.fields[n] >= 0:
			idx := d.fields[n]
			if same, err := d.sameType(idx, v); err != nil || !same {
				return n, &schemaError{msg: fmt.Sprintf("Type of '%s' must be %s, not %s", d.names[idx], d.types[idx], v)}
			}
		}
		if !d.skipSpaced(',') {
			break
		}
	}
	return n + 1, d.expectSpaced(']')
}

// skipHeaderRow moves past a header row that is not used.
func (d *decoder) skipHeaderRow() error {
	if err := d.expectSpaced('['); err != nil {
		return err
	}
	for {
		if err := d.skipValue(); err != nil {
			return err
		}
		if !d.skipSpaced(',') {
			break
		}
	}
	return d.expectSpaced(']')
}
