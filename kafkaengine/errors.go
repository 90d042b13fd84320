package kafkaengine

import (
	"errors"
	"fmt"
)

var (
	// ErrRunning is returned by [Table.Run] when the table already runs.
	ErrRunning = errors.New("kafkaengine: table is already running")
	// ErrClosed is returned by calls on a closed [Table] or [Producer].
	ErrClosed = errors.New("kafkaengine: closed")
	// ErrSelectNotAllowed is returned by [Table.Select] while sinks are attached to a
	// running table: the direct read would steal messages from the sinks (SPEC §6).
	ErrSelectNotAllowed = errors.New("kafkaengine: cannot select directly from a table with attached sinks while it runs")
	// ErrSinkExists is returned by [Table.Attach] for a name already attached.
	ErrSinkExists = errors.New("kafkaengine: sink already attached")
	// ErrNoSink is returned by [Table.Detach] for a name not attached.
	ErrNoSink = errors.New("kafkaengine: no such sink")
)

// BrokenMessageError reports a message the table's format could not decode. It names
// the message's coordinates; Err is the decoder's reason.
type BrokenMessageError struct {
	Topic     string
	Partition int32
	Offset    int64
	Err       error
}

func (e *BrokenMessageError) Error() string {
	return fmt.Sprintf("kafkaengine: broken message (topic: %s, partition: %d, offset: %d): %s",
		e.Topic, e.Partition, e.Offset, e.Err.Error())
}

func (e *BrokenMessageError) Unwrap() error { return e.Err }

// SinkError reports that the sink attached under Name failed to write a block. Nothing
// of that block was committed; the block is delivered again after
// kafka_consumer_reschedule_ms.
type SinkError struct {
	Name string
	Err  error
}

func (e *SinkError) Error() string {
	return fmt.Sprintf("kafkaengine: sink %q: %s", e.Name, e.Err.Error())
}

func (e *SinkError) Unwrap() error { return e.Err }

// CommitError reports that committing a block's offsets failed after every sink had
// written it. The block's messages are read again (duplicates, never loss).
type CommitError struct {
	Group string
	Err   error
}

func (e *CommitError) Error() string {
	return fmt.Sprintf("kafkaengine: commit offsets of group %q: %s", e.Group, e.Err.Error())
}

func (e *CommitError) Unwrap() error { return e.Err }
