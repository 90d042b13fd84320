// Package capnproto implements ClickHouse's CapnProto format.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/capnproto"
//
//	f, _ := format.Lookup("CapnProto")
//	s := format.DefaultSettings()
//	s.Schema = "schema.capnp:Message" // kafka_schema
//	s.SchemaPath = "/etc/schemas"     // format_schema_path
//	dec, _ := f.NewDecoder(schema, &s)
//
// # Schemas
//
// kafka_schema is "file.capnp:Struct" or "file:Struct" (".capnp" is added when the file
// has no extension), resolved in format_schema_path (the working directory when empty).
// At table creation the schema is compiled by the Cap'n Proto compiler, `capnp compile
// -o-` (Debian package capnproto), and its CodeGeneratorRequest read with the layouts
// the compiler assigned, so field offsets are exactly the compiler's. Where the compiler
// is not installed, a CodeGeneratorRequest compiled ahead of time is used: the file
// itself when its name ends in ".bin", or "<file>.bin" next to the source (made with
// `capnp compile -o- schema.capnp > schema.capnp.bin`).
//
// # Messages
//
// A Kafka message holds any number of Cap'n Proto messages in the standard stream framing
// (segment table, then segments), one row each; ClickHouse writes one single-segment
// message per row. Multi-segment messages, far and double-far pointers are read; a
// traversal limit of 8 times the message size bounds the work a message can cause. An
// empty Kafka message is an error ("Cannot read all data. Bytes read: 0. Bytes expected:
// 4.", as ClickHouse says). Capabilities and AnyPointer fields are not supported.
//
// # Columns and fields
//
// Fields bind columns by name (exactly, else ignoring case), following ClickHouse's
// mapping: integers and floats to numeric, Date (UInt16 days), Date32 (Int32),
// DateTime (UInt32), DateTime64 (Int64 ticks) and Decimal (the unscaled integer) columns;
// Bool to Bool or numbers; Text and Data to String, FixedString and UUID (16 bytes of
// Data, or text); enums by value, as ClickHouse's default
// format_capn_proto_enum_comparising_mode 'by_values' (the ordinal is the Enum value;
// String columns get the enumerant's name); List to Array (lists of lists, of Text and of
// structs included); a struct or group to a Tuple (elements by name, or in field order
// for an unnamed Tuple) or to columns named "<field>.<sub>" or "<field>_<sub>"; a union of
// a value and a Void (a named union, or a struct holding only it) to Nullable(T); a
// struct { entries :List(struct { key, value }) } to Map. Members of an unnamed union read
// as their default unless set. Columns no field binds get their defaults; a table with no
// bound column is refused. Default values declared in the schema are honoured for
// primitive, enum, Text and Data fields (primitives are stored XORed with their default);
// a null List or struct pointer reads as empty, whatever default the schema declares.
//
// # Writing
//
// Each row is one single-segment message, fields laid out as the compiler assigned and
// allocated in field order, so a table of the schema's own field order writes the bytes
// ClickHouse writes. Values a field cannot hold (out of range, an enumerant the enum
// lacks, a NULL inside a List of primitives) are errors. When several members of one
// union are bound, the last one written is the one set.
package capnproto
