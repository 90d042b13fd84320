// Package all registers every built-in format. Import it for its side effect:
//
//	import _ "github.com/chkafka/chkafka/format/all"
package all

import (
	_ "github.com/chkafka/chkafka/format/arrow"     // Arrow, ArrowStream
	_ "github.com/chkafka/chkafka/format/avro"      // Avro, AvroConfluent
	_ "github.com/chkafka/chkafka/format/bson"      // BSONEachRow
	_ "github.com/chkafka/chkafka/format/capnproto" // CapnProto
	_ "github.com/chkafka/chkafka/format/csv"       // CSV, CSVWithNames, CSVWithNamesAndTypes
	_ "github.com/chkafka/chkafka/format/custom"    // CustomSeparated*
	_ "github.com/chkafka/chkafka/format/json"      // the JSON family: JSONEachRow, JSONCompact*, JSON, JSONColumns*, JSONAsString, ...
	_ "github.com/chkafka/chkafka/format/lines"     // LineAsString, RawBLOB
	_ "github.com/chkafka/chkafka/format/msgpack"   // MsgPack
	_ "github.com/chkafka/chkafka/format/native"    // Native
	_ "github.com/chkafka/chkafka/format/parquet"   // Parquet
	_ "github.com/chkafka/chkafka/format/protobuf"  // Protobuf, ProtobufSingle, ProtobufList, ProtobufConfluent
	_ "github.com/chkafka/chkafka/format/regexp"    // Regexp
	_ "github.com/chkafka/chkafka/format/rowbinary" // RowBinary, RowBinaryWithNames, RowBinaryWithNamesAndTypes
	_ "github.com/chkafka/chkafka/format/tskv"      // TSKV
	_ "github.com/chkafka/chkafka/format/tsv"       // TabSeparated (TSV), TabSeparatedRaw, *WithNames, *WithNamesAndTypes
	_ "github.com/chkafka/chkafka/format/values"    // Values
)
