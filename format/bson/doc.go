// Package bson implements ClickHouse's BSONEachRow format: every row is one BSON document
// (https://bsonspec.org) whose fields are named after the columns; a message holds any
// number of documents back to back. The BSON codec is hand-written.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/bson"
//
// # Encoding
//
// Fields follow the columns in order, with ClickHouse's type mapping: Float32 and Float64
// as double; Int8, Int16, Int32, UInt8, UInt16, Enum8, Enum16 (values), Date and Date32
// (days) and Decimal32 (unscaled) as int32; Int64, UInt32, UInt64 (its bits), DateTime
// (seconds) and Decimal64 (unscaled) as int64; Bool as boolean; DateTime64 as a UTC
// datetime holding its ticks (milliseconds for DateTime64(3)); Decimal128 and Decimal256 as
// binary (subtype 0) of their 16 or 32 little-endian bytes; String and FixedString as
// binary subtype 0 (output_format_bson_string_as_string = 0); UUID as binary subtype 4 with
// ClickHouse's byte order; Array and unnamed Tuple as arrays (tuple keys "1", "2", ...);
// named Tuple and Map as embedded documents (map keys in their text form); NULL as null;
// LowCardinality(T) as T.
//
// # Decoding
//
// Fields map to columns by name (unknown fields are skipped with
// input_format_skip_unknown_fields, missing ones get their defaults, a repeated one is an
// error). Any BSON integer or boolean fills integer, date, time and enum columns, doubles
// fill float columns, string, symbol, JavaScript code, binary (subtypes 0 and 2) and
// ObjectId fill String and FixedString, binary subtypes 3 and 4 fill UUID, int64 and
// datetime fill DateTime64 (as ticks), arrays fill Array and Tuple columns, embedded
// documents fill named Tuple and Map columns, null is NULL. Values are converted by package
// block, which rejects lossy conversions.
//
// An empty message is an error ("Cannot read all data. Bytes read: 0. Bytes expected:
// 4."), as every binary format's is. Errors are [*ParseError] values with "(at row N)".
package bson
