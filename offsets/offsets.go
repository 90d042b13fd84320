// Package offsets keeps the offset bookkeeping of a block and defines where committed
// offsets go.
//
// Offsets are always "next offset to read" (the Kafka convention): a block that read
// messages 0..9 of a partition commits 10. A [Tracker] records, per partition, the next
// offset after the messages of the block in progress; the engine commits its
// [Tracker.Offsets] through a [Store] once every sink has written the block.
//
//	var tr offsets.Tracker
//	tr.Mark("events", 0, 41) // message at offset 41 read
//	store.Commit(ctx, tr.Offsets()) // commits events/0 → 42
//	tr.Reset()
package offsets

import (
	"context"
	"maps"
)

// Partition names a topic partition.
type Partition struct {
	Topic     string
	Partition int32
}

// Tracker records the next offset to read of each partition in a block. The zero value
// is ready to use. It is not safe for concurrent use: one pipeline goroutine owns it.
type Tracker struct {
	next map[Partition]int64
	// last caches the most recently marked partition: consecutive messages of one
	// partition skip the map.
	last    Partition
	lastOff *int64 // nil or &lastBuf
	lastBuf int64
}

// Mark records that the message at offset of topic/partition is part of the block,
// and reports whether it is the block's first message of that partition. Offsets of
// one partition must be marked in increasing order.
func (t *Tracker) Mark(topic string, partition int32, offset int64) (first bool) {
	if t.lastOff != nil && t.last.Partition == partition && t.last.Topic == topic {
		*t.lastOff = offset + 1
		return false
	}
	if t.next == nil {
		t.next = map[Partition]int64{}
	}
	p := Partition{topic, partition}
	_, seen := t.next[p]
	t.next[p] = offset + 1
	t.flushLast()
	t.lastBuf = offset + 1
	t.last, t.lastOff = p, &t.lastBuf
	return !seen
}

func (t *Tracker) flushLast() {
	if t.lastOff != nil {
		t.next[t.last] = *t.lastOff
		t.lastOff = nil
	}
}

// Len is the number of partitions marked.
func (t *Tracker) Len() int {
	t.flushLastIfAny()
	return len(t.next)
}

func (t *Tracker) flushLastIfAny() {
	if t.lastOff != nil && t.next != nil {
		t.flushLast()
	}
}

// Offsets returns a copy of the next offset of every marked partition.
func (t *Tracker) Offsets() map[Partition]int64 {
	t.flushLastIfAny()
	return maps.Clone(t.next)
}

// Reset forgets every mark, keeping the map's capacity.
func (t *Tracker) Reset() {
	clear(t.next)
	t.lastOff = nil
}

// Store is where committed offsets go. The engine's default commits to the Kafka
// consumer group with the member's generation, so a member that lost a partition in a
// rebalance cannot commit it.
type Store interface {
	// Commit makes offsets ("next offset to read" per partition) durable. An error means
	// nothing may be assumed committed; the engine then reads the messages again.
	Commit(ctx context.Context, offsets map[Partition]int64) error
}
