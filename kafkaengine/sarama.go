package kafkaengine

import (
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// saramaConfig returns a copy of the base sarama configuration with what the settings
// dictate. Forced last, as ClickHouse forces them (SPEC §2.3): no auto-commit, earliest
// offset for a group without commits, errors returned.
func (t *Table) saramaConfig(clientID string) *sarama.Config {
	var cfg sarama.Config
	if t.opts.sarama != nil {
		cfg = *t.opts.sarama
	} else {
		cfg = *sarama.NewConfig()
	}
	s := &t.settings
	cfg.ClientID = clientID

	// 10 topics and 5 members get 2 topics each (SEED §3): round robin spreads
	// partitions of all topics over the members, where the range strategy would give
	// every single-partition topic to the first member.
	if t.opts.sarama == nil {
		cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRoundRobin()}
		// A member whose JoinGroup or SyncGroup is answered "rebalance in progress"
		// (another member joined meanwhile, e.g. the second consumer of this table)
		// retries after this backoff: sarama's default of 2 s held both consumers of a
		// kafka_num_consumers = 2 table without partitions for 2 s. librdkafka, under
		// ClickHouse, rejoins at once; 100 ms is its retry.backoff.ms. 80 retries keep
		// sarama's patience of 4 × 2 s for a coordinator that is not ready.
		cfg.Consumer.Group.Rebalance.Retry.Backoff = 100 * time.Millisecond
		cfg.Consumer.Group.Rebalance.Retry.Max = 80
	}
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Offsets.Initial = t.opts.start.initial()
	cfg.Consumer.Return.Errors = true
	cfg.ChannelBufferSize = max(cfg.ChannelBufferSize, min(s.pollMaxBatchSize(), 4096))

	switch strings.ToLower(s.SecurityProtocol) {
	case "ssl":
		cfg.Net.TLS.Enable = true
	case "sasl_ssl":
		cfg.Net.TLS.Enable = true
		cfg.Net.SASL.Enable = true
	case "sasl_plaintext":
		cfg.Net.SASL.Enable = true
	}
	if s.SASLMechanism != "" {
		cfg.Net.SASL.Enable = true
		cfg.Net.SASL.User = s.SASLUsername
		cfg.Net.SASL.Password = s.SASLPassword
		switch strings.ToUpper(s.SASLMechanism) {
		case "PLAIN":
			cfg.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		case "SCRAM-SHA-256":
			cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
			cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.SHA256} }
		case "SCRAM-SHA-512":
			cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
			cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.SHA512} }
		}
	}

	cfg.Producer.Return.Successes = true
	cfg.Producer.Return.Errors = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	switch strings.ToLower(s.CompressionCodec) {
	case "gzip":
		cfg.Producer.Compression = sarama.CompressionGZIP
	case "snappy":
		cfg.Producer.Compression = sarama.CompressionSnappy
	case "lz4":
		cfg.Producer.Compression = sarama.CompressionLZ4
	case "zstd":
		cfg.Producer.Compression = sarama.CompressionZSTD
	case "none":
		cfg.Producer.Compression = sarama.CompressionNone
	}
	if s.CompressionLevel != nil {
		cfg.Producer.CompressionLevel = *s.CompressionLevel
	}
	return &cfg
}

// scramClient adapts xdg-go/scram to sarama's SCRAMClient.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (c *scramClient) Begin(user, password, authzID string) error {
	cl, err := c.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	c.conv = cl.NewConversation()
	return nil
}

func (c *scramClient) Step(challenge string) (string, error) { return c.conv.Step(challenge) }

func (c *scramClient) Done() bool { return c.conv.Done() }
