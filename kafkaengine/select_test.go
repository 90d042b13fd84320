package kafkaengine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkatest"
)

func selectKeys(t *testing.T, tbl *kafkaengine.Table) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec, err := tbl.Select(ctx)
	require.NoError(t, err)
	defer rec.Release()
	var out []string
	col := rec.Column(0)
	for i := range col.Len() {
		out = append(out, col.ValueStr(i))
	}
	return out
}

// selectUntil selects with kafka_commit_on_select until n rows came back in all, as
// ClickHouse's tests do (`result += SELECT ...`): one select returns what one poll batch
// had buffered.
func selectUntil(t *testing.T, tbl *kafkaengine.Table, n int) []string {
	t.Helper()
	var keys []string
	for len(keys) < n {
		got := selectKeys(t, tbl)
		require.NotEmpty(t, got, "a select after %d of %d rows returned nothing", len(keys), n)
		keys = append(keys, got...)
	}
	return keys
}

// Without kafka_commit_on_select the same messages come back on the next select; with
// it, each select returns new messages; an empty topic gives no rows (SPEC §6).
func TestSelect(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("sel", 1), kafkatest.Topic("empty", 1))
	produceSpread(t, c, "sel", 1, jsonRows(0, 5))
	all := []string{"0", "1", "2", "3", "4"}

	peek := newTable(t, baseSettings(c, "sel", "peek"), kvCols, kafkaengine.WithAllocator(mem))
	for range 2 {
		got := selectKeys(t, peek)
		require.NotEmpty(t, got)
		assert.Equal(t, all[:len(got)], got, "not committed: read again from the start")
	}
	assert.Equal(t, int64(0), committedTotal(t, c, "peek", "sel"))

	s := baseSettings(c, "sel", "commit")
	s.CommitOnSelect = true
	read := newTable(t, s, kvCols, kafkaengine.WithAllocator(mem))
	assert.Equal(t, all, selectUntil(t, read, 5))
	assert.Equal(t, int64(5), committedTotal(t, c, "commit", "sel"))
	produceSpread(t, c, "sel", 1, jsonRows(5, 8))
	assert.Equal(t, []string{"5", "6", "7"}, selectUntil(t, read, 3))

	empty := newTable(t, baseSettings(c, "empty", "g"), kvCols, kafkaengine.WithAllocator(mem))
	assert.Empty(t, selectKeys(t, empty))
}

// A running table with sinks refuses a direct select; without sinks its consumers
// serve it.
func TestSelectWhileRunning(t *testing.T) {
	c := newCluster(t, kafkatest.Topic("run", 1))
	produceSpread(t, c, "run", 1, jsonRows(0, 3))
	s := baseSettings(c, "run", "g")
	s.CommitOnSelect = true
	tbl := newTable(t, s, kvCols)
	start(t, tbl)
	assert.Equal(t, []string{"0", "1", "2"}, selectUntil(t, tbl, 3))

	require.NoError(t, tbl.Attach("mv", newCollector(t)))
	_, err := tbl.Select(context.Background())
	assert.ErrorIs(t, err, kafkaengine.ErrSelectNotAllowed)
}
