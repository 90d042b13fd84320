package kafkaengine

import (
	"slices"
	"sync"
	"time"

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
	// Committed is the group's committed offset ("next offset to read") as last
	// committed by this consumer, -1 if it committed none in this assignment.
	Committed int64
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
}

// consumerStats is the mutable state behind [ConsumerStats]; its mutex guards small
// fields written by the pipeline and the sarama callbacks, read by Stats.
type consumerStats struct {
	mu    sync.Mutex
	s     ConsumerStats
	parts map[offsets.Partition]*PartitionStats
	onErr func(error)
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
	for topic, parts := range claims {
		for _, p := range parts {
			cs.parts[offsets.Partition{Topic: topic, Partition: p}] = &PartitionStats{Topic: topic, Partition: p, Current: -1, Committed: -1}
		}
	}
}

func (cs *consumerStats) revoked() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.s.RebalanceRevocations++
	cs.s.LastRebalanceTime = time.Now()
	cs.parts = nil
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
	s := cs.s
	s.Exceptions = slices.Clone(cs.s.Exceptions)
	s.Assignments = make([]PartitionStats, 0, len(cs.parts))
	for _, ps := range cs.parts {
		s.Assignments = append(s.Assignments, *ps)
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
