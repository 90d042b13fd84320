package kafkaengine

import (
	"fmt"
	"time"

	"github.com/IBM/sarama"
)

// StartPosition says where a consumer group with no committed offset for a partition
// starts reading it. Partitions with a committed offset always resume from it. The
// default is [StartEarliest], as ClickHouse's engine sets auto.offset.reset = earliest.
type StartPosition struct {
	kind    startKind
	at      time.Time
	offsets map[string]map[int32]int64
}

type startKind uint8

const (
	startEarliest startKind = iota
	startLatest
	startTime
	startOffsets
)

// StartEarliest starts new partitions at their oldest message.
func StartEarliest() StartPosition { return StartPosition{kind: startEarliest} }

// StartLatest starts new partitions at their end: only messages produced afterwards are
// read (ClickHouse's auto_offset_reset = latest, which it only allows in server config).
func StartLatest() StartPosition { return StartPosition{kind: startLatest} }

// StartAt starts new partitions at the first message whose timestamp is at or after t,
// or at the end if there is none.
func StartAt(t time.Time) StartPosition { return StartPosition{kind: startTime, at: t} }

// StartOffsets starts new partitions at the given offsets (topic → partition → offset);
// partitions not listed start at their oldest message. An offset below the oldest
// message available starts at the oldest.
func StartOffsets(offsets map[string]map[int32]int64) StartPosition {
	return StartPosition{kind: startOffsets, offsets: offsets}
}

// WithStartPosition sets where partitions without a committed offset start (default
// [StartEarliest]).
func WithStartPosition(p StartPosition) Option { return func(o *options) { o.start = p } }

// initial is sarama's Consumer.Offsets.Initial for the position.
func (p StartPosition) initial() int64 {
	if p.kind == startLatest {
		return sarama.OffsetNewest
	}
	return sarama.OffsetOldest
}

// apply moves the claims of partitions without a committed offset to the position. It
// runs in Setup, before the claims start: sarama starts each claim at its partition
// offset manager's next offset, which MarkOffset moves forward from the oldest offset.
// With auto-commit off sarama never commits these marks; they only choose where
// reading starts.
func (p StartPosition) apply(sess sarama.ConsumerGroupSession, client sarama.Client, group string) error {
	if p.kind != startTime && p.kind != startOffsets {
		return nil
	}
	claims := sess.Claims()
	if len(claims) == 0 {
		return nil
	}
	coord, err := client.Coordinator(group)
	if err != nil {
		return err
	}
	req := &sarama.OffsetFetchRequest{Version: 1, ConsumerGroup: group}
	for topic, parts := range claims {
		for _, part := range parts {
			req.AddPartition(topic, part)
		}
	}
	resp, err := coord.FetchOffset(req)
	if err != nil {
		return err
	}
	for topic, parts := range claims {
		for _, part := range parts {
			blk := resp.GetBlock(topic, part)
			if blk == nil {
				return fmt.Errorf("no committed offset in the response for %s/%d", topic, part)
			}
			if blk.Err != sarama.ErrNoError {
				return fmt.Errorf("committed offset of %s/%d: %w", topic, part, blk.Err)
			}
			if blk.Offset >= 0 {
				continue // committed: resume from it
			}
			var target int64
			switch p.kind {
			case startTime:
				if target, err = client.GetOffset(topic, part, p.at.UnixMilli()); err != nil {
					return fmt.Errorf("offset of %s/%d at %s: %w", topic, part, p.at, err)
				}
				if target < 0 {
					if target, err = client.GetOffset(topic, part, sarama.OffsetNewest); err != nil {
						return err
					}
				}
			case startOffsets:
				off, ok := p.offsets[topic][part]
				if !ok {
					continue
				}
				target = off
			}
			sess.MarkOffset(topic, part, target, "")
		}
	}
	return nil
}
