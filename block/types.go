package block

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a ClickHouse type: the name of the type without its parameters.
type Kind uint8

// The kinds of ClickHouse types chkafka supports. The zero Kind is invalid.
const (
	Int8 Kind = iota + 1
	Int16
	Int32
	Int64
	UInt8
	UInt16
	UInt32
	UInt64
	Float32
	Float64
	Bool
	String
	FixedString
	Date
	Date32
	DateTime
	DateTime64
	Decimal
	UUID
	Enum8
	Enum16
	Nullable
	LowCardinality
	Array
	Map
	Tuple
)

var kindNames = [...]string{
	Int8: "Int8", Int16: "Int16", Int32: "Int32", Int64: "Int64",
	UInt8: "UInt8", UInt16: "UInt16", UInt32: "UInt32", UInt64: "UInt64",
	Float32: "Float32", Float64: "Float64", Bool: "Bool", String: "String",
	FixedString: "FixedString", Date: "Date", Date32: "Date32", DateTime: "DateTime",
	DateTime64: "DateTime64", Decimal: "Decimal", UUID: "UUID", Enum8: "Enum8", Enum16: "Enum16",
	Nullable: "Nullable", LowCardinality: "LowCardinality", Array: "Array", Map: "Map", Tuple: "Tuple",
}

// String returns the ClickHouse name of the kind ("Int32", "LowCardinality", ...), or
// "Kind(n)" for an invalid kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// EnumValue is one declared value of an Enum8/Enum16 type.
type EnumValue struct {
	Name  string
	Value int16
}

// TupleField is one element of a Tuple type. Name is "" for an element of an unnamed tuple
// (a tuple is either fully named or fully unnamed).
type TupleField struct {
	Name string
	Type *Type
}

// Type is a parsed ClickHouse column type. Only the fields its Kind uses are set; the others
// are zero. A Type is immutable once built and safe for concurrent reads; functions of this
// package never modify a Type they are given.
type Type struct {
	// Kind is the type's kind.
	Kind Kind
	// Elem is the inner type of Nullable, LowCardinality and Array.
	Elem *Type
	// Key and Value are the key and value types of Map.
	Key, Value *Type
	// Fields are the elements of Tuple, in order.
	Fields []TupleField
	// Len is N of FixedString(N).
	Len int
	// Precision is P of Decimal(P, S) (1..76) and of DateTime64(P) (0..9).
	Precision int
	// Scale is S of Decimal(P, S) (0..P).
	Scale int
	// TZ is the IANA time zone of DateTime('tz') and DateTime64(P, 'tz'); "" means UTC.
	TZ string
	// Enum holds the values of Enum8/Enum16 in declaration order.
	Enum []EnumValue
}

// IsNullable reports whether the type admits NULL: Nullable(T) or LowCardinality(Nullable(T)).
func (t *Type) IsNullable() bool {
	switch t.Kind {
	case Nullable:
		return true
	case LowCardinality:
		return t.Elem != nil && t.Elem.Kind == Nullable
	}
	return false
}

// String returns the canonical ClickHouse spelling of the type, e.g. "Nullable(Int32)",
// "Decimal(40, 3)", "DateTime64(3, 'Asia/Istanbul')", "Enum8('a' = 1, 'b' = 2)",
// "Tuple(a Int8, b String)". [ParseType] of the result gives an equal Type.
func (t *Type) String() string {
	var sb strings.Builder
	t.write(&sb)
	return sb.String()
}

func (t *Type) write(sb *strings.Builder) {
	if t == nil {
		sb.WriteString("<nil>")
		return
	}
	switch t.Kind {
	case FixedString:
		fmt.Fprintf(sb, "FixedString(%d)", t.Len)
	case DateTime:
		sb.WriteString("DateTime")
		if t.TZ != "" {
			sb.WriteString("(")
			writeQuoted(sb, t.TZ)
			sb.WriteString(")")
		}
	case DateTime64:
		fmt.Fprintf(sb, "DateTime64(%d", t.Precision)
		if t.TZ != "" {
			sb.WriteString(", ")
			writeQuoted(sb, t.TZ)
		}
		sb.WriteString(")")
	case Decimal:
		fmt.Fprintf(sb, "Decimal(%d, %d)", t.Precision, t.Scale)
	case Enum8, Enum16:
		sb.WriteString(t.Kind.String())
		sb.WriteString("(")
		for i, v := range t.Enum {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeQuoted(sb, v.Name)
			sb.WriteString(" = ")
			sb.WriteString(strconv.Itoa(int(v.Value)))
		}
		sb.WriteString(")")
	case Nullable, LowCardinality, Array:
		sb.WriteString(t.Kind.String())
		sb.WriteString("(")
		t.Elem.write(sb)
		sb.WriteString(")")
	case Map:
		sb.WriteString("Map(")
		t.Key.write(sb)
		sb.WriteString(", ")
		t.Value.write(sb)
		sb.WriteString(")")
	case Tuple:
		sb.WriteString("Tuple(")
		for i, f := range t.Fields {
			if i > 0 {
				sb.WriteString(", ")
			}
			if f.Name != "" {
				sb.WriteString(quoteIdent(f.Name))
				sb.WriteString(" ")
			}
			f.Type.write(sb)
		}
		sb.WriteString(")")
	default:
		sb.WriteString(t.Kind.String())
	}
}

// writeQuoted writes s as a ClickHouse single-quoted string literal.
func writeQuoted(sb *strings.Builder, s string) {
	sb.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case '\n':
			sb.WriteString(`\n`)
		case '\t':
			sb.WriteString(`\t`)
		case '\r':
			sb.WriteString(`\r`)
		case 0:
			sb.WriteString(`\0`)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('\'')
}

// quoteIdent returns name as is when it is a plain identifier, else back-quoted.
func quoteIdent(name string) string {
	if isPlainIdent(name) {
		return name
	}
	var sb strings.Builder
	sb.WriteByte('`')
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '`', '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('`')
	return sb.String()
}

func isPlainIdent(s string) bool {
	if s == "" || isDigit(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isIdentChar(c byte) bool { return c == '_' || isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

// ParseType parses a ClickHouse type such as "LowCardinality(Nullable(String))" or
// "Map(String, Array(Nullable(Int32)))".
//
// Besides the canonical spellings it accepts Decimal32(S)/Decimal64(S)/Decimal128(S)/
// Decimal256(S) (Decimal(9|18|38|76, S)), Decimal(P) (scale 0), Enum(...) (Enum8 when every
// value fits in Int8, else Enum16), Enum values without "= N" (numbered from 1, or from the
// previous value + 1), and the case-insensitive SQL aliases ClickHouse has: BOOL/BOOLEAN,
// TINYINT/INT1, SMALLINT/INT2, INT/INTEGER/INT4/MEDIUMINT, BIGINT, FLOAT/REAL/SINGLE,
// DOUBLE, DECIMAL/DEC/NUMERIC, TIMESTAMP, and TEXT/VARCHAR/CHAR/BLOB-like String aliases
// (their optional length is ignored).
//
// It fails for an unknown type, bad parameters (FixedString(0), Decimal(80, 2),
// DateTime64(10), an unknown time zone, duplicate Enum names or values, ...) and for
// nestings ClickHouse refuses: Nullable of Array, Map, Tuple, LowCardinality or Nullable;
// LowCardinality of Array, Map, Tuple, Enum, Bool or LowCardinality; Map keys that are
// Nullable, Array, Map or Tuple. Tuples must be fully named or fully unnamed.
func ParseType(s string) (*Type, error) {
	p := &typeParser{s: s}
	t, err := p.parseType()
	if err == nil {
		p.skipSpace()
		if p.pos < len(p.s) {
			err = p.errorf("unexpected %q after the type", p.s[p.pos:])
		}
	}
	if err != nil {
		return nil, fmt.Errorf("block: parse type %q: %w", s, err)
	}
	return t, nil
}

type typeParser struct {
	s   string
	pos int
}

func (p *typeParser) errorf(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

func (p *typeParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *typeParser) peek() byte {
	p.skipSpace()
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *typeParser) expect(c byte) error {
	if p.peek() != c {
		if p.pos >= len(p.s) {
			return p.errorf("expected %q, found end of input", c)
		}
		return p.errorf("expected %q at %q", c, p.s[p.pos:])
	}
	p.pos++
	return nil
}

// ident reads a bare identifier; "" if none.
func (p *typeParser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && isIdentChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// name reads a bare or back-quoted (or double-quoted) identifier.
func (p *typeParser) name() (string, error) {
	c := p.peek()
	if c == '`' || c == '"' {
		return p.quoted(c)
	}
	n := p.ident()
	if n == "" {
		if p.pos >= len(p.s) {
			return "", p.errorf("expected a name, found end of input")
		}
		return "", p.errorf("expected a name at %q", p.s[p.pos:])
	}
	return n, nil
}

// quoted reads a literal enclosed in q, with backslash escapes and doubled quotes.
func (p *typeParser) quoted(q byte) (string, error) {
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != q {
		return "", p.errorf("expected a %c-quoted literal", q)
	}
	p.pos++
	var sb strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		switch {
		case c == '\\':
			if p.pos >= len(p.s) {
				return "", p.errorf("unterminated literal")
			}
			e := p.s[p.pos]
			p.pos++
			switch e {
			case 'n':
				sb.WriteByte('\n')
			case 't':
				sb.WriteByte('\t')
			case 'r':
				sb.WriteByte('\r')
			case '0':
				sb.WriteByte(0)
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			default:
				sb.WriteByte(e)
			}
		case c == q:
			if p.pos < len(p.s) && p.s[p.pos] == q {
				sb.WriteByte(q)
				p.pos++
				continue
			}
			return sb.String(), nil
		default:
			sb.WriteByte(c)
		}
	}
	return "", p.errorf("unterminated literal")
}

func (p *typeParser) integer() (int64, error) {
	p.skipSpace()
	start := p.pos
	if p.pos < len(p.s) && (p.s[p.pos] == '-' || p.s[p.pos] == '+') {
		p.pos++
	}
	for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
		p.pos++
	}
	v, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
	if err != nil {
		if start >= len(p.s) {
			return 0, p.errorf("expected a number, found end of input")
		}
		return 0, p.errorf("expected a number at %q", p.s[start:])
	}
	return v, nil
}

func (p *typeParser) intParam(what string, lo, hi int64) (int, error) {
	v, err := p.integer()
	if err != nil {
		return 0, err
	}
	if v < lo || v > hi {
		return 0, p.errorf("%s %d out of range [%d, %d]", what, v, lo, hi)
	}
	return int(v), nil
}

// wrapped parses "(T)".
func (p *typeParser) wrapped() (*Type, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	t, err := p.parseType()
	if err != nil {
		return nil, err
	}
	return t, p.expect(')')
}

// stringAliases are the case-insensitive SQL spellings of String.
var stringAliases = map[string]bool{
	"TEXT": true, "VARCHAR": true, "CHAR": true, "CHARACTER": true, "NCHAR": true, "NVARCHAR": true,
	"VARCHAR2": true, "CLOB": true, "TINYTEXT": true, "MEDIUMTEXT": true, "LONGTEXT": true,
	"BLOB": true, "TINYBLOB": true, "MEDIUMBLOB": true, "LONGBLOB": true, "BYTEA": true,
}

// simpleAliases are case-insensitive SQL spellings of parameterless types.
var simpleAliases = map[string]Kind{
	"BOOL": Bool, "BOOLEAN": Bool,
	"TINYINT": Int8, "INT1": Int8,
	"SMALLINT": Int16, "INT2": Int16,
	"INT": Int32, "INTEGER": Int32, "INT4": Int32, "MEDIUMINT": Int32,
	"BIGINT": Int64,
	"FLOAT":  Float32, "REAL": Float32, "SINGLE": Float32,
	"DOUBLE":    Float64,
	"TIMESTAMP": DateTime,
}

var simpleKinds = map[string]Kind{
	"Int8": Int8, "Int16": Int16, "Int32": Int32, "Int64": Int64,
	"UInt8": UInt8, "UInt16": UInt16, "UInt32": UInt32, "UInt64": UInt64,
	"Float32": Float32, "Float64": Float64, "Bool": Bool, "String": String,
	"Date": Date, "Date32": Date32, "UUID": UUID,
}

func (p *typeParser) parseType() (*Type, error) {
	name := p.ident()
	if name == "" {
		if p.pos >= len(p.s) {
			return nil, p.errorf("expected a type, found end of input")
		}
		return nil, p.errorf("expected a type at %q", p.s[p.pos:])
	}
	if k, ok := simpleKinds[name]; ok {
		return &Type{Kind: k}, nil
	}
	switch name {
	case "FixedString":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		n, err := p.intParam("FixedString length", 1, 1<<30)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: FixedString, Len: n}, p.expect(')')
	case "DateTime":
		t := &Type{Kind: DateTime}
		if p.peek() == '(' {
			p.pos++
			tz, err := p.timeZone()
			if err != nil {
				return nil, err
			}
			t.TZ = tz
			if err := p.expect(')'); err != nil {
				return nil, err
			}
		}
		return t, nil
	case "DateTime64":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		prec, err := p.intParam("DateTime64 precision", 0, 9)
		if err != nil {
			return nil, err
		}
		t := &Type{Kind: DateTime64, Precision: prec}
		if p.peek() == ',' {
			p.pos++
			if t.TZ, err = p.timeZone(); err != nil {
				return nil, err
			}
		}
		return t, p.expect(')')
	case "Decimal32", "Decimal64", "Decimal128", "Decimal256":
		prec := map[string]int{"Decimal32": 9, "Decimal64": 18, "Decimal128": 38, "Decimal256": 76}[name]
		if err := p.expect('('); err != nil {
			return nil, err
		}
		scale, err := p.intParam(name+" scale", 0, int64(prec))
		if err != nil {
			return nil, err
		}
		return &Type{Kind: Decimal, Precision: prec, Scale: scale}, p.expect(')')
	case "Enum8", "Enum16", "Enum":
		return p.enum(name)
	case "Nullable":
		elem, err := p.wrapped()
		if err != nil {
			return nil, err
		}
		switch elem.Kind {
		case Nullable, LowCardinality, Array, Map, Tuple:
			return nil, p.errorf("nested type %s cannot be inside Nullable", elem)
		}
		return &Type{Kind: Nullable, Elem: elem}, nil
	case "LowCardinality":
		elem, err := p.wrapped()
		if err != nil {
			return nil, err
		}
		inner := elem
		if inner.Kind == Nullable {
			inner = inner.Elem
		}
		switch inner.Kind {
		case LowCardinality, Array, Map, Tuple, Enum8, Enum16, Bool:
			return nil, p.errorf("LowCardinality of %s is not supported", elem)
		}
		return &Type{Kind: LowCardinality, Elem: elem}, nil
	case "Array":
		elem, err := p.wrapped()
		if err != nil {
			return nil, err
		}
		return &Type{Kind: Array, Elem: elem}, nil
	case "Map":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		key, err := p.parseType()
		if err != nil {
			return nil, err
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		value, err := p.parseType()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		if key.IsNullable() || key.Kind == Array || key.Kind == Map || key.Kind == Tuple {
			return nil, p.errorf("Map key type %s is not allowed", key)
		}
		return &Type{Kind: Map, Key: key, Value: value}, nil
	case "Tuple":
		return p.tuple()
	}
	upper := strings.ToUpper(name)
	if k, ok := simpleAliases[upper]; ok {
		return &Type{Kind: k}, nil
	}
	if stringAliases[upper] {
		if p.peek() == '(' { // VARCHAR(255): the length is ignored, as ClickHouse does
			p.pos++
			if _, err := p.intParam("length", 0, 1<<31); err != nil {
				return nil, err
			}
			if err := p.expect(')'); err != nil {
				return nil, err
			}
		}
		return &Type{Kind: String}, nil
	}
	switch upper {
	case "DECIMAL", "DEC", "NUMERIC":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		prec, err := p.intParam("Decimal precision", 1, 76)
		if err != nil {
			return nil, err
		}
		scale := 0
		if p.peek() == ',' {
			p.pos++
			if scale, err = p.intParam("Decimal scale", 0, int64(prec)); err != nil {
				return nil, err
			}
		}
		return &Type{Kind: Decimal, Precision: prec, Scale: scale}, p.expect(')')
	}
	return nil, p.errorf("unknown type %q", name)
}

func (p *typeParser) timeZone() (string, error) {
	tz, err := p.quoted('\'')
	if err != nil {
		return "", err
	}
	if _, err := loadLocation(tz); err != nil {
		return "", err
	}
	return tz, nil
}

// loadLocation resolves a ClickHouse time zone name; "" is UTC.
func loadLocation(tz string) (*time.Location, error) {
	if tz == "" || tz == "UTC" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: %w", tz, err)
	}
	return loc, nil
}

func (p *typeParser) enum(name string) (*Type, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	var (
		vals  []EnumValue
		next  int64 = 1
		names       = map[string]bool{}
		nums        = map[int64]bool{}
	)
	for {
		n, err := p.quoted('\'')
		if err != nil {
			return nil, err
		}
		v := next
		if p.peek() == '=' {
			p.pos++
			if v, err = p.integer(); err != nil {
				return nil, err
			}
		}
		if v < -32768 || v > 32767 {
			return nil, p.errorf("enum value %d of %q out of range", v, n)
		}
		if names[n] {
			return nil, p.errorf("duplicate enum name %q", n)
		}
		if nums[v] {
			return nil, p.errorf("duplicate enum value %d", v)
		}
		names[n], nums[v] = true, true
		vals = append(vals, EnumValue{Name: n, Value: int16(v)})
		next = v + 1
		c := p.peek()
		if c == ',' {
			p.pos++
			continue
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		break
	}
	fits8 := true
	for _, v := range vals {
		if v.Value < -128 || v.Value > 127 {
			fits8 = false
		}
	}
	kind := Enum16
	switch {
	case name == "Enum8" && !fits8:
		return nil, p.errorf("Enum8 value out of range [-128, 127]")
	case name == "Enum8", name == "Enum" && fits8:
		kind = Enum8
	}
	return &Type{Kind: kind, Enum: vals}, nil
}

func (p *typeParser) tuple() (*Type, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	t := &Type{Kind: Tuple}
	named := 0
	for {
		var f TupleField
		c := p.peek()
		if c == '`' || c == '"' {
			n, err := p.quoted(c)
			if err != nil {
				return nil, err
			}
			f.Name = n
		} else {
			// An identifier followed by blanks and another identifier is "name Type";
			// otherwise the identifier starts the element's type.
			save := p.pos
			id := p.ident()
			end := p.pos
			p.skipSpace()
			if id != "" && p.pos > end && p.pos < len(p.s) && (isIdentChar(p.s[p.pos]) || p.s[p.pos] == '`') {
				f.Name = id
			} else {
				p.pos = save
			}
		}
		typ, err := p.parseType()
		if err != nil {
			return nil, err
		}
		f.Type = typ
		if f.Name != "" {
			named++
		}
		t.Fields = append(t.Fields, f)
		if p.peek() == ',' {
			p.pos++
			continue
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		break
	}
	if named != 0 && named != len(t.Fields) {
		return nil, p.errorf("tuple elements must be all named or all unnamed")
	}
	seen := map[string]bool{}
	for _, f := range t.Fields {
		if f.Name == "" {
			continue
		}
		if seen[f.Name] {
			return nil, p.errorf("duplicate tuple element name %q", f.Name)
		}
		seen[f.Name] = true
	}
	return t, nil
}
