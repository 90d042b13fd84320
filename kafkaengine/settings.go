package kafkaengine

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chkafka/chkafka/format"
)

// Settings mirrors ClickHouse's kafka_* table settings field for field (SPEC §2.1). Zero
// values mean the ClickHouse default; each field names its setting, its default and the
// effective value the engine uses. Build it in Go or from the SQL spellings with
// [ParseSettings] or [ParseEngineArgs]; the engine calls [Settings.Validate] before use.
//
// Every field either works or is refused by [Settings.Validate] with an error wrapping
// [ErrNotSupported]. The only settings accepted without effect are RowDelimiter, which
// ClickHouse ignores too, and MapVirtualColumnsOnWrite, whose mapping chkafka always does.
//
// A Settings value is not safe for concurrent modification; the engine copies it. Its
// String and GoString methods never print the SASL password.
type Settings struct {
	// BrokerList is kafka_broker_list (required): a comma-separated list of host:port.
	// Items are trimmed and empty items dropped; an item without a port gets Kafka's
	// default port 9092, as librdkafka does.
	BrokerList string
	// TopicList is kafka_topic_list (required): a comma-separated list of topic names;
	// items are trimmed and empty items dropped. Names follow Kafka's rules (1 to 249
	// characters of [a-zA-Z0-9._-]); librdkafka's regular-expression subscriptions
	// ("^pattern") are not supported yet. The producer needs exactly one topic.
	TopicList string
	// GroupName is kafka_group_name (required): the consumer group. Offsets are committed
	// per group.
	GroupName string
	// Format is kafka_format (required): the ClickHouse format name ("JSONEachRow", "CSV",
	// ...), case-sensitive. The engine looks it up in the [format] registry.
	Format string
	// Schema is kafka_schema (default ""): the format schema ("file:Message" or
	// "file.proto:Message") of Protobuf and CapnProto, copied into format_schema
	// (format.Settings.Schema) when non-empty, as ClickHouse does. Files resolve in
	// format_schema_path (format.Settings.SchemaPath).
	Schema string
	// NumConsumers is kafka_num_consumers (default 1; 0 means 1): the number of consumer
	// group members per table. It may not exceed max(runtime.NumCPU(), 16) unless
	// DisableNumConsumersLimit is set.
	NumConsumers int
	// MaxBlockSize is kafka_max_block_size: the rows per block per consumer. 0 means
	// ClickHouse's default max_insert_block_size / NumConsumers, i.e. 1048449 divided by
	// the effective number of consumers (integer division, at least 1) — divided even with
	// ThreadPerConsumer. An explicit 0 in SQL is an error ("can not be lower than 1").
	MaxBlockSize int
	// SkipBrokenMessages is kafka_skip_broken_messages (default 0): the number of broken
	// messages tolerated per block in the default error mode; they contribute no rows.
	// The next broken message fails the block.
	SkipBrokenMessages int
	// CommitEveryBatch is kafka_commit_every_batch (default false): commit after every
	// poll batch instead of once per block written to the sinks.
	CommitEveryBatch bool
	// ClientID is kafka_client_id. "" means "chkafka-<hostname>". With more than one
	// consumer each gets the suffix "-<index>".
	ClientID string
	// PollTimeout is kafka_poll_timeout_ms: the timeout of one poll. 0 means ClickHouse's
	// stream_poll_timeout_ms default, 500ms. A negative value ([NoWait]) is an explicit
	// 0: polls do not wait; [ParseSettings] maps kafka_poll_timeout_ms = 0 to [NoWait].
	PollTimeout time.Duration
	// PollMaxBatchSize is kafka_poll_max_batch_size: the most messages one poll returns.
	// 0 means ClickHouse's max_block_size default, 65409. The effective value is always
	// capped at the effective MaxBlockSize. An explicit 0 in SQL is an error.
	PollMaxBatchSize int
	// ConsumersPoolTTL is kafka_consumers_pool_ttl_ms (0 means the default 60000ms): idle
	// consumers older than this leave the group. The effective value must lie between the
	// effective ConsumerReschedule and 600000ms.
	ConsumersPoolTTL time.Duration
	// FlushInterval is kafka_flush_interval_ms: the most wall time spent building one
	// block. 0 means ClickHouse's stream_flush_interval_ms default, 7500ms. A negative
	// value ([NoFlushInterval]) is an explicit 0: blocks have no time limit and are cut
	// by size only; [ParseSettings] maps kafka_flush_interval_ms = 0 to [NoFlushInterval].
	FlushInterval time.Duration
	// ConsumerReschedule is kafka_consumer_reschedule_ms (0 means the default 500ms): the
	// delay before a stalled or failed consumer loop runs again. An explicit 0 in SQL is an
	// error: chkafka does not busy-loop.
	ConsumerReschedule time.Duration
	// ThreadPerConsumer is kafka_thread_per_consumer (default false): each consumer cuts
	// and commits its own blocks in parallel instead of all feeding one block.
	ThreadPerConsumer bool
	// HandleErrorMode is kafka_handle_error_mode: "" or [ErrorModeDefault] (the default),
	// [ErrorModeStream] or [ErrorModeDeadLetterQueue] (which needs a dead-letter sink,
	// [WithDeadLetterSink]).
	HandleErrorMode ErrorMode
	// CommitOnSelect is kafka_commit_on_select (default false): a direct Select commits
	// the offsets of what it returned.
	CommitOnSelect bool
	// MaxRowsPerMessage is kafka_max_rows_per_message (0 means the default 1): the most
	// rows a row-oriented output format puts in one produced message. An explicit 0 in
	// SQL is an error.
	MaxRowsPerMessage int
	// KeeperPath is kafka_keeper_path (default ""). Together with ReplicaName it selects
	// ClickHouse's keeper-based engine, which is not supported yet; one without the other
	// is an error.
	KeeperPath string
	// ReplicaName is kafka_replica_name (default ""); see KeeperPath.
	ReplicaName string
	// SecurityProtocol is kafka_security_protocol: "" (the client's default, plaintext
	// unless the Kafka client configuration says otherwise), plaintext, ssl,
	// sasl_plaintext or sasl_ssl, case-insensitive.
	SecurityProtocol string
	// SASLMechanism is kafka_sasl_mechanism: "" (the client configuration decides), PLAIN,
	// SCRAM-SHA-256 or SCRAM-SHA-512, case-insensitive. GSSAPI, OAUTHBEARER and
	// AWS_MSK_IAM are not supported yet. SASL settings next to an explicit plaintext or
	// ssl protocol are refused, since they would be ignored.
	SASLMechanism string
	// SASLUsername is kafka_sasl_username (default "").
	SASLUsername string
	// SASLPassword is kafka_sasl_password (default ""). No error or String method prints
	// it: it shows as "****".
	SASLPassword string
	// AutodetectClientRack is kafka_autodetect_client_rack (default ""): not supported
	// yet, a non-empty value is refused with [ErrNotSupported].
	AutodetectClientRack string
	// CompressionCodec is kafka_compression_codec for produced messages: "" (the client's
	// default, none), none, gzip, snappy, lz4 or zstd, case-insensitive.
	CompressionCodec string
	// CompressionLevel is kafka_compression_level: nil (or -1) means the codec's default
	// level. Allowed: gzip -1..9, lz4 -1..12, snappy -1..0, zstd -1..12; with codec "" or
	// none only -1.
	CompressionLevel *int
	// SchemaRegistrySkipBytes is kafka_schema_registry_skip_bytes (default 0, at most
	// 255): leading bytes dropped from every consumed message before decoding (5 for
	// Confluent framing, 19 for AWS Glue).
	SchemaRegistrySkipBytes int
	// MapVirtualColumnsOnWrite is kafka_map_virtual_columns_on_write (default false). It
	// is accepted for compatibility; chkafka always maps the _key, _timestamp and
	// _headers.* columns of inserted rows to message metadata, whatever its value.
	MapVirtualColumnsOnWrite bool
	// AWSRegion is kafka_aws_region (default ""), for AWS MSK IAM authentication: not
	// supported yet, a non-empty value is refused with [ErrNotSupported].
	AWSRegion string
	// ConsumerAcquireTimeout is kafka_consumer_acquire_timeout_ms (keeper-based engine
	// only): not supported yet, a non-zero value is refused with [ErrNotSupported].
	ConsumerAcquireTimeout time.Duration
	// ShardCount is kafka_shard_count (keeper-based engine only): not supported yet, a
	// non-zero value is refused with [ErrNotSupported].
	ShardCount uint64
	// PartitionShardNum is kafka_partition_shard_num (keeper-based engine only): not
	// supported yet, a non-empty value is refused with [ErrNotSupported].
	PartitionShardNum string
	// RowDelimiter is kafka_row_delimiter, an obsolete setting. As in ClickHouse it is
	// accepted (at most one character) and ignored: formats delimit rows themselves.
	RowDelimiter string
	// DisableNumConsumersLimit is kafka_disable_num_consumers_limit (default false), a
	// query-level setting in ClickHouse accepted here: it lifts the NumConsumers limit.
	DisableNumConsumersLimit bool
	// FormatSettings holds the non-kafka_ format settings of the table's SETTINGS (SPEC
	// §2.2). nil means [format.DefaultSettings].
	FormatSettings *format.Settings
}

// ErrorMode is the value of kafka_handle_error_mode: what happens to a message the format
// cannot decode.
type ErrorMode string

// The values of kafka_handle_error_mode.
const (
	// ErrorModeDefault fails the block after kafka_skip_broken_messages broken messages.
	ErrorModeDefault ErrorMode = "default"
	// ErrorModeStream turns a broken message into one row with _raw_message and _error set.
	ErrorModeStream ErrorMode = "stream"
	// ErrorModeDeadLetterQueue sends broken messages to the dead-letter sink given with
	// [WithDeadLetterSink] as rows of [DeadLetterSchema]; the block carries only good rows.
	ErrorModeDeadLetterQueue ErrorMode = "dead_letter_queue"
)

const (
	// NoWait is the [Settings.PollTimeout] of an explicit kafka_poll_timeout_ms = 0:
	// polls return at once. Any negative PollTimeout means the same.
	NoWait time.Duration = -1
	// NoFlushInterval is the [Settings.FlushInterval] of an explicit
	// kafka_flush_interval_ms = 0: blocks have no time limit and are cut by size only.
	// Any negative FlushInterval means the same.
	NoFlushInterval time.Duration = -1
)

// ErrNotSupported is wrapped by the errors of settings ClickHouse has and chkafka does not
// implement yet.
var ErrNotSupported = errors.New("kafkaengine: not supported yet")

// SettingError reports an invalid setting. Its text has the form
//
//	kafkaengine: setting kafka_max_block_size = "0": can not be lower than 1
//
// with the value quoted (and left out when empty); the value of kafka_sasl_password is
// always replaced by "****", in Value too.
type SettingError struct {
	Setting string // the ClickHouse setting name, e.g. "kafka_max_block_size"
	Value   string // the offending value in its SQL spelling, "" if not given
	Reason  string // what is wrong, naming the allowed values or range
	Err     error  // the cause, e.g. [ErrNotSupported]; may be nil
}

// Error implements the error interface.
func (e *SettingError) Error() string {
	var b strings.Builder
	b.WriteString("kafkaengine: setting ")
	b.WriteString(e.Setting)
	if e.Value != "" {
		b.WriteString(" = ")
		b.WriteString(strconv.Quote(settingsMasked(e.Setting, e.Value)))
	}
	reason := e.Reason
	if reason == "" && e.Err != nil {
		reason = e.Err.Error()
	}
	if reason != "" {
		b.WriteString(": ")
		b.WriteString(reason)
	}
	return b.String()
}

// Unwrap returns the cause, e.g. [ErrNotSupported], or nil.
func (e *SettingError) Unwrap() error { return e.Err }

// Defaults of ClickHouse settings that kafka_* settings fall back to (SPEC appendix C).
const (
	settingsMaxInsertBlockSize   = 1048449 // max_insert_block_size
	settingsMaxBlockSize         = 65409   // max_block_size
	settingsPollTimeout          = 500 * time.Millisecond
	settingsFlushInterval        = 7500 * time.Millisecond
	settingsReschedule           = 500 * time.Millisecond
	settingsPoolTTL              = 60000 * time.Millisecond
	settingsMaxPoolTTL           = 600000 * time.Millisecond
	settingsMinNumConsumersLimit = 16
	settingsMaxSkipBytes         = 255
	settingsDefaultBrokerPort    = "9092"
	settingsPasswordName         = "kafka_sasl_password"
	settingsMaskText             = "****"
)

// settingsPositional is the legacy argument order Kafka('broker', 'topic', ...) as
// ClickHouse implements it (SPEC §1.3); position 5 (the former row delimiter) is ignored.
var settingsPositional = [...]string{
	"kafka_broker_list",
	"kafka_topic_list",
	"kafka_group_name",
	"kafka_format",
	"",
	"kafka_schema",
	"kafka_num_consumers",
	"kafka_max_block_size",
	"kafka_skip_broken_messages",
	"kafka_commit_every_batch",
	"kafka_client_id",
	"kafka_poll_timeout_ms",
	"kafka_flush_interval_ms",
	"kafka_thread_per_consumer",
	"kafka_handle_error_mode",
	"kafka_commit_on_select",
	"kafka_max_rows_per_message",
}

// settingsRequiredArgs is the number of leading positional arguments that are required.
const settingsRequiredArgs = 4

// ParseSettings builds Settings from a table's SETTINGS clause: keys are ClickHouse setting
// names, values SQL literals — a quoted string ('x', with \' \\ \n \t \r \0 escapes, and a doubled
// quote for a quote) or a bare number or identifier. Names without the kafka_ prefix are format
// settings and go to [Settings.FormatSettings] through [format.Settings.Set].
//
// ClickHouse's meaning of an explicit 0 is kept: kafka_max_block_size,
// kafka_poll_max_batch_size, kafka_num_consumers and kafka_max_rows_per_message = 0 are
// errors ("can not be lower than 1"); kafka_poll_timeout_ms = 0 is [NoWait];
// kafka_flush_interval_ms = 0 is [NoFlushInterval]; kafka_compression_level = -1 is nil.
// Keeper-engine-only settings (kafka_consumer_acquire_timeout_ms, kafka_shard_count,
// kafka_partition_shard_num) are refused whenever given.
//
// The result is validated with [Settings.Validate]. Errors are *[SettingError] values,
// several joined with [errors.Join]; unknown names, malformed values and values out of
// range are all reported, each naming its setting. On error the returned Settings is the
// zero value.
func ParseSettings(m map[string]string) (Settings, error) {
	var s Settings
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if err := s.set(strings.TrimSpace(name), m[name]); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return Settings{}, errors.Join(errs...)
	}
	if err := s.Validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// ParseEngineArgs builds Settings from ClickHouse's legacy positional form
// Kafka('broker', 'topic', 'group', 'format', ...) combined with a SETTINGS clause m (which
// may be nil). args are SQL literals as for [ParseSettings], in the order ClickHouse's code
// reads them (SPEC §1.3): kafka_broker_list, kafka_topic_list, kafka_group_name,
// kafka_format, (ignored: the obsolete row delimiter), kafka_schema, kafka_num_consumers,
// kafka_max_block_size, kafka_skip_broken_messages, kafka_commit_every_batch,
// kafka_client_id, kafka_poll_timeout_ms, kafka_flush_interval_ms,
// kafka_thread_per_consumer, kafka_handle_error_mode, kafka_commit_on_select,
// kafka_max_rows_per_message.
//
// It fails for more than 17 arguments, for a setting given both as an argument and in m,
// and for one of the first four settings given neither way; otherwise it behaves as
// [ParseSettings] on the merged settings.
func ParseEngineArgs(args []string, m map[string]string) (Settings, error) {
	if len(args) > len(settingsPositional) {
		return Settings{}, fmt.Errorf("kafkaengine: storage Kafka takes at most %d arguments, got %d",
			len(settingsPositional), len(args))
	}
	merged := make(map[string]string, len(m)+len(args))
	for k, v := range m {
		merged[strings.TrimSpace(k)] = v
	}
	var errs []error
	for i, arg := range args {
		name := settingsPositional[i]
		if name == "" {
			continue // ClickHouse ignores the former kafka_row_delimiter argument
		}
		if _, ok := merged[name]; ok {
			errs = append(errs, settingsErr(name, "", fmt.Sprintf(
				"the argument №%d of storage Kafka and the parameter '%s' in SETTINGS cannot be specified at the same time",
				i+1, name), nil))
			continue
		}
		merged[name] = arg
	}
	for i := len(args); i < settingsRequiredArgs; i++ {
		name := settingsPositional[i]
		if _, ok := merged[name]; !ok {
			errs = append(errs, settingsErr(name, "", fmt.Sprintf(
				"required setting not specified (neither as argument №%d nor in SETTINGS)", i+1), nil))
		}
	}
	if len(errs) > 0 {
		return Settings{}, errors.Join(errs...)
	}
	return ParseSettings(merged)
}

// Validate checks every field: required settings, ranges, combinations, and settings not
// supported yet (errors wrapping [ErrNotSupported]). It returns nil or all problems found,
// in field order, joined with [errors.Join]; each is a *[SettingError] naming the setting
// and the allowed values or range. The format name is checked by the engine against the
// [format] registry, not here.
func (s *Settings) Validate() error {
	var errs []error
	add := func(name, value, reason string, err error) {
		errs = append(errs, settingsErr(name, value, reason, err))
	}
	const required = "required setting not specified or empty"

	if brokers := s.Brokers(); len(brokers) == 0 {
		add("kafka_broker_list", s.BrokerList, required, nil)
	} else {
		for _, b := range brokers {
			if !settingsValidBroker(b) {
				add("kafka_broker_list", s.BrokerList, fmt.Sprintf(
					"invalid broker address %q (want a comma-separated list of host:port)", b), nil)
			}
		}
	}
	if topics := s.Topics(); len(topics) == 0 {
		add("kafka_topic_list", s.TopicList, required, nil)
	} else {
		for _, t := range topics {
			switch {
			case strings.HasPrefix(t, "^"):
				add("kafka_topic_list", s.TopicList, fmt.Sprintf(
					"regular-expression subscription %q is not supported yet", t), ErrNotSupported)
			case !settingsValidTopic(t):
				add("kafka_topic_list", s.TopicList, fmt.Sprintf(
					"invalid topic name %q (Kafka allows 1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-', except \".\" and \"..\")", t), nil)
			}
		}
	}
	if s.GroupName == "" {
		add("kafka_group_name", "", required, nil)
	}
	if s.Format == "" {
		add("kafka_format", "", required, nil)
	}
	if s.NumConsumers < 0 {
		add("kafka_num_consumers", strconv.Itoa(s.NumConsumers), "can not be lower than 1", nil)
	} else if limit := settingsNumConsumersLimit(); s.NumConsumers > limit && !s.DisableNumConsumersLimit {
		add("kafka_num_consumers", strconv.Itoa(s.NumConsumers), fmt.Sprintf(
			"the number of consumers can not be bigger than %d (max of the CPU count and 16). "+
				"A single consumer can read any number of partitions, and extra consumers cost memory and CPU; "+
				"for more throughput consider kafka_thread_per_consumer = 1, "+
				"or set kafka_disable_num_consumers_limit = 1 to lift the limit", limit), nil)
	}
	if s.MaxBlockSize < 0 {
		add("kafka_max_block_size", strconv.Itoa(s.MaxBlockSize), "can not be lower than 1", nil)
	}
	if s.SkipBrokenMessages < 0 {
		add("kafka_skip_broken_messages", strconv.Itoa(s.SkipBrokenMessages), "must be a non-negative integer", nil)
	}
	if s.PollMaxBatchSize < 0 {
		add("kafka_poll_max_batch_size", strconv.Itoa(s.PollMaxBatchSize), "can not be lower than 1", nil)
	}
	if s.ConsumerReschedule < 0 {
		add("kafka_consumer_reschedule_ms", settingsMillis(s.ConsumerReschedule), "can not be lower than 1 (milliseconds)", nil)
	} else if ttl, r := s.consumersPoolTTL(), s.reschedule(); ttl < r {
		add("kafka_consumers_pool_ttl_ms", settingsMillis(ttl), fmt.Sprintf(
			"cannot be less than kafka_consumer_reschedule_ms (%s); allowed: %s to %s milliseconds",
			settingsMillis(r), settingsMillis(r), settingsMillis(settingsMaxPoolTTL)), nil)
	} else if ttl > settingsMaxPoolTTL {
		add("kafka_consumers_pool_ttl_ms", settingsMillis(ttl), fmt.Sprintf(
			"cannot be greater than %s, since idle consumers would be kept too long; allowed: %s to %s milliseconds",
			settingsMillis(settingsMaxPoolTTL), settingsMillis(r), settingsMillis(settingsMaxPoolTTL)), nil)
	}
	switch s.HandleErrorMode {
	case "", ErrorModeDefault, ErrorModeStream, ErrorModeDeadLetterQueue:
	default:
		add("kafka_handle_error_mode", string(s.HandleErrorMode),
			"unknown error mode (allowed: 'default', 'stream', 'dead_letter_queue')", nil)
	}
	if s.MaxRowsPerMessage < 0 {
		add("kafka_max_rows_per_message", strconv.Itoa(s.MaxRowsPerMessage), "can not be lower than 1", nil)
	}
	switch {
	case s.KeeperPath != "" && s.ReplicaName == "":
		add("kafka_replica_name", "",
			"both kafka_keeper_path and kafka_replica_name must be specified to store committed offsets in Keeper", nil)
	case s.KeeperPath == "" && s.ReplicaName != "":
		add("kafka_keeper_path", "",
			"both kafka_keeper_path and kafka_replica_name must be specified to store committed offsets in Keeper", nil)
	case s.KeeperPath != "":
		add("kafka_keeper_path", s.KeeperPath,
			"storing offsets in Keeper (the keeper-based Kafka engine) is not supported yet", ErrNotSupported)
	}
	s.validateSecurity(add)
	if s.AutodetectClientRack != "" {
		add("kafka_autodetect_client_rack", s.AutodetectClientRack,
			"client rack autodetection is not supported yet", ErrNotSupported)
	}
	s.validateCompression(add)
	if s.SchemaRegistrySkipBytes < 0 || s.SchemaRegistrySkipBytes > settingsMaxSkipBytes {
		add("kafka_schema_registry_skip_bytes", strconv.Itoa(s.SchemaRegistrySkipBytes),
			fmt.Sprintf("must be between 0 and %d", settingsMaxSkipBytes), nil)
	}
	if s.AWSRegion != "" {
		add("kafka_aws_region", s.AWSRegion, "AWS MSK IAM authentication is not supported yet", ErrNotSupported)
	}
	if s.ConsumerAcquireTimeout != 0 {
		add("kafka_consumer_acquire_timeout_ms", settingsMillis(s.ConsumerAcquireTimeout),
			"a setting of the keeper-based Kafka engine, which is not supported yet", ErrNotSupported)
	}
	if s.ShardCount != 0 {
		add("kafka_shard_count", strconv.FormatUint(s.ShardCount, 10),
			"a setting of the keeper-based Kafka engine, which is not supported yet", ErrNotSupported)
	}
	if s.PartitionShardNum != "" {
		add("kafka_partition_shard_num", s.PartitionShardNum,
			"a setting of the keeper-based Kafka engine, which is not supported yet", ErrNotSupported)
	}
	if len(s.RowDelimiter) > 1 {
		add("kafka_row_delimiter", s.RowDelimiter,
			"must be at most one character (the setting is obsolete and ignored)", nil)
	}
	return errors.Join(errs...)
}

var (
	settingsProtocols  = []string{"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"}
	settingsMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}
	// settingsLaterMechanisms are ClickHouse's other SASL mechanisms.
	settingsLaterMechanisms = []string{"GSSAPI", "OAUTHBEARER", "AWS_MSK_IAM"}
)

func (s *Settings) validateSecurity(add func(name, value, reason string, err error)) {
	p := s.securityProtocol()
	if p != "" && !slices.Contains(settingsProtocols, p) {
		add("kafka_security_protocol", s.SecurityProtocol,
			"unknown protocol (allowed: plaintext, ssl, sasl_plaintext, sasl_ssl)", nil)
	}
	m := s.saslMechanism()
	switch {
	case m == "" || slices.Contains(settingsMechanisms, m):
	case slices.Contains(settingsLaterMechanisms, m):
		add("kafka_sasl_mechanism", s.SASLMechanism,
			"mechanism not supported yet (supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)", ErrNotSupported)
	default:
		add("kafka_sasl_mechanism", s.SASLMechanism,
			"unknown mechanism (allowed: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)", nil)
	}
	if p == "plaintext" || p == "ssl" {
		// SASL settings next to a non-SASL protocol would be ignored: refuse them.
		reason := fmt.Sprintf("needs kafka_security_protocol sasl_plaintext or sasl_ssl, not %s", p)
		if s.SASLMechanism != "" {
			add("kafka_sasl_mechanism", s.SASLMechanism, reason, nil)
		}
		if s.SASLUsername != "" {
			add("kafka_sasl_username", s.SASLUsername, reason, nil)
		}
		if s.SASLPassword != "" {
			add(settingsPasswordName, s.SASLPassword, reason, nil)
		}
	}
}

// settingsLevels are the compression levels each codec allows; -1 is the codec default.
var settingsLevels = map[string][2]int{
	"":       {-1, -1},
	"none":   {-1, -1},
	"gzip":   {-1, 9},
	"snappy": {-1, 0},
	"lz4":    {-1, 12},
	"zstd":   {-1, 12},
}

func (s *Settings) validateCompression(add func(name, value, reason string, err error)) {
	codec := s.compressionCodec()
	r, ok := settingsLevels[codec]
	if !ok {
		add("kafka_compression_codec", s.CompressionCodec,
			"unknown codec (allowed: '', none, gzip, snappy, lz4, zstd)", nil)
		return
	}
	if l := s.compressionLevel(); l < r[0] || l > r[1] {
		name := codec
		if name == "" {
			name = `""`
		}
		add("kafka_compression_level", strconv.Itoa(l), fmt.Sprintf(
			"out of range for codec %s: allowed %d..%d (-1 = codec default; gzip -1..9, lz4 -1..12, snappy -1..0, zstd -1..12, none only -1)",
			name, r[0], r[1]), nil)
	}
}

// Topics returns the topics of kafka_topic_list, trimmed, without empty items.
func (s *Settings) Topics() []string { return settingsSplit(s.TopicList) }

// Brokers returns the brokers of kafka_broker_list, trimmed, without empty items; an item
// without a port gets the default Kafka port 9092.
func (s *Settings) Brokers() []string {
	brokers := settingsSplit(s.BrokerList)
	for i, b := range brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			if withPort := net.JoinHostPort(strings.Trim(b, "[]"), settingsDefaultBrokerPort); settingsValidBroker(withPort) {
				brokers[i] = withPort
			}
		}
	}
	return brokers
}

// String returns the non-default kafka_* settings in their SQL spelling, e.g.
// "kafka_broker_list = 'localhost:9092', kafka_num_consumers = 4", with the password
// replaced by '****'. Format settings are not listed.
func (s Settings) String() string {
	var b strings.Builder
	for _, kv := range s.sqlPairs() {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kv[0])
		b.WriteString(" = ")
		b.WriteString(kv[1])
	}
	return b.String()
}

// GoString is [fmt]'s %#v: the Go syntax of s with the password replaced by "****".
func (s Settings) GoString() string {
	type plain Settings // no methods: avoids recursing into GoString
	c := plain(s)
	if c.SASLPassword != "" {
		c.SASLPassword = settingsMaskText
	}
	return strings.Replace(fmt.Sprintf("%#v", c), "kafkaengine.plain", "kafkaengine.Settings", 1)
}

// sqlPairs renders the non-zero fields as (setting name, SQL literal) pairs in field order.
func (s *Settings) sqlPairs() [][2]string {
	var kv [][2]string
	str := func(name, v string) {
		if v != "" {
			if name == settingsPasswordName {
				v = settingsMaskText
			}
			kv = append(kv, [2]string{name, settingsQuote(v)})
		}
	}
	num := func(name string, v int) {
		if v != 0 {
			kv = append(kv, [2]string{name, strconv.Itoa(v)})
		}
	}
	flag := func(name string, v bool) {
		if v {
			kv = append(kv, [2]string{name, "1"})
		}
	}
	dur := func(name string, v time.Duration) {
		if v != 0 {
			kv = append(kv, [2]string{name, settingsMillis(max(v, 0))})
		}
	}
	str("kafka_broker_list", s.BrokerList)
	str("kafka_topic_list", s.TopicList)
	str("kafka_group_name", s.GroupName)
	str("kafka_format", s.Format)
	str("kafka_schema", s.Schema)
	num("kafka_num_consumers", s.NumConsumers)
	num("kafka_max_block_size", s.MaxBlockSize)
	num("kafka_skip_broken_messages", s.SkipBrokenMessages)
	flag("kafka_commit_every_batch", s.CommitEveryBatch)
	str("kafka_client_id", s.ClientID)
	dur("kafka_poll_timeout_ms", s.PollTimeout)
	num("kafka_poll_max_batch_size", s.PollMaxBatchSize)
	dur("kafka_consumers_pool_ttl_ms", s.ConsumersPoolTTL)
	dur("kafka_flush_interval_ms", s.FlushInterval)
	dur("kafka_consumer_reschedule_ms", s.ConsumerReschedule)
	flag("kafka_thread_per_consumer", s.ThreadPerConsumer)
	str("kafka_handle_error_mode", string(s.HandleErrorMode))
	flag("kafka_commit_on_select", s.CommitOnSelect)
	num("kafka_max_rows_per_message", s.MaxRowsPerMessage)
	str("kafka_keeper_path", s.KeeperPath)
	str("kafka_replica_name", s.ReplicaName)
	str("kafka_security_protocol", s.SecurityProtocol)
	str("kafka_sasl_mechanism", s.SASLMechanism)
	str("kafka_sasl_username", s.SASLUsername)
	str(settingsPasswordName, s.SASLPassword)
	str("kafka_autodetect_client_rack", s.AutodetectClientRack)
	str("kafka_compression_codec", s.CompressionCodec)
	if s.CompressionLevel != nil {
		kv = append(kv, [2]string{"kafka_compression_level", strconv.Itoa(*s.CompressionLevel)})
	}
	num("kafka_schema_registry_skip_bytes", s.SchemaRegistrySkipBytes)
	flag("kafka_map_virtual_columns_on_write", s.MapVirtualColumnsOnWrite)
	str("kafka_aws_region", s.AWSRegion)
	dur("kafka_consumer_acquire_timeout_ms", s.ConsumerAcquireTimeout)
	if s.ShardCount != 0 {
		kv = append(kv, [2]string{"kafka_shard_count", strconv.FormatUint(s.ShardCount, 10)})
	}
	str("kafka_partition_shard_num", s.PartitionShardNum)
	str("kafka_row_delimiter", s.RowDelimiter)
	flag("kafka_disable_num_consumers_limit", s.DisableNumConsumersLimit)
	return kv
}

// Effective values used by the engine. They assume a validated Settings but never return
// an unusable value.

// numConsumers is the effective kafka_num_consumers: 0 -> 1.
func (s *Settings) numConsumers() int { return max(s.NumConsumers, 1) }

// maxBlockSize is the effective kafka_max_block_size: 0 -> 1048449 / numConsumers, at
// least 1.
func (s *Settings) maxBlockSize() int {
	if s.MaxBlockSize > 0 {
		return s.MaxBlockSize
	}
	return max(settingsMaxInsertBlockSize/s.numConsumers(), 1)
}

// pollMaxBatchSize is the effective kafka_poll_max_batch_size: 0 -> 65409, capped at
// maxBlockSize.
func (s *Settings) pollMaxBatchSize() int {
	n := s.PollMaxBatchSize
	if n <= 0 {
		n = settingsMaxBlockSize
	}
	return min(n, s.maxBlockSize())
}

// pollTimeout is the effective kafka_poll_timeout_ms, >= 0: 0 -> 500ms, negative -> 0.
func (s *Settings) pollTimeout() time.Duration {
	switch {
	case s.PollTimeout < 0:
		return 0
	case s.PollTimeout == 0:
		return settingsPollTimeout
	}
	return s.PollTimeout
}

// flushInterval is the effective kafka_flush_interval_ms: 0 -> 7500ms; negative -> 0,
// which means no time limit.
func (s *Settings) flushInterval() time.Duration {
	switch {
	case s.FlushInterval < 0:
		return 0
	case s.FlushInterval == 0:
		return settingsFlushInterval
	}
	return s.FlushInterval
}

// reschedule is the effective kafka_consumer_reschedule_ms: 0 -> 500ms.
func (s *Settings) reschedule() time.Duration {
	if s.ConsumerReschedule <= 0 {
		return settingsReschedule
	}
	return s.ConsumerReschedule
}

// consumersPoolTTL is the effective kafka_consumers_pool_ttl_ms: 0 -> 60000ms.
func (s *Settings) consumersPoolTTL() time.Duration {
	if s.ConsumersPoolTTL == 0 {
		return settingsPoolTTL
	}
	return s.ConsumersPoolTTL
}

// maxRowsPerMessage is the effective kafka_max_rows_per_message: 0 -> 1.
func (s *Settings) maxRowsPerMessage() int { return max(s.MaxRowsPerMessage, 1) }

// errorMode is the effective kafka_handle_error_mode: "" -> default.
func (s *Settings) errorMode() ErrorMode {
	if s.HandleErrorMode == "" {
		return ErrorModeDefault
	}
	return s.HandleErrorMode
}

// formatSettings returns a copy of FormatSettings, or the defaults when it is nil.
func (s *Settings) formatSettings() format.Settings {
	fs := format.DefaultSettings()
	if s.FormatSettings != nil {
		fs = *s.FormatSettings
	}
	if s.Schema != "" {
		fs.Schema = s.Schema // ClickHouse: format_schema := kafka_schema
	}
	return fs
}

// clientID is the client id of consumer i: ClientID, or "chkafka-<hostname>" when it is
// empty, with the suffix "-<i>" when there is more than one consumer.
func (s *Settings) clientID(i int) string {
	id := s.ClientID
	if id == "" {
		id = "chkafka"
		if h, err := os.Hostname(); err == nil && h != "" {
			id += "-" + h
		}
	}
	if s.numConsumers() > 1 {
		id += "-" + strconv.Itoa(i)
	}
	return id
}

// compressionCodec is kafka_compression_codec in lower case; "" leaves the client default.
func (s *Settings) compressionCodec() string {
	return strings.ToLower(strings.TrimSpace(s.CompressionCodec))
}

// compressionLevel is the effective kafka_compression_level: nil -> -1 (codec default).
func (s *Settings) compressionLevel() int {
	if s.CompressionLevel == nil {
		return -1
	}
	return *s.CompressionLevel
}

// securityProtocol is kafka_security_protocol in lower case; "" leaves the client default.
func (s *Settings) securityProtocol() string {
	return strings.ToLower(strings.TrimSpace(s.SecurityProtocol))
}

// saslMechanism is kafka_sasl_mechanism in upper case ("PLAIN", "SCRAM-SHA-256",
// "SCRAM-SHA-512"); "" leaves the client configuration to decide.
func (s *Settings) saslMechanism() string { return strings.ToUpper(strings.TrimSpace(s.SASLMechanism)) }

// set assigns one setting from its SQL spelling.
func (s *Settings) set(name, literal string) error {
	v, err := settingsUnquote(literal)
	if err != nil {
		return settingsErr(name, literal, "malformed SQL literal: "+err.Error(), err)
	}
	if !strings.HasPrefix(name, "kafka_") {
		if !format.IsSetting(name) {
			return settingsErr(name, "", "unknown setting for storage Kafka (neither a kafka_ setting nor a format setting chkafka knows)", nil)
		}
		if s.FormatSettings == nil {
			fs := format.DefaultSettings()
			s.FormatSettings = &fs
		}
		if err := s.FormatSettings.Set(name, v); err != nil {
			// Drop format's own "format: setting NAME = VALUE: " prefix: ours says the same.
			reason := err.Error()
			if _, rest, ok := strings.Cut(reason, ": setting "+name+" = "+strconv.Quote(v)+": "); ok {
				reason = rest
			}
			return settingsErr(name, v, reason, err)
		}
		return nil
	}
	set, ok := settingsSetters[name]
	if !ok {
		return settingsErr(name, "", "unknown setting for storage Kafka", nil)
	}
	if reason, err := set(s, v); reason != "" {
		return settingsErr(name, v, reason, err)
	}
	return nil
}

// settingsSetter assigns a setting's unquoted value; a non-empty reason reports an error.
type settingsSetter func(s *Settings, v string) (reason string, err error)

var settingsSetters = map[string]settingsSetter{
	"kafka_broker_list":                  settingsString(func(s *Settings) *string { return &s.BrokerList }),
	"kafka_topic_list":                   settingsString(func(s *Settings) *string { return &s.TopicList }),
	"kafka_group_name":                   settingsString(func(s *Settings) *string { return &s.GroupName }),
	"kafka_format":                       settingsString(func(s *Settings) *string { return &s.Format }),
	"kafka_schema":                       settingsString(func(s *Settings) *string { return &s.Schema }),
	"kafka_num_consumers":                settingsCount(func(s *Settings) *int { return &s.NumConsumers }, true),
	"kafka_max_block_size":               settingsCount(func(s *Settings) *int { return &s.MaxBlockSize }, true),
	"kafka_skip_broken_messages":         settingsCount(func(s *Settings) *int { return &s.SkipBrokenMessages }, false),
	"kafka_commit_every_batch":           settingsBool(func(s *Settings) *bool { return &s.CommitEveryBatch }),
	"kafka_client_id":                    settingsString(func(s *Settings) *string { return &s.ClientID }),
	"kafka_poll_timeout_ms":              settingsDuration(func(s *Settings) *time.Duration { return &s.PollTimeout }, NoWait),
	"kafka_poll_max_batch_size":          settingsCount(func(s *Settings) *int { return &s.PollMaxBatchSize }, true),
	"kafka_consumers_pool_ttl_ms":        settingsDuration(func(s *Settings) *time.Duration { return &s.ConsumersPoolTTL }, 0),
	"kafka_flush_interval_ms":            settingsDuration(func(s *Settings) *time.Duration { return &s.FlushInterval }, NoFlushInterval),
	"kafka_consumer_reschedule_ms":       settingsDuration(func(s *Settings) *time.Duration { return &s.ConsumerReschedule }, 0),
	"kafka_thread_per_consumer":          settingsBool(func(s *Settings) *bool { return &s.ThreadPerConsumer }),
	"kafka_handle_error_mode":            settingsErrorMode,
	"kafka_commit_on_select":             settingsBool(func(s *Settings) *bool { return &s.CommitOnSelect }),
	"kafka_max_rows_per_message":         settingsCount(func(s *Settings) *int { return &s.MaxRowsPerMessage }, true),
	"kafka_keeper_path":                  settingsString(func(s *Settings) *string { return &s.KeeperPath }),
	"kafka_replica_name":                 settingsString(func(s *Settings) *string { return &s.ReplicaName }),
	"kafka_security_protocol":            settingsString(func(s *Settings) *string { return &s.SecurityProtocol }),
	"kafka_sasl_mechanism":               settingsString(func(s *Settings) *string { return &s.SASLMechanism }),
	"kafka_sasl_username":                settingsString(func(s *Settings) *string { return &s.SASLUsername }),
	"kafka_sasl_password":                settingsString(func(s *Settings) *string { return &s.SASLPassword }),
	"kafka_autodetect_client_rack":       settingsString(func(s *Settings) *string { return &s.AutodetectClientRack }),
	"kafka_compression_codec":            settingsString(func(s *Settings) *string { return &s.CompressionCodec }),
	"kafka_compression_level":            settingsCompressionLevel,
	"kafka_schema_registry_skip_bytes":   settingsCount(func(s *Settings) *int { return &s.SchemaRegistrySkipBytes }, false),
	"kafka_map_virtual_columns_on_write": settingsBool(func(s *Settings) *bool { return &s.MapVirtualColumnsOnWrite }),
	"kafka_aws_region":                   settingsString(func(s *Settings) *string { return &s.AWSRegion }),
	"kafka_consumer_acquire_timeout_ms":  settingsKeeperOnly,
	"kafka_shard_count":                  settingsKeeperOnly,
	"kafka_partition_shard_num":          settingsKeeperOnly,
	"kafka_row_delimiter":                settingsString(func(s *Settings) *string { return &s.RowDelimiter }),
	"kafka_disable_num_consumers_limit":  settingsBool(func(s *Settings) *bool { return &s.DisableNumConsumersLimit }),
}

func settingsString(f func(*Settings) *string) settingsSetter {
	return func(s *Settings, v string) (string, error) {
		*f(s) = v
		return "", nil
	}
}

func settingsBool(f func(*Settings) *bool) settingsSetter {
	return func(s *Settings, v string) (string, error) {
		b, err := format.ParseBool(v)
		if err != nil {
			return "must be a boolean (0, 1, true or false)", err
		}
		*f(s) = b
		return "", nil
	}
}

// settingsCount parses a UInt64 setting; atLeastOne refuses an explicit 0.
func settingsCount(f func(*Settings) *int, atLeastOne bool) settingsSetter {
	return func(s *Settings, v string) (string, error) {
		n, err := strconv.ParseUint(v, 10, strconv.IntSize-1)
		if err != nil {
			return "must be a non-negative integer", err
		}
		if atLeastOne && n == 0 {
			return "can not be lower than 1", nil
		}
		*f(s) = int(n)
		return "", nil
	}
}

// settingsDuration parses a milliseconds setting. An explicit 0 becomes zero, or is
// refused when zero is 0 (the field's zero value would mean the default instead).
func settingsDuration(f func(*Settings) *time.Duration, zero time.Duration) settingsSetter {
	return func(s *Settings, v string) (string, error) {
		n, err := strconv.ParseUint(v, 10, 63)
		if err != nil {
			return "must be a non-negative integer number of milliseconds", err
		}
		if n > uint64(time.Duration(1<<63-1)/time.Millisecond) {
			return "too big for a number of milliseconds", nil
		}
		d := time.Duration(n) * time.Millisecond
		if d == 0 {
			if zero == 0 {
				return "can not be lower than 1 (milliseconds)", nil
			}
			d = zero
		}
		*f(s) = d
		return "", nil
	}
}

func settingsErrorMode(s *Settings, v string) (string, error) {
	s.HandleErrorMode = ErrorMode(v)
	return "", nil
}

func settingsCompressionLevel(s *Settings, v string) (string, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return "must be an integer (-1 = codec default; gzip -1..9, lz4 -1..12, snappy -1..0, zstd -1..12)", err
	}
	if n == -1 {
		s.CompressionLevel = nil
	} else {
		s.CompressionLevel = &n
	}
	return "", nil
}

// settingsKeeperOnly refuses the settings of ClickHouse's keeper-based engine whenever
// they are given, even with their default value, since the table would otherwise depend on
// an engine chkafka does not have.
func settingsKeeperOnly(*Settings, string) (string, error) {
	return "a setting of the keeper-based Kafka engine, which is not supported yet", ErrNotSupported
}

// settingsErr builds a *SettingError, masking the password.
func settingsErr(name, value, reason string, err error) *SettingError {
	return &SettingError{Setting: name, Value: settingsMasked(name, value), Reason: reason, Err: err}
}

// settingsMasked hides the value of kafka_sasl_password.
func settingsMasked(name, value string) string {
	if name == settingsPasswordName && value != "" {
		return settingsMaskText
	}
	return value
}

// settingsUnquote turns a SQL literal into its value: a single-quoted string loses its
// quotes and escapes; anything else (a number, an identifier) is taken as it is, trimmed.
func settingsUnquote(lit string) (string, error) {
	lit = strings.TrimSpace(lit)
	if !strings.HasPrefix(lit, "'") {
		if strings.Contains(lit, "'") {
			return "", errors.New("stray quote outside a string literal")
		}
		return lit, nil
	}
	if len(lit) < 2 || !strings.HasSuffix(lit, "'") {
		return "", errors.New("unterminated string literal")
	}
	body := lit[1 : len(lit)-1]
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch c {
		case '\\':
			if i+1 == len(body) {
				return "", errors.New("unterminated string literal (escaped closing quote)")
			}
			i++
			switch e := body[i]; e {
			case '\\', '\'':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case '\'':
			if i+1 < len(body) && body[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return "", errors.New("unescaped quote inside a string literal")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// settingsQuote writes v as a single-quoted SQL string literal.
func settingsQuote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\t", `\t`, "\r", `\r`, "\x00", `\0`).Replace(v) + "'"
}

// settingsMillis renders a duration as a number of milliseconds.
func settingsMillis(d time.Duration) string {
	if d%time.Millisecond != 0 {
		return d.String()
	}
	return strconv.FormatInt(d.Milliseconds(), 10)
}

// settingsSplit splits a comma-separated list, trimming items and dropping empty ones.
func settingsSplit(list string) []string {
	var out []string
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// settingsNumConsumersLimit is ClickHouse's kafka_num_consumers cap.
func settingsNumConsumersLimit() int { return max(runtime.NumCPU(), settingsMinNumConsumersLimit) }

// settingsValidBroker reports whether addr is host:port with a usable host and port.
func settingsValidBroker(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || strings.ContainsAny(host, "/ ") {
		return false
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return false // only an IPv6 address may contain colons
	}
	p, err := strconv.ParseUint(port, 10, 16)
	return err == nil && p > 0
}

// settingsValidTopic reports whether t is a legal Kafka topic name.
func settingsValidTopic(t string) bool {
	if t == "" || len(t) > 249 || t == "." || t == ".." {
		return false
	}
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
