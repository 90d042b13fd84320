// Package jsoneachrow implements ClickHouse's JSONEachRow format (also registered under its
// aliases JSONLines and NDJSON): every row is a JSON object whose keys are column names.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/jsoneachrow"
//
//	f, _ := format.Lookup("JSONEachRow")
//	dec, _ := f.NewDecoder(schema, nil)
//	err := dec.Decode(rows, []byte(`{"id":"0","val1":"AM"}`+"\n"+`{"id":"1","val1":"AM"}`))
//
// # Decoding
//
// A message holds any number of objects separated by whitespace, by nothing ({..}{..}) or by
// single commas, optionally wrapped in a JSON array and optionally ended by ';'; a leading
// UTF-8 BOM is skipped. An empty or blank message has no rows. Keys missing from an object
// give the column's default, unknown keys are skipped (input_format_skip_unknown_fields) or
// are an error, and a repeated key is an error. Values follow ClickHouse's lenient JSON
// reading: numbers may be quoted ("id":"0"), String columns take numbers, booleans, and the
// raw text of objects and arrays, floats take inf and nan, Enum takes names or values, Map
// columns take objects, Tuple columns take objects by element name or arrays, and with
// input_format_import_nested_json the column `e.x` is filled from {"e":{"x":...}}. Values are
// converted by package block, which rejects lossy conversions.
//
// Errors are [*ParseError] values with ClickHouse's wording, e.g. "Cannot parse input:
// expected '{' before: 'qwertyuiop': (at row 1)".
//
// # Encoding
//
// Rows are written as `{"col":value,...}\n` in the schema's column order, the way ClickHouse
// writes them: Int64 and UInt64 quoted (output_format_json_quote_64bit_integers), floats in
// shortest form with inf and nan as the strings "inf", "-inf" and "nan", dates and times as
// strings in the column's time zone, Decimal as a number without trailing zeros, UUID and
// Enum as strings, Map as an object, named Tuple as an object and unnamed Tuple as an array.
// Strings escape '"', '\\', '/', control characters, U+2028 and U+2029, and pass other bytes,
// including invalid UTF-8, through unchanged.
package jsoneachrow
