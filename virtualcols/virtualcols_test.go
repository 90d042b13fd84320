package virtualcols_test

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/virtualcols"
)

func TestNames(t *testing.T) {
	want := []string{"_topic", "_key", "_offset", "_partition", "_timestamp", "_timestamp_ms",
		"_headers.name", "_headers.value", "_raw_message", "_error"}
	assert.Equal(t, want, virtualcols.Names())
	names := virtualcols.Names()
	names[0] = "changed"
	assert.Equal(t, "_topic", virtualcols.Names()[0], "Names returns a copy")
	for _, n := range want {
		assert.True(t, virtualcols.IsVirtual(n), n)
	}
	for _, n := range []string{"", "topic", "_Topic", "_headers", "_table", "key"} {
		assert.False(t, virtualcols.IsVirtual(n), n)
	}
}

func TestField(t *testing.T) {
	tests := []struct {
		name     string
		typ      string
		nullable bool
		chType   string
	}{
		{virtualcols.Topic, "dictionary<values=utf8, indices=int32, ordered=false>", false, "LowCardinality(String)"},
		{virtualcols.Key, "utf8", false, "String"},
		{virtualcols.Offset, "uint64", false, "UInt64"},
		{virtualcols.Partition, "uint64", false, "UInt64"},
		{virtualcols.Timestamp, "timestamp[s, tz=UTC]", true, "Nullable(DateTime)"},
		{virtualcols.TimestampMs, "timestamp[ms, tz=UTC]", true, "Nullable(DateTime64(3))"},
		{virtualcols.HeadersName, "list<item: utf8>", false, "Array(String)"},
		{virtualcols.HeadersValue, "list<item: utf8>", false, "Array(String)"},
		{virtualcols.RawMessage, "utf8", false, "String"},
		{virtualcols.Error, "utf8", false, "String"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := virtualcols.Field(tt.name)
			require.NoError(t, err)
			assert.Equal(t, tt.name, f.Name)
			assert.Equal(t, tt.typ, f.Type.String())
			assert.Equal(t, tt.nullable, f.Nullable)
			v, ok := f.Metadata.GetValue("clickhouse.type")
			require.True(t, ok)
			assert.Equal(t, tt.chType, v)
		})
	}
	_, err := virtualcols.Field("_nope")
	require.ErrorIs(t, err, virtualcols.ErrUnknownColumn)
	assert.Contains(t, err.Error(), `"_nope"`)
}

func TestNewColumnsErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	_, err := virtualcols.NewColumns(mem, []string{virtualcols.Key, "_bogus"})
	require.ErrorIs(t, err, virtualcols.ErrUnknownColumn)
	_, err = virtualcols.NewColumns(mem, []string{virtualcols.Key, virtualcols.Offset, virtualcols.Key})
	require.ErrorContains(t, err, `"_key" requested twice`)

	c, err := virtualcols.NewColumns(mem, nil)
	require.NoError(t, err)
	c.Append(&virtualcols.Message{}, 3)
	assert.Equal(t, 3, c.Len())
	assert.Empty(t, c.NewArrays())
	assert.Equal(t, 0, c.Len())
	c.Release()
	c.Release() // idempotent
}

func headers(kv ...string) []virtualcols.Header {
	var hs []virtualcols.Header
	for i := 0; i < len(kv); i += 2 {
		hs = append(hs, virtualcols.Header{Key: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return hs
}

func strList(t *testing.T, arr arrow.Array, i int) []string {
	t.Helper()
	l := arr.(*array.List)
	start, end := l.ValueOffsets(i)
	vals := l.ListValues().(*array.String)
	out := []string{}
	for j := start; j < end; j++ {
		out = append(out, vals.Value(int(j)))
	}
	return out
}

// TestVirtualColumns2 reproduces test_kafka_virtual_columns2 (VECTORS.md §5.3).
func TestVirtualColumns2(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	c, err := virtualcols.NewColumns(mem, virtualcols.Names())
	require.NoError(t, err)
	defer c.Release()
	require.Len(t, c.Fields(), 10)

	type msg struct {
		topic     string
		part      int32
		off       int64
		key       string
		ms        int64
		hdrs      []virtualcols.Header
		wantNames []string
		wantVals  []string
	}
	msgs := []msg{
		{"virt2_0", 0, 0, "k1", 1577836801001, headers("content-encoding", "base64"), []string{"content-encoding"}, []string{"base64"}},
		{"virt2_0", 0, 1, "k2", 1577836802002, headers("empty_value", "", "", "empty name", "", "", "repetition", "1", "repetition", "2"),
			[]string{"empty_value", "", "", "repetition", "repetition"}, []string{"", "empty name", "", "1", "2"}},
		{"virt2_0", 1, 0, "k3", 1577836803003, headers("b", "b", "a", "a"), []string{"b", "a"}, []string{"b", "a"}},
		{"virt2_0", 1, 1, "k4", 1577836804004, headers("a", "a", "b", "b"), []string{"a", "b"}, []string{"a", "b"}},
		{"virt2_1", 0, 0, "k5", 1577836805005, nil, []string{}, []string{}},
		{"virt2_1", 0, 1, "k6", 1577836806006, nil, []string{}, []string{}},
		{"virt2_1", 1, 0, "k7", 1577836807007, nil, []string{}, []string{}},
		{"virt2_1", 1, 1, "k8", 1577836808008, nil, []string{}, []string{}},
	}
	for _, m := range msgs {
		c.Append(&virtualcols.Message{
			Topic: m.topic, Partition: m.part, Offset: m.off, Key: []byte(m.key),
			Timestamp: time.UnixMilli(m.ms), HasTimestamp: true, Headers: m.hdrs,
		}, 1)
	}
	require.Equal(t, len(msgs), c.Len())
	arrs := c.NewArrays()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	assert.Equal(t, 0, c.Len())
	for i, a := range arrs {
		require.Equal(t, len(msgs), a.Len(), c.Fields()[i].Name)
		require.True(t, arrow.TypeEqual(c.Fields()[i].Type, a.DataType()), c.Fields()[i].Name)
	}
	topic := arrs[0].(*array.Dictionary)
	assert.Equal(t, 2, topic.Dictionary().Len(), "one dictionary entry per distinct topic")
	for i, m := range msgs {
		assert.Equal(t, m.topic, topic.Dictionary().(*array.String).Value(topic.GetValueIndex(i)))
		assert.Equal(t, m.key, arrs[1].(*array.String).Value(i))
		assert.Equal(t, uint64(m.off), arrs[2].(*array.Uint64).Value(i))
		assert.Equal(t, uint64(m.part), arrs[3].(*array.Uint64).Value(i))
		assert.Equal(t, arrow.Timestamp(m.ms/1000), arrs[4].(*array.Timestamp).Value(i), "_timestamp truncates ms")
		assert.Equal(t, arrow.Timestamp(m.ms), arrs[5].(*array.Timestamp).Value(i))
		assert.Equal(t, m.wantNames, strList(t, arrs[6], i))
		assert.Equal(t, m.wantVals, strList(t, arrs[7], i))
		assert.Equal(t, "", arrs[8].(*array.String).Value(i))
		assert.Equal(t, "", arrs[9].(*array.String).Value(i))
		assert.False(t, arrs[4].IsNull(i))
	}
}

func TestAppendManyRowsPerMessage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	c, err := virtualcols.NewColumns(mem, []string{virtualcols.Timestamp, virtualcols.TimestampMs, virtualcols.Key,
		virtualcols.Topic, virtualcols.RawMessage, virtualcols.Error, virtualcols.HeadersValue})
	require.NoError(t, err)
	defer c.Release()

	// virt1: 25 rows per message, timestamp 0 -> 1970-01-01, null key -> "".
	c.Append(&virtualcols.Message{Topic: "virt1", Timestamp: time.UnixMilli(0), HasTimestamp: true}, 25)
	// no timestamp -> NULL; nil header value -> "".
	c.Append(&virtualcols.Message{Topic: "other", Key: []byte("k"), Headers: []virtualcols.Header{{Key: []byte("h")}}}, 2)
	// stream-mode error row.
	c.Append(&virtualcols.Message{Topic: "virt1", Raw: []byte("garbage"), Err: "bad json"}, 1)
	c.Append(&virtualcols.Message{Topic: "virt1"}, 0) // no rows

	arrs := c.NewArrays()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	ts, tsms, key := arrs[0].(*array.Timestamp), arrs[1].(*array.Timestamp), arrs[2].(*array.String)
	topic, raw, errs := arrs[3].(*array.Dictionary), arrs[4].(*array.String), arrs[5].(*array.String)
	require.Equal(t, 28, ts.Len())
	for i := range 25 {
		require.False(t, ts.IsNull(i))
		assert.Equal(t, arrow.Timestamp(0), ts.Value(i))
		assert.Equal(t, arrow.Timestamp(0), tsms.Value(i))
		assert.Equal(t, "", key.Value(i))
		assert.False(t, key.IsNull(i))
	}
	assert.Equal(t, "1970-01-01T00:00:00Z", ts.ValueStr(0))
	for _, i := range []int{25, 26} {
		assert.True(t, ts.IsNull(i))
		assert.True(t, tsms.IsNull(i))
		assert.Equal(t, "k", key.Value(i))
		assert.Equal(t, []string{""}, strList(t, arrs[6], i))
	}
	assert.Equal(t, 3, ts.NullN(), "rows 25-27 have no timestamp")
	assert.Equal(t, "garbage", raw.Value(27))
	assert.Equal(t, "bad json", errs.Value(27))
	assert.Equal(t, "", raw.Value(0))
	dict := topic.Dictionary().(*array.String)
	require.Equal(t, 2, dict.Len())
	assert.Equal(t, "virt1", dict.Value(topic.GetValueIndex(0)))
	assert.Equal(t, "other", dict.Value(topic.GetValueIndex(25)))
	assert.Equal(t, "virt1", dict.Value(topic.GetValueIndex(27)))

	// The dictionary restarts with each batch.
	c.Append(&virtualcols.Message{Topic: "third"}, 1)
	arrs2 := c.NewArrays()
	defer func() {
		for _, a := range arrs2 {
			a.Release()
		}
	}()
	d2 := arrs2[3].(*array.Dictionary)
	require.Equal(t, 1, d2.Dictionary().Len())
	assert.Equal(t, "third", d2.Dictionary().(*array.String).Value(d2.GetValueIndex(0)))
}

func TestAppendSteadyStateAllocs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	c, err := virtualcols.NewColumns(mem, virtualcols.Names())
	require.NoError(t, err)
	defer c.Release()
	m := &virtualcols.Message{Topic: "t", Key: []byte("key"), Offset: 1, HasTimestamp: true,
		Timestamp: time.UnixMilli(1577836801001), Headers: headers("a", "b")}
	for range 5000 {
		c.Append(m, 1)
	}
	allocs := testing.AllocsPerRun(1000, func() { c.Append(m, 1) })
	assert.Zero(t, allocs)
	for _, a := range c.NewArrays() {
		a.Release()
	}
}
