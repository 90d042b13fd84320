// Package format is the registry of message formats and the interfaces a format implements.
//
// A format turns Kafka message payloads into staged rows ([Decoder]) and Arrow rows into
// message payloads ([Encoder]). Built-in formats live in format/<family> packages that
// register themselves from init under ClickHouse's exact, case-sensitive names; import
// github.com/chkafka/chkafka/format/all to get every one of them, the way a database/sql
// driver is imported:
//
//	import _ "github.com/chkafka/chkafka/format/all"
//
// Optional abilities are discovered by type assertion on the [Format] value:
//
//   - [BlockFormat]: the encoder writes one message per record batch (Native, Arrow,
//     Parquet, ...) instead of one message per run of kafka_max_rows_per_message rows.
package format

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
)

// Format creates decoders and encoders for one schema. Implementations must be safe for
// concurrent use; the decoders and encoders they return need not be.
type Format interface {
	// NewDecoder compiles a decoder for the table's physical columns. It fails when the
	// format cannot express one of the columns' types or a setting is unusable, so that
	// such a table is refused at creation, not at its first message.
	NewDecoder(schema *arrow.Schema, s *Settings) (Decoder, error)
	// NewEncoder compiles an encoder for the table's physical columns. A read-only
	// format returns an error wrapping [errors.ErrUnsupported].
	NewEncoder(schema *arrow.Schema, s *Settings) (Encoder, error)
}

// Decoder decodes one message payload into staged rows.
type Decoder interface {
	// Decode appends the rows of payload to dst, calling dst.EndRow after each row. An
	// empty payload gives zero rows where the format allows it (ClickHouse's rules) and
	// an error otherwise. On error the caller discards everything staged for the message,
	// so a decoder need not undo partial rows. The error text says what is wrong and, for
	// row formats, at which row ("(at row N)", 1-based within the message). Decode must
	// not retain payload or panic on any input.
	Decode(dst *block.Rows, payload []byte) error
}

// Encoder encodes rows of a record batch as one message payload.
type Encoder interface {
	// Append encodes rows [i, j) of rec as one complete document (with the format's
	// header, prefix and suffix) appended to dst, and returns the extended slice. On
	// error it returns dst unchanged. rec is borrowed for the call.
	Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error)
}

// TopicEncoder is implemented by encoders that depend on the topic they write to. The
// producer calls ForTopic once and uses the encoder it returns.
type TopicEncoder interface {
	Encoder
	ForTopic(topic string) (Encoder, error)
}

// BlockFormat is implemented by formats whose encoder writes a whole record batch as one
// message (ClickHouse's block-oriented output formats).
type BlockFormat interface {
	Format
	// BlockOriented reports whether one message carries one record batch.
	BlockOriented() bool
}

// IsBlockOriented reports whether f writes one message per record batch.
func IsBlockOriented(f Format) bool {
	b, ok := f.(BlockFormat)
	return ok && b.BlockOriented()
}

// ErrUnknownFormat is returned by [Lookup] for a name no format registered.
var ErrUnknownFormat = errors.New("format: unknown format")

var (
	mu       sync.RWMutex
	registry = map[string]Format{}
)

// Register makes a format available under name. It panics if f is nil or name is already
// registered; it is meant to be called from init.
func Register(name string, f Format) {
	mu.Lock()
	defer mu.Unlock()
	if f == nil {
		panic("format: Register format is nil")
	}
	if _, dup := registry[name]; dup {
		panic("format: Register called twice for format " + name)
	}
	registry[name] = f
}

// Lookup returns the format registered under name (case-sensitive, as in ClickHouse).
func Lookup(name string) (Format, error) {
	mu.RLock()
	f, ok := registry[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (forgotten import of github.com/chkafka/chkafka/format/all?)", ErrUnknownFormat, name)
	}
	return f, nil
}

// Names returns the registered format names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
