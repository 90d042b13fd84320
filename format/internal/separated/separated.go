// Package separated is the engine shared by the separated text formats — TabSeparated,
// CSV and CustomSeparated with their WithNames and WithNamesAndTypes variants — which
// differ only in their escaping rule and delimiters ([Layout]), the way ClickHouse's
// RowInputFormatWithNamesAndTypes serves them.
//
// A message is: result-before text, an optional names row and an optional types row,
// then rows, each row-before + fields separated by the field delimiter + row-after, rows
// separated by row-between, and the result-after text. A missing row-after at the very end
// of a message is accepted (Kafka producers often drop the trailing newline).
package separated

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
)

// Layout describes one separated format.
type Layout struct {
	// Name is the format's short name in header error texts ("TSV", "CSV",
	// "CustomSeparated"), Format its registered name, and Pkg the prefix of Go-level
	// errors (the package name: "tsv", "csv", "custom").
	Name, Format, Pkg string
	// Rule is the escaping rule of every field, names and types included.
	Rule escape.Rule
	// The delimiters. TSV: FieldDelim "\t", RowAfter "\n"; CSV: FieldDelim the CSV
	// delimiter, RowAfter "\n" (with "\r\n" accepted, see CSV).
	ResultBefore, ResultAfter       string
	RowBefore, FieldDelim, RowAfter string
	RowBetween                      string
	WithNames, WithTypes            bool
	// IgnoreSpaces skips whitespace around every delimiter and value
	// (CustomSeparatedIgnoreSpaces).
	IgnoreSpaces bool
	// CSV makes spaces and tabs around fields insignificant (unless one is the
	// delimiter) and accepts "\r\n" as the row end.
	CSV bool
	// Custom applies CustomSeparated's end-of-data rule: one optional newline may follow
	// the last row (or the result-after text) before the end of the message.
	Custom bool
	// EmptyOK makes an empty message zero rows; otherwise it is an error with EmptyErr.
	EmptyOK  bool
	EmptyErr string
}

// Options are the settings of a codec, taken from [format.Settings] by the format.
type Options struct {
	Read              escape.ReadOptions
	Write             escape.WriteOptions
	SkipUnknownFields bool // input_format_skip_unknown_fields
	UseNamesHeader    bool // input_format_with_names_use_header
	UseTypesHeader    bool // input_format_with_types_use_header
}

// decoder is the compiled decoder of one layout and schema. Not safe for concurrent use.
type decoder struct {
	l       Layout
	o       Options
	names   []string
	types   []string // canonical type names, for the types header
	index   map[string]int
	fields  []*escape.Field
	s       escape.Scanner
	order   []int // the column order: field k is column k
	mapping []int // per input field of the current message: column index or -1
	seen    []bool
	blanks  bool // CSV: skip spaces and tabs around fields
	bom     bool // skip a UTF-8 BOM at the start
	csv     bool // the rows are read by csvRows (see plainCSV)
}

// NewDecoder compiles a decoder of layout l for the columns of schema.
func NewDecoder(schema *arrow.Schema, l Layout, o Options) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", l.Pkg, l.Format, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s: %s: a table needs at least one column", l.Pkg, l.Format)
	}
	if (l.WithNames || l.WithTypes) && o.UseNamesHeader && l.FieldDelim == l.RowAfter && l.RowBetween == "" {
		return nil, fmt.Errorf("%s: %s cannot work with input_format_with_names_use_header enabled when the field delimiter "+
			"and the row-after delimiter are the same and the row-between delimiter is empty", l.Pkg, l.Format)
	}
	d := &decoder{
		l:      l,
		o:      o,
		names:  make([]string, len(cols)),
		types:  make([]string, len(cols)),
		index:  make(map[string]int, len(cols)),
		fields: make([]*escape.Field, len(cols)),
		order:  make([]int, len(cols)),
		seen:   make([]bool, len(cols)),
		blanks: l.CSV && o.Read.CSVDelimiter != ' ' && o.Read.CSVDelimiter != '\t',
		bom:    l.WithNames || l.WithTypes || asciiText(cols[0].Type),
		csv:    plainCSV(l),
	}
	for i, c := range cols {
		f, err := escape.NewField(c.Type, l.Rule, o.Read)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: column %s: %w", l.Pkg, l.Format, c.Name, err)
		}
		d.names[i] = c.Name
		d.types[i] = c.Type.String()
		d.index[c.Name] = i
		d.fields[i] = f
		d.order[i] = i
	}
	return d, nil
}

// plainCSV reports whether l is the layout of the CSV formats: CSV fields, a one-byte field
// delimiter, "\n" ending a row and no other delimiter text. Its rows are read by
// [decoder.csvRows], which matches the delimiters inline.
func plainCSV(l Layout) bool {
	return l.CSV && l.Rule == escape.CSV && !l.IgnoreSpaces && !l.Custom && len(l.FieldDelim) == 1 &&
		l.RowAfter == "\n" && l.ResultBefore == "" && l.ResultAfter == "" && l.RowBefore == "" && l.RowBetween == ""
}

// asciiText reports whether the text of t's values cannot start with a UTF-8 BOM, so that
// one at the start of a message can be skipped (ClickHouse's textCanContainOnlyValidUTF8).
func asciiText(t *block.Type) bool {
	for t.Kind == block.Nullable || t.Kind == block.LowCardinality {
		t = t.Elem
	}
	switch t.Kind {
	case block.String, block.FixedString, block.Enum8, block.Enum16, block.Array, block.Map, block.Tuple:
		return false
	}
	return true
}

// space skips the whitespace the layout ignores before a delimiter or a value.
func (d *decoder) space() {
	switch {
	case d.l.IgnoreSpaces:
		d.s.SkipSpaces()
	case d.blanks:
		d.s.SkipBlanks()
	}
}

func (d *decoder) expect(delim string) error {
	d.space()
	return d.s.Expect(delim)
}

// Decode implements [format.Decoder].
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	// The defer lives here, where it is open-coded: decode has too many returns for that.
	defer d.s.Release()
	return d.decode(dst, payload)
}

func (d *decoder) decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.fields) {
		return fmt.Errorf("%s: rows have %d columns, the decoder was compiled for %d", d.l.Pkg, dst.NumCols(), len(d.fields))
	}
	s := &d.s
	s.Reset(payload)
	if len(payload) == 0 {
		if d.l.EmptyOK && d.l.ResultBefore == "" {
			return nil
		}
		msg := d.l.EmptyErr
		if msg == "" {
			msg = s.ExpectedAt(0, d.l.ResultBefore).Msg
		}
		return &escape.ParseError{Row: 1, Msg: msg}
	}
	if d.bom {
		s.SkipBOM()
	}
	if d.l.ResultBefore != "" {
		if err := d.expect(d.l.ResultBefore); err != nil {
			return escape.RowError(1, "", err)
		}
	}
	mapping := d.order
	if d.l.WithNames {
		var err error
		if d.o.UseNamesHeader {
			mapping, err = d.readNames()
		} else {
			err = d.skipHeaderRow()
		}
		if err != nil {
			return escape.RowError(1, "", err)
		}
	}
	if d.l.WithTypes {
		if d.l.WithNames {
			if err := d.expect(d.l.RowBetween); err != nil {
				return escape.RowError(1, "", err)
			}
		}
		var err error
		if d.o.UseTypesHeader {
			err = d.checkTypes(mapping)
		} else {
			err = d.skipHeaderRow()
		}
		if err != nil {
			return escape.RowError(1, "", err)
		}
	}
	headers := d.l.WithNames || d.l.WithTypes
	if d.csv {
		return d.csvRows(dst, mapping)
	}
	last := len(mapping) - 1
	for row := 1; ; row++ {
		if d.atSuffix() {
			return nil
		}
		if s.EOF() {
			return escape.RowError(row, "", s.ExpectedAt(s.Pos, d.l.ResultAfter))
		}
		start := s.Pos
		if row > 1 || headers {
			if err := d.expect(d.l.RowBetween); err != nil {
				return escape.RowError(row, "", err)
			}
			// ClickHouse writes the row-between delimiter after the header rows even
			// when no row follows.
			if row == 1 && d.l.RowBetween != "" && d.atSuffix() {
				return nil
			}
		}
		if err := d.expect(d.l.RowBefore); err != nil {
			return escape.RowError(row, "", err)
		}
		for k, col := range mapping {
			next := d.l.FieldDelim
			if k > 0 {
				if err := d.expect(next); err != nil {
					return escape.RowError(row, "", err)
				}
			}
			if k == last {
				next = d.l.RowAfter
			}
			d.space()
			if col < 0 {
				if err := escape.Skip(s, d.l.Rule, d.o.Read, next); err != nil {
					return escape.RowError(row, "", err)
				}
				continue
			}
			if err := d.fields[col].Read(s, dst.Col(col), next); err != nil {
				return escape.RowError(row, d.names[col], err)
			}
		}
		if err := d.rowEnd(); err != nil {
			return escape.RowError(row, "", err)
		}
		if s.Pos == start {
			return escape.RowError(row, "", s.ErrorAt(s.Pos, "Cannot parse input: a row of "+d.l.Format+" took no text"))
		}
		if err := dst.EndRow(); err != nil {
			return escape.RowError(row, "", err)
		}
	}
}

// csvRows is the row loop of decode for a [plainCSV] layout. It takes the same steps as
// the general loop, in which the row-before, row-between and result-after texts are empty:
// blanks are skipped before and after every delimiter and value, a row ends with "\n",
// "\r\n", a "\r" ending the message or the end of the message, and the message ends
// where the text does. The delimiters are matched inline, with the same errors.
func (d *decoder) csvRows(dst *block.Rows, mapping []int) error {
	s := &d.s
	buf := s.Buf
	delim := d.l.FieldDelim[0]
	last := len(mapping) - 1
	for row := 1; s.Pos < len(buf); row++ {
		start := s.Pos
		for k, col := range mapping {
			if k > 0 {
				// A blank is never the delimiter when blanks are skipped: test the
				// delimiter first.
				if s.Pos >= len(buf) || buf[s.Pos] != delim {
					d.skipBlanks()
					if s.Pos >= len(buf) || buf[s.Pos] != delim {
						return escape.RowError(row, "", s.ExpectedAt(s.Pos, d.l.FieldDelim))
					}
				}
				s.Pos++
			}
			next := d.l.FieldDelim
			if k == last {
				next = d.l.RowAfter
			}
			if s.Pos < len(buf) && (buf[s.Pos] == ' ' || buf[s.Pos] == '\t') {
				d.skipBlanks()
			}
			if col < 0 {
				if err := escape.Skip(s, escape.CSV, d.o.Read, next); err != nil {
					return escape.RowError(row, "", err)
				}
				continue
			}
			if err := d.fields[col].ReadCSV(s, dst.Col(col), next); err != nil {
				return escape.RowError(row, d.names[col], err)
			}
		}
		if s.Pos < len(buf) && (buf[s.Pos] == ' ' || buf[s.Pos] == '\t') {
			d.skipBlanks()
		}
		switch p := s.Pos; {
		case p >= len(buf):
		case buf[p] == '\n':
			s.Pos++
		case buf[p] == '\r' && p+1 == len(buf):
			s.Pos++
		case buf[p] == '\r' && buf[p+1] == '\n':
			s.Pos += 2
		default:
			return escape.RowError(row, "", s.ExpectedAt(p, d.l.RowAfter))
		}
		if s.Pos == start {
			return escape.RowError(row, "", s.ErrorAt(s.Pos, "Cannot parse input: a row of "+d.l.Format+" took no text"))
		}
		if err := dst.EndRow(); err != nil {
			return escape.RowError(row, "", err)
		}
	}
	return nil
}

// skipBlanks skips the spaces and tabs around CSV fields when they are insignificant.
func (d *decoder) skipBlanks() {
	if d.blanks {
		d.s.SkipBlanks()
	}
}

// rowEnd reads the row-after delimiter; at the very end of a message (with no result-after
// text) it may be missing.
func (d *decoder) rowEnd() error {
	s := &d.s
	d.space()
	if d.l.CSV {
		if s.Skip("\r\n") || s.Skip("\n") || s.EOF() {
			return nil
		}
		if s.Peek() == '\r' && s.Pos+1 == len(s.Buf) {
			s.Pos++
			return nil
		}
		return s.ExpectedAt(s.Pos, d.l.RowAfter)
	}
	if s.Skip(d.l.RowAfter) {
		return nil
	}
	if d.l.ResultAfter == "" {
		// The newline ending the last row of a message is optional.
		if s.EOF() || strings.HasSuffix(d.l.RowAfter, "\n") && string(s.Buf[s.Pos:]) == d.l.RowAfter[:len(d.l.RowAfter)-1] {
			s.Pos = len(s.Buf)
			return nil
		}
	}
	return s.ExpectedAt(s.Pos, d.l.RowAfter)
}

// atSuffix reports whether the rest of the message is its end: nothing, or the
// result-after text (CustomSeparated: then one optional newline).
func (d *decoder) atSuffix() bool {
	s := &d.s
	save := s.Pos
	if d.l.IgnoreSpaces {
		s.SkipSpaces()
	}
	if d.l.ResultAfter == "" {
		if d.l.Custom {
			s.Skip("\n")
		}
		if s.EOF() {
			return true
		}
	} else if s.Skip(d.l.ResultAfter) {
		if d.l.IgnoreSpaces {
			s.SkipSpaces()
		}
		s.Skip("\n")
		if s.EOF() {
			return true
		}
	}
	s.Pos = save
	return false
}

// headerField reads the k-th field of a header row and reports whether the row goes on.
func (d *decoder) headerField(k int) (name []byte, more bool, err error) {
	s := &d.s
	if k == 0 {
		if err := d.expect(d.l.RowBefore); err != nil {
			return nil, false, err
		}
	} else if err := d.expect(d.l.FieldDelim); err != nil {
		return nil, false, err
	}
	d.space()
	start := s.Pos
	name, err = escape.ReadString(s, d.l.Rule, d.o.Read, d.l.FieldDelim)
	if err != nil {
		return nil, false, err
	}
	d.space()
	more = !d.atRowEnd()
	if more && s.Pos == start && d.l.FieldDelim == "" {
		// Nothing was read and no delimiter separates fields: the row would never end.
		return nil, false, s.ExpectedAt(s.Pos, d.l.RowAfter)
	}
	return name, more, nil
}

// atRowEnd reports whether a header row ends at the cursor (the row-after delimiter, or
// the end of the message).
func (d *decoder) atRowEnd() bool {
	s := &d.s
	switch {
	case s.EOF():
		return true
	case d.l.CSV:
		return s.HasPrefix("\n") || s.HasPrefix("\r\n")
	case d.l.RowAfter != "":
		return s.HasPrefix(d.l.RowAfter) && !(s.HasPrefix(d.l.FieldDelim) && len(d.l.FieldDelim) > len(d.l.RowAfter))
	case d.l.RowBetween != "":
		return s.HasPrefix(d.l.RowBetween)
	}
	return !s.HasPrefix(d.l.FieldDelim)
}

// readNames reads the names row and maps its fields to columns. A header none of whose
// fields is a column is an error: every row would be all defaults, and garbage such as
// "qwertyuiop" must not pass as a header followed by no rows.
func (d *decoder) readNames() ([]int, error) {
	d.mapping = d.mapping[:0]
	clear(d.seen)
	start := d.s.Pos
	known := false
	for k := 0; ; k++ {
		name, more, err := d.headerField(k)
		if err != nil {
			return nil, err
		}
		col, ok := d.index[string(name)]
		switch {
		case !ok && d.o.SkipUnknownFields:
			col = -1
		case !ok:
			return nil, &escape.SyntaxError{Msg: fmt.Sprintf("Unknown field found in %s header: '%s' at position %d\n"+
				"Set the 'input_format_skip_unknown_fields' parameter explicitly to ignore and proceed", d.l.Name, name, k)}
		case d.seen[col]:
			return nil, &escape.SyntaxError{Msg: fmt.Sprintf("Duplicate field found while parsing %s header: %s", d.l.Name, name)}
		default:
			d.seen[col] = true
			known = true
		}
		d.mapping = append(d.mapping, col)
		if !more {
			break
		}
	}
	if !known {
		end := min(d.s.Pos, start+160)
		return nil, &escape.SyntaxError{Msg: string(escape.AppendQuotedText(
			[]byte("Cannot parse input: no field of the "+d.l.Name+" header is a column of the table: "), d.s.Buf[start:end]))}
	}
	return d.mapping, d.rowEnd()
}

var errTypesCount = &escape.SyntaxError{Msg: "The number of data types differs from the number of column names in input data"}

// checkTypes reads the types row and checks each type against its column's.
func (d *decoder) checkTypes(mapping []int) error {
	k := 0
	for ; ; k++ {
		typ, more, err := d.headerField(k)
		if err != nil {
			return err
		}
		if k >= len(mapping) {
			return errTypesCount
		}
		if col := mapping[k]; col >= 0 && !d.typeMatches(col, typ) {
			return &escape.SyntaxError{Msg: fmt.Sprintf("Type of '%s' must be %s, not %s", d.names[col], d.types[col], typ)}
		}
		if !more {
			break
		}
	}
	if k+1 != len(mapping) {
		return errTypesCount
	}
	return d.rowEnd()
}

func (d *decoder) typeMatches(col int, typ []byte) bool {
	if string(typ) == d.types[col] {
		return true
	}
	t, err := block.ParseType(string(typ))
	return err == nil && t.String() == d.types[col]
}

// skipHeaderRow moves past a header row whose content is ignored.
func (d *decoder) skipHeaderRow() error {
	for k := 0; ; k++ {
		_, more, err := d.headerField(k)
		if err != nil {
			return err
		}
		if !more {
			return d.rowEnd()
		}
	}
}

// encoder is the compiled encoder of one layout and schema. Not safe for concurrent use.
type encoder struct {
	l       Layout
	types   []arrow.DataType
	writers []escape.Writer
	header  []byte // result-before, the names and types rows
}

// NewEncoder compiles an encoder of layout l for the columns of schema.
func NewEncoder(schema *arrow.Schema, l Layout, o Options) (format.Encoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", l.Pkg, l.Format, err)
	}
	e := &encoder{l: l, types: make([]arrow.DataType, len(cols)), writers: make([]escape.Writer, len(cols))}
	for i, c := range cols {
		dt := schema.Field(i).Type
		w, err := escape.NewWriter(c.Type, dt, l.Rule, o.Write)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: column %s: %w", l.Pkg, l.Format, c.Name, err)
		}
		e.types[i], e.writers[i] = dt, w
	}
	e.header = append(e.header, l.ResultBefore...)
	line := func(values []string) {
		e.header = append(e.header, l.RowBefore...)
		for i, v := range values {
			if i > 0 {
				e.header = append(e.header, l.FieldDelim...)
			}
			e.header = escape.AppendString(e.header, l.Rule, v)
		}
		e.header = append(e.header, l.RowAfter...)
		e.header = append(e.header, l.RowBetween...)
	}
	if l.WithNames {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		line(names)
	}
	if l.WithTypes {
		types := make([]string, len(cols))
		for i, c := range cols {
			types[i] = c.Type.String()
		}
		line(types)
	}
	return e, nil
}

// CheckRecord verifies that rows [i, j) exist in rec and that its columns have the types an
// encoder was compiled for.
func CheckRecord(name string, types []arrow.DataType, rec arrow.RecordBatch, i, j int) error {
	if i < 0 || j < i || int64(j) > rec.NumRows() {
		return fmt.Errorf("%s: rows [%d, %d) out of range of a record batch of %d rows", name, i, j, rec.NumRows())
	}
	if int(rec.NumCols()) != len(types) {
		return fmt.Errorf("%s: record batch has %d columns, the encoder was compiled for %d", name, rec.NumCols(), len(types))
	}
	for k, dt := range types {
		if got := rec.Column(k).DataType(); !arrow.TypeEqual(got, dt) {
			return fmt.Errorf("%s: column %s has type %s, the encoder was compiled for %s", name, rec.ColumnName(k), got, dt)
		}
	}
	return nil
}

// Append implements [format.Encoder].
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if err := CheckRecord(e.l.Pkg, e.types, rec, i, j); err != nil {
		return dst, err
	}
	cols := rec.Columns()
	dst = slices.Grow(dst, len(e.header)+(j-i)*16*len(cols))
	dst = append(dst, e.header...)
	if i == j && (e.l.WithNames || e.l.WithTypes) {
		// No row follows the header rows: drop the row-between delimiter after them.
		dst = dst[:len(dst)-len(e.l.RowBetween)]
	}
	for r := i; r < j; r++ {
		if r > i {
			dst = append(dst, e.l.RowBetween...)
		}
		dst = append(dst, e.l.RowBefore...)
		for k, w := range e.writers {
			if k > 0 {
				dst = append(dst, e.l.FieldDelim...)
			}
			dst = w(dst, cols[k], r)
		}
		dst = append(dst, e.l.RowAfter...)
	}
	return append(dst, e.l.ResultAfter...), nil
}
