package block

import (
	"errors"
	"fmt"
	"strings"

	"github.com/chkafka/chkafka/virtualcols"
)

var (
	// ErrColumnExpression is returned (wrapped) by [ParseColumn] for a column with a DEFAULT,
	// MATERIALIZED, EPHEMERAL or ALIAS expression: ClickHouse's Kafka engine refuses the
	// first three (SPEC §1.4) and chkafka does not evaluate expressions at all.
	ErrColumnExpression = errors.New("block: KafkaEngine doesn't support DEFAULT/MATERIALIZED/EPHEMERAL expressions for columns")
	// ErrReservedName is returned (wrapped) for a physical column named like a virtual
	// column ([virtualcols.IsVirtual]).
	ErrReservedName = errors.New("block: column name is reserved for a virtual column")
	// ErrNotNullable is wrapped by the [ValueError] of [Col.AppendNull] on a column that is
	// not Nullable while [Options.NullAsDefault] is off.
	ErrNotNullable = errors.New("block: NULL for a non-Nullable column")
)

// Column is one physical column of a table: its name and ClickHouse type.
type Column struct {
	Name string
	Type *Type
}

// String returns the column definition: the name (back-quoted unless a plain identifier)
// and the type, e.g. "`e.x` Nullable(Int32)". [ParseColumn] of it gives an equal Column.
func (c Column) String() string {
	name := c.Name
	if !isPlainIdent(name) {
		name = quoteIdent(name)
	}
	return name + " " + c.Type.String()
}

// ParseColumn parses a column definition "name Type", as in ClickHouse's CREATE TABLE. The
// name may be a plain identifier (dots allowed: e.x), `back quoted` or "double quoted". A
// trailing NULL makes the type Nullable; NOT NULL, COMMENT '...' and CODEC(...) are accepted
// and ignored. A DEFAULT, MATERIALIZED, EPHEMERAL or ALIAS clause gives an error wrapping
// [ErrColumnExpression] whose text starts like ClickHouse's ("KafkaEngine doesn't support
// DEFAULT/MATERIALIZED/EPHEMERAL expressions for columns"). Type errors are those of
// [ParseType]. ParseColumn does not check reserved names; [ParseColumns] does.
func ParseColumn(def string) (Column, error) {
	p := &typeParser{s: def}
	c, err := p.column()
	if err != nil {
		if errors.Is(err, ErrColumnExpression) {
			return Column{}, err
		}
		return Column{}, fmt.Errorf("block: parse column %q: %w", def, err)
	}
	return c, nil
}

func (p *typeParser) column() (Column, error) {
	var (
		c   Column
		err error
	)
	switch p.peek() {
	case '`', '"':
		c.Name, err = p.quoted(p.s[p.pos])
	case 0:
		return c, p.errorf("empty column definition")
	default:
		start := p.pos
		for p.pos < len(p.s) && (isIdentChar(p.s[p.pos]) || p.s[p.pos] == '.') {
			p.pos++
		}
		c.Name = p.s[start:p.pos]
		if c.Name == "" || isDigit(c.Name[0]) {
			err = p.errorf("expected a column name at %q", p.s[start:])
		}
	}
	if err != nil {
		return c, err
	}
	if c.Name == "" {
		return c, p.errorf("empty column name")
	}
	if c.Type, err = p.parseType(); err != nil {
		return c, err
	}
	for {
		word := strings.ToUpper(p.ident())
		switch word {
		case "":
			p.skipSpace()
			if p.pos < len(p.s) {
				return c, p.errorf("unexpected %q after the type", p.s[p.pos:])
			}
			return c, nil
		case "DEFAULT", "MATERIALIZED", "EPHEMERAL", "ALIAS":
			p.skipSpace()
			hint := "put the expression in the materialized view instead"
			if word == "ALIAS" {
				hint = "chkafka does not evaluate ALIAS columns; compute it in the view instead"
			}
			return c, fmt.Errorf("%w: column %q has %s %s; %s. See https://clickhouse.com/docs/engines/table-engines/integrations/kafka/#configuration",
				ErrColumnExpression, c.Name, word, strings.TrimSpace(p.s[p.pos:]), hint)
		case "NULL":
			switch c.Type.Kind {
			case Nullable:
			case LowCardinality:
				if !c.Type.IsNullable() {
					c.Type = &Type{Kind: LowCardinality, Elem: &Type{Kind: Nullable, Elem: c.Type.Elem}}
				}
			case Array, Map, Tuple:
				return c, p.errorf("type %s cannot be NULL", c.Type)
			default:
				c.Type = &Type{Kind: Nullable, Elem: c.Type}
			}
		case "NOT":
			if strings.ToUpper(p.ident()) != "NULL" {
				return c, p.errorf("expected NOT NULL")
			}
		case "COMMENT":
			if _, err := p.quoted('\''); err != nil {
				return c, err
			}
		case "CODEC":
			if err := p.skipParens(); err != nil {
				return c, err
			}
		default:
			return c, p.errorf("unexpected %q after the type", word)
		}
	}
}

// skipParens skips a balanced parenthesised group (quotes respected).
func (p *typeParser) skipParens() error {
	if err := p.expect('('); err != nil {
		return err
	}
	depth := 1
	for p.pos < len(p.s) {
		switch c := p.s[p.pos]; c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				p.pos++
				return nil
			}
		case '\'', '`', '"':
			if _, err := p.quoted(c); err != nil {
				return err
			}
			continue
		}
		p.pos++
	}
	return p.errorf("unbalanced parentheses")
}

// ParseColumns parses each definition with [ParseColumn] and checks the set: a name used
// twice is an error, and a name of a virtual column ([virtualcols.IsVirtual], e.g. "_key")
// is an error wrapping [ErrReservedName]. The error names the offending definition.
func ParseColumns(defs []string) ([]Column, error) {
	cols := make([]Column, 0, len(defs))
	for _, d := range defs {
		c, err := ParseColumn(d)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := checkNames(cols); err != nil {
		return nil, err
	}
	return cols, nil
}

// checkNames rejects reserved and duplicate column names.
func checkNames(cols []Column) error {
	seen := make(map[string]bool, len(cols))
	for _, c := range cols {
		if virtualcols.IsVirtual(c.Name) {
			return fmt.Errorf("%w: %q", ErrReservedName, c.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("block: duplicate column name %q", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// checkType reports whether t is a valid type: structurally complete and accepted by
// [ParseType]. It is used where callers may build Types by hand.
func checkType(t *Type) error {
	if t == nil {
		return errors.New("block: nil type")
	}
	s := t.String()
	u, err := ParseType(s)
	if err != nil {
		return err
	}
	if u.String() != s {
		return fmt.Errorf("block: invalid type %s", s)
	}
	return nil
}
