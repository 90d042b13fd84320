package json

import (
	"fmt"
)

// decodeColumns reads the column formats: JSONColumns ({"name": [values], ...}),
// JSONCompactColumns ([[values], ...], columns in table order) and JSONColumnsWithMetadata
// ({"meta": [...], "data": {"name": [values], ...}, ...}). Columns missing from a message
// get defaults, every column present must have the same number of values. A message may
// hold several JSONColumns/JSONCompactColumns blocks one after the other; an empty message
// has no rows.
//
// Staging is row by row, so the message is read twice: the first pass checks the syntax and
// notes where each value starts, the second converts the values row by row.
func (d *decoder) decodeColumns() error {
	d.skipBOM()
	total := 0
	for !d.atEOF() {
		n, err := d.columnsBlock(total)
		if err != nil {
			return err
		}
		total += n
		if d.kind == kindColumnsWithMetadata {
			return nil // columnsBlock checked that the document ends the message
		}
	}
	return nil
}

// columnsBlock reads one block; rows before it were numbered up to base. It returns the
// number of rows.
func (d *decoder) columnsBlock(base int) (int, error) {
	named := d.kind != kindCompactColumns
	var open, close byte = '{', '}'
	switch d.kind {
	case kindCompactColumns:
		open, close = '[', ']'
		if err := d.expectSpaced(open); err != nil {
			return 0, rowError(0, err)
		}
	case kindColumnsWithMetadata:
		if err := d.documentPrefix(open, false); err != nil {
			return 0, rowError(0, err)
		}
	default:
		if err := d.expectSpaced(open); err != nil {
			return 0, rowError(0, err)
		}
	}
	clear(d.present)
	rows := -1
	if !d.skipSpaced(close) {
		for k := 0; ; k++ {
			idx := k
			if named {
				d.skipSpace()
				name, err := d.readJSONString()
				if err != nil {
					return 0, rowError(0, err)
				}
				i, ok := d.index[string(name)]
				if !ok {
					if !d.skipUnknown {
						return 0, rowError(0, &schemaError{msg: "Unknown column found in input data: " + string(name)})
					}
					i = unknownField
				}
				idx = i
				if err := d.expectSpaced(':'); err != nil {
					return 0, rowError(0, err)
				}
			} else if idx >= len(d.readers) {
				return 0, rowError(0, &schemaError{msg: fmt.Sprintf("Input data has too many columns, expected %d columns", len(d.readers))})
			}
			if idx < 0 {
				d.skipSpace()
				if d.pos < len(d.buf) && d.buf[d.pos] != '[' {
					return 0, rowError(0, d.expectedAt(d.pos, "["))
				}
				if err := d.skipValue(); err != nil {
					return 0, rowError(0, err)
				}
			} else {
				if d.present[idx] {
					return 0, rowError(0, &schemaError{msg: "Duplicate column found in input data: " + d.names[idx]})
				}
				d.present[idx] = true
				n, err := d.columnValues(idx)
				if err != nil {
					return 0, rowError(0, err)
				}
				if rows != -1 && rows != n {
					return 0, rowError(0, &schemaError{msg: fmt.Sprintf("Number of rows differs in different columns: %d != %d", rows, n)})
				}
				rows = n
			}
			if d.skipSpaced(close) {
				break
			}
			if err := d.expectSpaced(','); err != nil {
				return 0, rowError(0, err)
			}
		}
	}
	if d.kind == kindColumnsWithMetadata {
		if err := d.documentSuffix(0); err != nil {
			return 0, rowError(0, err)
		}
	}
	if rows <= 0 {
		return 0, nil
	}
	end := d.pos
	for r := range rows {
		for idx, ok := range d.present {
			if !ok {
				continue
			}
			d.pos = d.offsets[idx][r]
			if err := d.readers[idx](&d.scanner, d.rows.Col(idx)); err != nil {
				pe := newParseError(d.names[idx], err)
				pe.Row = base + r + 1
				return 0, pe
			}
		}
		if err := d.rows.EndRow(); err != nil {
			return 0, &ParseError{Row: base + r + 1, Err: err}
		}
	}
	d.pos = end
	return rows, nil
}

// columnValues reads the array of column idx's values, noting where each starts in
// d.offsets[idx], and returns their number.
func (d *decoder) columnValues(idx int) (int, error) {
	if err := d.expectSpaced('['); err != nil {
		return 0, err
	}
	offs := d.offsets[idx][:0]
	defer func() { d.offsets[idx] = offs }()
	if d.skipSpaced(']') {
		return 0, nil
	}
	for {
		d.skipSpace()
		offs = append(offs, d.pos)
		if err := d.skipValue(); err != nil {
			return 0, err
		}
		if d.skipSpaced(']') {
			return len(offs), nil
		}
		if err := d.expectSpaced(','); err != nil {
			return 0, err
		}
	}
}
