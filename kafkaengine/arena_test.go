package kafkaengine

import (
	"bytes"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/virtualcols"
)

// The arena keeps nil and empty apart, copies (never aliases) sarama's bytes, keeps
// large values whole, and gives the same bytes back after its chunks are reused.
func TestArenaKeep(t *testing.T) {
	var a arena
	big := bytes.Repeat([]byte{'x'}, arenaChunk/2)
	filler := bytes.Repeat([]byte{'f'}, 300)
	ts := time.UnixMilli(1700000000123)
	msgs := []*sarama.ConsumerMessage{
		{Topic: "t", Partition: 1, Offset: 7, Key: []byte("k"), Value: []byte(`{"a":1}`), Timestamp: ts,
			Headers: []*sarama.RecordHeader{{Key: []byte("h"), Value: []byte("v")}, nil, {Key: []byte(""), Value: nil}}},
		{Topic: "t", Partition: 1, Offset: 8, Value: nil},      // tombstone, no key, no timestamp
		{Topic: "t", Partition: 2, Offset: 9, Value: []byte{}}, // empty value
		{Topic: "t", Partition: 2, Offset: 10, Value: big},     // its own allocation
	}
	for range 3 { // the chunks of the previous round are reused
		for range 5000 { // 1.5 MB: more than one chunk
			a.add(filler)
		}
		var kept []message
		for _, m := range msgs {
			kept = append(kept, a.keep(nil, m))
		}
		msgs[0].Value[0] = '!' // sarama's buffer is reused: the copy must not change
		var meta virtualcols.Message
		a.meta(&meta, &kept[0])
		assert.Equal(t, `{"a":1}`, string(kept[0].val))
		assert.Equal(t, "k", string(meta.Key))
		assert.Equal(t, ts, meta.Timestamp)
		assert.True(t, meta.HasTimestamp)
		assert.Equal(t, []virtualcols.Header{{Key: []byte("h"), Value: []byte("v")}, {Key: []byte{}, Value: nil}}, meta.Headers)
		assert.Equal(t, int64(7), meta.Offset)
		msgs[0].Value[0] = '{'

		assert.Nil(t, kept[1].val)
		assert.Nil(t, kept[1].key)
		a.meta(&meta, &kept[1])
		assert.False(t, meta.HasTimestamp)
		assert.True(t, meta.Timestamp.IsZero())
		assert.Empty(t, meta.Headers)
		require.NotNil(t, kept[2].val)
		assert.Empty(t, kept[2].val)
		assert.Equal(t, big, kept[3].val)
		a.reset()
	}
	assert.LessOrEqual(t, len(a.chunks), 2, "chunks are reused, not added per block")
}
