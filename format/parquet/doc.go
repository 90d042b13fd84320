// Package parquet implements ClickHouse's Parquet format with arrow-go's parquet and
// pqarrow packages: every Kafka message is one complete Parquet file.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/parquet"
//
// # Encoding
//
// The format is block-oriented: Append writes rows [i, j) of a record batch as one Parquet
// file of one row group, with the Arrow schema stored in the file metadata (so Arrow types
// such as timestamps with their zone and dictionaries read back as written), compressed per
// output_format_parquet_compression_method: none, snappy, zstd, lz4 (written as LZ4_RAW),
// gzip or brotli. LowCardinality columns are written with their value types, as ClickHouse
// writes them (Parquet's dictionary encoding of the pages still applies; pqarrow mishandles
// Arrow dictionaries of some value types); Enum columns stay dictionaries of their names.
//
// # Decoding
//
// Every row group of the file is read; columns fill the table columns of their name
// (columns the table lacks are ignored, table columns the file lacks get defaults), with the
// Arrow-to-ClickHouse conversions of the Arrow formats (format/arrow): so files written by
// ClickHouse (String as binary, Date as uint16, DateTime as uint32 or timestamps) and by
// other tools read alike. An empty or corrupt message is an error: the stored Arrow schema
// is verified before arrow-go decodes it, allocations through the Arrow allocator are
// bounded by the message size, a file may have at most 2^20 + 64 rows per message byte,
// and panics of the Parquet reader on corrupt input are recovered into errors. Files
// compressed with the Hadoop LZ4 codec (not LZ4_RAW) cannot be read: arrow-go does not
// implement it.
package parquet
