package kafkaengine

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format"
)

const settingsTestPassword = "s3cr3t-Pa55"

// settingsBase returns the four required settings in their SQL spelling plus extra.
func settingsBase(extra map[string]string) map[string]string {
	m := map[string]string{
		"kafka_broker_list": "'localhost:9092'",
		"kafka_topic_list":  "'topic'",
		"kafka_group_name":  "'group1'",
		"kafka_format":      "'JSONEachRow'",
	}
	maps.Copy(m, extra)
	return m
}

// settingsValid returns valid Go-built settings.
func settingsValid() Settings {
	return Settings{BrokerList: "localhost:9092", TopicList: "topic", GroupName: "group1", Format: "JSONEachRow"}
}

func settingsIntPtr(n int) *int { return &n }

func TestParseSettingsDefaults(t *testing.T) {
	s, err := ParseSettings(settingsBase(nil))
	require.NoError(t, err)
	host, err := os.Hostname()
	require.NoError(t, err)

	assert.Equal(t, "localhost:9092", s.BrokerList)
	assert.Equal(t, []string{"localhost:9092"}, s.Brokers())
	assert.Equal(t, []string{"topic"}, s.Topics())
	assert.Equal(t, "group1", s.GroupName)
	assert.Equal(t, "JSONEachRow", s.Format)
	assert.Nil(t, s.FormatSettings)
	assert.Nil(t, s.CompressionLevel)

	assert.Equal(t, 1, s.numConsumers())
	assert.Equal(t, 1048449, s.maxBlockSize())
	assert.Equal(t, 65409, s.pollMaxBatchSize())
	assert.Equal(t, 500*time.Millisecond, s.pollTimeout())
	assert.Equal(t, 7500*time.Millisecond, s.flushInterval())
	assert.Equal(t, 500*time.Millisecond, s.reschedule())
	assert.Equal(t, 60000*time.Millisecond, s.consumersPoolTTL())
	assert.Equal(t, 1, s.maxRowsPerMessage())
	assert.Equal(t, ErrorModeDefault, s.errorMode())
	assert.Equal(t, format.DefaultSettings(), s.formatSettings())
	assert.Equal(t, "chkafka-"+host, s.clientID(0))
	assert.Equal(t, -1, s.compressionLevel())
	assert.Equal(t, "", s.compressionCodec())
}

func TestSettingsEffectiveValues(t *testing.T) {
	host, err := os.Hostname()
	require.NoError(t, err)
	tests := []struct {
		name  string
		edit  func(s *Settings)
		check func(t *testing.T, s *Settings)
	}{
		{"max block size divided by consumers", func(s *Settings) { s.NumConsumers = 4 }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 4, s.numConsumers())
			assert.Equal(t, 1048449/4, s.maxBlockSize())
			assert.Equal(t, 65409, s.pollMaxBatchSize())
		}},
		{"max block size divided even with thread per consumer", func(s *Settings) { s.NumConsumers = 3; s.ThreadPerConsumer = true }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 349483, s.maxBlockSize())
		}},
		{"max block size at least 1", func(s *Settings) { s.NumConsumers = 2_000_000; s.DisableNumConsumersLimit = true }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 1, s.maxBlockSize())
			assert.Equal(t, 1, s.pollMaxBatchSize())
		}},
		{"explicit max block size", func(s *Settings) { s.MaxBlockSize = 1000; s.NumConsumers = 4 }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 1000, s.maxBlockSize())
		}},
		{"poll batch capped at max block size", func(s *Settings) { s.MaxBlockSize = 1000 }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 1000, s.pollMaxBatchSize())
		}},
		{"explicit poll batch capped", func(s *Settings) { s.MaxBlockSize = 50; s.PollMaxBatchSize = 100 }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 50, s.pollMaxBatchSize())
		}},
		{"explicit poll batch below block size", func(s *Settings) { s.PollMaxBatchSize = 100 }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 100, s.pollMaxBatchSize())
		}},
		{"poll timeout explicit", func(s *Settings) { s.PollTimeout = 20 * time.Millisecond }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 20*time.Millisecond, s.pollTimeout())
		}},
		{"poll timeout no wait", func(s *Settings) { s.PollTimeout = NoWait }, func(t *testing.T, s *Settings) {
			assert.Equal(t, time.Duration(0), s.pollTimeout())
		}},
		{"poll timeout any negative", func(s *Settings) { s.PollTimeout = -time.Hour }, func(t *testing.T, s *Settings) {
			assert.Equal(t, time.Duration(0), s.pollTimeout())
		}},
		{"flush interval explicit", func(s *Settings) { s.FlushInterval = time.Second }, func(t *testing.T, s *Settings) {
			assert.Equal(t, time.Second, s.flushInterval())
		}},
		{"flush interval unlimited", func(s *Settings) { s.FlushInterval = NoFlushInterval }, func(t *testing.T, s *Settings) {
			assert.Equal(t, time.Duration(0), s.flushInterval())
		}},
		{"reschedule explicit", func(s *Settings) { s.ConsumerReschedule = 2 * time.Second }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 2*time.Second, s.reschedule())
		}},
		{"pool ttl explicit", func(s *Settings) { s.ConsumersPoolTTL = 5 * time.Second }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 5*time.Second, s.consumersPoolTTL())
		}},
		{"max rows per message", func(s *Settings) { s.MaxRowsPerMessage = 10 }, func(t *testing.T, s *Settings) {
			assert.Equal(t, 10, s.maxRowsPerMessage())
		}},
		{"error mode stream", func(s *Settings) { s.HandleErrorMode = ErrorModeStream }, func(t *testing.T, s *Settings) {
			assert.Equal(t, ErrorModeStream, s.errorMode())
		}},
		{"error mode default spelled", func(s *Settings) { s.HandleErrorMode = ErrorModeDefault }, func(t *testing.T, s *Settings) {
			assert.Equal(t, ErrorModeDefault, s.errorMode())
		}},
		{"format settings copied", func(s *Settings) {
			fs := format.DefaultSettings()
			fs.ImportNestedJSON = true
			s.FormatSettings = &fs
		}, func(t *testing.T, s *Settings) {
			fs := s.formatSettings()
			assert.True(t, fs.ImportNestedJSON)
			fs.ImportNestedJSON = false
			assert.True(t, s.FormatSettings.ImportNestedJSON, "formatSettings returns a copy")
		}},
		{"client id explicit single consumer", func(s *Settings) { s.ClientID = "svc" }, func(t *testing.T, s *Settings) {
			assert.Equal(t, "svc", s.clientID(0))
		}},
		{"client id suffix per consumer", func(s *Settings) { s.ClientID = "svc"; s.NumConsumers = 3 }, func(t *testing.T, s *Settings) {
			assert.Equal(t, "svc-0", s.clientID(0))
			assert.Equal(t, "svc-2", s.clientID(2))
		}},
		{"default client id suffix per consumer", func(s *Settings) { s.NumConsumers = 2 }, func(t *testing.T, s *Settings) {
			assert.Equal(t, "chkafka-"+host+"-1", s.clientID(1))
		}},
		{"compression normalised", func(s *Settings) { s.CompressionCodec = "GZIP"; s.CompressionLevel = settingsIntPtr(7) }, func(t *testing.T, s *Settings) {
			assert.Equal(t, "gzip", s.compressionCodec())
			assert.Equal(t, 7, s.compressionLevel())
		}},
		{"security normalised", func(s *Settings) {
			s.SecurityProtocol = "SASL_SSL"
			s.SASLMechanism = "scram-sha-512"
			s.SASLUsername = "u"
		}, func(t *testing.T, s *Settings) {
			assert.Equal(t, "sasl_ssl", s.securityProtocol())
			assert.Equal(t, "SCRAM-SHA-512", s.saslMechanism())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := settingsValid()
			tt.edit(&s)
			require.NoError(t, s.Validate())
			tt.check(t, &s)
		})
	}
}

func TestParseSettingsValues(t *testing.T) {
	tests := []struct {
		name  string
		extra map[string]string
		check func(t *testing.T, s *Settings)
	}{
		{"poll timeout explicit zero is no wait", map[string]string{"kafka_poll_timeout_ms": "0"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, NoWait, s.PollTimeout)
			assert.Equal(t, time.Duration(0), s.pollTimeout())
		}},
		{"poll timeout", map[string]string{"kafka_poll_timeout_ms": "250"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, 250*time.Millisecond, s.PollTimeout)
		}},
		{"flush interval explicit zero is unlimited", map[string]string{"kafka_flush_interval_ms": "0"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, NoFlushInterval, s.FlushInterval)
			assert.Equal(t, time.Duration(0), s.flushInterval())
		}},
		{"flush interval", map[string]string{"kafka_flush_interval_ms": "'1000'"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, time.Second, s.flushInterval())
		}},
		{"compression level minus one is nil", map[string]string{"kafka_compression_codec": "'gzip'", "kafka_compression_level": "-1"}, func(t *testing.T, s *Settings) {
			assert.Nil(t, s.CompressionLevel)
		}},
		{"compression level", map[string]string{"kafka_compression_codec": "'zstd'", "kafka_compression_level": "11"}, func(t *testing.T, s *Settings) {
			require.NotNil(t, s.CompressionLevel)
			assert.Equal(t, 11, *s.CompressionLevel)
		}},
		{"skip broken messages zero", map[string]string{"kafka_skip_broken_messages": "0"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, 0, s.SkipBrokenMessages)
		}},
		{"numbers and bools", map[string]string{
			"kafka_num_consumers":                "4",
			"kafka_max_block_size":               "500000",
			"kafka_skip_broken_messages":         "10",
			"kafka_commit_every_batch":           "1",
			"kafka_poll_max_batch_size":          "100",
			"kafka_consumers_pool_ttl_ms":        "120000",
			"kafka_consumer_reschedule_ms":       "250",
			"kafka_thread_per_consumer":          "true",
			"kafka_handle_error_mode":            "'stream'",
			"kafka_commit_on_select":             "TRUE",
			"kafka_max_rows_per_message":         "5",
			"kafka_schema_registry_skip_bytes":   "5",
			"kafka_map_virtual_columns_on_write": "0",
			"kafka_disable_num_consumers_limit":  "false",
			"kafka_row_delimiter":                `'\n'`,
			"kafka_client_id":                    "'svc'",
		}, func(t *testing.T, s *Settings) {
			assert.Equal(t, 4, s.NumConsumers)
			assert.Equal(t, 500000, s.MaxBlockSize)
			assert.Equal(t, 10, s.SkipBrokenMessages)
			assert.True(t, s.CommitEveryBatch)
			assert.Equal(t, 100, s.PollMaxBatchSize)
			assert.Equal(t, 120*time.Second, s.ConsumersPoolTTL)
			assert.Equal(t, 250*time.Millisecond, s.ConsumerReschedule)
			assert.True(t, s.ThreadPerConsumer)
			assert.Equal(t, ErrorModeStream, s.HandleErrorMode)
			assert.True(t, s.CommitOnSelect)
			assert.Equal(t, 5, s.MaxRowsPerMessage)
			assert.Equal(t, 5, s.SchemaRegistrySkipBytes)
			assert.False(t, s.MapVirtualColumnsOnWrite)
			assert.False(t, s.DisableNumConsumersLimit)
			assert.Equal(t, "\n", s.RowDelimiter)
			assert.Equal(t, "svc-3", s.clientID(3))
		}},
		{"map virtual columns on write accepted", map[string]string{"kafka_map_virtual_columns_on_write": "1"}, func(t *testing.T, s *Settings) {
			assert.True(t, s.MapVirtualColumnsOnWrite)
		}},
		{"error mode default", map[string]string{"kafka_handle_error_mode": "default"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, ErrorModeDefault, s.errorMode())
		}},
		{"sasl", map[string]string{
			"kafka_security_protocol": "'SASL_SSL'",
			"kafka_sasl_mechanism":    "'SCRAM-SHA-256'",
			"kafka_sasl_username":     "'user'",
			"kafka_sasl_password":     "'" + settingsTestPassword + "'",
		}, func(t *testing.T, s *Settings) {
			assert.Equal(t, "sasl_ssl", s.securityProtocol())
			assert.Equal(t, "SCRAM-SHA-256", s.saslMechanism())
			assert.Equal(t, "user", s.SASLUsername)
			assert.Equal(t, settingsTestPassword, s.SASLPassword)
		}},
		{"empty optional strings are defaults", map[string]string{
			"kafka_schema": "''", "kafka_aws_region": "''", "kafka_autodetect_client_rack": "''",
			"kafka_keeper_path": "''", "kafka_replica_name": "''", "kafka_row_delimiter": "''",
		}, func(t *testing.T, s *Settings) {
			assert.Empty(t, s.Schema)
			assert.Empty(t, s.KeeperPath)
		}},
		{"topic list items trimmed", map[string]string{"kafka_topic_list": "' a , b,,c '"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, []string{"a", "b", "c"}, s.Topics())
		}},
		{"broker list trimmed, default port", map[string]string{"kafka_broker_list": "'kafka1:19092, kafka2 ,[::1]:9093,[::1],'"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, []string{"kafka1:19092", "kafka2:9092", "[::1]:9093", "[::1]:9092"}, s.Brokers())
		}},
		{"key spaces trimmed", map[string]string{" kafka_num_consumers ": "2"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, 2, s.NumConsumers)
		}},
		{"num consumers above limit when disabled", map[string]string{
			"kafka_num_consumers":               strconv.Itoa(settingsNumConsumersLimit() + 1),
			"kafka_disable_num_consumers_limit": "1",
		}, func(t *testing.T, s *Settings) {
			assert.Equal(t, settingsNumConsumersLimit()+1, s.numConsumers())
		}},
		{"num consumers at limit", map[string]string{"kafka_num_consumers": strconv.Itoa(settingsNumConsumersLimit())}, func(t *testing.T, s *Settings) {
			assert.Equal(t, settingsNumConsumersLimit(), s.numConsumers())
		}},
		{"pool ttl bounds", map[string]string{"kafka_consumers_pool_ttl_ms": "600000", "kafka_consumer_reschedule_ms": "600000"}, func(t *testing.T, s *Settings) {
			assert.Equal(t, 600*time.Second, s.consumersPoolTTL())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSettings(settingsBase(tt.extra))
			require.NoError(t, err)
			tt.check(t, &s)
		})
	}
}

func TestParseSettingsQuoting(t *testing.T) {
	tests := []struct {
		name    string
		literal string
		want    string
		wantErr string
	}{
		{"quoted", "'grp'", "grp", ""},
		{"bare identifier", "grp_1", "grp_1", ""},
		{"surrounding spaces", "  'grp'  ", "grp", ""},
		{"spaces inside quotes kept", "' g '", " g ", ""},
		{"escaped quote", `'it\'s'`, "it's", ""},
		{"doubled quote", `'it''s'`, "it's", ""},
		{"escaped backslash", `'a\\b'`, `a\b`, ""},
		{"one pair stripped", `'''x'''`, `'x'`, ""},
		{"newline escape", `'a\nb'`, "a\nb", ""},
		{"unknown escape kept", `'a\qb'`, `a\qb`, ""},
		{"empty", "''", "", ""},
		{"unterminated", "'grp", "", "unterminated string literal"},
		{"lone quote", "'", "", "unterminated string literal"},
		{"escaped closing quote", `'grp\'`, "", "unterminated string literal"},
		{"stray quote", "gr'p", "", "stray quote"},
		{"unescaped quote inside", "'a'b'", "", "unescaped quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSettings(settingsBase(map[string]string{"kafka_client_id": tt.literal}))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "kafka_client_id")
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.ClientID)
		})
	}
}

// settingsErrCase is one invalid configuration: the error must name setting and contain
// every string of want.
type settingsErrCase struct {
	name         string
	extra        map[string]string
	setting      string
	want         []string
	notSupported bool
}

var settingsParseErrCases = []settingsErrCase{
	{name: "unknown kafka setting", extra: map[string]string{"kafka_no_such_thing": "1"},
		setting: "kafka_no_such_thing", want: []string{"unknown setting for storage Kafka"}},
	{name: "unknown format setting", extra: map[string]string{"format_no_such_thing": "1"},
		setting: "format_no_such_thing", want: []string{"unknown setting for storage Kafka"}},
	{name: "query setting is unknown", extra: map[string]string{"stream_poll_timeout_ms": "1"},
		setting: "stream_poll_timeout_ms", want: []string{"unknown setting"}},
	{name: "bad format setting value", extra: map[string]string{"input_format_skip_unknown_fields": "'maybe'"},
		setting: "input_format_skip_unknown_fields", want: []string{`"maybe"`, "0, 1, true or false"}},
	{name: "bad date_time_input_format", extra: map[string]string{"date_time_input_format": "'fancy'"},
		setting: "date_time_input_format", want: []string{"'basic' or 'best_effort'"}},
	{name: "max block size explicit zero", extra: map[string]string{"kafka_max_block_size": "0"},
		setting: "kafka_max_block_size", want: []string{`"0"`, "can not be lower than 1"}},
	{name: "poll max batch size explicit zero", extra: map[string]string{"kafka_poll_max_batch_size": "0"},
		setting: "kafka_poll_max_batch_size", want: []string{"can not be lower than 1"}},
	{name: "num consumers zero", extra: map[string]string{"kafka_num_consumers": "0"},
		setting: "kafka_num_consumers", want: []string{"can not be lower than 1"}},
	{name: "max rows per message zero", extra: map[string]string{"kafka_max_rows_per_message": "0"},
		setting: "kafka_max_rows_per_message", want: []string{"can not be lower than 1"}},
	{name: "reschedule zero", extra: map[string]string{"kafka_consumer_reschedule_ms": "0"},
		setting: "kafka_consumer_reschedule_ms", want: []string{"can not be lower than 1"}},
	{name: "pool ttl zero", extra: map[string]string{"kafka_consumers_pool_ttl_ms": "0"},
		setting: "kafka_consumers_pool_ttl_ms", want: []string{"can not be lower than 1"}},
	{name: "negative number", extra: map[string]string{"kafka_max_block_size": "-5"},
		setting: "kafka_max_block_size", want: []string{`"-5"`, "a non-negative integer"}},
	{name: "not a number", extra: map[string]string{"kafka_skip_broken_messages": "'many'"},
		setting: "kafka_skip_broken_messages", want: []string{"a non-negative integer"}},
	{name: "milliseconds not a number", extra: map[string]string{"kafka_poll_timeout_ms": "1.5"},
		setting: "kafka_poll_timeout_ms", want: []string{"a non-negative integer number of milliseconds"}},
	{name: "milliseconds overflow", extra: map[string]string{"kafka_flush_interval_ms": "9223372036854775"},
		setting: "kafka_flush_interval_ms", want: []string{"too big"}},
	{name: "not a bool", extra: map[string]string{"kafka_commit_every_batch": "'yes'"},
		setting: "kafka_commit_every_batch", want: []string{"0, 1, true or false"}},
	{name: "compression level not a number", extra: map[string]string{"kafka_compression_level": "'high'"},
		setting: "kafka_compression_level", want: []string{"must be an integer", "gzip -1..9"}},
	{name: "num consumers above limit", extra: map[string]string{"kafka_num_consumers": strconv.Itoa(settingsNumConsumersLimit() + 1)},
		setting: "kafka_num_consumers", want: []string{"can not be bigger than " + strconv.Itoa(settingsNumConsumersLimit()), "kafka_disable_num_consumers_limit", "kafka_thread_per_consumer"}},
	{name: "pool ttl below reschedule", extra: map[string]string{"kafka_consumers_pool_ttl_ms": "400"},
		setting: "kafka_consumers_pool_ttl_ms", want: []string{`"400"`, "cannot be less than kafka_consumer_reschedule_ms (500)", "500 to 600000"}},
	{name: "pool ttl below explicit reschedule", extra: map[string]string{"kafka_consumers_pool_ttl_ms": "1000", "kafka_consumer_reschedule_ms": "2000"},
		setting: "kafka_consumers_pool_ttl_ms", want: []string{"cannot be less than kafka_consumer_reschedule_ms (2000)"}},
	{name: "default pool ttl below reschedule", extra: map[string]string{"kafka_consumer_reschedule_ms": "70000"},
		setting: "kafka_consumers_pool_ttl_ms", want: []string{`"60000"`, "cannot be less than kafka_consumer_reschedule_ms (70000)"}},
	{name: "pool ttl too big", extra: map[string]string{"kafka_consumers_pool_ttl_ms": "600001"},
		setting: "kafka_consumers_pool_ttl_ms", want: []string{"cannot be greater than 600000", "500 to 600000"}},
	{name: "error mode unknown", extra: map[string]string{"kafka_handle_error_mode": "'ignore'"},
		setting: "kafka_handle_error_mode", want: []string{"'default', 'stream', 'dead_letter_queue'"}},
	{name: "error mode is case-sensitive", extra: map[string]string{"kafka_handle_error_mode": "'Stream'"},
		setting: "kafka_handle_error_mode", want: []string{"unknown error mode"}},
	{name: "keeper path alone", extra: map[string]string{"kafka_keeper_path": "'/clickhouse/kafka'"},
		setting: "kafka_replica_name", want: []string{"both kafka_keeper_path and kafka_replica_name must be specified"}},
	{name: "replica name alone", extra: map[string]string{"kafka_replica_name": "'r1'"},
		setting: "kafka_keeper_path", want: []string{"both kafka_keeper_path and kafka_replica_name must be specified"}},
	{name: "keeper engine", extra: map[string]string{"kafka_keeper_path": "'/clickhouse/kafka'", "kafka_replica_name": "'r1'"},
		setting: "kafka_keeper_path", want: []string{"Keeper", "not supported yet"}, notSupported: true},
	{name: "unknown security protocol", extra: map[string]string{"kafka_security_protocol": "'tls'"},
		setting: "kafka_security_protocol", want: []string{"plaintext, ssl, sasl_plaintext, sasl_ssl"}},
	{name: "gssapi", extra: map[string]string{"kafka_security_protocol": "'sasl_plaintext'", "kafka_sasl_mechanism": "'GSSAPI'"},
		setting: "kafka_sasl_mechanism", want: []string{"PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"}, notSupported: true},
	{name: "oauthbearer", extra: map[string]string{"kafka_sasl_mechanism": "'OAUTHBEARER'"},
		setting: "kafka_sasl_mechanism", want: []string{"not supported yet"}, notSupported: true},
	{name: "aws msk iam", extra: map[string]string{"kafka_sasl_mechanism": "'AWS_MSK_IAM'"},
		setting: "kafka_sasl_mechanism", want: []string{"not supported yet"}, notSupported: true},
	{name: "unknown sasl mechanism", extra: map[string]string{"kafka_sasl_mechanism": "'MD5'"},
		setting: "kafka_sasl_mechanism", want: []string{"PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"}},
	{name: "sasl with plaintext protocol", extra: map[string]string{"kafka_security_protocol": "'plaintext'", "kafka_sasl_mechanism": "'PLAIN'"},
		setting: "kafka_sasl_mechanism", want: []string{"sasl_plaintext or sasl_ssl"}},
	{name: "sasl username with ssl protocol", extra: map[string]string{"kafka_security_protocol": "'SSL'", "kafka_sasl_username": "'u'"},
		setting: "kafka_sasl_username", want: []string{"sasl_plaintext or sasl_ssl", "not ssl"}},
	{name: "sasl password with plaintext protocol", extra: map[string]string{"kafka_security_protocol": "'plaintext'", "kafka_sasl_password": "'" + settingsTestPassword + "'"},
		setting: "kafka_sasl_password", want: []string{`"****"`, "sasl_plaintext or sasl_ssl"}},
	{name: "autodetect client rack", extra: map[string]string{"kafka_autodetect_client_rack": "'AWS_ZONE_ID'"},
		setting: "kafka_autodetect_client_rack", want: []string{"not supported yet"}, notSupported: true},
	{name: "aws region", extra: map[string]string{"kafka_aws_region": "'eu-west-1'"},
		setting: "kafka_aws_region", want: []string{"not supported yet"}, notSupported: true},
	{name: "consumer acquire timeout", extra: map[string]string{"kafka_consumer_acquire_timeout_ms": "30000"},
		setting: "kafka_consumer_acquire_timeout_ms", want: []string{"keeper-based", "not supported yet"}, notSupported: true},
	{name: "consumer acquire timeout zero", extra: map[string]string{"kafka_consumer_acquire_timeout_ms": "0"},
		setting: "kafka_consumer_acquire_timeout_ms", want: []string{"not supported yet"}, notSupported: true},
	{name: "shard count", extra: map[string]string{"kafka_shard_count": "2"},
		setting: "kafka_shard_count", want: []string{"not supported yet"}, notSupported: true},
	{name: "partition shard num", extra: map[string]string{"kafka_partition_shard_num": "'1'"},
		setting: "kafka_partition_shard_num", want: []string{"not supported yet"}, notSupported: true},
	{name: "unknown compression codec", extra: map[string]string{"kafka_compression_codec": "'brotli'"},
		setting: "kafka_compression_codec", want: []string{"'', none, gzip, snappy, lz4, zstd"}},
	{name: "gzip level too high", extra: map[string]string{"kafka_compression_codec": "'gzip'", "kafka_compression_level": "12"},
		setting: "kafka_compression_level", want: []string{`"12"`, "codec gzip", "-1..9"}},
	{name: "snappy level", extra: map[string]string{"kafka_compression_codec": "'snappy'", "kafka_compression_level": "1"},
		setting: "kafka_compression_level", want: []string{"-1..0"}},
	{name: "lz4 level too high", extra: map[string]string{"kafka_compression_codec": "'lz4'", "kafka_compression_level": "13"},
		setting: "kafka_compression_level", want: []string{"-1..12"}},
	{name: "zstd level too low", extra: map[string]string{"kafka_compression_codec": "'zstd'", "kafka_compression_level": "-2"},
		setting: "kafka_compression_level", want: []string{"-1..12"}},
	{name: "level without codec", extra: map[string]string{"kafka_compression_level": "3"},
		setting: "kafka_compression_level", want: []string{"-1..-1"}},
	{name: "level with codec none", extra: map[string]string{"kafka_compression_codec": "'None'", "kafka_compression_level": "0"},
		setting: "kafka_compression_level", want: []string{"codec none", "-1..-1"}},
	{name: "row delimiter too long", extra: map[string]string{"kafka_row_delimiter": "'ab'"},
		setting: "kafka_row_delimiter", want: []string{"at most one character"}},
	{name: "empty broker list", extra: map[string]string{"kafka_broker_list": "' , '"},
		setting: "kafka_broker_list", want: []string{"required setting not specified"}},
	{name: "bad broker port", extra: map[string]string{"kafka_broker_list": "'kafka1:abc'"},
		setting: "kafka_broker_list", want: []string{`"kafka1:abc"`, "host:port"}},
	{name: "broker with scheme", extra: map[string]string{"kafka_broker_list": "'SSL://kafka1:9093'"},
		setting: "kafka_broker_list", want: []string{"host:port"}},
	{name: "broker without host", extra: map[string]string{"kafka_broker_list": "':9092'"},
		setting: "kafka_broker_list", want: []string{"host:port"}},
	{name: "empty topic list", extra: map[string]string{"kafka_topic_list": "''"},
		setting: "kafka_topic_list", want: []string{"required setting not specified"}},
	{name: "invalid topic name", extra: map[string]string{"kafka_topic_list": "'ok, not ok'"},
		setting: "kafka_topic_list", want: []string{`"not ok"`, "249 characters"}},
	{name: "regex topic", extra: map[string]string{"kafka_topic_list": "'^events-.*'"},
		setting: "kafka_topic_list", want: []string{"regular-expression"}, notSupported: true},
	{name: "empty group", extra: map[string]string{"kafka_group_name": "''"},
		setting: "kafka_group_name", want: []string{"required setting not specified"}},
	{name: "empty format", extra: map[string]string{"kafka_format": "''"},
		setting: "kafka_format", want: []string{"required setting not specified"}},
}

func TestParseSettingsErrors(t *testing.T) {
	for _, tt := range settingsParseErrCases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSettings(settingsBase(tt.extra))
			settingsAssertErr(t, err, tt)
		})
	}
}

func settingsAssertErr(t *testing.T, err error, tt settingsErrCase) {
	t.Helper()
	require.Error(t, err)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "kafkaengine: setting "+tt.setting), "error %q does not start with the setting", msg)
	for _, w := range tt.want {
		assert.Contains(t, msg, w)
	}
	var se *SettingError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, tt.setting, se.Setting)
	assert.Equal(t, tt.notSupported, errors.Is(err, ErrNotSupported), "errors.Is(err, ErrNotSupported)")
	assert.NotContains(t, msg, settingsTestPassword)
}

func TestSettingsValidateStruct(t *testing.T) {
	tests := []struct {
		edit func(s *Settings)
		settingsErrCase
	}{
		{func(s *Settings) { s.BrokerList = "" },
			settingsErrCase{name: "missing broker list", setting: "kafka_broker_list", want: []string{"required setting not specified"}}},
		{func(s *Settings) { s.TopicList = " " },
			settingsErrCase{name: "missing topic list", setting: "kafka_topic_list", want: []string{"required setting not specified"}}},
		{func(s *Settings) { s.GroupName = "" },
			settingsErrCase{name: "missing group", setting: "kafka_group_name", want: []string{"required setting not specified"}}},
		{func(s *Settings) { s.Format = "" },
			settingsErrCase{name: "missing format", setting: "kafka_format", want: []string{"required setting not specified"}}},
		{func(s *Settings) { s.NumConsumers = -1 },
			settingsErrCase{name: "negative num consumers", setting: "kafka_num_consumers", want: []string{`"-1"`, "can not be lower than 1"}}},
		{func(s *Settings) { s.NumConsumers = 1000 },
			settingsErrCase{name: "too many consumers", setting: "kafka_num_consumers", want: []string{"kafka_disable_num_consumers_limit"}}},
		{func(s *Settings) { s.MaxBlockSize = -1 },
			settingsErrCase{name: "negative max block size", setting: "kafka_max_block_size", want: []string{"can not be lower than 1"}}},
		{func(s *Settings) { s.SkipBrokenMessages = -1 },
			settingsErrCase{name: "negative skip broken", setting: "kafka_skip_broken_messages", want: []string{"non-negative"}}},
		{func(s *Settings) { s.PollMaxBatchSize = -3 },
			settingsErrCase{name: "negative poll batch", setting: "kafka_poll_max_batch_size", want: []string{"can not be lower than 1"}}},
		{func(s *Settings) { s.ConsumerReschedule = -time.Second },
			settingsErrCase{name: "negative reschedule", setting: "kafka_consumer_reschedule_ms", want: []string{`"-1000"`, "can not be lower than 1"}}},
		{func(s *Settings) { s.ConsumersPoolTTL = -time.Second },
			settingsErrCase{name: "negative pool ttl", setting: "kafka_consumers_pool_ttl_ms", want: []string{"cannot be less than"}}},
		{func(s *Settings) { s.ConsumersPoolTTL = time.Hour },
			settingsErrCase{name: "pool ttl too big", setting: "kafka_consumers_pool_ttl_ms", want: []string{`"3600000"`, "600000"}}},
		{func(s *Settings) { s.MaxRowsPerMessage = -1 },
			settingsErrCase{name: "negative max rows", setting: "kafka_max_rows_per_message", want: []string{"can not be lower than 1"}}},
		{func(s *Settings) { s.SchemaRegistrySkipBytes = -1 },
			settingsErrCase{name: "negative skip bytes", setting: "kafka_schema_registry_skip_bytes", want: []string{"must be between 0 and 255"}}},
		{func(s *Settings) { s.CompressionCodec = "gzip"; s.CompressionLevel = settingsIntPtr(10) },
			settingsErrCase{name: "gzip level", setting: "kafka_compression_level", want: []string{"-1..9"}}},
		{func(s *Settings) { s.ConsumerAcquireTimeout = time.Second },
			settingsErrCase{name: "acquire timeout", setting: "kafka_consumer_acquire_timeout_ms", want: []string{"not supported yet"}, notSupported: true}},
		{func(s *Settings) { s.ShardCount = 3 },
			settingsErrCase{name: "shard count", setting: "kafka_shard_count", want: []string{"not supported yet"}, notSupported: true}},
		{func(s *Settings) { s.PartitionShardNum = "1" },
			settingsErrCase{name: "partition shard num", setting: "kafka_partition_shard_num", want: []string{"not supported yet"}, notSupported: true}},
		{func(s *Settings) { s.BrokerList = "a:b:c" },
			settingsErrCase{name: "broker with colons", setting: "kafka_broker_list", want: []string{"host:port"}}},
		{func(s *Settings) { s.TopicList = strings.Repeat("t", 250) },
			settingsErrCase{name: "topic too long", setting: "kafka_topic_list", want: []string{"249"}}},
		{func(s *Settings) { s.TopicList = ".." },
			settingsErrCase{name: "topic dot dot", setting: "kafka_topic_list", want: []string{"invalid topic name"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := settingsValid()
			tt.edit(&s)
			settingsAssertErr(t, s.Validate(), tt.settingsErrCase)
		})
	}
}

func TestSettingsValidateAllErrors(t *testing.T) {
	s := Settings{MaxBlockSize: -1, AWSRegion: "eu-west-1"}
	err := s.Validate()
	require.Error(t, err)
	for _, name := range []string{"kafka_broker_list", "kafka_topic_list", "kafka_group_name", "kafka_format", "kafka_max_block_size", "kafka_aws_region"} {
		assert.Contains(t, err.Error(), "setting "+name)
	}
	assert.ErrorIs(t, err, ErrNotSupported)
	assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), 6)

	var settingErr *SettingError
	require.ErrorAs(t, err, &settingErr)
	assert.Equal(t, "kafka_broker_list", settingErr.Setting, "errors are in field order")
}

func TestSettingsSchemaRegistrySkipBytes(t *testing.T) {
	for _, tt := range []struct {
		value string
		ok    bool
	}{{"0", true}, {"19", true}, {"255", true}, {"256", false}, {"300", false}, {"1000", false}, {"65536", false}} {
		t.Run(tt.value, func(t *testing.T) {
			s, err := ParseSettings(settingsBase(map[string]string{"kafka_schema_registry_skip_bytes": tt.value}))
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, tt.value, strconv.Itoa(s.SchemaRegistrySkipBytes))
				return
			}
			settingsAssertErr(t, err, settingsErrCase{setting: "kafka_schema_registry_skip_bytes",
				want: []string{strconv.Quote(tt.value), "must be between 0 and 255"}})
		})
	}
}

func TestSettingsCompression(t *testing.T) {
	for _, tt := range []struct {
		codec string
		level *int
		ok    bool
	}{
		{"", nil, true}, {"", settingsIntPtr(-1), true}, {"", settingsIntPtr(0), false},
		{"none", nil, true}, {"None", settingsIntPtr(-1), true}, {"none", settingsIntPtr(1), false},
		{"gzip", settingsIntPtr(-1), true}, {"gzip", settingsIntPtr(0), true}, {"gzip", settingsIntPtr(9), true}, {"gzip", settingsIntPtr(10), false}, {"gzip", settingsIntPtr(-2), false},
		{"snappy", settingsIntPtr(0), true}, {"snappy", settingsIntPtr(1), false},
		{"lz4", settingsIntPtr(12), true}, {"lz4", settingsIntPtr(13), false},
		{"zstd", settingsIntPtr(12), true}, {"ZSTD", settingsIntPtr(1), true}, {"zstd", settingsIntPtr(13), false},
		{"brotli", nil, false},
	} {
		name := fmt.Sprintf("%s/%v", tt.codec, tt.level)
		if tt.level != nil {
			name = fmt.Sprintf("%s/%d", tt.codec, *tt.level)
		}
		t.Run(name, func(t *testing.T) {
			s := settingsValid()
			s.CompressionCodec, s.CompressionLevel = tt.codec, tt.level
			err := s.Validate()
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "kafka_compression_")
			assert.Contains(t, err.Error(), "zstd")
		})
	}
}

func TestParseSettingsFormatSettings(t *testing.T) {
	s, err := ParseSettings(settingsBase(map[string]string{
		"input_format_skip_unknown_fields": "0",
		"input_format_import_nested_json":  "1",
		"date_time_input_format":           "'best_effort'",
	}))
	require.NoError(t, err)
	require.NotNil(t, s.FormatSettings)
	want := format.DefaultSettings()
	want.SkipUnknownFields = false
	want.ImportNestedJSON = true
	want.DateTimeBestEffort = true
	assert.Equal(t, want, *s.FormatSettings)
	assert.Equal(t, want, s.formatSettings())

	t.Run("unknown format setting", func(t *testing.T) {
		_, err := ParseSettings(settingsBase(map[string]string{"format_no_such_thing": "';'"}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "format_no_such_thing")
		assert.Contains(t, err.Error(), "unknown setting")
	})
	t.Run("wrong-typed format setting", func(t *testing.T) {
		_, err := ParseSettings(settingsBase(map[string]string{"format_csv_delimiter": "';;'"}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "format_csv_delimiter")
		assert.Contains(t, err.Error(), "a single character")
	})
	t.Run("all errors reported", func(t *testing.T) {
		_, err := ParseSettings(settingsBase(map[string]string{"format_no_such_thing": "';'", "kafka_bogus": "1", "kafka_max_block_size": "0"}))
		require.Error(t, err)
		for _, name := range []string{"format_no_such_thing", "kafka_bogus", "kafka_max_block_size"} {
			assert.Contains(t, err.Error(), name)
		}
	})
}

func TestParseEngineArgs(t *testing.T) {
	seedWant := func(numConsumers int) Settings {
		s := settingsValid()
		s.NumConsumers = numConsumers
		return s
	}
	tests := []struct {
		name string
		args []string
		m    map[string]string
		want Settings
	}{
		{"seed positional", []string{"'localhost:9092'", "'topic'", "'group1'", "'JSONEachRow'"}, nil, seedWant(0)},
		{"seed all settings", nil, settingsBase(map[string]string{"kafka_num_consumers": "4"}), seedWant(4)},
		{"seed mixed", []string{"'localhost:9092'", "'topic'", "'group1'"},
			map[string]string{"kafka_format": "'JSONEachRow'", "kafka_num_consumers": "4"}, seedWant(4)},
		{"bare identifiers", []string{"'localhost:9092'", "'topic'", "group1", "JSONEachRow"}, nil, seedWant(0)},
		{"position 5 ignored", []string{"'localhost:9092'", "'topic'", "'group1'", "'JSONEachRow'", `'\n'`, "''", "2"}, nil, seedWant(2)},
		{"position 5 ignored with row delimiter in settings", []string{"'localhost:9092'", "'topic'", "'group1'", "'JSONEachRow'", "'|'"},
			map[string]string{"kafka_row_delimiter": "';'"}, func() Settings { s := seedWant(0); s.RowDelimiter = ";"; return s }()},
		{"all 17 positions", []string{"'localhost:9092'", "'topic'", "'group1'", "'JSONEachRow'", "''", "''",
			"2", "1000", "3", "1", "'cid'", "0", "0", "1", "'stream'", "1", "7"}, nil,
			func() Settings {
				s := seedWant(2)
				s.MaxBlockSize = 1000
				s.SkipBrokenMessages = 3
				s.CommitEveryBatch = true
				s.ClientID = "cid"
				s.PollTimeout = NoWait
				s.FlushInterval = NoFlushInterval
				s.ThreadPerConsumer = true
				s.HandleErrorMode = ErrorModeStream
				s.CommitOnSelect = true
				s.MaxRowsPerMessage = 7
				return s
			}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseEngineArgs(tt.args, tt.m)
			require.NoError(t, err)
			assert.Equal(t, tt.want, s)
		})
	}
}

func TestParseEngineArgsErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		m    map[string]string
		want []string
	}{
		{"conflict", []string{"'localhost:9092'", "'topic'", "'group1'", "'JSONEachRow'"},
			map[string]string{"kafka_format": "'CSV'"},
			[]string{"kafka_format", "argument №4", "'kafka_format' in SETTINGS cannot be specified at the same time"}},
		{"conflict late position", []string{"'localhost:9092'", "'topic'", "'group1'", "'JSONEachRow'", "''", "''", "2"},
			map[string]string{"kafka_num_consumers": "4"},
			[]string{"kafka_num_consumers", "argument №7"}},
		{"missing format", []string{"'localhost:9092'", "'topic'", "'group1'"}, nil,
			[]string{"setting kafka_format", "required setting not specified", "argument №4"}},
		{"missing all", nil, nil,
			[]string{"kafka_broker_list", "kafka_topic_list", "kafka_group_name", "kafka_format", "required setting not specified"}},
		{"missing group in mixed form", []string{"'localhost:9092'", "'topic'"}, map[string]string{"kafka_format": "'CSV'"},
			[]string{"setting kafka_group_name", "argument №3"}},
		{"too many arguments", make([]string, 18), nil, []string{"at most 17 arguments, got 18"}},
		{"bad positional value", []string{"'localhost:9092'", "'topic'", "'group1'", "'JSONEachRow'", "''", "''", "0"}, nil,
			[]string{"kafka_num_consumers", "can not be lower than 1"}},
		{"empty positional required", []string{"'localhost:9092'", "'topic'", "''", "'JSONEachRow'"}, nil,
			[]string{"kafka_group_name", "required setting not specified"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEngineArgs(tt.args, tt.m)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestSettingErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  *SettingError
		want string
	}{
		{"value and reason", &SettingError{Setting: "kafka_max_block_size", Value: "0", Reason: "can not be lower than 1"},
			`kafkaengine: setting kafka_max_block_size = "0": can not be lower than 1`},
		{"no value", &SettingError{Setting: "kafka_format", Reason: "required setting not specified"},
			`kafkaengine: setting kafka_format: required setting not specified`},
		{"cause only", &SettingError{Setting: "kafka_aws_region", Value: "a:b", Err: ErrNotSupported},
			`kafkaengine: setting kafka_aws_region = "a:b": kafkaengine: not supported yet`},
		{"password masked", &SettingError{Setting: "kafka_sasl_password", Value: settingsTestPassword, Reason: "bad"},
			`kafkaengine: setting kafka_sasl_password = "****": bad`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.Equal(t, tt.err.Err, errors.Unwrap(tt.err))
		})
	}
}

func TestSettingsPasswordNeverPrinted(t *testing.T) {
	pw := "'" + settingsTestPassword + "'"
	inputs := map[string]map[string]string{
		"plaintext protocol": settingsBase(map[string]string{"kafka_security_protocol": "plaintext", "kafka_sasl_password": pw}),
		"malformed literal":  settingsBase(map[string]string{"kafka_sasl_password": "'" + settingsTestPassword}),
		"stray quote":        settingsBase(map[string]string{"kafka_sasl_password": settingsTestPassword + "'"}),
		"other errors":       {"kafka_sasl_password": pw, "kafka_sasl_mechanism": "'GSSAPI'", "kafka_bogus": "1"},
		"validate errors":    {"kafka_sasl_password": pw, "kafka_sasl_mechanism": "'GSSAPI'", "kafka_security_protocol": "'ssl'"},
	}
	for name, m := range inputs {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSettings(m)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), settingsTestPassword)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), settingsTestPassword)
			var se *SettingError
			require.ErrorAs(t, err, &se)
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				if errors.As(e, &se) {
					assert.NotContains(t, se.Value, settingsTestPassword)
				}
			}
			_, err = ParseEngineArgs([]string{"'b:1'"}, m)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), settingsTestPassword)
		})
	}
	t.Run("String and GoString", func(t *testing.T) {
		s := settingsValid()
		s.SecurityProtocol, s.SASLMechanism, s.SASLUsername, s.SASLPassword = "sasl_ssl", "PLAIN", "user", settingsTestPassword
		require.NoError(t, s.Validate())
		for _, out := range []string{s.String(), fmt.Sprint(s), fmt.Sprint(&s), fmt.Sprintf("%v %+v %#v %s", s, s, s, &s)} {
			assert.NotContains(t, out, settingsTestPassword)
		}
		assert.Contains(t, s.String(), "kafka_sasl_password = '****'")
		assert.Contains(t, fmt.Sprintf("%#v", s), `kafkaengine.Settings{`)
		assert.Contains(t, fmt.Sprintf("%#v", s), `SASLPassword:"****"`)
		assert.Equal(t, settingsTestPassword, s.SASLPassword, "String does not modify the settings")
	})
}

func TestSettingsString(t *testing.T) {
	s, err := ParseSettings(settingsBase(map[string]string{
		"kafka_num_consumers":     "4",
		"kafka_poll_timeout_ms":   "0",
		"kafka_client_id":         `'it\'s'`,
		"kafka_compression_codec": "gzip",
		"kafka_compression_level": "5",
	}))
	require.NoError(t, err)
	assert.Equal(t, `kafka_broker_list = 'localhost:9092', kafka_topic_list = 'topic', kafka_group_name = 'group1', `+
		`kafka_format = 'JSONEachRow', kafka_num_consumers = 4, kafka_client_id = 'it\'s', kafka_poll_timeout_ms = 0, `+
		`kafka_compression_codec = 'gzip', kafka_compression_level = 5`, s.String())

	// The SQL spelling parses back to the same settings.
	m := map[string]string{}
	for _, kv := range s.sqlPairs() {
		m[kv[0]] = kv[1]
	}
	back, err := ParseSettings(m)
	require.NoError(t, err)
	assert.Equal(t, s, back)
}

// kafka_schema is copied into format_schema, as ClickHouse does.
func TestSettingsSchemaToFormat(t *testing.T) {
	s, err := ParseSettings(settingsBase(map[string]string{"kafka_schema": "'test:TestMessage'", "format_schema_path": "'/schemas'"}))
	require.NoError(t, err)
	fs := s.formatSettings()
	assert.Equal(t, "test:TestMessage", fs.Schema)
	assert.Equal(t, "/schemas", fs.SchemaPath)
}
