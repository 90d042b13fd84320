// Package arrowfmt implements ClickHouse's Arrow (IPC file) and ArrowStream (IPC stream)
// formats with arrow-go's ipc reader and writer. The package is named arrowfmt so that it
// does not clash with arrow-go's arrow package; its import path is
// github.com/chkafka/chkafka/format/arrow.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/arrow"
//
// # Encoding
//
// Both formats are block-oriented: Append writes rows [i, j) of a record batch as one
// complete IPC file or stream, with the record's own schema (the table's Arrow mapping,
// ClickHouse types in the field metadata), compressed with lz4_frame, zstd or nothing per
// output_format_arrow_compression_method. ClickHouse itself writes some types differently
// (String as binary, Date as uint16, DateTime as uint32, LowCardinality as plain values);
// the decoders of both read either form.
//
// # Decoding
//
// Every record batch of the message is read; fields fill the table columns of their name
// (fields the table lacks are ignored, columns the message lacks get defaults). Arrow types
// convert to the column's type: integers and floats with range checks, strings and binary
// to String (or parsed for other types), dictionaries by their values (LowCardinality, Enum
// by name), dates and timestamps rescaled, decimals by value, lists, maps and structs to
// Array, Map and Tuple. An empty or corrupt message is an error.
//
// arrow-go trusts its input, so the decoder guards it: the flatbuffers of every message's
// metadata (and of the file footer) are verified before arrow-go reads them (a corrupt
// vector length would otherwise be a fatal out-of-memory), message bodies and allocations
// are bounded by the message size, a record batch may have at most 2^20 + 64 rows per
// message byte, and panics on corrupt data are recovered into errors.
package arrowfmt
