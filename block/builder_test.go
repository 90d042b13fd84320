package block

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/virtualcols"
)

const (
	nullIn    = "\x00NULL" // AppendNull
	defaultIn = "\x00SKIP" // not set: EndRow gives the default
)

// allTypes has one column per type of the mapping, three input rows in ClickHouse text form
// and the expected cells.
var allTypes = []struct {
	def  string
	in   [3]string
	want [3]string
}{
	{"i8 Int8", [3]string{"-128", "127", defaultIn}, [3]string{"-128", "127", "0"}},
	{"i16 Int16", [3]string{"-32768", "5", defaultIn}, [3]string{"-32768", "5", "0"}},
	{"i32 Int32", [3]string{"-2147483648", "7", defaultIn}, [3]string{"-2147483648", "7", "0"}},
	{"i64 Int64", [3]string{"-9223372036854775808", "9", defaultIn}, [3]string{"-9223372036854775808", "9", "0"}},
	{"u8 UInt8", [3]string{"255", "1", defaultIn}, [3]string{"255", "1", "0"}},
	{"u16 UInt16", [3]string{"65535", "2", defaultIn}, [3]string{"65535", "2", "0"}},
	{"u32 UInt32", [3]string{"4294967295", "3", defaultIn}, [3]string{"4294967295", "3", "0"}},
	{"u64 UInt64", [3]string{"18446744073709551615", "4", defaultIn}, [3]string{"18446744073709551615", "4", "0"}},
	{"f32 Float32", [3]string{"0.5", "-inf", defaultIn}, [3]string{"0.5", "-Inf", "0"}},
	{"f64 Float64", [3]string{"1e300", "nan", defaultIn}, [3]string{"1e+300", "NaN", "0"}},
	{"b Bool", [3]string{"true", "0", defaultIn}, [3]string{"true", "false", "false"}},
	{"s String", [3]string{"AM", "", defaultIn}, [3]string{"AM", "", ""}},
	{"fs FixedString(3)", [3]string{"abc", "a", defaultIn}, [3]string{"616263", "610000", "000000"}},
	{"d Date", [3]string{"2020-01-01", "2149-06-06", defaultIn}, [3]string{"2020-01-01", "2149-06-06", "1970-01-01"}},
	{"d32 Date32", [3]string{"1900-01-01", "2299-12-31", defaultIn}, [3]string{"1900-01-01", "2299-12-31", "1970-01-01"}},
	{"dt DateTime", [3]string{"2011-02-12 02:22:00", "1577836800", defaultIn}, [3]string{"2011-02-12 02:22:00", "2020-01-01 00:00:00", "1970-01-01 00:00:00"}},
	{"dtz DateTime('Asia/Istanbul')", [3]string{"2020-01-01 03:00:00", "0", defaultIn}, [3]string{"2020-01-01 00:00:00", "1970-01-01 00:00:00", "1970-01-01 00:00:00"}},
	{"dt64 DateTime64(3)", [3]string{"2020-01-01 10:20:30.123", "1577836800.5", defaultIn}, [3]string{"2020-01-01 10:20:30.123", "2020-01-01 00:00:00.5", "1970-01-01 00:00:00"}},
	// Istanbul was UTC+01:56:56 (local mean time) in 1900.
	{"dt64z DateTime64(6, 'Asia/Istanbul')", [3]string{"2020-01-01 03:00:00.000001", "1900-01-01 02:00:00", defaultIn}, [3]string{"2020-01-01 00:00:00.000001", "1900-01-01 00:03:04", "1970-01-01 00:00:00"}},
	{"dec Decimal(9, 2)", [3]string{"1234567.891", "-0.5", defaultIn}, [3]string{"1234567.89", "-0.50", "0.00"}},
	{"dec256 Decimal(40, 3)", [3]string{"-1234567890123456789012345678901234567.891", "1", defaultIn}, [3]string{"-1234567890123456789012345678901234567.891", "1.000", "0.000"}},
	{"uuid UUID", [3]string{"61f0c404-5cb3-11e7-907b-a6006ad3dba0", "00000000-0000-0000-0000-000000000001", defaultIn}, [3]string{"61f0c4045cb311e7907ba6006ad3dba0", "00000000000000000000000000000001", "00000000000000000000000000000000"}},
	{"e8 Enum8('a' = 1, 'b' = 2)", [3]string{"b", "1", defaultIn}, [3]string{"b", "a", "a"}},
	{"e16 Enum16('x' = -1000, 'y' = 1000, 'zero' = 0)", [3]string{"y", "-1000", defaultIn}, [3]string{"y", "x", "zero"}},
	{"n Nullable(Int32)", [3]string{"5", nullIn, defaultIn}, [3]string{"5", "NULL", "NULL"}},
	{"ns Nullable(String)", [3]string{"x", nullIn, defaultIn}, [3]string{"x", "NULL", "NULL"}},
	{"nd Nullable(Decimal(40, 3))", [3]string{nullIn, "2.5", defaultIn}, [3]string{"NULL", "2.500", "NULL"}},
	{"ne Nullable(Enum8('p' = 0, 'q' = 1))", [3]string{"q", nullIn, defaultIn}, [3]string{"q", "NULL", "NULL"}},
	{"nfs Nullable(FixedString(2))", [3]string{"zz", nullIn, defaultIn}, [3]string{"7a7a", "NULL", "NULL"}},
	{"nuuid Nullable(UUID)", [3]string{nullIn, "61f0c404-5cb3-11e7-907b-a6006ad3dba0", defaultIn}, [3]string{"NULL", "61f0c4045cb311e7907ba6006ad3dba0", "NULL"}},
	{"nb Nullable(Bool)", [3]string{"true", nullIn, defaultIn}, [3]string{"true", "NULL", "NULL"}},
	{"ndt Nullable(DateTime)", [3]string{nullIn, "2020-01-01 00:00:00", defaultIn}, [3]string{"NULL", "2020-01-01 00:00:00", "NULL"}},
	{"lc LowCardinality(String)", [3]string{"info", "info", defaultIn}, [3]string{"info", "info", ""}},
	{"lcn LowCardinality(Nullable(String))", [3]string{"warn", nullIn, defaultIn}, [3]string{"warn", "NULL", "NULL"}},
	{"lcu LowCardinality(UInt32)", [3]string{"7", "8", defaultIn}, [3]string{"7", "8", "0"}},
	{"lcfs LowCardinality(FixedString(2))", [3]string{"ab", "ab", defaultIn}, [3]string{"6162", "6162", "0000"}},
	{"lcd LowCardinality(Decimal(40, 3))", [3]string{"1.5", "1.5", defaultIn}, [3]string{"1.500", "1.500", "0.000"}},
	{"lcdt LowCardinality(DateTime)", [3]string{"2020-01-01 00:00:00", "2020-01-01 00:00:00", defaultIn}, [3]string{"2020-01-01 00:00:00", "2020-01-01 00:00:00", "1970-01-01 00:00:00"}},
	{"arr Array(Int32)", [3]string{"[1,2,3]", "[]", defaultIn}, [3]string{"[1,2,3]", "[]", "[]"}},
	{"arrlc Array(LowCardinality(String))", [3]string{"['bug','p1']", "['bug']", defaultIn}, [3]string{"[bug,p1]", "[bug]", "[]"}},
	{"arrn Array(Nullable(String))", [3]string{"['a',NULL]", "[NULL]", defaultIn}, [3]string{"[a,NULL]", "[NULL]", "[]"}},
	{"arre Array(Enum8('a' = 1, 'b' = 2))", [3]string{"['a','b','a']", "[]", defaultIn}, [3]string{"[a,b,a]", "[]", "[]"}},
	{"m Map(String, Array(Nullable(Int32)))", [3]string{"{'k': [1, NULL]}", "{'a': [], 'b': [2]}", defaultIn}, [3]string{"{k:[1,NULL]}", "{a:[],b:[2]}", "{}"}},
	{"mlc Map(LowCardinality(String), Nullable(UInt64))", [3]string{"{'k': NULL}", "{'k': 1}", defaultIn}, [3]string{"{k:NULL}", "{k:1}", "{}"}},
	{"t Tuple(a Int8, b String)", [3]string{"(1, 'x')", "(-1, '')", defaultIn}, [3]string{"(1,x)", "(-1,)", "(0,)"}},
	{"tu Tuple(Int8, Nullable(String))", [3]string{"(1, NULL)", "(2, 'y')", defaultIn}, [3]string{"(1,NULL)", "(2,y)", "(0,NULL)"}},
	{"at Array(Tuple(a Int8, b Array(String)))", [3]string{"[(1, ['x']), (2, [])]", "[]", defaultIn}, [3]string{"[(1,[x]),(2,[])]", "[]", "[]"}},
}

func stageRow(t *testing.T, rows *Rows, row int) {
	t.Helper()
	for i, tc := range allTypes {
		switch v := tc.in[row]; v {
		case defaultIn:
		case nullIn:
			require.NoError(t, rows.Col(i).AppendNull(), tc.def)
		default:
			require.NoError(t, rows.Col(i).AppendText([]byte(v)), tc.def)
		}
	}
	require.NoError(t, rows.EndRow())
}

func TestBuilderAllTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	defs := make([]string, len(allTypes))
	for i, tc := range allTypes {
		defs[i] = tc.def
	}
	cols := mustColumns(t, defs...)
	b, err := NewBuilder(mem, cols, []string{virtualcols.Topic, virtualcols.Offset, virtualcols.Key})
	require.NoError(t, err)
	defer b.Release()
	rows := NewRows(cols, Options{})

	// Message 1: row 0. Message 2: rows 1 and 2.
	stageRow(t, rows, 0)
	b.Append(rows, &virtualcols.Message{Topic: "t1", Offset: 10, Key: []byte("k")})
	rows.Reset()
	stageRow(t, rows, 1)
	stageRow(t, rows, 2)
	b.Append(rows, &virtualcols.Message{Topic: "t1", Offset: 11})
	rows.Reset()
	assert.Equal(t, 3, b.Len())

	rec := b.NewRecordBatch()
	defer rec.Release()
	assert.Equal(t, 0, b.Len())
	require.True(t, rec.Schema().Equal(b.Schema()))
	require.Equal(t, int64(3), rec.NumRows())
	require.Equal(t, int64(len(allTypes)+3), rec.NumCols())
	for i, tc := range allTypes {
		f := rec.Schema().Field(i)
		assert.Equal(t, cols[i].Name, f.Name)
		assert.True(t, arrow.TypeEqual(cols[i].Type.ArrowType(), rec.Column(i).DataType()), tc.def)
		assert.Equal(t, tc.want[:], column(rec.Column(i)), tc.def)
	}
	n := len(allTypes)
	assert.Equal(t, []string{"t1", "t1", "t1"}, column(rec.Column(n)))
	assert.Equal(t, []string{"10", "11", "11"}, column(rec.Column(n+1)))
	assert.Equal(t, []string{"k", "", ""}, column(rec.Column(n+2)))

	// Enum: the dictionary is the names in declaration order, indices are positions.
	e8 := rec.Column(indexOf(t, rec, "e8")).(*array.Dictionary)
	assert.Equal(t, []string{"a", "b"}, column(e8.Dictionary()))
	assert.Equal(t, []int8{1, 0, 0}, e8.Indices().(*array.Int8).Int8Values())
	e16 := rec.Column(indexOf(t, rec, "e16")).(*array.Dictionary)
	assert.Equal(t, []string{"x", "y", "zero"}, column(e16.Dictionary()))
	assert.Equal(t, []int16{1, 0, 2}, e16.Indices().(*array.Int16).Int16Values())
	// LowCardinality: one dictionary entry per distinct value of the batch.
	lc := rec.Column(indexOf(t, rec, "lc")).(*array.Dictionary)
	assert.Equal(t, []string{"info", ""}, column(lc.Dictionary()))
	assert.Equal(t, []int32{0, 0, 1}, lc.Indices().(*array.Int32).Int32Values())
	lcn := rec.Column(indexOf(t, rec, "lcn")).(*array.Dictionary)
	assert.Equal(t, []string{"warn"}, column(lcn.Dictionary()))
	assert.Equal(t, 2, lcn.NullN())
	assert.Equal(t, 3, rec.Column(indexOf(t, rec, "arrlc")).(*array.List).ListValues().Len())

	roundTripIPC(t, mem, rec)

	// A second batch restarts dictionaries and offsets.
	rows.Col(indexOf(t, rec, "lc")).AppendText([]byte("debug"))
	require.NoError(t, rows.EndRow())
	stageRow(t, rows, 0)
	b.Append(rows, &virtualcols.Message{Topic: "t2", Offset: 12})
	rows.Reset()
	rec2 := b.NewRecordBatch()
	defer rec2.Release()
	require.Equal(t, int64(2), rec2.NumRows())
	lc2 := rec2.Column(indexOf(t, rec2, "lc")).(*array.Dictionary)
	assert.Equal(t, []string{"debug", "info"}, column(lc2.Dictionary()))
	for i, tc := range allTypes {
		assert.Equal(t, tc.want[0], cell(rec2.Column(i), 1), tc.def)
	}
	assert.Equal(t, []string{"t2", "t2"}, column(rec2.Column(n)))
	roundTripIPC(t, mem, rec2)
}

// Several messages staged in one Rows and copied by range give the same block as one
// Rows per message; a message that failed half-way is truncated away (the engine's
// batch decoding).
func TestBuilderAppendRange(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	defs := make([]string, len(allTypes))
	for i, tc := range allTypes {
		defs[i] = tc.def
	}
	cols := mustColumns(t, defs...)
	virtual := []string{virtualcols.Topic, virtualcols.Offset}
	msgs := []*virtualcols.Message{{Topic: "t", Offset: 1}, {Topic: "t", Offset: 2}, {Topic: "t", Offset: 3}}

	// One Rows per message: rows 0 | 1, 2 | 0.
	want, err := NewBuilder(mem, cols, virtual)
	require.NoError(t, err)
	defer want.Release()
	rows := NewRows(cols, Options{})
	for i, stage := range [][]int{{0}, {1, 2}, {0}} {
		rows.Reset()
		for _, r := range stage {
			stageRow(t, rows, r)
		}
		want.Append(rows, msgs[i])
	}

	// One Rows for all: a broken message (a row and a half) between the first two.
	got, err := NewBuilder(mem, cols, virtual)
	require.NoError(t, err)
	defer got.Release()
	rows.Reset()
	stageRow(t, rows, 0)
	mark := rows.Len()
	stageRow(t, rows, 1)
	require.NoError(t, rows.Col(0).AppendText([]byte("7"))) // a partial row
	rows.Truncate(mark)
	assert.Equal(t, 1, rows.Len())
	stageRow(t, rows, 1)
	stageRow(t, rows, 2)
	stageRow(t, rows, 0)
	got.AppendRange(rows, 0, 1, msgs[0])
	got.AppendRange(rows, 1, 3, msgs[1])
	got.AppendRange(rows, 3, 3, msgs[1]) // empty: nothing
	got.AppendRange(rows, 3, 4, msgs[2])
	assert.Panics(t, func() { got.AppendRange(rows, 3, 5, msgs[2]) })
	assert.Panics(t, func() { rows.Truncate(5) })

	wr, gr := want.NewRecordBatch(), got.NewRecordBatch()
	defer wr.Release()
	defer gr.Release()
	require.Equal(t, wr.NumRows(), gr.NumRows())
	for i := range int(wr.NumCols()) {
		assert.Equal(t, column(wr.Column(i)), column(gr.Column(i)), wr.Schema().Field(i).Name)
	}
}

// AppendMessages of a batch gives what AppendRange per message gives: physical columns
// copied in one go, virtual columns per message, messages without rows skipped.
func TestBuilderAppendMessages(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	defs := make([]string, len(allTypes))
	for i, tc := range allTypes {
		defs[i] = tc.def
	}
	cols := mustColumns(t, defs...)
	virtual := []string{virtualcols.Topic, virtualcols.Offset, virtualcols.Key}
	rows := NewRows(cols, Options{})
	// Messages: rows 0 | (broken) | 1, 2 | (tombstone) | 0 | 2.
	var ends []int
	var metas []virtualcols.Message
	msg := func(stage ...int) {
		for _, r := range stage {
			stageRow(t, rows, r)
		}
		metas = append(metas, virtualcols.Message{Topic: "t", Offset: int64(len(metas)), Key: []byte{byte('a' + len(metas))}})
		ends = append(ends, rows.Len())
	}
	stageRow(t, rows, 2) // a row of an earlier message, not appended (lo = 1)
	msg(0)
	mark := rows.Len()
	stageRow(t, rows, 1)
	require.NoError(t, rows.Col(0).AppendText([]byte("7"))) // a partial row
	rows.Truncate(mark)
	msg()
	msg(1, 2)
	msg()
	msg(0)
	msg(2)

	want, err := NewBuilder(mem, cols, virtual)
	require.NoError(t, err)
	defer want.Release()
	got, err := NewBuilder(mem, cols, virtual)
	require.NoError(t, err)
	defer got.Release()
	for round := range 2 { // the second round appends to a builder that has rows
		lo := 1
		for i, end := range ends {
			want.AppendRange(rows, lo, end, &metas[i])
			lo = end
		}
		got.AppendMessages(rows, 1, ends, metas)
		require.Equal(t, want.Len(), got.Len(), "round %d", round)
	}
	got.AppendMessages(rows, 3, nil, nil) // nothing
	got.AppendMessages(rows, 3, []int{3}, metas[:1])
	assert.Panics(t, func() { got.AppendMessages(rows, 1, ends, metas[1:]) })
	assert.Panics(t, func() { got.AppendMessages(rows, 1, []int{3, 2}, metas[:2]) })
	assert.Panics(t, func() { got.AppendMessages(rows, 1, []int{rows.Len() + 1}, metas[:1]) })
	assert.Panics(t, func() { got.AppendMessages(rows, -1, []int{1}, metas[:1]) })

	wr, gr := want.NewRecordBatch(), got.NewRecordBatch()
	defer wr.Release()
	defer gr.Release()
	require.Equal(t, int64(2*(rows.Len()-1)), gr.NumRows())
	require.Equal(t, wr.NumRows(), gr.NumRows())
	for i := range int(wr.NumCols()) {
		assert.Equal(t, column(wr.Column(i)), column(gr.Column(i)), wr.Schema().Field(i).Name)
	}
	assert.Equal(t, []string{"0", "2", "2", "4", "5", "0", "2", "2", "4", "5"}, column(gr.Column(indexOf(t, gr, virtualcols.Offset))))
	roundTripIPC(t, mem, gr)
}

func indexOf(t *testing.T, rec arrow.RecordBatch, name string) int {
	t.Helper()
	idx := rec.Schema().FieldIndices(name)
	require.Len(t, idx, 1, name)
	return idx[0]
}

// roundTripIPC writes rec as an Arrow IPC stream and reads it back: the reader validates
// buffers and offsets, and the values must survive.
func roundTripIPC(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch) {
	t.Helper()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	r, err := ipc.NewReader(&buf, ipc.WithAllocator(mem))
	require.NoError(t, err)
	defer r.Release()
	require.True(t, r.Next(), "%v", r.Err())
	got := r.RecordBatch()
	for i := range int(rec.NumCols()) {
		require.True(t, array.ApproxEqual(rec.Column(i), got.Column(i), array.WithNaNsEqual(true)),
			"IPC round trip changed column %s: %v vs %v", rec.Schema().Field(i).Name, rec.Column(i), got.Column(i))
	}
	require.False(t, r.Next())
	require.NoError(t, r.Err())
}

// TestBuilderVirtualColumns2 feeds the messages of test_kafka_virtual_columns2
// (VECTORS.md §5.3) through Rows and Builder.
func TestBuilderVirtualColumns2(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols := mustColumns(t, "value UInt64")
	b, err := NewBuilder(mem, cols, []string{virtualcols.Key, virtualcols.Topic, virtualcols.Partition, virtualcols.Offset,
		virtualcols.Timestamp, virtualcols.TimestampMs, virtualcols.HeadersName, virtualcols.HeadersValue})
	require.NoError(t, err)
	defer b.Release()
	rows := NewRows(cols, Options{})
	hdr := func(kv ...string) []virtualcols.Header {
		var hs []virtualcols.Header
		for i := 0; i < len(kv); i += 2 {
			hs = append(hs, virtualcols.Header{Key: []byte(kv[i]), Value: []byte(kv[i+1])})
		}
		return hs
	}
	msgs := []struct {
		topic string
		part  int32
		off   int64
		key   string
		ms    int64
		hdrs  []virtualcols.Header
	}{
		{"virt2_0", 0, 0, "k1", 1577836801001, hdr("content-encoding", "base64")},
		{"virt2_0", 0, 1, "k2", 1577836802002, hdr("empty_value", "", "", "empty name", "", "", "repetition", "1", "repetition", "2")},
		{"virt2_0", 1, 0, "k3", 1577836803003, hdr("b", "b", "a", "a")},
		{"virt2_0", 1, 1, "k4", 1577836804004, hdr("a", "a", "b", "b")},
		{"virt2_1", 0, 0, "k5", 1577836805005, nil},
		{"virt2_1", 0, 1, "k6", 1577836806006, nil},
		{"virt2_1", 1, 0, "k7", 1577836807007, nil},
		{"virt2_1", 1, 1, "k8", 1577836808008, nil},
	}
	for i, m := range msgs {
		require.NoError(t, rows.Col(0).AppendUint(uint64(i+1)))
		require.NoError(t, rows.EndRow())
		b.Append(rows, &virtualcols.Message{Topic: m.topic, Partition: m.part, Offset: m.off, Key: []byte(m.key),
			Timestamp: time.UnixMilli(m.ms), HasTimestamp: true, Headers: m.hdrs})
		rows.Reset()
	}
	// A message without key, timestamp and headers, and one with timestamp 0 (virt1).
	require.NoError(t, rows.Col(0).AppendUint(9))
	require.NoError(t, rows.EndRow())
	b.Append(rows, &virtualcols.Message{Topic: "virt1", Offset: 5})
	rows.Reset()
	require.NoError(t, rows.Col(0).AppendUint(10))
	require.NoError(t, rows.EndRow())
	b.Append(rows, &virtualcols.Message{Topic: "virt1", Offset: 6, Timestamp: time.UnixMilli(0), HasTimestamp: true})
	rows.Reset()

	rec := b.NewRecordBatch()
	defer rec.Release()
	got := make([][]string, rec.NumCols())
	for i := range got {
		got[i] = column(rec.Column(i))
	}
	assert.Equal(t, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, got[0])
	assert.Equal(t, []string{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "", ""}, got[1])
	assert.Equal(t, []string{"virt2_0", "virt2_0", "virt2_0", "virt2_0", "virt2_1", "virt2_1", "virt2_1", "virt2_1", "virt1", "virt1"}, got[2])
	assert.Equal(t, []string{"0", "0", "1", "1", "0", "0", "1", "1", "0", "0"}, got[3])
	assert.Equal(t, []string{"0", "1", "0", "1", "0", "1", "0", "1", "5", "6"}, got[4])
	ts := rec.Column(5).(*array.Timestamp)
	tsms := rec.Column(6).(*array.Timestamp)
	for i, m := range msgs {
		assert.Equal(t, arrow.Timestamp(m.ms/1000), ts.Value(i))
		assert.Equal(t, arrow.Timestamp(m.ms), tsms.Value(i))
	}
	assert.Equal(t, "NULL", got[5][8])
	assert.Equal(t, "NULL", got[6][8])
	assert.Equal(t, "1970-01-01 00:00:00", got[5][9])
	assert.Equal(t, "1970-01-01 00:00:00", got[6][9])
	assert.Equal(t, []string{"[content-encoding]", "[empty_value,,,repetition,repetition]", "[b,a]", "[a,b]", "[]", "[]", "[]", "[]", "[]", "[]"}, got[7])
	assert.Equal(t, []string{"[base64]", "[,empty name,,1,2]", "[b,a]", "[a,b]", "[]", "[]", "[]", "[]", "[]", "[]"}, got[8])
	roundTripIPC(t, mem, rec)
}

func TestBuilderAppendDefaultAndReset(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols := mustColumns(t, "id Int64", "level LowCardinality(String)", "tags Array(String)", "n Nullable(Float64)",
		"e Enum8('none' = 0, 'x' = 1)")
	b, err := NewBuilder(mem, cols, []string{virtualcols.RawMessage, virtualcols.Error, virtualcols.Offset})
	require.NoError(t, err)
	defer b.Release()
	rows := NewRows(cols, Options{})

	require.NoError(t, rows.Col(0).AppendInt(1))
	require.NoError(t, rows.Col(1).AppendText([]byte("info")))
	require.NoError(t, rows.Col(4).AppendText([]byte("x")))
	require.NoError(t, rows.EndRow())
	b.Append(rows, &virtualcols.Message{Offset: 1})
	rows.Reset()
	b.AppendDefault(&virtualcols.Message{Offset: 2, Raw: []byte("{broken"), Err: "cannot parse"})
	b.AppendDefault(nil)
	b.Append(rows, &virtualcols.Message{Offset: 3}) // no rows: nothing appended
	require.Equal(t, 3, b.Len())

	rec := b.NewRecordBatch()
	defer rec.Release()
	want := [][]string{
		{"1", "0", "0"},
		{"info", "", ""},
		{"[]", "[]", "[]"},
		{"NULL", "NULL", "NULL"},
		{"x", "none", "none"},
		{"", "{broken", ""},
		{"", "cannot parse", ""},
		{"1", "2", "0"},
	}
	for i := range want {
		assert.Equal(t, want[i], column(rec.Column(i)), rec.Schema().Field(i).Name)
	}

	// Reset drops appended rows; the next batch starts clean.
	require.NoError(t, rows.Col(0).AppendInt(99))
	require.NoError(t, rows.EndRow())
	b.Append(rows, &virtualcols.Message{Offset: 4})
	rows.Reset()
	b.Reset()
	assert.Equal(t, 0, b.Len())
	empty := b.NewRecordBatch()
	defer empty.Release()
	assert.Equal(t, int64(0), empty.NumRows())
	for i := range int(empty.NumCols()) {
		assert.Equal(t, 0, empty.Column(i).Len())
	}
	roundTripIPC(t, mem, empty)

	b.AppendDefault(&virtualcols.Message{Offset: 5})
	rec2 := b.NewRecordBatch()
	defer rec2.Release()
	assert.Equal(t, []string{"0"}, column(rec2.Column(0)))
	assert.Equal(t, []string{"5"}, column(rec2.Column(7)))
}

func TestBuilderWideEnum8(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	var sb strings.Builder
	sb.WriteString("e Enum8(")
	for i := range 256 {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "'v%d' = %d", i, i-128)
	}
	sb.WriteString(")")
	cols := mustColumns(t, sb.String())
	rows := NewRows(cols, Options{})
	require.NoError(t, rows.Col(0).AppendText([]byte("v255")))
	require.NoError(t, rows.EndRow())
	require.NoError(t, rows.Col(0).AppendInt(-128))
	require.NoError(t, rows.EndRow())
	require.NoError(t, rows.EndRow()) // default: value 0 is v128
	b, err := NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	d := rec.Column(0).(*array.Dictionary)
	assert.Equal(t, []int16{255, 0, 128}, d.Indices().(*array.Int16).Int16Values())
	assert.Equal(t, []string{"v255", "v0", "v128"}, column(d))
}

func TestBuilderWithoutVirtualColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols := mustColumns(t, "a String")
	b, err := NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	assert.Equal(t, 1, b.Schema().NumFields())
	v, ok := b.Schema().Field(0).Metadata.GetValue(MetadataKey)
	require.True(t, ok)
	assert.Equal(t, "String", v)
	rows := NewRows(cols, Options{})
	require.NoError(t, rows.Col(0).AppendText([]byte("x")))
	require.NoError(t, rows.EndRow())
	b.Append(rows, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	assert.Equal(t, []string{"x"}, column(rec.Column(0)))

	other := NewRows(mustColumns(t, "a String", "b String"), Options{})
	require.NoError(t, other.EndRow())
	assert.Panics(t, func() { b.Append(other, nil) })
	b.Release()
	b.Release() // idempotent
}

func TestNewBuilderErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	tests := []struct {
		name    string
		cols    []Column
		virtual []string
		want    string
	}{
		{"nil type", []Column{{Name: "a"}}, nil, `block: column "a": block: nil type`},
		{"invalid type", []Column{{Name: "a", Type: &Type{Kind: Array}}}, nil, `block: column "a"`},
		{"nullable array", []Column{{Name: "a", Type: &Type{Kind: Nullable, Elem: &Type{Kind: Array, Elem: &Type{Kind: Int8}}}}}, nil, "cannot be inside Nullable"},
		{"empty name", []Column{{Name: "", Type: &Type{Kind: Int8}}}, nil, "empty column name"},
		{"duplicate", []Column{{Name: "a", Type: &Type{Kind: Int8}}, {Name: "a", Type: &Type{Kind: Int8}}}, nil, `duplicate column name "a"`},
		{"virtual clash", []Column{{Name: "_key", Type: &Type{Kind: String}}}, []string{"_key"}, `virtual column "_key" is also a physical column`},
		{"unknown virtual", nil, []string{"_nope"}, `unknown virtual column "_nope"`},
		{"repeated virtual", nil, []string{"_key", "_key"}, "requested twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBuilder(mem, tt.cols, tt.virtual)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	// A physical column may shadow a virtual name the table does not request (SPEC §1.4).
	b, err := NewBuilder(mem, []Column{{Name: "_key", Type: &Type{Kind: String}}}, []string{virtualcols.Topic})
	require.NoError(t, err)
	b.Release()
}

// TestSteadyStateAllocs checks that staging and appending a row of (Int64, String, Float32,
// UInt8) plus virtual columns does not allocate per row once buffers have grown.
func TestSteadyStateAllocs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols := mustColumns(t, "id Int64", "val1 String", "val2 Float32", "val3 UInt8")
	b, err := NewBuilder(mem, cols, []string{virtualcols.Topic, virtualcols.Partition, virtualcols.Offset})
	require.NoError(t, err)
	defer b.Release()
	rows := NewRows(cols, Options{})
	id, v1, v2, v3 := rows.Col(0), rows.Col(1), rows.Col(2), rows.Col(3)
	idText, v1Text, v2Text, v3Text := []byte("12345"), []byte("AM"), []byte("0.5"), []byte("1")
	msg := &virtualcols.Message{Topic: "formats", Offset: 1}

	appendRow := func() {
		rows.Reset()
		if id.AppendText(idText) != nil || v1.AppendText(v1Text) != nil || v2.AppendText(v2Text) != nil || v3.AppendText(v3Text) != nil {
			panic("append failed")
		}
		if err := rows.EndRow(); err != nil {
			panic(err)
		}
		b.Append(rows, msg)
	}
	// Warm up: grow the staging slices and the Arrow buffers.
	for range 4096 {
		appendRow()
	}
	perRow := testing.AllocsPerRun(1000, appendRow)
	assert.Zero(t, perRow, "allocations per row")

	// Over a whole batch only Arrow buffer growth allocates: a few per buffer (doublings),
	// plus the checked allocator's bookkeeping of each reallocation; a per-row allocation
	// would show up as 10000 or more.
	rec := b.NewRecordBatch()
	rec.Release()
	perBatch := testing.AllocsPerRun(5, func() {
		for range 10000 {
			appendRow()
		}
		b.NewRecordBatch().Release()
	})
	assert.Less(t, perBatch, 2500.0, "allocations per 10000-row batch")
	t.Logf("allocations: %v per row, %v per 10000-row batch", perRow, perBatch)
}

// BenchmarkStageAndAppend measures staging one message of one row of the format-matrix
// schema (VECTORS.md §1.1) from text and appending it with three virtual columns.
func BenchmarkStageAndAppend(bm *testing.B) {
	mem := memory.NewGoAllocator()
	cols, err := ParseColumns([]string{"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8"})
	if err != nil {
		bm.Fatal(err)
	}
	b, err := NewBuilder(mem, cols, []string{virtualcols.Topic, virtualcols.Partition, virtualcols.Offset})
	if err != nil {
		bm.Fatal(err)
	}
	defer b.Release()
	rows := NewRows(cols, Options{})
	vals := [][]byte{[]byte("12345"), []byte("0"), []byte("AM"), []byte("0.5"), []byte("1")}
	msg := &virtualcols.Message{Topic: "formats", Offset: 1}
	bm.ReportAllocs()
	for bm.Loop() {
		rows.Reset()
		for i, v := range vals {
			if err := rows.Col(i).AppendText(v); err != nil {
				bm.Fatal(err)
			}
		}
		if err := rows.EndRow(); err != nil {
			bm.Fatal(err)
		}
		b.Append(rows, msg)
		if b.Len() == 65536 {
			b.NewRecordBatch().Release()
		}
	}
}

// BenchmarkAppendQueueRow measures the engine's steps around a decoder for a message of
// one row of the quickstart's queue table: Rows.Reset, staging the three values, EndRow,
// Builder.Append, and a record batch every 65536 rows.
func BenchmarkAppendQueueRow(bm *testing.B) {
	mem := memory.NewGoAllocator()
	cols, err := ParseColumns([]string{"timestamp UInt64", "level String", "message String"})
	if err != nil {
		bm.Fatal(err)
	}
	b, err := NewBuilder(mem, cols, nil)
	if err != nil {
		bm.Fatal(err)
	}
	defer b.Release()
	rows := NewRows(cols, Options{})
	levels := [][]byte{[]byte("info"), []byte("debug"), []byte("warning"), []byte("error")}
	msgs := make([][]byte, 64)
	for i := range msgs {
		msgs[i] = []byte(strings.Repeat("GET /api/v1/orders/123 200 17ms ", 1+i%5))
	}
	ts := []byte("1715621234")
	bm.ReportAllocs()
	i := 0
	for bm.Loop() {
		rows.Reset()
		if err := rows.Col(0).AppendText(ts); err != nil {
			bm.Fatal(err)
		}
		if err := rows.Col(1).AppendText(levels[i%len(levels)]); err != nil {
			bm.Fatal(err)
		}
		if err := rows.Col(2).AppendText(msgs[i%len(msgs)]); err != nil {
			bm.Fatal(err)
		}
		if err := rows.EndRow(); err != nil {
			bm.Fatal(err)
		}
		b.Append(rows, nil)
		if b.Len() == 65536 {
			b.NewRecordBatch().Release()
		}
		i++
	}
}
