package json

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

// ParseError is the error the family's decoders return for a message they cannot decode. Its
// text follows ClickHouse's: "<what>: (while reading the value of key <Key>): (at row <Row>)",
// followed by ": <Err>" when Msg describes the syntax and Err the conversion behind it.
type ParseError struct {
	Row int    // 1-based row within the message; 0 when the error is not in a row (block formats' structure)
	Key string // column whose value failed; "" when the error is not inside a value
	Msg string // ClickHouse-style description of the syntax problem; "" when Err says it all
	Err error  // the cause, typically a conversion error from package block; may be nil
}

// Error returns the ClickHouse-style text described at [ParseError].
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Key != "" {
		b.WriteString(": (while reading the value of key ")
		b.WriteString(e.Key)
		b.WriteString(")")
	}
	if e.Row > 0 {
		b.WriteString(": (at row ")
		b.WriteString(strconv.Itoa(e.Row))
		b.WriteString(")")
	}
	if e.Msg != "" && e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// newParseError turns an error of the scanner, a reader or package block into a ParseError.
func newParseError(key string, err error) *ParseError {
	switch e := err.(type) {
	case *ParseError:
		return e
	case *syntaxError:
		return &ParseError{Key: key, Msg: e.msg, Err: e.cause}
	case *schemaError:
		return &ParseError{Key: key, Msg: e.msg}
	}
	return &ParseError{Key: key, Err: err}
}

// rowError is newParseError for an error at 1-based row (0: outside rows).
func rowError(row int, err error) *ParseError {
	pe := newParseError("", err)
	pe.Row = row
	return pe
}

// schemaError reports a message whose header or metadata disagrees with the table (an
// unknown or repeated column, a type that differs). Unlike a syntaxError it never makes the
// JSON format fall back to reading the message as JSONEachRow.
type schemaError struct{ msg string }

func (e *schemaError) Error() string { return e.msg }

var errObjectEOF = &syntaxError{msg: "Unexpected end of stream while parsing JSONEachRow format"}

// Field lookup results besides a column index.
const (
	unknownField = -1
	nestedField  = -2 // a prefix of dotted column names (input_format_import_nested_json)
)

// decoder is the compiled decoder of one format for one schema. Every format of the family
// uses the same value readers and row readers; Decode runs the envelope of d.kind. Not safe
// for concurrent use.
type decoder struct {
	scanner
	kind        kind
	names       []string
	types       []string // canonical ClickHouse type names, for header and metadata checks
	readers     []reader
	index       map[string]int // column name or nested prefix → column index or nestedField
	skipUnknown bool
	useNames    bool // input_format_with_names_use_header
	useTypes    bool // input_format_with_types_use_header
	rows        *block.Rows

	// Rows of objects (JSONEachRow and the formats built on it).
	seen     []uint32 // seen[i] == gen: column i already has a value in this row (or header)
	gen      uint32
	members  []member    // members[k]: the column the k-th key of earlier rows named (ClickHouse's prev_positions)
	plan     int         // members[:plan] name distinct columns (-1: not known since members changed)
	colsOf   *block.Rows // the Rows whose columns members hold (the last one decoded into)
	keyLits  [2][]keyLit // keyLits[0][i], keyLits[1][i]: the raw key of column i in compact JSON, first in an object or not
	fastVals []fastValue // fastVals[i]: which values of column i fastMembers reads itself
	path     []byte      // full dotted name of a key inside a nested object

	// Rows of arrays (the JSONCompact formats): the column of each input field, -1 to skip.
	fields   []int
	identity []int // fields of a message without a header: the table's columns in order
	fieldBuf []int

	// Metadata entries of the JSON/JSONCompact/JSONColumnsWithMetadata documents.
	metaName, metaType []byte

	// Column formats: where each value of each column starts, for the second pass.
	offsets [][]int
	present []bool
}

// member is what fastMembers needs of the k-th key of a row, in one place: the column
// (p) that key named in earlier rows, with that column's key literal, fast value kind and
// staged column in the Rows being decoded into (refreshed by Decode when the Rows
// changes).
type member struct {
	lit keyLit
	col *block.Col
	p   int32 // -1: not known yet
	fv  fastValue
}

func newDecoder(k kind, cols []block.Column, s *format.Settings) (*decoder, error) {
	d := &decoder{
		kind:        k,
		names:       make([]string, len(cols)),
		types:       make([]string, len(cols)),
		readers:     make([]reader, len(cols)),
		index:       make(map[string]int, len(cols)),
		skipUnknown: s.SkipUnknownFields,
		useNames:    s.WithNamesUseHeader,
		useTypes:    s.WithTypesUseHeader,
		seen:        make([]uint32, len(cols)),
		members:     make([]member, len(cols)),
		keyLits:     [2][]keyLit{make([]keyLit, len(cols)), make([]keyLit, len(cols))},
		fastVals:    make([]fastValue, len(cols)),
		identity:    make([]int, len(cols)),
		offsets:     make([][]int, len(cols)),
		present:     make([]bool, len(cols)),
	}
	for i, c := range cols {
		var (
			r   reader
			err error
		)
		if k.strings() {
			r, err = compileStringsReader(c.Type, s.NullAsDefault)
		} else {
			r, err = compileReader(c.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("json: %s: column %s: %w", k, c.Name, err)
		}
		d.names[i] = c.Name
		d.types[i] = c.Type.String()
		d.readers[i] = r
		d.index[c.Name] = i
		d.members[i] = member{lit: noKeyLit, p: -1}
		d.identity[i] = i
		d.keyLits[0][i] = newKeyLit(c.Name, '{')
		d.keyLits[1][i] = newKeyLit(c.Name, ',')
		if !k.strings() {
			d.fastVals[i] = fastValueOf(c.Type)
		}
	}
	if s.ImportNestedJSON && k.objects() {
		for _, c := range cols {
			for j := 1; j < len(c.Name); j++ {
				if c.Name[j] != '.' {
					continue
				}
				if _, ok := d.index[c.Name[:j]]; !ok {
					d.index[c.Name[:j]] = nestedField
				}
			}
		}
	}
	return d, nil
}

// Decode implements [format.Decoder]: it appends the rows of payload to dst.
func (d *decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != len(d.readers) {
		return fmt.Errorf("json: %s: rows have %d columns, the decoder was compiled for %d", d.kind, dst.NumCols(), len(d.readers))
	}
	d.reset(payload)
	d.rows = dst
	if dst != d.colsOf {
		d.colsOf = dst
		for k := range d.members {
			if m := &d.members[k]; m.p >= 0 {
				m.col = dst.Col(int(m.p))
			}
		}
	}
	defer func() {
		d.rows = nil
		d.buf = nil
	}()
	switch d.kind {
	case kindObjectEachRow:
		return d.decodeObjectEachRow()
	case kindDocument:
		return d.decodeDocument()
	case kindCompact:
		return d.decodeCompact()
	case kindAsString:
		return d.decodeAsString()
	case kindColumns, kindCompactColumns, kindColumnsWithMetadata:
		return d.decodeColumns()
	}
	if d.kind.compactRows() {
		return d.decodeCompactEachRow()
	}
	return d.decodeEachRow()
}

// decodeEachRow reads JSONEachRow and JSONStringsEachRow messages: objects separated by
// whitespace, by nothing or by single commas, optionally wrapped in a JSON array and ended
// by ';', after an optional UTF-8 BOM.
func (d *decoder) decodeEachRow() error {
	d.skipBOM()
	d.skipSpace()
	inArray := d.skip('[')
	row, err := d.objectRows(inArray)
	if err != nil {
		return err
	}
	// Suffix: the closing ']' of an array, an optional ';', then nothing but whitespace.
	d.skipSpace()
	if inArray {
		if err := d.expect(']'); err != nil {
			return rowError(row+1, err)
		}
		d.skipSpace()
	}
	return d.semicolonEOF(row)
}

// semicolonEOF is the end of ClickHouse's JSONEachRow readSuffix: an optional ';', then
// the end of the message.
func (d *decoder) semicolonEOF(row int) error {
	d.skipSpace()
	if d.skip(';') {
		d.skipSpace()
	}
	if d.pos < len(d.buf) {
		return rowError(row+1, d.expectedAt(d.pos, "eof"))
	}
	return nil
}

// objectRows reads JSONEachRow rows until the data ends (ClickHouse's checkEndOfData): at
// the end of the message, at ';' outside an array or at ']' inside one. An optional ','
// separates rows. It returns the number of rows read.
func (d *decoder) objectRows(inArray bool) (int, error) {
	row := 0
	for {
		d.skipSpace()
		if d.pos < len(d.buf) {
			switch c := d.buf[d.pos]; {
			case row > 0 && c == ',':
				d.pos++
			case !inArray && c == ';', inArray && c == ']':
				return row, nil
			}
		}
		d.skipSpace()
		if d.pos >= len(d.buf) {
			return row, nil
		}
		row++
		if err := d.readRow(); err != nil {
			return row, rowError(row, err)
		}
		if err := d.rows.EndRow(); err != nil {
			return row, &ParseError{Row: row, Err: err}
		}
	}
}

// decodeObjectEachRow reads a JSONObjectEachRow message: one object whose members are the
// rows, {"row_1": {...}, "row_2": {...}}; the member names are not used.
func (d *decoder) decodeObjectEachRow() error {
	if err := d.expectSpaced('{'); err != nil {
		return rowError(1, err)
	}
	row := 0
	for {
		d.skipSpace()
		if d.pos >= len(d.buf) {
			return rowError(row+1, d.expectedAt(d.pos, "}"))
		}
		if d.skip('}') {
			break
		}
		if row > 0 {
			if err := d.expectSpaced(','); err != nil {
				return rowError(row+1, err)
			}
		}
		row++
		if _, err := d.readFieldName(); err != nil {
			return rowError(row, err)
		}
		if err := d.readRow(); err != nil {
			return rowError(row, err)
		}
		if err := d.rows.EndRow(); err != nil {
			return &ParseError{Row: row, Err: err}
		}
	}
	return d.semicolonEOF(row)
}

// decodeDocument reads a message of the JSON format: {"meta": [...], "data": [{...}, ...],
// ...}. As in ClickHouse, a message that does not start with that metadata is read as
// JSONEachRow.
func (d *decoder) decodeDocument() error {
	d.skipBOM()
	start := d.pos
	if err := d.documentPrefix('[', false); err != nil {
		if _, ok := err.(*syntaxError); ok {
			d.pos = start
			return d.decodeEachRow()
		}
		return rowError(1, err)
	}
	row, err := d.objectRows(true)
	if err != nil {
		return err
	}
	if err := d.documentSuffix(']'); err != nil {
		return rowError(row+1, err)
	}
	return nil
}

// readRow reads one JSONEachRow object into the next row.
func (d *decoder) readRow() error {
	d.gen++
	if d.gen == 0 {
		clear(d.seen)
		d.gen = 1
	}
	if err := d.expect('{'); err != nil {
		return err
	}
	return d.readObject(0)
}

// readObject reads the members of an object whose '{' was consumed. Inside a nested object
// (prefix > 0) d.path[:prefix] holds the dotted prefix of its keys, e.g. "e.".
func (d *decoder) readObject(prefix int) error {
	for k := 0; ; k++ {
		if prefix == 0 {
			var err error
			if k, err = d.fastMembers(k); err != nil {
				return err
			}
		}
		d.skipSpace()
		if d.pos >= len(d.buf) {
			return errObjectEOF
		}
		if d.buf[d.pos] == '}' {
			d.pos++
			return nil
		}
		if k > 0 {
			if err := d.expect(','); err != nil {
				return err
			}
			d.skipSpace()
		}
		key, err := d.readString()
		if err != nil {
			return err
		}
		idx := d.lookup(key, k, prefix)
		if idx == nestedField && prefix == 0 {
			d.path = append(d.path[:0], key...)
		}
		d.skipSpace()
		if err := d.expect(':'); err != nil {
			return err
		}
		d.skipSpace()
		switch {
		case idx >= 0:
			if err := d.readField(idx); err != nil {
				return err
			}
			continue
		case idx == nestedField && d.skip('{'):
			d.path = append(d.path, '.')
			if err := d.readObject(len(d.path)); err != nil {
				return err
			}
			continue
		case idx == nestedField && prefix == 0:
			// ClickHouse requires an object for the table name of a nested column.
			return d.expectedAt(d.pos, "{")
		}
		if !d.skipUnknown {
			name := string(key)
			if prefix > 0 {
				name = string(d.path)
			}
			return &syntaxError{msg: "Unknown field found while parsing JSONEachRow format: " + name}
		}
		if err := d.skipValue(); err != nil {
			return err
		}
	}
}

// fastMembers reads members of a top-level object from its k-th on, as long as their
// keys are those of the same members of earlier rows, written compactly (see keyLit):
// rows of one topic almost always list their keys in the same order. It returns the
// number of the first member it did not read, which the general path of readObject
// takes: another key, a key with escapes or whitespace around it, or the end of the
// object. The general path would read the members fastMembers reads the same way, only
// slower (unescaping the key, hashing it). The commonest values are read inline too
// (see fastValue); others go to the column's reader.
//
// From the start of an object (k == 0), the members of members[:d.plan] name distinct
// columns, so none of them can repeat an earlier key of the row: fastMembers neither
// checks nor marks d.seen for them, and marks them all at once only when the row goes
// on past them (a member after them, or the general path).
func (d *decoder) fastMembers(k int) (int, error) {
	plan := 0 // members[:plan] are read without d.seen, which lacks them
	if k == 0 {
		if d.plan < 0 {
			d.findPlan()
		}
		plan = d.plan
		// members[0]'s key text starts with the object's '{', which readRow consumed:
		// back to it, so that every member compares its key the same way.
		d.pos--
	}
	// Few locals live across the calls in the loop: Go's calls keep no register, so
	// each would be stored and loaded again around every call. A member not known yet
	// (p < 0) has noKeyLit, which matches nothing.
	ms := d.members
	for ; k < len(ms); k++ {
		m := &ms[k]
		l := &m.lit
		n := 0
		if buf, pos := d.buf, d.pos; pos+8*keyWords <= len(buf) && l.m[0] != 0 {
			// The commonest case inline: three loads and compares, no call.
			b := buf[pos : pos+8*keyWords : pos+8*keyWords]
			x := (binary.LittleEndian.Uint64(b)^l.w[0])&l.m[0] |
				(binary.LittleEndian.Uint64(b[8:])^l.w[1])&l.m[1] |
				(binary.LittleEndian.Uint64(b[16:])^l.w[2])&l.m[2]
			if x == 0 {
				n = len(l.text)
			}
		} else {
			n = l.match(d.buf[d.pos:])
		}
		if n == 0 {
			break
		}
		d.pos += n
		if k >= plan {
			if k == plan {
				d.markPlan(plan)
			}
			if p := m.p; d.seen[p] == d.gen {
				return k, d.duplicateField(int(p))
			}
			d.seen[m.p] = d.gen
		}
		// readFastValue reads none of the values with whitespace before them (not in
		// compact JSON): the reader gets those.
		if d.readFastValue(m) {
			continue
		}
		p := int(m.p)
		d.skipSpace()
		if err := d.readers[p](&d.scanner, m.col); err != nil {
			return k, d.fieldError(p, err)
		}
	}
	if k == 0 {
		d.pos++ // after the '{' again
	}
	if k > 0 && k <= plan {
		// The row goes on past the members read without d.seen, unless it ends here
		// (readObject's next step, with no whitespace before the '}').
		if d.pos >= len(d.buf) || d.buf[d.pos] != '}' {
			d.markPlan(k)
		}
	}
	return k, nil
}

// findPlan sets d.plan to the number of leading members that name distinct columns. It
// is called at the start of a row, when d.seen marks no column, and leaves it so.
func (d *decoder) findPlan() {
	n := 0
	for ; n < len(d.members); n++ {
		p := d.members[n].p
		if p < 0 || d.seen[p] == d.gen {
			break
		}
		d.seen[p] = d.gen
	}
	d.plan = n
	for _, m := range d.members[:n] {
		d.seen[m.p] = 0 // gen is never 0
	}
}

// markPlan marks in d.seen the columns of members[:n], read without it.
func (d *decoder) markPlan(n int) {
	for _, m := range d.members[:n] {
		d.seen[m.p] = d.gen
	}
}

// readFastValue reads the value of column p at d.pos when it is one that fastMembers
// reads itself (see fastValue), and reports whether it did. A failed Append stages nothing, so on any
// failure it reports false, and the column's reader reads the value again and reports
// the error as it always does.
func (d *decoder) readFastValue(m *member) bool {
	buf, pos := d.buf, d.pos
	if pos >= len(buf) {
		return false
	}
	// The kind is fixed per column, so this switch follows the key order; the first
	// byte is tested inside each case.
	switch c := buf[pos]; m.fv {
	case fastString:
		if c != '"' {
			return false
		}
		// What the reader does (readString, then AppendText), without the two calls.
		// The end of most values is in the first 24 bytes, found without a branch on the
		// string's length past the first word: s1 and s2 mark the specials of bytes
		// 8-15 and 16-23, and TrailingZeros64 of a word without one is 64, so r is
		// 8 times the offset of the first special from byte 8 on, 192 when there is
		// none.
		start := pos + 1
		end, from := start+24, start
		if end <= len(buf) {
			from = end
			b := buf[start:end:end]
			if s := specials(binary.LittleEndian.Uint64(b)); s != 0 {
				end = start + bits.TrailingZeros64(s)/8
			} else {
				t1 := bits.TrailingZeros64(specials(binary.LittleEndian.Uint64(b[8:])))
				t2 := bits.TrailingZeros64(specials(binary.LittleEndian.Uint64(b[16:])))
				r := 64 + t1 + t2&-(t1>>6)
				end = start + r/8
			}
		}
		if end == start+24 {
			// No special in the 24 bytes, or fewer left. Only d lives across the call:
			// buf and start are loaded again.
			end = stringEnd(d.buf, from)
			buf, start = d.buf, d.pos+1
		}
		if end >= len(buf) {
			return false
		}
		switch buf[end] {
		case '"':
			// d.pos moves before the call, so that only what a failure needs lives
			// across it.
			d.pos = end + 1
			if m.col.AppendText(buf[start:end]) == nil {
				return true
			}
			d.pos = start - 1
		case '\\':
			// An escape: ClickHouse writes '/' as "\/", so every "owner\/repo" has one.
			// readString would find it again and call readEscaped(start, end).
			if v, err := d.readEscaped(start, end); err == nil && m.col.AppendText(v) == nil {
				return true // readEscaped moved d.pos past the string
			}
			d.pos = start - 1
		}
	case fastInt:
		// readInteger of a plain number or quoted number ("id":"0", as
		// output_format_json_quote_64bit_integers writes them) of up to 18 digits: both
		// give parseInt's value to AppendInt.
		q := 0 // 1 for a quoted number, without a branch
		if c == '"' {
			q = 1
		}
		i := pos + q
		if i+8 <= len(buf) {
			// Up to 15 digits, without a branch on their number below eight.
			w := binary.LittleEndian.Uint64(buf[i : i+8 : i+8])
			v, n := leadingDigits(w)
			t := byte(w >> (8 * (n & 7))) // the byte after the digits, when n < 8
			if n == 8 && i+16 <= len(buf) {
				w = binary.LittleEndian.Uint64(buf[i+8 : i+16 : i+16])
				v2, n2 := leadingDigits(w)
				v = v*pow10[n2&7] + v2 // n2 == 8 is refused below
				n += n2
				t = byte(w >> (8 * (n2 & 7)))
			}
			// With n == 8 (and no word after it) t is the first digit, which intEnds
			// refuses.
			if n-1 < 15 && intEnds[q][t] {
				d.pos = i + int(n) + q
				if m.col.AppendInt(int64(v)) == nil {
					return true
				}
				d.pos = pos
				return false
			}
		}
		var v int64
		j := i
		for ; j < len(buf) && j-i < 18 && buf[j]-'0' <= 9; j++ {
			v = v*10 + int64(buf[j]-'0')
		}
		if j > i && j < len(buf) && intEnds[q][buf[j]] &&
			m.col.AppendInt(v) == nil {
			d.pos = j + q
			return true
		}
	case fastArray:
		// The commonest array, [], as arrayReader reads it; the reader gets any other.
		if c == '[' && pos+1 < len(buf) && buf[pos+1] == ']' {
			d.pos = pos + 2
			m.col.EndArray()
			return true
		}
	}
	return false
}

// leadingDigits returns the value and the number (0 to 8) of the decimal digits that w,
// eight bytes of text read little-endian, starts with. a holds the bytes minus '0', so
// digits are 0-9; a byte is not a digit when its high bit is set or adding 0x76 sets it
// (the carry of a byte at 0x8A or above only reaches the bytes after it). The n digits,
// moved to the top of the word (below them zeros: leading zero digits), are combined in
// pairs, fours and eights. Nothing branches on n.
func leadingDigits(w uint64) (uint64, uint) {
	a := w ^ ('0' * swarOnes)
	n := uint(bits.TrailingZeros64((a|(a+0x76*swarOnes))&swarHigh)) / 8
	x := a << (64 - 8*n) // 0 when n == 0
	x = x * (10<<8 + 1) >> 8
	x = (x & 0x00FF00FF00FF00FF) * (100<<16 + 1) >> 16
	x = (x & 0x0000FFFF0000FFFF) * (10000<<32 + 1) >> 32
	return x, n
}

// pow10[n] is 10 to the n.
var pow10 = [8]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}

// intEnds[q] marks the bytes that may follow the digits of an integer that readFastValue
// reads: for a plain number (q == 0) any byte that does not continue a bare token, for a
// quoted one (q == 1) the closing quote.
var intEnds = func() (t [2][256]bool) {
	for c := range 256 {
		t[0][c] = !isBare[c]
	}
	t[1]['"'] = true
	return t
}()

// lookup maps the k-th key of an object to a column index, nestedField or unknownField.
// Inside a nested object the full name is built in d.path.
func (d *decoder) lookup(key []byte, k, prefix int) int {
	if prefix > 0 {
		d.path = append(d.path[:prefix], key...)
		if idx, ok := d.index[string(d.path)]; ok {
			return idx
		}
		return unknownField
	}
	// Rows of one topic almost always list their keys in the same order: try the column
	// the k-th key named last time before hashing.
	if k < len(d.members) {
		if p := d.members[k].p; p >= 0 && d.names[p] == string(key) {
			return int(p)
		}
	}
	idx, ok := d.index[string(key)]
	if !ok {
		return unknownField
	}
	if idx >= 0 && k < len(d.members) {
		d.plan = -1
		d.members[k] = member{lit: d.keyLits[min(k, 1)][idx], col: d.rows.Col(idx), p: int32(idx), fv: d.fastVals[idx]}
	}
	return idx
}

// readField reads the value of column idx.
func (d *decoder) readField(idx int) error {
	if d.seen[idx] == d.gen {
		return d.duplicateField(idx)
	}
	d.seen[idx] = d.gen
	if err := d.readers[idx](&d.scanner, d.rows.Col(idx)); err != nil {
		return d.fieldError(idx, err)
	}
	return nil
}

// duplicateField and fieldError are readField's errors, shared with fastMembers.
func (d *decoder) duplicateField(idx int) error {
	return &syntaxError{msg: "Duplicate field found while parsing JSONEachRow format: " + d.names[idx]}
}

func (d *decoder) fieldError(idx int, err error) error {
	return newParseError(d.names[idx], err)
}
