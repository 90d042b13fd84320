// Package native implements ClickHouse's Native format, the column-oriented block format
// ClickHouse uses between its own processes: a message is one or more blocks, each a
// VarUInt column count, a VarUInt row count and, per column, its name, its type name and its
// values in ClickHouse's bulk serialization.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/native"
//
// # Serialization
//
// Values are laid out column by column: fixed-width types as consecutive little-endian
// values (UUID as its two 64-bit halves, Decimal by width, Enum as Int8/Int16), String as a
// VarUInt length and the bytes per row, Nullable(T) as a NULL map of one byte per row
// followed by the T values of every row, Array(T) as UInt64 end offsets followed by the
// flattened elements, Map(K, V) as Array(Tuple(K, V)), Tuple as its element columns in
// order, and LowCardinality(T) in ClickHouse's dictionary serialization (a keys version
// before the data, then index type flags, the dictionary keys, the row count and the
// indexes; for LowCardinality(Nullable(T)) key 0 is NULL). The encoder writes exactly that;
// the decoder reads it, one dictionary per column and block, as ClickHouse writes it.
//
// # Decoding
//
// Every block of a message is read (several blocks concatenated give all their rows). A
// column maps to the table column of its name; columns the table lacks are skipped with
// input_format_skip_unknown_fields (else an error), table columns the block lacks get their
// defaults. A column whose type differs from the table's is converted when ClickHouse's
// types allow it without loss of meaning: LowCardinality and Nullable may differ, integers
// and floats convert with a range check per value, dates and times rescale, decimals
// rescale, Enum values map by name, Array, Map and Tuple convert element-wise. Anything else
// is ClickHouse's error "Cannot convert: String to UInt16".
//
// An empty message is an error ("Attempt to read after eof"). Errors are [*ParseError]
// values naming the column being read.
package native
