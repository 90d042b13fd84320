// Package msgpack implements ClickHouse's MsgPack format: every row is its column values,
// in column order, as consecutive MessagePack values; a message holds any number of rows.
// The MessagePack codec is hand-written.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/msgpack"
//
// # Encoding
//
// Values are written as ClickHouse writes them, integers in their smallest encoding:
// Int8..Int64, Enum8/Enum16 (their values), Date32 and Decimal32/Decimal64 (unscaled) as
// integers; UInt8..UInt64, Bool (0/1), Date (days) and DateTime (seconds) as unsigned
// integers; DateTime64 as its ticks; Float32 as float 32, Float64 as float 64; String and
// FixedString as bin (ClickHouse's current choice; the old fixtures of VECTORS.md use str,
// which reads the same); Decimal128/Decimal256 as bin of their 16/32 little-endian bytes;
// UUID as the extension type 2 with its 16 bytes big-endian
// (output_format_msgpack_uuid_representation = 'ext'); Array and Tuple as arrays, Map as a
// map, NULL as nil, LowCardinality(T) as T.
//
// # Decoding
//
// Each value is read for its column's type. Integers, floats and booleans go to numeric,
// date, time, enum and decimal columns (Decimal32/64 take the unscaled integer), str and
// bin to String, FixedString, UUID (canonical text, or 16 bytes in ClickHouse's order),
// Decimal128/256 (their bytes) and, as text, to the other scalar types; the extension type
// 2 is a UUID; arrays fill Array and Tuple columns, maps Map columns; nil is NULL. Values
// are converted by package block, which rejects lossy conversions.
//
// An empty message is an error ("Unexpected end of file while parsing msgpack object."), as
// are a truncated value and a row cut short ("Not enough values to complete the row.").
// Errors are [*ParseError] values with "(at row N)".
package msgpack
