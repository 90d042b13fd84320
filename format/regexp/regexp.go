package regexp

import (
	"bytes"
	"errors"
	"fmt"
	stdregexp "regexp"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
)

func init() {
	format.Register("Regexp", Format{})
}

// ParseError is the error the decoder returns for a message it cannot decode: Row is the
// 1-based line within the message, Column the column whose value failed (if any), Msg the
// ClickHouse-style description and Err the cause (usually a *block.ValueError).
type ParseError = escape.ParseError

// Format is the Regexp format. The zero value is ready to use and safe for concurrent use;
// its decoders are not.
type Format struct{}

// NewDecoder compiles a decoder for schema (the table's physical columns, in the order of
// the rows it decodes into). A nil s means [format.DefaultSettings]; it honours Regexp,
// RegexpEscapingRule, RegexpSkipUnmatched, NullAsDefault and the TSV and CSV settings the
// escaping rule uses. It fails for an empty or invalid pattern, a number of capture groups
// other than the number of columns, an unknown escaping rule or XML, and when a column's
// type cannot be derived from schema.
func (Format) NewDecoder(schema *arrow.Schema, s *format.Settings) (format.Decoder, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("regexp: %w", err)
	}
	if s == nil {
		d := format.DefaultSettings()
		s = &d
	}
	if s.Regexp == "" {
		return nil, fmt.Errorf("regexp: format_regexp is empty")
	}
	re, err := stdregexp.Compile(`\A(?:` + s.Regexp + `)\z`)
	if err != nil {
		return nil, fmt.Errorf("regexp: format_regexp: %w", err)
	}
	if re.NumSubexp() != len(cols) {
		return nil, fmt.Errorf("regexp: the number of matched fields in line doesn't match the number of columns: "+
			"format_regexp has %d capture groups, the table %d columns", re.NumSubexp(), len(cols))
	}
	rule, err := escape.ParseRule(s.RegexpEscapingRule)
	if err != nil {
		return nil, fmt.Errorf("regexp: format_regexp_escaping_rule: %w", err)
	}
	opts := escape.ReadOptions{
		NullAsDefault:   s.NullAsDefault,
		TSVNull:         s.TSVNullRepresentation,
		CSVNull:         s.CSVNullRepresentation,
		CSVSingleQuotes: s.CSVAllowSingleQuotes,
		CSVDoubleQuotes: s.CSVAllowDoubleQuotes,
	}
	d := &decoder{re: re, skip: s.RegexpSkipUnmatched, names: make([]string, len(cols)), fields: make([]*escape.Field, len(cols))}
	d.s.Whole = true
	for i, c := range cols {
		f, err := escape.NewField(c.Type, rule, opts)
		if err != nil {
			return nil, fmt.Errorf("regexp: column %s: %w", c.Name, err)
		}
		d.names[i], d.fields[i] = c.Name, f
	}
	return d, nil
}

// NewEncoder returns an error wrapping [errors.ErrUnsupported]: Regexp is input-only, as
// in ClickHouse.
func (Format) NewEncoder(*arrow.Schema, *format.Settings) (format.Encoder, error) {
	return nil, fmt.Errorf("regexp: output is not supported, as in ClickHouse: %w", errors.ErrUnsupported)
}

// decoder is the compiled Regexp decoder of one pattern and schema. Not safe for
// concurrent use.
type decoder struct {
	re     *stdregexp.Regexp
	skip   bool
	names  []string
	fields []*escape.Field
	s      escape.Scanner // over one capture group at a time
}

// showChars is how much of a line an error quotes.
const showChars = 160

// Decode implements [format.Decoder].
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.fields) {
		return fmt.Errorf("regexp: rows have %d columns, the decoder was compiled for %d", dst.NumCols(), len(d.fields))
	}
	defer d.s.Release()
	rest := payload
	for row := 1; ; row++ {
		line := rest
		if k := bytes.IndexByte(rest, '\n'); k >= 0 {
			line, rest = rest[:k], rest[k+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if err := d.readLine(dst, line); err != nil {
			return escape.RowError(row, "", err)
		}
		if len(rest) == 0 {
			return nil
		}
	}
}

func (d *decoder) readLine(dst *block.Rows, line []byte) error {
	m := d.re.FindSubmatchIndex(line)
	if m == nil {
		if d.skip {
			return nil
		}
		shown := line
		if len(shown) > showChars {
			shown = shown[:showChars]
		}
		return &escape.SyntaxError{Msg: "Line \"" + string(shown) + "\" doesn't match the regexp."}
	}
	s := &d.s
	for k, f := range d.fields {
		start, end := m[2*k+2], m[2*k+3]
		if start < 0 {
			// An optional group that did not take part in the match: the column's default.
			dst.Col(k).AppendDefault()
			continue
		}
		s.Reset(line[start:end])
		if err := f.Read(s, dst.Col(k), ""); err != nil {
			return escape.RowError(0, d.names[k], err)
		}
		if !s.EOF() {
			return escape.RowError(0, d.names[k], s.ErrorAt(s.Pos, "Cannot parse input: unexpected text after the value"))
		}
	}
	return dst.EndRow()
}
