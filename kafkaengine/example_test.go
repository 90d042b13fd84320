package kafkaengine_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkatest"

	_ "github.com/chkafka/chkafka/format/all" // every built-in format
)

// A table reads JSONEachRow messages from a topic and hands each block, with the
// virtual columns it asked for, to the attached sink.
func Example() {
	// An in-process broker; use your brokers' addresses instead.
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("queue", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = cluster.ProduceValues(ctx, "queue",
		`{"timestamp": 1700000000, "level": "info", "message": "started"}`,
		`{"timestamp": 1700000001, "level": "error", "message": "disk full"}`+"\n"+
			`{"timestamp": 1700000002, "level": "info", "message": "retrying"}`)
	if err != nil {
		log.Fatal(err)
	}

	schema, err := kafkaengine.Columns("timestamp UInt64", "level String", "message String")
	if err != nil {
		log.Fatal(err)
	}
	table, err := kafkaengine.New(kafkaengine.Settings{
		BrokerList:    cluster.Addr(),
		TopicList:     "queue",
		GroupName:     "group1",
		Format:        "JSONEachRow",
		FlushInterval: 100 * time.Millisecond,
	}, schema, kafkaengine.WithVirtualColumns("_offset"))
	if err != nil {
		log.Fatal(err)
	}
	defer table.Close()

	rows := 0
	err = table.Attach("print", kafkaengine.SinkFunc(func(_ context.Context, rec arrow.RecordBatch) error {
		for i := range int(rec.NumRows()) {
			fmt.Println(rec.Column(1).ValueStr(i), rec.Column(2).ValueStr(i), "offset", rec.Column(3).ValueStr(i))
		}
		if rows += int(rec.NumRows()); rows == 3 {
			cancel() // stop after the three rows
		}
		return nil
	}))
	if err != nil {
		log.Fatal(err)
	}
	if err := table.Run(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// info started offset 0
	// error disk full offset 1
	// info retrying offset 1
}

// Insert publishes Arrow rows in the table's format, one message per
// kafka_max_rows_per_message rows; a _key column sets each message's key.
func ExampleTable_Insert() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("out", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	schema, err := kafkaengine.Columns("key UInt64", "value String")
	if err != nil {
		log.Fatal(err)
	}
	table, err := kafkaengine.New(kafkaengine.Settings{
		BrokerList:        cluster.Addr(),
		TopicList:         "out",
		GroupName:         "writer",
		Format:            "JSONEachRow",
		MaxRowsPerMessage: 2,
	}, schema)
	if err != nil {
		log.Fatal(err)
	}
	defer table.Close()

	rows := arrow.NewSchema(append(schema.Fields(), arrow.Field{Name: "_key", Type: arrow.BinaryTypes.String}), nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, rows)
	defer b.Release()
	b.Field(0).(*array.Uint64Builder).AppendValues([]uint64{1, 2, 3}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"a", "b", "c"}, nil)
	b.Field(2).(*array.StringBuilder).AppendValues([]string{"k1", "k2", "k3"}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := table.Insert(context.Background(), rec); err != nil {
		log.Fatal(err)
	}

	msgs, err := cluster.Consume(context.Background(), "out")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range msgs {
		fmt.Printf("key %s: %q\n", m.Key, m.Value)
	}
	// Output:
	// key k2: "{\"key\":\"1\",\"value\":\"a\"}\n{\"key\":\"2\",\"value\":\"b\"}\n"
	// key k3: "{\"key\":\"3\",\"value\":\"c\"}\n"
}
