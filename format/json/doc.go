// Package json implements ClickHouse's JSON family of formats. Import it for its side
// effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/json"
//
//	f, _ := format.Lookup("JSONCompactEachRow")
//	dec, _ := f.NewDecoder(schema, nil)
//	err := dec.Decode(rows, []byte(`["0", 0, "AM", 0.5, 1]`+"\n"+`["1", 0, "AM", 0.5, 1]`))
//
// It registers, under ClickHouse's names, all read and write:
//
//	JSONEachRow (aliases JSONLines, NDJSON)  {"id":"0","val1":"AM"} per row
//	JSONStringsEachRow                       {"id":"0","val2":"0.5"}: every value a JSON string of its text
//	JSONCompactEachRow                       ["0", 0, "AM", 0.5, 1] per row
//	JSONCompactEachRowWithNames              a ["id", "blockNo", ...] header row first
//	JSONCompactEachRowWithNamesAndTypes      and a ["Int64", "UInt16", ...] header row
//	JSONCompactStringsEachRow (+WithNames, +WithNamesAndTypes)  the same with string values
//	JSONObjectEachRow                        {"row_1": {...}, "row_2": {...}}
//	JSONAsString                             each JSON object is one value of a single String column
//	JSON                                     {"meta": [...], "data": [{...}, ...], "rows": N}
//	JSONCompact                              {"meta": [...], "data": [[...], ...], "rows": N}
//	JSONColumns                              {"id": [values], ...}              (block format)
//	JSONCompactColumns                       [[values], ...]                    (block format)
//	JSONColumnsWithMetadata                  {"meta": [...], "data": {"id": [values], ...}, "rows": N} (block format)
//
// and the output-only JSONStrings and JSONCompactStrings (NewDecoder fails with
// [errors.ErrUnsupported], as ClickHouse has no such input formats). All of them share one
// scanner, one set of value readers and one set of value writers.
//
// # Decoding
//
// One Kafka message is one document. JSONEachRow-style rows (also those of
// JSONStringsEachRow, JSONObjectEachRow and JSON's data) are objects whose keys name
// columns: missing keys give the column's default, unknown keys are skipped
// (input_format_skip_unknown_fields) or an error, a repeated key is an error, and with
// input_format_import_nested_json the column `e.x` is filled from {"e":{"x":...}}. Compact
// rows are arrays in column order, or in the order of the WithNames header row when
// input_format_with_names_use_header is on (the default: unknown names are skipped or an
// error like unknown keys); the WithNamesAndTypes types row is checked against the columns
// (input_format_with_types_use_header). The metadata of JSON, JSONCompact and
// JSONColumnsWithMetadata is checked the same way, and JSONCompact's data arrays follow it.
// Header rows are per message.
//
// Values follow ClickHouse's lenient JSON reading: numbers may be quoted ("id":"0"), String
// columns take numbers, booleans, and the raw text of objects and arrays, floats take inf
// and nan, Enum takes names or values, Map columns take objects, Tuple columns take objects
// by element name or arrays. In the *Strings* formats every value is a JSON string holding
// the value's text (Array, Map and Tuple as literals such as ['a','b']); "NULL" in any case
// and "ᴺᵁᴸᴸ" are NULL for Nullable columns and, with input_format_null_as_default, the default
// of other columns. Values are converted by package block, which rejects lossy conversions.
//
// An empty message has no rows for JSONEachRow, JSONStringsEachRow, JSONCompactEachRow,
// JSONCompactStringsEachRow, JSON, JSONAsString and the three column formats; it is an error
// for the formats whose document starts with a header, metadata or an enclosing object.
// Errors are [*ParseError] values with ClickHouse's wording, e.g. "Cannot parse input:
// expected '{' before: 'qwertyuiop': (at row 1)".
//
// # Encoding
//
// Every call writes one self-contained document: header rows and metadata are repeated per
// message, JSONObjectEachRow numbers its rows from row_1 and the documents' "rows" member
// counts the message's rows. Values are written as ClickHouse writes them: Int64 and UInt64
// quoted (output_format_json_quote_64bit_integers), floats in shortest form with inf and nan
// as the strings "inf", "-inf" and "nan", dates and times as strings in the column's time
// zone, Decimal as a number without trailing zeros, UUID and Enum as strings, Map as an
// object, named Tuple as an object and unnamed Tuple as an array. Strings escape '"', '\\',
// '/', control characters, U+2028 and U+2029, and pass other bytes, including invalid UTF-8,
// through unchanged, except in JSON, JSONCompact, JSONStrings and JSONCompactStrings, which
// replace invalid UTF-8 with U+FFFD as ClickHouse does. The *Strings* formats write NULL as
// "ᴺᵁᴸᴸ". JSONAsString writes each value followed by a newline and cannot write NULL.
package json
