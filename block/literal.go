package block

// appendLiteral parses the ClickHouse literal of an Array, Map or Tuple value (as text
// formats write it: [1, 2], {'k': 1}, (1, 'a')) and appends it to c. On error nothing is
// staged.
func (c *Col) appendLiteral(v []byte) error {
	n := c.n
	p := literalParser{s: v, buf: c.scratch[:0]}
	err := p.value(c, c)
	if err == nil {
		p.skipSpace()
		if p.pos != len(v) {
			err = p.syntax(c)
		}
	}
	c.scratch = p.buf
	if err != nil {
		c.truncate(n)
		return err
	}
	return nil
}

type literalParser struct {
	s   []byte
	pos int
	buf []byte // unquoted scalars; AppendText copies them, so one buffer serves all
}

func (p *literalParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *literalParser) consume(ch byte) bool {
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ch {
		p.pos++
		return true
	}
	return false
}

// syntax reports the whole literal of top as malformed.
func (p *literalParser) syntax(top *Col) error {
	return top.textErr(p.s, "is not a valid "+top.kind.String()+" literal")
}

// value parses one value for column c (top is the column that received the literal).
func (p *literalParser) value(c, top *Col) error {
	p.skipSpace()
	switch c.rep {
	case repList:
		if !p.consume('[') {
			return p.syntax(top)
		}
		e := c.BeginArray()
		if !p.consume(']') {
			for {
				if err := p.value(e, top); err != nil {
					return err
				}
				if p.consume(',') {
					continue
				}
				if p.consume(']') {
					break
				}
				return p.syntax(top)
			}
		}
		c.EndArray()
		return nil
	case repMap:
		if !p.consume('{') {
			return p.syntax(top)
		}
		k, v := c.BeginMap()
		if !p.consume('}') {
			for {
				if err := p.value(k, top); err != nil {
					return err
				}
				if !p.consume(':') {
					return p.syntax(top)
				}
				if err := p.value(v, top); err != nil {
					return err
				}
				if p.consume(',') {
					continue
				}
				if p.consume('}') {
					break
				}
				return p.syntax(top)
			}
		}
		return c.EndMap()
	case repTuple:
		if !p.consume('(') {
			return p.syntax(top)
		}
		c.BeginTuple()
		for i, f := range c.fields {
			if i > 0 && !p.consume(',') {
				return p.syntax(top)
			}
			if err := p.value(f, top); err != nil {
				return err
			}
		}
		p.consume(',') // (1,) is a one-element tuple
		if !p.consume(')') {
			return p.syntax(top)
		}
		return c.EndTuple()
	}
	if p.pos < len(p.s) && (p.s[p.pos] == '\'' || p.s[p.pos] == '"') {
		if !p.unquote() {
			return p.syntax(top)
		}
		return c.AppendText(p.buf)
	}
	start := p.pos
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ',', ']', '}', ')', ':', ' ', '\t', '\n', '\r':
		default:
			p.pos++
			continue
		}
		break
	}
	tok := p.s[start:p.pos]
	if len(tok) == 0 {
		return p.syntax(top)
	}
	if len(tok) == 4 && tok[0]|0x20 == 'n' && tok[1]|0x20 == 'u' && tok[2]|0x20 == 'l' && tok[3]|0x20 == 'l' {
		return c.AppendNull()
	}
	return c.AppendText(tok)
}

// unquote reads a quoted string with backslash escapes (and doubled quotes) into p.buf.
func (p *literalParser) unquote() bool {
	q := p.s[p.pos]
	p.pos++
	p.buf = p.buf[:0]
	for p.pos < len(p.s) {
		ch := p.s[p.pos]
		p.pos++
		switch {
		case ch == '\\':
			if p.pos >= len(p.s) {
				return false
			}
			e := p.s[p.pos]
			p.pos++
			switch e {
			case 'n':
				e = '\n'
			case 't':
				e = '\t'
			case 'r':
				e = '\r'
			case '0':
				e = 0
			case 'b':
				e = '\b'
			case 'f':
				e = '\f'
			case 'a':
				e = '\a'
			case 'v':
				e = '\v'
			case 'x':
				hi, ok1 := unhex(byteAt(p.s, p.pos))
				lo, ok2 := unhex(byteAt(p.s, p.pos+1))
				if !ok1 || !ok2 {
					return false
				}
				e = hi<<4 | lo
				p.pos += 2
			}
			p.buf = append(p.buf, e)
		case ch == q:
			if p.pos < len(p.s) && p.s[p.pos] == q {
				p.buf = append(p.buf, q)
				p.pos++
				continue
			}
			return true
		default:
			p.buf = append(p.buf, ch)
		}
	}
	return false
}

func byteAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}
