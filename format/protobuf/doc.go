// Package protobuf implements ClickHouse's Protobuf, ProtobufSingle and ProtobufList
// formats, and Confluent-framed Protobuf read with a schema registry (ProtobufConfluent, a
// chkafka extension).
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/protobuf"
//
//	f, _ := format.Lookup("Protobuf")
//	s := format.DefaultSettings()
//	s.Schema = "events.proto:Event" // kafka_schema
//	s.SchemaPath = "/etc/schemas"   // format_schema_path
//	dec, _ := f.NewDecoder(schema, &s)
//
// # Schemas
//
// kafka_schema is "file:Message" or "file.proto:Message" (".proto" is added when the file
// has no extension). The file is compiled at table creation by github.com/bufbuild/
// protocompile, with imports resolved in format_schema_path (the working directory when
// empty) and the well-known google/protobuf/*.proto files built in. The message is named
// as in the file ("Msg", "Outer.Inner") or with its package ("pkg.Msg").
//
// # Framing
//
//   - Protobuf: records of the message, each preceded by its length as a varint; an empty
//     message is an error ("Attempt to read after eof"), as in ClickHouse's format tests.
//   - ProtobufSingle: the whole message is one record; an empty message is one record with
//     every field absent. Writing more than one row per message is an error.
//   - ProtobufList: one length-delimited record of the file's message "Envelope", whose
//     field 1 repeats the rows; the row message is Envelope's nested message named by
//     kafka_schema.
//   - ProtobufConfluent: Confluent's wire format (see [Confluent]).
//
// # Columns and fields
//
// Fields bind columns as in ClickHouse's ProtobufSerializer: names compare ignoring case
// and the difference between '.' and '_'; a message field binds a Tuple column of its name
// (elements by name, or in field order for an unnamed Tuple) or the columns named
// "<field>.<subfield>" / "<field>_<subfield>" (flattened, to any depth); a repeated
// message flattens into Array columns ("r.name Array(String)"), one element per record,
// absent subfields giving defaults; a repeated scalar binds an Array (packed or not); a
// map binds a Map; a oneof binds a column of its name holding the set field's number (an
// Enum whose values are the field numbers, or an integer) or name (String); a
// google.protobuf.Timestamp binds DateTime, DateTime64 or Date; a google.protobuf wrapper
// binds Nullable(T), absent meaning NULL; a message with a single field binds a column of
// that field's type (so Array(Array(T)) binds a repeated message holding a repeated T).
// Enum fields bind Enum and String columns by name and numeric columns by number.
// Columns no field binds get their defaults (proto2 explicit defaults apply); fields no
// column binds are skipped; a table with no bound column is refused. When a singular
// field occurs twice, the last occurrence wins (messages are not merged).
//
// Values convert through package block, which refuses lossy conversions (an int64 of
// 300 into a UInt8 column is an error, as ClickHouse's numeric_cast is).
//
// # Writing
//
// The encoder writes the same bindings back. As in ClickHouse, proto3 fields without
// presence are omitted when zero or empty, fields with presence (proto2, proto3
// optional, oneof members) are written unless NULL, empty nested messages are omitted,
// repeated scalars are packed unless the schema says otherwise, and a oneof column selects
// which member is written. Conversions that lose data (a value out of a field's range, an
// Enum name the proto enum lacks) are errors.
package protobuf
