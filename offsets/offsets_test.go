package offsets_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/chkafka/chkafka/offsets"
)

func TestTracker(t *testing.T) {
	var tr offsets.Tracker
	assert.Equal(t, 0, tr.Len())
	tr.Mark("a", 0, 5)
	tr.Mark("a", 0, 6)
	tr.Mark("a", 1, 0)
	tr.Mark("b", 0, 41)
	tr.Mark("a", 0, 9)
	assert.Equal(t, map[offsets.Partition]int64{
		{Topic: "a", Partition: 0}: 10,
		{Topic: "a", Partition: 1}: 1,
		{Topic: "b", Partition: 0}: 42,
	}, tr.Offsets())
	assert.Equal(t, 3, tr.Len())
	tr.Reset()
	assert.Empty(t, tr.Offsets())
	tr.Mark("c", 2, 0)
	assert.Equal(t, map[offsets.Partition]int64{{Topic: "c", Partition: 2}: 1}, tr.Offsets())
}
