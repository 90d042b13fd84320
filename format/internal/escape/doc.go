// Package escape implements ClickHouse's escaping rules for text formats — Escaped (TSV),
// Quoted (SQL literals, Values), CSV, JSON, XML (output only) and Raw — for the codecs of
// the separated text formats (TSV, CSV, CustomSeparated, Values, Regexp, TSKV).
//
// Reading: a [Field] is compiled once per column and rule; [Field.Read] reads one value at
// a [Scanner]'s cursor and stages it into a block column, handling NULL, empty-as-default,
// unescaping (into a buffer reused across values) and ClickHouse-like error texts.
// [Skip] and [ReadString] read a field without a column (unknown header fields, header
// names).
//
// Writing: [NewWriter] compiles a [Writer] for a column's ClickHouse and Arrow types; it
// appends the value of one row in the rule's form. [AppendString] writes a plain string
// (header names and types) by a rule.
//
// Errors: reads fail with a [*SyntaxError] for malformed text (optionally caused by a
// block conversion error) or with the block's [*block.ValueError]; row formats wrap them
// in a [*ParseError] carrying the row number.
package escape
