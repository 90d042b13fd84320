// Package regexp implements ClickHouse's Regexp input format: every line of a message must
// match format_regexp, whose capture groups are the columns' values in order.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/regexp"
//
// The pattern uses RE2 syntax (Go's regexp is RE2, as ClickHouse's) and must match a whole
// line; it needs exactly one capture group per column (checked when the decoder is
// created). Lines end with "\n" or "\r\n"; the newline after the last line is optional, and
// an empty message is one empty line. A line that does not match is an error ("Line
// \"...\" doesn't match the regexp.") or, with format_regexp_skip_unmatched, skipped. Each
// group is read by format_regexp_escaping_rule (default Raw: the group's text as it is;
// Escaped, Quoted, CSV and JSON as in the other text formats; XML cannot be read). An
// optional group that takes no part in the match gives the column's default.
//
// Regexp is input-only in ClickHouse: NewEncoder returns an error wrapping
// [errors.ErrUnsupported].
//
// Go's regexp has no allocation-free submatch API, so matching costs one small allocation
// per line.
package regexp
