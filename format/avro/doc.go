// Package avro implements ClickHouse's Avro and AvroConfluent formats.
//
// Import it for its side effect, or import github.com/chkafka/chkafka/format/all:
//
//	import _ "github.com/chkafka/chkafka/format/avro"
//
//	f, _ := format.Lookup("AvroConfluent")
//	s := format.DefaultSettings()
//	s.AvroSchemaRegistryURL = "https://user:secret@registry:8081"
//	dec, _ := f.NewDecoder(schema, &s)
//
// # Avro
//
// Every message is one Avro object container file: the header carries the writer schema
// and codec (null, deflate, snappy or zstandard), then data blocks of records. Each record
// is a row. An empty or foreign payload is an error ("Invalid data file. Magic does not
// match", as ClickHouse says).
//
// # AvroConfluent
//
// Every row is a Confluent frame: the magic byte 0x00, the 4-byte big-endian schema id and
// the Avro binary datum. A message holds any number of frames, possibly with different
// schema ids; an empty message has no rows. Writer schemas come from the schema registry
// (package registry) and are compiled once per id. A frame shorter than its header, a
// wrong magic byte, an unknown id or an unreachable registry (after bounded retries) give
// an error for that message, naming the schema id and the registry URL without password.
//
// # Reading
//
// The table's columns are the reader's view of the writer schema, as in ClickHouse: record
// fields match columns by name (case-sensitive); a record field named "a" also fills the
// columns "a.b", "a.c", ... from its subfields; unmatched fields are skipped and columns
// without a field get their default (NULL when Nullable). Values convert as Avro's schema
// resolution allows and beyond, through package block, which refuses lossy conversions:
// int and long to any integer, float or Decimal column (and back from ClickHouse's
// wrapped UInt32, DateTime and UInt64), float and double to floats, string and bytes to
// String, FixedString, UUID, Enum and anything block parses from text, fixed to String,
// FixedString or UUID, enum to Enum or String by symbol (to numbers by index), unions
// with null to Nullable, array to Array, map to Map(String, V), record to Tuple by element
// name. Logical types are honoured: date to Date, Date32, DateTime; timestamp-millis,
// -micros, -nanos (and local-) to DateTime64 of any precision and DateTime; decimal (bytes
// or fixed) to Decimal, DateTime64; uuid to UUID.
//
// # Writing
//
// The encoder writes the schema ClickHouse's AvroSerializer derives from the columns: a
// record "row" with Bool → boolean; Int8..Int32, UInt8, UInt16 → int; UInt32 and DateTime
// → int (values above 2^31-1 wrap around, as ClickHouse writes them; the decoder undoes
// it); Int64, UInt64 → long; Float32 → float; Float64 → double; Date, Date32 → int (date);
// DateTime64(3) and (6) → long (timestamp-millis, timestamp-micros), other precisions →
// bytes (decimal(18, P)); Decimal(P, S) → bytes (decimal(P, S)); String → bytes;
// FixedString(N) → fixed "fixed_<n>"; UUID → string (uuid); Enum8/16 → enum "enum8_<n>" /
// "enum16<n>"; Array → array; Map(String|FixedString, V) → map; Tuple → record named
// after the column; Nullable(T) → ["null", T]; LowCardinality(T) → T. Avro encoding writes
// one container per message (codec output_format_avro_codec, default snappy; blocks of at
// most 16 KiB); AvroConfluent writes one frame per row, with the schema registered under
// the subject "<topic>-value" at the first Append of an encoder bound with
// [TopicEncoder].ForTopic.
package avro
