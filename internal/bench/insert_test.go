package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/chkafka/chkafka/kafkaengine"
)

// BenchmarkInsert publishes a schema's corpus rows (JSONEachRow, one row per message) to
// a four-partition topic. chkafka is Table.Insert of the Arrow record batch (encoding
// included); sarama-sync and sarama-async are raw sarama producers sending the payloads
// chkafka's encoder wrote, already encoded, with the configuration the engine uses
// (acks = all, no compression). One op is the whole corpus, acknowledged.
func BenchmarkInsert(b *testing.B) {
	for _, s := range schemas {
		b.Run(s.name, func(b *testing.B) {
			b.Run("chkafka", func(b *testing.B) { benchInsertTable(b, s) })
			b.Run("sarama-sync", func(b *testing.B) { benchInsertSarama(b, s, false) })
			b.Run("sarama-async", func(b *testing.B) { benchInsertSarama(b, s, true) })
		})
	}
}

func benchInsertTable(b *testing.B, s schemaDef) {
	c := getCorpus(b, s, "JSONEachRow")
	rec, err := schemaRecord(s)
	mustNoErr(b, err, "records")
	table, err := kafkaengine.New(kafkaengine.Settings{
		BrokerList: brokerAddr(b),
		TopicList:  insertTopic(s.name, "chkafka"),
		GroupName:  "unused",
		Format:     "JSONEachRow",
	}, s.arrowSchema(b))
	mustNoErr(b, err, "table")
	defer table.Close()
	ctx := context.Background()
	// Connect outside the timer.
	warm := rec.NewSlice(0, 10)
	mustNoErr(b, table.Insert(ctx, warm), "warm-up insert")
	warm.Release()
	b.SetBytes(int64(c.bytes))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := table.Insert(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perRowMetrics(b, c.rows*b.N)
}

func benchInsertSarama(b *testing.B, s schemaDef, async bool) {
	c := getCorpus(b, s, "JSONEachRow")
	topic := insertTopic(s.name, map[bool]string{false: "sarama-sync", true: "sarama-async"}[async])
	brokers := strings.Split(brokerAddr(b), ",")
	var send func([]*sarama.ProducerMessage) error
	if async {
		p, err := sarama.NewAsyncProducer(brokers, saramaConfig())
		mustNoErr(b, err, "producer")
		defer p.Close()
		send = func(msgs []*sarama.ProducerMessage) error {
			go func() {
				for _, m := range msgs {
					p.Input() <- m
				}
			}()
			for range msgs {
				select {
				case <-p.Successes():
				case err := <-p.Errors():
					return err
				case <-time.After(time.Minute):
					return fmt.Errorf("no acknowledgement for a minute")
				}
			}
			return nil
		}
	} else {
		p, err := sarama.NewSyncProducer(brokers, saramaConfig())
		mustNoErr(b, err, "producer")
		defer p.Close()
		send = p.SendMessages
	}
	mk := func(payloads [][]byte) []*sarama.ProducerMessage {
		msgs := make([]*sarama.ProducerMessage, len(payloads))
		for i, v := range payloads {
			msgs[i] = &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(v)}
		}
		return msgs
	}
	mustNoErr(b, send(mk(c.msgs[:10])), "warm-up send")
	b.SetBytes(int64(c.bytes))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := send(mk(c.msgs)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perRowMetrics(b, c.rows*b.N)
}
