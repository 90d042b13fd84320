package kafkaengine

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSaramaConfigRebalanceRetry: by default a member retries joining a rebalancing group
// after 100 ms (sarama's 2 s held both consumers of a two-consumer table without
// partitions for 2 s); a configuration given with WithSaramaConfig is kept as it is.
func TestSaramaConfigRebalanceRetry(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String}}, nil)
	tbl, err := New(settingsValid(), schema)
	require.NoError(t, err)
	cfg := tbl.saramaConfig("c")
	assert.Equal(t, 100*time.Millisecond, cfg.Consumer.Group.Rebalance.Retry.Backoff)
	assert.Equal(t, 80, cfg.Consumer.Group.Rebalance.Retry.Max)
	require.NoError(t, cfg.Validate())

	own := sarama.NewConfig()
	tbl, err = New(settingsValid(), schema, WithSaramaConfig(own))
	require.NoError(t, err)
	cfg = tbl.saramaConfig("c")
	assert.Equal(t, own.Consumer.Group.Rebalance.Retry.Backoff, cfg.Consumer.Group.Rebalance.Retry.Backoff)
	assert.Equal(t, own.Consumer.Group.Rebalance.Retry.Max, cfg.Consumer.Group.Rebalance.Retry.Max)
}
