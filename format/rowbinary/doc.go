// Package rowbinary implements ClickHouse's RowBinary formats: RowBinary,
// RowBinaryWithNames, RowBinaryWithNamesAndTypes and (read only) RowBinaryWithDefaults.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/rowbinary"
//
//	f, _ := format.Lookup("RowBinary")
//	dec, _ := f.NewDecoder(schema, nil)
//	err := dec.Decode(rows, payload)
//
// # Encoding of values
//
// A row is its values in column order, each in ClickHouse's binary encoding: integers and
// floats little-endian, Bool one byte, String a VarUInt length and the bytes, FixedString(N)
// N bytes, Date UInt16 days, Date32 Int32 days, DateTime UInt32 seconds, DateTime64(P) Int64
// ticks of 10^-P s, Decimal(P, S) the unscaled value as Int32, Int64, Int128 or Int256 for
// P <= 9, 18, 38, 76, UUID its two 64-bit halves little-endian (high half first), Enum8 and
// Enum16 their Int8/Int16 values, Nullable(T) a byte (1 for NULL) then T unless NULL,
// Array(T) a VarUInt count then the elements, Map(K, V) a VarUInt count then key/value
// pairs, Tuple its elements in order, LowCardinality(T) as T.
//
// # Headers
//
// RowBinaryWithNames starts every message with a VarUInt column count and the names;
// RowBinaryWithNamesAndTypes adds the type names. With input_format_with_names_use_header
// (default) the names map fields to columns (unknown names are skipped with
// input_format_skip_unknown_fields, which needs their types; missing columns get their
// defaults), otherwise the fields are the table's columns in order. With
// input_format_with_types_use_header (default) each type must be the column's: "Type of
// 'blockNo' must be UInt16, not String".
//
// # Errors
//
// An empty message is an error, as in ClickHouse (for RowBinary: "Cannot read all data.
// Bytes read: 0. Bytes expected: 8." when the first column is 8 bytes wide). Errors are
// [*ParseError] values with ClickHouse's wording and "(at row N)".
package rowbinary
