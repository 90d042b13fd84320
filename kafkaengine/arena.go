package kafkaengine

import (
	"bytes"
	"time"

	"github.com/IBM/sarama"

	"github.com/chkafka/chkafka/virtualcols"
)

// message is what the pipeline keeps of a message of the block in progress: enough to
// decode it again when the block is rebuilt. Key, value and headers are copies in the
// block's arena, so that a block does not keep sarama's messages and, through them, the
// fetch responses they point into (measured: 400-600 bytes per queue message pinned,
// against about 250 for a copy of the payload and this struct).
type message struct {
	gen       *generation
	topic     string // sarama's string, shared by the partition's messages
	offset    int64
	ts        int64 // milliseconds since the epoch, if hasTS
	partition int32
	hasTS     bool
	key, val  []byte // in the arena; nil when the message had none
	hdrs      [2]int // a range of arena.hdrs
}

// arenaChunk is the size of the arena's chunks; a value above a quarter of it gets an
// allocation of its own.
const arenaChunk = 1 << 20

// arena holds copies of the bytes of the block's messages in chunks that are reused
// block after block: in steady state, keeping a message allocates nothing, and nothing
// is copied twice (a growing slice would move the block's bytes at every doubling).
type arena struct {
	chunks [][]byte // kept across blocks
	cur    int      // the chunk being filled
	hdrs   []virtualcols.Header
}

// keep copies what the pipeline needs of m into the arena.
func (a *arena) keep(gen *generation, m *sarama.ConsumerMessage) message {
	k := message{
		gen:       gen,
		topic:     m.Topic,
		offset:    m.Offset,
		partition: m.Partition,
		hasTS:     !m.Timestamp.IsZero(),
		key:       a.add(m.Key),
		val:       a.add(m.Value),
	}
	if k.hasTS {
		k.ts = m.Timestamp.UnixMilli()
	}
	k.hdrs[0] = len(a.hdrs)
	for _, h := range m.Headers {
		if h != nil {
			a.hdrs = append(a.hdrs, virtualcols.Header{Key: a.add(h.Key), Value: a.add(h.Value)})
		}
	}
	k.hdrs[1] = len(a.hdrs)
	return k
}

// add returns a copy of b in the arena; nil stays nil, empty stays empty.
func (a *arena) add(b []byte) []byte {
	if b == nil {
		return nil
	}
	if len(b) > arenaChunk/4 {
		return bytes.Clone(b)
	}
	for a.cur < len(a.chunks) && len(a.chunks[a.cur])+len(b) > cap(a.chunks[a.cur]) {
		a.cur++
	}
	if a.cur == len(a.chunks) {
		a.chunks = append(a.chunks, make([]byte, 0, arenaChunk))
	}
	c := a.chunks[a.cur]
	off := len(c)
	c = append(c, b...)
	a.chunks[a.cur] = c
	return c[off:len(c):len(c)]
}

// reset forgets every message, keeping the chunks for the next block.
func (a *arena) reset() {
	for i := range a.chunks {
		a.chunks[i] = a.chunks[i][:0]
	}
	a.cur = 0
	clear(a.hdrs)
	a.hdrs = a.hdrs[:0]
}

// timestamp returns the message's timestamp, the zero time if it had none.
func (m *message) timestamp() time.Time {
	if !m.hasTS {
		return time.Time{}
	}
	return time.UnixMilli(m.ts)
}

// meta fills dst with the virtual-column values of m. The headers are the arena's:
// valid until it is reset.
func (a *arena) meta(dst *virtualcols.Message, m *message) {
	*dst = virtualcols.Message{
		Topic:        m.topic,
		Partition:    m.partition,
		Offset:       m.offset,
		Key:          m.key,
		Timestamp:    m.timestamp(),
		HasTimestamp: m.hasTS && m.ts >= 0,
		Headers:      a.hdrs[m.hdrs[0]:m.hdrs[1]:m.hdrs[1]],
	}
}
