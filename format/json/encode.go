package json

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
)

// encoder is the compiled encoder of one format for one schema. Not safe for concurrent use.
type encoder struct {
	kind      kind
	types     []arrow.DataType
	writers   []writer
	nullable  bool          // JSONAsString: the column can hold NULL, which it cannot write
	names     [][]byte      // column names as JSON strings, with their quotes
	typeNames [][]byte      // ClickHouse type names as JSON strings
	keys      [][]byte      // JSONEachRow: `{"name":` for the first column, `,"name":` for the others
	scratch   []byte        // text of one value of the *Strings* formats
	valid     []byte        // the document before UTF-8 validation
	checked   *arrow.Schema // the last record schema whose column types were checked
}

func newEncoder(k kind, schema *arrow.Schema, cols []block.Column, s *format.Settings) (*encoder, error) {
	e := &encoder{
		kind:      k,
		types:     make([]arrow.DataType, len(cols)),
		writers:   make([]writer, len(cols)),
		names:     make([][]byte, len(cols)),
		typeNames: make([][]byte, len(cols)),
		keys:      make([][]byte, len(cols)),
	}
	st := styleJSON
	if k.strings() || k == kindAsString {
		st = styleText
	}
	for i, c := range cols {
		dt := schema.Field(i).Type
		w, err := compileWriter(c.Type, dt, s, st)
		if err != nil {
			return nil, fmt.Errorf("json: %s: column %s: %w", k, c.Name, err)
		}
		if k.strings() {
			w = stringsWriter(w, &e.scratch)
		}
		e.types[i] = dt
		e.writers[i] = w
		e.names[i] = escape.AppendJSONString(nil, c.Name)
		e.typeNames[i] = escape.AppendJSONString(nil, c.Type.String())
		var key []byte
		if i == 0 {
			key = append(key, '{')
		} else {
			key = append(key, ',')
		}
		e.keys[i] = append(append(key, e.names[i]...), ':')
	}
	if k == kindAsString {
		e.nullable = cols[0].Type.IsNullable()
	}
	return e, nil
}

// Append implements [format.Encoder]: rows [i, j) of rec as one document of the format.
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return dst, fmt.Errorf("json: %s: rows [%d, %d) out of range of a record batch of %d rows", e.kind, i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != len(e.writers) {
		return dst, fmt.Errorf("json: %s: record batch has %d columns, the encoder was compiled for %d", e.kind, rec.NumCols(), len(e.writers))
	}
	cols := rec.Columns()
	// Check the column types once per schema: a producer calls Append once per message
	// with the same schema, and arrow.TypeEqual is reflective (it was half of Insert's
	// CPU). A record batch's columns always match its schema's types.
	if sc := rec.Schema(); sc != e.checked {
		for k, dt := range e.types {
			if !arrow.TypeEqual(cols[k].DataType(), dt) {
				return dst, fmt.Errorf("json: %s: column %s has type %s, the encoder was compiled for %s", e.kind, rec.ColumnName(k), cols[k].DataType(), dt)
			}
		}
		e.checked = sc
	}
	start := len(dst)
	switch e.kind {
	case kindObjectEachRow:
		dst = e.appendObjectEachRow(dst, cols, i, j)
	case kindDocument, kindStrings:
		dst = e.appendDocument(dst, cols, i, j, false)
	case kindCompact, kindCompactStrings:
		dst = e.appendDocument(dst, cols, i, j, true)
	case kindColumns:
		dst = e.appendColumns(dst, cols, i, j, 0)
		dst = append(dst, '\n')
	case kindColumnsWithMetadata:
		dst = e.appendColumnsWithMetadata(dst, cols, i, j)
	case kindCompactColumns:
		dst = e.appendCompactColumns(dst, cols, i, j)
	case kindAsString:
		if e.nullable {
			for r := i; r < j; r++ {
				if cols[0].IsNull(r) {
					return dst, fmt.Errorf("json: %s: row %d of column %s is NULL, which the format cannot write: %w", e.kind, r, rec.ColumnName(0), errors.ErrUnsupported)
				}
			}
		}
		for r := i; r < j; r++ {
			dst = e.writers[0](dst, cols[0], r)
			dst = append(dst, '\n')
		}
	default:
		if e.kind.compactRows() {
			dst = e.appendCompactEachRow(dst, cols, i, j)
		} else {
			dst = e.appendEachRow(dst, cols, i, j)
		}
	}
	if e.kind.validatesUTF8() && !utf8.Valid(dst[start:]) {
		e.valid = append(e.valid[:0], dst[start:]...)
		dst = appendValidUTF8(dst[:start], e.valid)
	}
	return dst, nil
}

// appendEachRow writes JSONEachRow and JSONStringsEachRow: `{"col":value,...}\n` per row.
func (e *encoder) appendEachRow(dst []byte, cols []arrow.Array, i, j int) []byte {
	for r := i; r < j; r++ {
		dst = e.appendObject(dst, cols, r)
		dst = append(dst, '\n')
	}
	return dst
}

// appendObject writes row r as {"col":value,...}.
func (e *encoder) appendObject(dst []byte, cols []arrow.Array, r int) []byte {
	if len(e.writers) == 0 {
		dst = append(dst, '{')
	}
	for k, w := range e.writers {
		dst = append(dst, e.keys[k]...)
		dst = w(dst, cols[k], r)
	}
	return append(dst, '}')
}

// appendCompactEachRow writes the JSONCompactEachRow family: the header rows of the
// WithNames and WithNamesAndTypes formats, then `[value, value, ...]\n` per row.
func (e *encoder) appendCompactEachRow(dst []byte, cols []arrow.Array, i, j int) []byte {
	if e.kind.withNames() {
		dst = appendLine(dst, e.names)
	}
	if e.kind.withTypes() {
		dst = appendLine(dst, e.typeNames)
	}
	for r := i; r < j; r++ {
		dst = e.appendArray(dst, cols, r)
		dst = append(dst, '\n')
	}
	return dst
}

// appendLine writes a header row: ["a", "b"]\n.
func appendLine(dst []byte, values [][]byte) []byte {
	dst = append(dst, '[')
	for k, v := range values {
		if k > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, v...)
	}
	return append(dst, "]\n"...)
}

// appendArray writes row r as [value, value, ...].
func (e *encoder) appendArray(dst []byte, cols []arrow.Array, r int) []byte {
	dst = append(dst, '[')
	for k, w := range e.writers {
		if k > 0 {
			dst = append(dst, ", "...)
		}
		dst = w(dst, cols[k], r)
	}
	return append(dst, ']')
}

// appendObjectEachRow writes JSONObjectEachRow: {"row_1": {...}, "row_2": {...}} with one
// row per line, rows numbered from 1 in every message.
func (e *encoder) appendObjectEachRow(dst []byte, cols []arrow.Array, i, j int) []byte {
	dst = append(dst, "{\n"...)
	for r := i; r < j; r++ {
		if r > i {
			dst = append(dst, ",\n"...)
		}
		dst = append(dst, "\t\"row_"...)
		dst = strconv.AppendInt(dst, int64(r-i+1), 10)
		dst = append(dst, "\": "...)
		dst = e.appendObject(dst, cols, r)
	}
	return append(dst, "\n}\n"...)
}

// appendMeta writes `{` and the "meta" member of the JSON documents.
func (e *encoder) appendMeta(dst []byte) []byte {
	dst = append(dst, "{\n\t\"meta\":\n\t[\n"...)
	for k := range e.names {
		if k > 0 {
			dst = append(dst, ",\n"...)
		}
		dst = append(dst, "\t\t{\n\t\t\t\"name\": "...)
		dst = append(dst, e.names[k]...)
		dst = append(dst, ",\n\t\t\t\"type\": "...)
		dst = append(dst, e.typeNames[k]...)
		dst = append(dst, "\n\t\t}"...)
	}
	return append(dst, "\n\t]"...)
}

// appendRowsMember writes the "rows" member and the end of the document (ClickHouse's
// "statistics" member is left out: it describes a query, not a message).
func appendRowsMember(dst []byte, rows int) []byte {
	dst = append(dst, ",\n\n\t\"rows\": "...)
	dst = strconv.AppendInt(dst, int64(rows), 10)
	return append(dst, "\n}\n"...)
}

// appendDocument writes the JSON and JSONStrings formats (rows as objects) and JSONCompact
// and JSONCompactStrings (compact: rows as arrays), laid out as ClickHouse does.
func (e *encoder) appendDocument(dst []byte, cols []arrow.Array, i, j int, compact bool) []byte {
	dst = e.appendMeta(dst)
	dst = append(dst, ",\n\n\t\"data\":\n\t[\n"...)
	for r := i; r < j; r++ {
		if r > i {
			dst = append(dst, ",\n"...)
		}
		if compact {
			dst = append(dst, "\t\t"...)
			dst = e.appendArray(dst, cols, r)
			continue
		}
		dst = append(dst, "\t\t{\n"...)
		for k, w := range e.writers {
			if k > 0 {
				dst = append(dst, ",\n"...)
			}
			dst = append(dst, "\t\t\t"...)
			dst = append(dst, e.names[k]...)
			dst = append(dst, ": "...)
			dst = w(dst, cols[k], r)
		}
		dst = append(dst, "\n\t\t}"...)
	}
	dst = append(dst, "\n\t]"...)
	return appendRowsMember(dst, j-i)
}

// appendColumnValues writes the values of rows [i, j) of column k as [v, v, ...].
func (e *encoder) appendColumnValues(dst []byte, cols []arrow.Array, k, i, j int) []byte {
	dst = append(dst, '[')
	for r := i; r < j; r++ {
		if r > i {
			dst = append(dst, ", "...)
		}
		dst = e.writers[k](dst, cols[k], r)
	}
	return append(dst, ']')
}

// appendColumns writes JSONColumns, {"name": [values], ...}; indent is the depth of the
// object (1 inside JSONColumnsWithMetadata).
func (e *encoder) appendColumns(dst []byte, cols []arrow.Array, i, j, indent int) []byte {
	dst = appendTabs(dst, indent)
	dst = append(dst, "{\n"...)
	for k := range e.writers {
		if k > 0 {
			dst = append(dst, ",\n"...)
		}
		dst = appendTabs(dst, indent+1)
		dst = append(dst, e.names[k]...)
		dst = append(dst, ": "...)
		dst = e.appendColumnValues(dst, cols, k, i, j)
	}
	dst = append(dst, '\n')
	dst = appendTabs(dst, indent)
	return append(dst, '}')
}

func appendTabs(dst []byte, n int) []byte {
	for range n {
		dst = append(dst, '\t')
	}
	return dst
}

// appendColumnsWithMetadata writes JSONColumnsWithMetadata: the metadata, the columns as in
// JSONColumns under "data", and the number of rows.
func (e *encoder) appendColumnsWithMetadata(dst []byte, cols []arrow.Array, i, j int) []byte {
	dst = e.appendMeta(dst)
	dst = append(dst, ",\n\n\t\"data\":\n"...)
	dst = e.appendColumns(dst, cols, i, j, 1)
	return appendRowsMember(dst, j-i)
}

// appendCompactColumns writes JSONCompactColumns: [[values], ...] in column order.
func (e *encoder) appendCompactColumns(dst []byte, cols []arrow.Array, i, j int) []byte {
	dst = append(dst, "[\n"...)
	for k := range e.writers {
		if k > 0 {
			dst = append(dst, ",\n"...)
		}
		dst = append(dst, '\t')
		dst = e.appendColumnValues(dst, cols, k, i, j)
	}
	return append(dst, "\n]\n"...)
}
