package escape

import (
	"fmt"
	"strings"
)

// Rule is one of ClickHouse's escaping rules (format_custom_escaping_rule,
// format_regexp_escaping_rule).
type Rule uint8

// The escaping rules. The zero Rule is invalid.
const (
	// Escaped is the TabSeparated form: values as text, strings with backslash escapes,
	// NULL as format_tsv_null_representation (\N).
	Escaped Rule = iota + 1
	// Quoted is the SQL literal form of the Values format: strings in single quotes,
	// numbers bare, NULL, arrays [..], tuples (..), maps {..}.
	Quoted
	// CSV is the CSV form: strings in double quotes with "" for a quote, NULL as
	// format_csv_null_representation (\N).
	CSV
	// JSON is the JSON form of JSONEachRow values.
	JSON
	// XML writes values as XML text; ClickHouse cannot read it.
	XML
	// Raw is the TabSeparatedRaw form: values as text without any escaping.
	Raw
)

var ruleNames = [...]string{Escaped: "Escaped", Quoted: "Quoted", CSV: "CSV", JSON: "JSON", XML: "XML", Raw: "Raw"}

// String returns the rule's ClickHouse name ("Escaped", "Quoted", ...).
func (r Rule) String() string {
	if r >= Escaped && r <= Raw {
		return ruleNames[r]
	}
	return fmt.Sprintf("Rule(%d)", uint8(r))
}

// ParseRule returns the rule named s (ClickHouse's names, compared case-insensitively).
func ParseRule(s string) (Rule, error) {
	for r := Escaped; r <= Raw; r++ {
		if strings.EqualFold(s, ruleNames[r]) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown escaping rule %q (allowed: Escaped, Quoted, CSV, JSON, XML, Raw)", s)
}

// CanRead reports whether values can be read by the rule: all rules but XML.
func (r Rule) CanRead() bool { return r >= Escaped && r <= Raw && r != XML }
