package kafkaprom_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/chkafka/chkafka/format/all"
	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkaengine/kafkaprom"
	"github.com/chkafka/chkafka/kafkatest"
)

func TestCollector(t *testing.T) {
	c, err := kafkatest.NewCluster(kafkatest.Topic("m", 1))
	require.NoError(t, err)
	defer c.Close()
	var values []string
	for i := range 25 {
		values = append(values, fmt.Sprintf(`{"a": %d}`, i))
	}
	require.NoError(t, c.ProduceValues(context.Background(), "m", values...))

	schema, err := kafkaengine.Columns("a UInt64")
	require.NoError(t, err)
	cfg := sarama.NewConfig()
	cfg.Consumer.Group.Heartbeat.Interval = 100 * time.Millisecond
	tbl, err := kafkaengine.New(kafkaengine.Settings{BrokerList: c.Addr(), TopicList: "m", GroupName: "g", Format: "JSONEachRow",
		FlushInterval: 100 * time.Millisecond, PollTimeout: 50 * time.Millisecond}, schema,
		kafkaengine.WithSaramaConfig(cfg), kafkaengine.WithName("m"))
	require.NoError(t, err)
	defer tbl.Close()
	require.NoError(t, tbl.Attach("discard", kafkaengine.SinkFunc(func(context.Context, arrow.RecordBatch) error { return nil })))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tbl.Run(ctx) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	reg := prometheus.NewRegistry()
	reg.MustRegister(kafkaprom.NewCollector(map[string]*kafkaengine.Table{"queue": tbl}))
	deadline := time.Now().Add(20 * time.Second)
	for {
		committed, err := c.Committed(context.Background(), "g", "m")
		require.NoError(t, err)
		if committed[0] == 25 {
			break
		}
		require.True(t, time.Now().Before(deadline), "25 committed")
		time.Sleep(20 * time.Millisecond)
	}
	require.Eventually(t, func() bool { return tbl.Stats().Lag == 0 && tbl.Stats().Commits > 0 }, 10*time.Second, 10*time.Millisecond)
	clientID := tbl.Stats().Consumers[0].ClientID
	want := fmt.Sprintf(`
# HELP chkafka_lag_messages High watermark minus committed offset.
# TYPE chkafka_lag_messages gauge
chkafka_lag_messages{client_id=%[1]q,partition="0",sink="",table="queue",topic="m"} 0
# HELP chkafka_committed_offset Committed offset (next offset to read).
# TYPE chkafka_committed_offset gauge
chkafka_committed_offset{client_id=%[1]q,partition="0",sink="",table="queue",topic="m"} 25
# HELP chkafka_messages_read_total Messages returned by polls.
# TYPE chkafka_messages_read_total counter
chkafka_messages_read_total{client_id=%[1]q,sink="",table="queue"} 25
`, clientID)
	assert.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"chkafka_lag_messages", "chkafka_committed_offset", "chkafka_messages_read_total"))
}
