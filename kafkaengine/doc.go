// Package kafkaengine is ClickHouse's Kafka table engine as a Go library.
//
// A [Table] is declared from ClickHouse's kafka_* [Settings] and columns. [Table.Run]
// consumes the topics with a consumer group, decodes every message with the table's
// format into Arrow record batches carrying the requested virtual columns (_topic, _key,
// _offset, ...) and delivers each block to every attached [Sink] — the role of a
// materialized view — before it commits the block's offsets: at-least-once delivery.
// [Table.Insert] publishes Arrow rows to the topic in the same format.
//
//	schema, _ := kafkaengine.Columns("timestamp UInt64", "level String", "message String")
//	t, err := kafkaengine.New(kafkaengine.Settings{
//		BrokerList: "localhost:9092",
//		TopicList:  "topic",
//		GroupName:  "group1",
//		Format:     "JSONEachRow",
//	}, schema, kafkaengine.WithVirtualColumns("_topic", "_offset"))
//	if err != nil { ... }
//	t.Attach("daily", kafkaengine.SinkFunc(func(ctx context.Context, rec arrow.RecordBatch) error {
//		... // rec is borrowed for the call
//		return nil
//	}))
//	err = t.Run(ctx) // until ctx ends
//
// Formats are looked up by name in package format's registry; import
// github.com/chkafka/chkafka/format/all for every built-in one, or pass one with
// [WithFormat].
//
// # Delivery
//
// A block is cut when it reaches kafka_max_block_size rows, when kafka_flush_interval_ms
// has passed since its first message, or after 10 empty polls — checked after each poll
// batch, never inside one. Every attached sink gets the block; only when all succeeded
// are its offsets committed, one commit per partition per block. A failing sink fails
// the block: nothing is committed and the same rows are delivered to every sink again
// after kafka_consumer_reschedule_ms. On a rebalance, the
// rows of the session that ends are dropped before it ends; the partitions' new owner
// reads them again. A block never outlives the session that produced it, and no
// partition is committed by a member that no longer owns it.
//
// # Concurrency
//
// Each pipeline (one per table, or one per consumer with kafka_thread_per_consumer = 1)
// is a single goroutine that owns the block in progress: its builder, its messages and
// its offsets. Decoding runs ahead of it in sarama's claim goroutines, one per assigned
// partition, each with a decoder and staged rows of its own that it hands over with the
// batch (so decoding uses as many cores as a member has partitions); the pipeline copies
// the staged rows into the block and decides about broken messages. Sinks are called
// from the pipeline goroutines. Table methods are safe for concurrent use.
package kafkaengine
