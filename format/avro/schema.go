package avro

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// kind is an Avro schema type.
type kind uint8

const (
	kNull kind = iota + 1
	kBoolean
	kInt
	kLong
	kFloat
	kDouble
	kBytes
	kString
	kRecord
	kEnum
	kArray
	kMap
	kUnion
	kFixed
)

var kindNames = [...]string{kNull: "null", kBoolean: "boolean", kInt: "int", kLong: "long", kFloat: "float",
	kDouble: "double", kBytes: "bytes", kString: "string", kRecord: "record", kEnum: "enum", kArray: "array",
	kMap: "map", kUnion: "union", kFixed: "fixed"}

var primitives = map[string]kind{"null": kNull, "boolean": kBoolean, "int": kInt, "long": kLong, "float": kFloat,
	"double": kDouble, "bytes": kBytes, "string": kString}

// node is one parsed Avro schema. Named types (record, enum, fixed) are shared by pointer
// wherever the schema refers to them, so recursive records form cycles.
type node struct {
	kind      kind
	name      string // full name of a named type
	logical   string // logicalType, "" if none or not applicable
	precision int    // decimal
	scale     int    // decimal
	size      int    // fixed
	symbols   []string
	items     *node // array
	values    *node // map
	branches  []*node
	fields    []field
	min       int // fewest bytes a value takes (see minSize), set by parseSchema
}

type field struct {
	name string
	node *node
}

// String returns the node's type as error messages name it: "long", "record row",
// "union [null, string]", "long (timestamp-millis)".
func (n *node) String() string {
	var b strings.Builder
	n.describe(&b, 0)
	return b.String()
}

func (n *node) describe(b *strings.Builder, depth int) {
	b.WriteString(kindNames[n.kind])
	switch n.kind {
	case kRecord, kEnum, kFixed:
		b.WriteString(" ")
		b.WriteString(n.name)
	case kArray, kMap:
		if depth < 3 {
			b.WriteString("<")
			if n.kind == kArray {
				n.items.describe(b, depth+1)
			} else {
				n.values.describe(b, depth+1)
			}
			b.WriteString(">")
		}
	case kUnion:
		b.WriteString(" [")
		for i, br := range n.branches {
			if i > 0 {
				b.WriteString(", ")
			}
			if depth < 3 {
				br.describe(b, depth+1)
			}
		}
		b.WriteString("]")
	}
	if n.logical != "" {
		b.WriteString(" (")
		b.WriteString(n.logical)
		b.WriteString(")")
	}
}

// parseSchema parses an Avro schema in its JSON form. It resolves named-type references
// (with namespaces) and validates fixed sizes and unions. Names and enum symbols need only
// be non-empty and unique: ClickHouse writes column names and Enum names as they are, and
// its files must stay readable. It keeps the
// logical types chkafka interprets (date, time-*, timestamp-*, local-timestamp-*,
// decimal, uuid) when they annotate the type the specification allows; other logical
// types are ignored, as the specification requires.
func parseSchema(text []byte) (*node, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid schema JSON: %w", err)
	}
	if d.More() {
		return nil, errors.New("invalid schema JSON: trailing data")
	}
	p := &schemaParser{names: map[string]*node{}}
	n, err := p.parse(v, "", 0)
	if err != nil {
		return nil, err
	}
	annotate(n, map[*node]bool{})
	return n, nil
}

// annotate sets min on every node reachable from n.
func annotate(n *node, seen map[*node]bool) {
	if seen[n] {
		return
	}
	seen[n] = true
	n.min = minSize(n, map[*node]bool{})
	switch n.kind {
	case kArray:
		annotate(n.items, seen)
	case kMap:
		annotate(n.values, seen)
	case kUnion:
		for _, b := range n.branches {
			annotate(b, seen)
		}
	case kRecord:
		for _, f := range n.fields {
			annotate(f.node, seen)
		}
	}
}

type schemaParser struct {
	names map[string]*node
}

const maxSchemaDepth = 64

func (p *schemaParser) parse(v any, ns string, depth int) (*node, error) {
	if depth > maxSchemaDepth {
		return nil, fmt.Errorf("schema nested deeper than %d levels", maxSchemaDepth)
	}
	switch v := v.(type) {
	case string:
		if k, ok := primitives[v]; ok {
			return &node{kind: k}, nil
		}
		if n, ok := p.lookup(v, ns); ok {
			return n, nil
		}
		return nil, fmt.Errorf("unknown type %q", v)
	case []any:
		u := &node{kind: kUnion}
		seen := map[string]bool{}
		for _, b := range v {
			n, err := p.parse(b, ns, depth+1)
			if err != nil {
				return nil, err
			}
			if n.kind == kUnion {
				return nil, errors.New("a union may not immediately contain another union")
			}
			key := kindNames[n.kind]
			if n.kind == kRecord || n.kind == kEnum || n.kind == kFixed {
				key = n.name
			}
			if seen[key] {
				return nil, fmt.Errorf("union contains %s twice", key)
			}
			seen[key] = true
			u.branches = append(u.branches, n)
		}
		if len(u.branches) == 0 {
			return nil, errors.New("empty union")
		}
		return u, nil
	case map[string]any:
		return p.parseObject(v, ns, depth)
	}
	return nil, fmt.Errorf("invalid schema value %v", v)
}

func (p *schemaParser) lookup(name, ns string) (*node, bool) {
	if !strings.Contains(name, ".") && ns != "" {
		if n, ok := p.names[ns+"."+name]; ok {
			return n, true
		}
	}
	n, ok := p.names[name]
	return n, ok
}

func (p *schemaParser) parseObject(o map[string]any, ns string, depth int) (*node, error) {
	t, ok := o["type"]
	if !ok {
		return nil, errors.New(`schema object without "type"`)
	}
	ts, isString := t.(string)
	if !isString {
		// {"type": {...}} or {"type": [...]}: a wrapped schema.
		return p.parse(t, ns, depth+1)
	}
	logical, _ := o["logicalType"].(string)
	switch ts {
	case "record", "error", "enum", "fixed":
		name, fullName, newNS, err := p.name(o, ns)
		if err != nil {
			return nil, err
		}
		if _, dup := p.names[fullName]; dup {
			return nil, fmt.Errorf("type %q defined twice", fullName)
		}
		n := &node{name: fullName}
		p.names[fullName] = n
		switch ts {
		case "enum":
			n.kind = kEnum
			syms, _ := o["symbols"].([]any)
			if len(syms) == 0 {
				return nil, fmt.Errorf("enum %s has no symbols", name)
			}
			seen := map[string]bool{}
			for _, s := range syms {
				str, ok := s.(string)
				if !ok || str == "" || seen[str] {
					return nil, fmt.Errorf("enum %s: invalid or duplicate symbol %v", name, s)
				}
				seen[str] = true
				n.symbols = append(n.symbols, str)
			}
		case "fixed":
			n.kind = kFixed
			size, err := intAttr(o, "size")
			if err != nil || size < 0 {
				return nil, fmt.Errorf("fixed %s: invalid size", name)
			}
			n.size = size
			switch logical {
			case "decimal":
				if err := p.decimal(n, o, size); err != nil {
					return nil, err
				}
			case "duration":
				if size == 12 {
					n.logical = logical
				}
			}
		default:
			n.kind = kRecord
			fs, ok := o["fields"].([]any)
			if !ok {
				return nil, fmt.Errorf("record %s has no fields array", name)
			}
			seen := map[string]bool{}
			for _, f := range fs {
				fo, ok := f.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("record %s: invalid field %v", name, f)
				}
				fname, _ := fo["name"].(string)
				if fname == "" || seen[fname] {
					return nil, fmt.Errorf("record %s: invalid or duplicate field name %q", name, fname)
				}
				seen[fname] = true
				ft, ok := fo["type"]
				if !ok {
					return nil, fmt.Errorf("record %s: field %s has no type", name, fname)
				}
				fn, err := p.parse(ft, newNS, depth+1)
				if err != nil {
					return nil, fmt.Errorf("field %s: %w", fname, err)
				}
				n.fields = append(n.fields, field{name: fname, node: fn})
			}
		}
		return n, nil
	case "array":
		items, ok := o["items"]
		if !ok {
			return nil, errors.New(`array without "items"`)
		}
		in, err := p.parse(items, ns, depth+1)
		if err != nil {
			return nil, err
		}
		return &node{kind: kArray, items: in}, nil
	case "map":
		values, ok := o["values"]
		if !ok {
			return nil, errors.New(`map without "values"`)
		}
		vn, err := p.parse(values, ns, depth+1)
		if err != nil {
			return nil, err
		}
		return &node{kind: kMap, values: vn}, nil
	}
	k, ok := primitives[ts]
	if !ok {
		if n, ok := p.lookup(ts, ns); ok {
			return n, nil
		}
		return nil, fmt.Errorf("unknown type %q", ts)
	}
	n := &node{kind: k}
	switch {
	case logical == "date" && k == kInt, logical == "time-millis" && k == kInt,
		logical == "uuid" && k == kString,
		(logical == "time-micros" || logical == "timestamp-millis" || logical == "timestamp-micros" ||
			logical == "timestamp-nanos" || logical == "local-timestamp-millis" ||
			logical == "local-timestamp-micros" || logical == "local-timestamp-nanos") && k == kLong:
		n.logical = logical
	case logical == "decimal" && k == kBytes:
		if err := p.decimal(n, o, -1); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// decimal sets the decimal logical type from o's precision and scale. An invalid decimal
// makes the specification fall back to the underlying type.
func (p *schemaParser) decimal(n *node, o map[string]any, size int) error {
	prec, err := intAttr(o, "precision")
	if err != nil || prec < 1 {
		return nil
	}
	scale := 0
	if _, ok := o["scale"]; ok {
		if scale, err = intAttr(o, "scale"); err != nil || scale < 0 || scale > prec {
			return nil
		}
	}
	if size >= 0 && size < 32 {
		// precision must fit in size bytes: floor(log10(2^(8*size-1) - 1)).
		maxPrec := int(float64(8*size-1) * 0.30102999566398120) // log10(2)
		if prec > maxPrec {
			return nil
		}
	}
	n.logical, n.precision, n.scale = "decimal", prec, scale
	return nil
}

func intAttr(o map[string]any, key string) (int, error) {
	switch v := o[key].(type) {
	case json.Number:
		i, err := v.Int64()
		if err != nil || i > 1<<31 {
			return 0, fmt.Errorf("%s: not an integer", key)
		}
		return int(i), nil
	}
	return 0, fmt.Errorf("%s: not an integer", key)
}

// name returns the simple and full name of a named type and the namespace its fields use.
func (p *schemaParser) name(o map[string]any, ns string) (name, full, newNS string, err error) {
	name, _ = o["name"].(string)
	if name == "" {
		return "", "", "", errors.New("named type without a name")
	}
	if nsv, ok := o["namespace"].(string); ok {
		ns = nsv
	}
	full = name
	if strings.Contains(name, ".") {
		newNS = name[:strings.LastIndexByte(name, '.')]
	} else if ns != "" {
		full = ns + "." + name
		newNS = ns
	}
	for _, part := range strings.Split(full, ".") {
		if part == "" {
			return "", "", "", fmt.Errorf("invalid name %q", full)
		}
	}
	if _, prim := primitives[full]; prim {
		return "", "", "", fmt.Errorf("type name %q is a primitive type", full)
	}
	return name, full, newNS, nil
}

// minSize returns the fewest bytes a value of n takes, to reject impossible item counts
// before looping over them. It stops at recursion (a recursive record counts as 0).
func minSize(n *node, seen map[*node]bool) int {
	switch n.kind {
	case kNull:
		return 0
	case kFixed:
		return n.size
	case kFloat:
		return 4
	case kDouble:
		return 8
	case kRecord:
		if seen[n] {
			return 0
		}
		seen[n] = true
		s := 0
		for _, f := range n.fields {
			s += minSize(f.node, seen)
		}
		delete(seen, n)
		return s
	}
	return 1
}
