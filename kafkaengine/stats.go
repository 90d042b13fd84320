package kafkaengine

import (
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/chkafka/chkafka/offsets"
)

// maxExceptions is how many errors a consumer keeps (ClickHouse keeps 10).
const maxExceptions = 10

// Exception is one error a consumer recovered from, with its time.
type Exception struct {
	Time time.Time
	Text string
}

// PartitionStats describes one assigned partition.
type PartitionStats struct {
	Topic     string
	Partition int32
	// Current is the next offset the consumer will read, -1 before the first message.
	Current int64
	// Committed is the group's committed offset ("next offset to read"): the last one
	// this consumer committed, or the position the assignment started from.
	Committed int64
	// HighWatermark is the partition's end offset as of the last fetch, -1 if unknown.
	HighWatermark int64
	// Lag is HighWatermark - Committed: messages of the partition not committed yet
	// (0 while the high watermark is unknown).
	Lag int64
	// OldestUncommitted is the timestamp of the oldest message read from the partition
	// and not committed yet; zero when there is none.
	OldestUncommitted time.Time
}

// ConsumerStats is a snapshot of one consumer, the row ClickHouse shows in
// system.kafka_consumers (SPEC §13.1).
type ConsumerStats struct {
	ClientID             string
	MemberID             string // group member id; "" while not in a group
	Assignments          []PartitionStats
	Exceptions           []Exception // the last 10, oldest first
	LastPollTime         time.Time   // zero if never
	MessagesRead         uint64
	BrokenMessages       uint64 // broken messages skipped, streamed as errors or failed
	LastCommitTime       time.Time
	Commits              uint64
	LastRebalanceTime    time.Time // last revocation
	RebalanceRevocations uint64
	RebalanceAssignments uint64
	InUse                bool // a block is being built from this consumer's messages
	// Lag is the sum of the partitions' lag.
	Lag int64
	// OldestUncommittedAge is how long ago the oldest message read and not committed
	// yet was produced (its Kafka timestamp); 0 when there is none.
	OldestUncommittedAge time.Duration
}

// TableStats aggregates the stats of a table's consumers.
type TableStats struct {
	Consumers            []ConsumerStats
	MessagesRead         uint64
	BrokenMessages       uint64
	Commits              uint64
	Lag                  int64
	OldestUncommittedAge time.Duration
	// Sinks holds the stats of isolated sinks (see [Isolated]) by sink name.
	Sinks map[string]TableStats
}

// consumerStats is the mutable state behind [ConsumerStats]; its mutex guards small
// fields written by the pipeline and the sarama callbacks, read by Stats.
type consumerStats struct {
	mu     sync.Mutex
	s      ConsumerStats
	parts  map[offsets.Partition]*PartitionStats
	claims map[offsets.Partition]claimRef
	onErr  func(error)
}

// exception records err and passes it to the error hook.
func (cs *consumerStats) exception(err error) {
	cs.record(err)
	cs.onErr(err)
}

// record keeps err among the last exceptions without calling the hook.
func (cs *consumerStats) record(err error) {
	cs.mu.Lock()
	cs.s.Exceptions = append(cs.s.Exceptions, Exception{Time: time.Now(), Text: err.Error()})
	if n := len(cs.s.Exceptions); n > maxExceptions {
		cs.s.Exceptions = slices.Delete(cs.s.Exceptions, 0, n-maxExceptions)
	}
	cs.mu.Unlock()
}

func (cs *consumerStats) assigned(memberID string, claims map[string][]int32) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.s.MemberID = memberID
	cs.s.RebalanceAssignments++
	cs.parts = map[offsets.Partition]*PartitionStats{}
	cs.claims = map[offsets.Partition]claimRef{}
	for topic, parts := range claims {
		for _, p := range parts {
			cs.parts[offsets.Partition{Topic: topic, Partition: p}] = &PartitionStats{Topic: topic, Partition: p, Current: -1, Committed: -1, HighWatermark: -1}
		}
	}
}

func (cs *consumerStats) revoked() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.s.RebalanceRevocations++
	cs.s.LastRebalanceTime = time.Now()
	cs.parts, cs.claims = nil, nil
}

// polled records one poll batch: n messages and the next offset of each partition read.
func (cs *consumerStats) polled(n int, now time.Time, next map[offsets.Partition]int64) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.s.MessagesRead += uint64(n)
	cs.s.LastPollTime = now
	cs.s.InUse = true
	for k, off := range next {
		if ps := cs.parts[k]; ps != nil {
			ps.Current = off
		}
	}
}

// highWaterer is what the stats read of a sarama claim.
type highWaterer interface{ HighWaterMarkOffset() int64 }

// claimRef is a partition's claim: it gives the high watermark (sarama updates it with
// each fetch, also while the claim's goroutine waits for the pipeline). oldest: the claim
// reads from the oldest offset (no committed offset, kafka_auto_offset_reset =
// 'earliest'), so unread counts the partition from offset 0.
type claimRef struct {
	hw     highWaterer
	oldest bool
}

// claimed records where a claim starts; the partition's high watermark is read from the
// claim from then on.
func (cs *consumerStats) claimed(k offsets.Partition, initial int64, claim highWaterer) {
	cs.mu.Lock()
	if ps := cs.parts[k]; ps != nil {
		if ps.Committed < 0 && initial >= 0 { // not the OffsetNewest/OffsetOldest sentinels
			ps.Committed = initial
		}
		cs.claims[k] = claimRef{hw: claim, oldest: initial == sarama.OffsetOldest}
	}
	cs.mu.Unlock()
}

// refreshLocked reads the partitions' high watermarks from their claims; cs.mu is held.
func (cs *consumerStats) refreshLocked() {
	for k, c := range cs.claims {
		if ps := cs.parts[k]; ps != nil {
			ps.HighWatermark = c.hw.HighWaterMarkOffset()
		}
	}
}

// unread is the number of messages the assigned partitions hold beyond those read: high
// watermark minus the next offset to read. Before a partition's first read that is the
// committed offset, or 0 for a claim reading from the oldest offset (retention may have
// removed the first ones: an overestimate); a claim reading from the newest counts none.
func (cs *consumerStats) unread() int64 {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.refreshLocked()
	var n int64
	for k, ps := range cs.parts {
		from := ps.Current
		if from < 0 {
			from = ps.Committed
		}
		if from < 0 && cs.claims[k].oldest {
			from = 0
		}
		if from >= 0 && ps.HighWatermark > from {
			n += ps.HighWatermark - from
		}
	}
	return n
}

// uncommitted records the timestamp of the first message of a partition in a block; the
// consumer is in use from then on (never an uncommitted age on an idle consumer).
func (cs *consumerStats) uncommitted(k offsets.Partition, ts time.Time) {
	cs.mu.Lock()
	cs.s.InUse = true
	if ps := cs.parts[k]; ps != nil && ps.OldestUncommitted.IsZero() {
		ps.OldestUncommitted = ts
	}
	cs.mu.Unlock()
}

// dropped forgets the uncommitted messages of a block that will be read again.
func (cs *consumerStats) dropped() {
	cs.mu.Lock()
	for _, ps := range cs.parts {
		ps.OldestUncommitted = time.Time{}
	}
	cs.mu.Unlock()
}

func (cs *consumerStats) broken() {
	cs.mu.Lock()
	cs.s.BrokenMessages++
	cs.mu.Unlock()
}

func (cs *consumerStats) committed(offsets map[offsets.Partition]int64) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.s.Commits++
	cs.s.LastCommitTime = time.Now()
	cs.s.InUse = false
	for k, off := range offsets {
		if ps := cs.parts[k]; ps != nil {
			ps.Committed = off
			ps.OldestUncommitted = time.Time{}
		}
	}
}

func (cs *consumerStats) idle() {
	cs.mu.Lock()
	cs.s.InUse = false
	cs.mu.Unlock()
}

func (cs *consumerStats) snapshot() ConsumerStats {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.refreshLocked()
	s := cs.s
	s.Exceptions = slices.Clone(cs.s.Exceptions)
	s.Assignments = make([]PartitionStats, 0, len(cs.parts))
	now := time.Now()
	for _, ps := range cs.parts {
		p := *ps
		if p.HighWatermark >= 0 && p.Committed >= 0 {
			p.Lag = max(0, p.HighWatermark-p.Committed)
		}
		s.Lag += p.Lag
		if !p.OldestUncommitted.IsZero() {
			s.OldestUncommittedAge = max(s.OldestUncommittedAge, now.Sub(p.OldestUncommitted))
		}
		s.Assignments = append(s.Assignments, p)
	}
	slices.SortFunc(s.Assignments, func(a, b PartitionStats) int {
		if a.Topic != b.Topic {
			if a.Topic < b.Topic {
				return -1
			}
			return 1
		}
		return int(a.Partition - b.Partition)
	})
	return s
}
