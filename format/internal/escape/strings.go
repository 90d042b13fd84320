package escape

// AppendString writes the string s by rule: escaped (Escaped), in single quotes (Quoted),
// in double quotes with "" for a quote (CSV), as a JSON string (JSON), XML-escaped (XML)
// or verbatim (Raw). Formats write header names and types with it.
func AppendString[S string | []byte](dst []byte, rule Rule, s S) []byte {
	switch rule {
	case Escaped:
		return appendEscaped(dst, s, '\'')
	case Quoted:
		dst = append(dst, '\'')
		dst = appendEscaped(dst, s, '\'')
		return append(dst, '\'')
	case CSV:
		return appendCSV(dst, s)
	case JSON:
		return AppendJSONString(dst, s)
	case XML:
		return appendXML(dst, s)
	}
	return append(dst, s...)
}

// AppendEscaped writes s escaped as ClickHouse's writeAnyEscapedString<quote> does: \b \f
// \n \r \t \0 \\ and the quote byte are backslash-escaped (TSKV escapes '=' in names).
func AppendEscaped[S string | []byte](dst []byte, s S, quote byte) []byte {
	return appendEscaped(dst, s, quote)
}

// needsTSVEscape marks the bytes ClickHouse's writeAnyEscapedString escapes besides the
// quote character.
var needsTSVEscape = [256]bool{'\b': true, '\f': true, '\n': true, '\r': true, '\t': true, 0: true, '\\': true}

// appendEscaped is ClickHouse's writeAnyEscapedString<quote>: \b \f \n \r \t \0 \\ and the
// quote character are backslash-escaped.
func appendEscaped[S string | []byte](dst []byte, s S, quote byte) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !needsTSVEscape[c] && c != quote {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case 0:
			dst = append(dst, '\\', '0')
		default:
			dst = append(dst, '\\', c)
		}
		start = i + 1
	}
	return append(dst, s[start:]...)
}

func appendCSV[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, s[start:i+1]...)
			dst = append(dst, '"')
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendXML is ClickHouse's writeXMLStringForTextElement: < and & are escaped.
func appendXML[S string | []byte](dst []byte, s S) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '&':
			esc = "&amp;"
		default:
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, esc...)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// needsJSONEscape marks the bytes ClickHouse's writeJSONString escapes (with
// output_format_json_escape_forward_slashes on, its default), plus 0xE2, the lead byte of
// U+2028 and U+2029.
var needsJSONEscape = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'], t['/'], t[0xE2] = true, true, true, true
	return t
}()

// AppendJSONString writes s as a JSON string the way ClickHouse's writeJSONString does
// ([AppendString] with rule JSON): quotes, backslashes, slashes and control characters are
// escaped, U+2028 and U+2029 too, and bytes that are not valid UTF-8 pass through
// unchanged. The JSON formats write their strings with it.
func AppendJSONString[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !needsJSONEscape[c] {
			continue
		}
		var esc string
		skip := 1
		switch c {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '/':
			esc = `\/`
		case '\b':
			esc = `\b`
		case '\f':
			esc = `\f`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case '\t':
			esc = `\t`
		case 0xE2:
			if i+2 >= len(s) || s[i+1] != 0x80 || s[i+2] != 0xA8 && s[i+2] != 0xA9 {
				continue
			}
			esc = `\u2028`
			if s[i+2] == 0xA9 {
				esc = `\u2029`
			}
			skip = 3
		}
		dst = append(dst, s[start:i]...)
		if esc != "" {
			dst = append(dst, esc...)
		} else {
			dst = append(dst, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&15])
		}
		i += skip - 1
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
