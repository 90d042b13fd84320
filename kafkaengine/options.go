package kafkaengine

import (
	"log/slog"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// Option configures a [Table] or [Producer] with Go plumbing; ClickHouse knobs live in
// [Settings].
type Option func(*options)

type options struct {
	mem     memory.Allocator
	logger  *slog.Logger
	sarama  *sarama.Config
	format  format.Format
	virtual []string
	onError func(error)
	name    string
	start   StartPosition
	dlq     Sink
	backoff bool // double the reschedule delay on consecutive failures (isolated sinks)
}

func defaultOptions() options {
	return options{
		mem:     memory.DefaultAllocator,
		logger:  slog.New(slog.DiscardHandler),
		onError: func(error) {},
		name:    "kafka",
	}
}

// WithAllocator sets the allocator of the Arrow record batches the table builds
// (default memory.DefaultAllocator).
func WithAllocator(mem memory.Allocator) Option { return func(o *options) { o.mem = mem } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithSaramaConfig sets the base sarama configuration. The engine works on a copy and
// overrides what the settings dictate (client id, offsets handling, fetch sizes, SASL,
// compression); use it for timeouts, TLS certificates, versions and the like. The
// default is sarama.NewConfig() with round-robin assignment and, for joining the group
// while it rebalances, a 100 ms retry backoff up to 80 times (sarama's: 2 s, 4 times).
func WithSaramaConfig(cfg *sarama.Config) Option { return func(o *options) { o.sarama = cfg } }

// WithFormat uses f instead of looking Settings.Format up in the global registry, so that
// tests and embedders need no global state.
func WithFormat(f format.Format) Option { return func(o *options) { o.format = f } }

// WithVirtualColumns adds virtual columns (names from package virtualcols: "_topic",
// "_key", "_offset", "_partition", "_timestamp", "_timestamp_ms", "_headers.name",
// "_headers.value") after the table's columns, in the given order. A table carries
// only the virtual columns it asks for; in stream error mode "_raw_message" and
// "_error" are always added.
func WithVirtualColumns(names ...string) Option {
	return func(o *options) { o.virtual = append(o.virtual, names...) }
}

// WithAllVirtualColumns adds every virtual column that applies to the table's error mode.
func WithAllVirtualColumns() Option {
	return func(o *options) {
		o.virtual = append(o.virtual, virtualcols.Topic, virtualcols.Key, virtualcols.Offset,
			virtualcols.Partition, virtualcols.Timestamp, virtualcols.TimestampMs,
			virtualcols.HeadersName, virtualcols.HeadersValue)
	}
}

// WithErrorHandler installs the error hook: it receives every error the running table
// recovers from by itself (broken messages, sink failures, commit failures, broker
// errors) as a [*BrokenMessageError], [*SinkError], [*CommitError] or a client error.
// It is called from the table's goroutines and must not block. The last 10 errors of
// each consumer are also kept in [ConsumerStats.Exceptions].
func WithErrorHandler(fn func(error)) Option { return func(o *options) { o.onError = fn } }

// WithName names the table in logs and the default client id (default "kafka").
func WithName(name string) Option { return func(o *options) { o.name = name } }
