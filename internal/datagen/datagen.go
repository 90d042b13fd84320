// Package datagen generates the deterministic synthetic data of chkafka's examples: the
// log rows of the quickstart's queue table and the GitHub events of ClickHouse's Kafka
// tutorial (SEED_EXAMPLES.md §1 and §2), as Arrow record batches with the schemas
// [kafkaengine.Columns] builds from [QueueColumns] and [GitHubColumns].
//
// A seed always gives the same rows (math/rand/v2's PCG): a generator's successive
// batches are the rows of one stream, so [Queue] and [GitHubEvents] of n rows equal the
// concatenation of any split of n into [QueueGenerator.Next] or [GitHubGenerator.Next]
// calls with the same seed.
//
//	rec, err := datagen.GitHubEvents(memory.DefaultAllocator, 1, 1000)
//	if err != nil { ... }
//	defer rec.Release()
//	msgs, err := datagen.Messages(rec, "JSONEachRow", 1) // needs format/all imported
//
// Generators are not safe for concurrent use; the package functions are.
package datagen

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/format"
)

// Messages encodes rec's rows as message payloads in the named format (looked up in the
// [format] registry, so the program must import github.com/chkafka/chkafka/format/all or
// the format's package), rowsPerMessage rows per message (at least 1; the last message
// may hold fewer), with the format's default settings — what [kafkaengine.Table.Insert]
// would publish with kafka_max_rows_per_message = rowsPerMessage. rec must have the
// schema of a table (from [kafkaengine.Columns]); it is borrowed. The payloads are owned
// by the caller; they may share backing arrays, but each is capped at its end, so that
// appending to one never overwrites another.
func Messages(rec arrow.RecordBatch, formatName string, rowsPerMessage int) ([][]byte, error) {
	if rowsPerMessage < 1 {
		return nil, fmt.Errorf("datagen: rowsPerMessage %d: must be at least 1", rowsPerMessage)
	}
	f, err := format.Lookup(formatName)
	if err != nil {
		return nil, fmt.Errorf("datagen: %w", err)
	}
	s := format.DefaultSettings()
	enc, err := f.NewEncoder(rec.Schema(), &s)
	if err != nil {
		return nil, fmt.Errorf("datagen: format %s: %w", formatName, err)
	}
	n := int(rec.NumRows())
	msgs := make([][]byte, 0, (n+rowsPerMessage-1)/rowsPerMessage)
	var buf []byte
	for i := 0; i < n; i += rowsPerMessage {
		j := min(i+rowsPerMessage, n)
		start := len(buf)
		if buf, err = enc.Append(buf, rec, i, j); err != nil {
			return nil, fmt.Errorf("datagen: encode rows [%d, %d): %w", i, j, err)
		}
		// Cap the message at its end, so that a caller appending to it reallocates
		// instead of overwriting the next message.
		msgs = append(msgs, buf[start:len(buf):len(buf)])
	}
	return msgs, nil
}
