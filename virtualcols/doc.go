// Package virtualcols names ClickHouse's Kafka virtual columns, gives their Arrow types and
// fills them from Kafka message metadata.
//
// A Kafka table exposes, next to its physical columns, the columns of SPEC §9: _topic, _key,
// _offset, _partition, _timestamp, _timestamp_ms, _headers.name, _headers.value and, in
// kafka_handle_error_mode='stream', _raw_message and _error. A table gets only the virtual
// columns it asks for. Their Arrow mapping (DESIGN.md, semantics 8) is:
//
//	_topic          dictionary<int32, utf8>
//	_key            utf8 (a null key gives "")
//	_offset         uint64
//	_partition      uint64
//	_timestamp      nullable timestamp[s, UTC]  (NULL when the message has no timestamp)
//	_timestamp_ms   nullable timestamp[ms, UTC]
//	_headers.name   list<utf8> (wire order, duplicates and empty names kept)
//	_headers.value  list<utf8> (same order; a nil value gives "")
//	_raw_message    utf8 ("" for rows decoded without error)
//	_error          utf8 ("" for rows decoded without error)
//
// Every row decoded from one message carries the same values, so [Columns.Append] appends n
// copies of one [Message]. [Columns] is compiled once for a list of names and appends without
// allocating per row in steady state.
//
// Usage:
//
//	vc, err := virtualcols.NewColumns(mem, []string{virtualcols.Topic, virtualcols.Offset})
//	if err != nil {
//		return err
//	}
//	defer vc.Release()
//	vc.Append(&virtualcols.Message{Topic: "t", Offset: 42}, rowsInMessage)
//	arrs := vc.NewArrays() // one array per name, caller releases each
//
// This package is a leaf: it imports only Arrow and the standard library.
package virtualcols
