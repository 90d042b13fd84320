package kafkaengine_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/chkafka/chkafka/kafkaengine"
	"github.com/chkafka/chkafka/kafkatest"
)

// allTypes has a column of every type of DESIGN.md's mapping.
var allTypes = []string{
	"i8 Int8", "i16 Int16", "i32 Int32", "i64 Int64",
	"u8 UInt8", "u16 UInt16", "u32 UInt32", "u64 UInt64",
	"f32 Float32", "f64 Float64", "b Bool", "s String", "fs FixedString(4)",
	"d Date", "d32 Date32", "dt DateTime", "dtz DateTime('Asia/Istanbul')",
	"dt64 DateTime64(3)", "dt64u DateTime64(6, 'UTC')",
	"dec Decimal(9, 2)", "dec256 Decimal(40, 5)", "u UUID",
	"e8 Enum8('a' = 1, 'b' = 2)", "e16 Enum16('x' = -1000, 'y' = 1000)",
	"lc LowCardinality(String)", "lcn LowCardinality(Nullable(String))", "n Nullable(Int32)",
	"arr Array(LowCardinality(String))", "arr2 Array(Array(Int8))",
	"m Map(String, UInt64)", "tup Tuple(a Int8, b String)",
}

var allTypesRows = []string{
	`{"i8":-128,"i16":-32768,"i32":-2147483648,"i64":"-9223372036854775808","u8":255,"u16":65535,"u32":4294967295,"u64":"18446744073709551615",` +
		`"f32":0.5,"f64":-1.25e300,"b":true,"s":"h\u00e9llo \"q\"\n\t","fs":"ab","d":"2024-02-29","d32":"1900-01-01","dt":"2021-02-12 02:22:00",` +
		`"dtz":"2021-08-15 07:00:00","dt64":"2021-01-01 00:00:00.123","dt64u":"2021-01-01 00:00:00.123456","dec":"1234567.89","dec256":"-12345678901234567890123456789012345.12345",` +
		`"u":"61f0c404-5cb3-11e7-907b-a6006ad3dba0","e8":"a","e16":"y","lc":"IgorMinar","lcn":null,"n":-7,"arr":["x","y","x"],"arr2":[[1,2],[],[-3]],` +
		`"m":{"k1":1,"k2":2},"tup":{"a":1,"b":"one"}}`,
	`{"i8":127,"u64":"0","f32":-0,"b":false,"s":"","fs":"abcd","dt":"1970-01-01 00:00:00","e8":"b","e16":"x","lc":"","lcn":"v","n":null,"arr":[],"arr2":[],"m":{},"tup":{"a":-1,"b":""}}`,
	`{}`,
}

// Insert → consume round trip for every mapped type: rows read from topic "src" are
// inserted into topic "dst" by a second table and read back identical.
func TestInsertRoundTripAllTypes(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("src", 1), kafkatest.Topic("dst", 1))
	require.NoError(t, c.ProduceValues(context.Background(), "src", allTypesRows...))

	src := newTable(t, baseSettings(c, "src", "g"), allTypes, kafkaengine.WithAllocator(mem))
	in := newCollector(t)
	require.NoError(t, src.Attach("mv", in))
	stopSrc := start(t, src)
	eventually(t, 20*time.Second, func() bool { return in.Rows() == 3 }, "3 source rows")
	stopSrc()

	s := baseSettings(c, "dst", "g")
	s.MaxRowsPerMessage = 2
	dst := newTable(t, s, allTypes, kafkaengine.WithAllocator(mem))
	for _, r := range in.blocks() {
		require.NoError(t, dst.Insert(context.Background(), r))
	}
	out := newCollector(t)
	require.NoError(t, dst.Attach("mv", out))
	start(t, dst)
	eventually(t, 20*time.Second, func() bool { return out.Rows() == 3 }, "3 rows back")

	want, got := concat(t, mem, in.blocks()), concat(t, mem, out.blocks())
	defer want.Release()
	defer got.Release()
	for i, f := range want.Schema().Fields() {
		assert.Truef(t, array.Equal(want.Column(i), got.Column(i)), "column %s: want %v, got %v", f.Name, want.Column(i), got.Column(i))
	}
	recs, err := c.Consume(context.Background(), "dst")
	require.NoError(t, err)
	assert.Len(t, recs, 2, "kafka_max_rows_per_message = 2 puts 3 rows into 2 messages")
}

func concat(t *testing.T, mem memory.Allocator, recs []arrow.RecordBatch) arrow.RecordBatch {
	t.Helper()
	require.NotEmpty(t, recs)
	schema := recs[0].Schema()
	cols := make([]arrow.Array, schema.NumFields())
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	for i := range cols {
		parts := make([]arrow.Array, len(recs))
		for j, r := range recs {
			parts[j] = r.Column(i)
		}
		col, err := array.Concatenate(parts, mem)
		require.NoError(t, err)
		defer col.Release()
		cols[i] = col
	}
	return array.NewRecordBatch(schema, cols, n)
}

// Insert maps _key, _timestamp and _headers.* to message metadata from the last row of
// each message and reports delivery errors.
func TestInsertMetadata(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("meta", 1))
	s := baseSettings(c, "meta", "g")
	s.MaxRowsPerMessage = 2
	tbl := newTable(t, s, kvCols, kafkaengine.WithAllocator(mem))

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "key", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "value", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "_key", Type: arrow.BinaryTypes.String},
		{Name: "_timestamp", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}},
		{Name: "_headers.name", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "_headers.value", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range 3 {
		b.Field(0).(*array.Uint64Builder).Append(uint64(i))
		b.Field(1).(*array.Uint64Builder).Append(uint64(i * 10))
		b.Field(2).(*array.StringBuilder).Append("k" + string(rune('1'+i)))
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(1577836801 + i))
		for j := 4; j <= 5; j++ {
			lb := b.Field(j).(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"h", "h"}, nil)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	require.NoError(t, tbl.Insert(context.Background(), rec))

	recs, err := c.Consume(context.Background(), "meta")
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, "{\"key\":\"0\",\"value\":\"0\"}\n{\"key\":\"1\",\"value\":\"10\"}\n", string(recs[0].Value))
	assert.Equal(t, "k2", string(recs[0].Key), "the key of the last row of the message")
	assert.Equal(t, int64(1577836802000), recs[0].Timestamp.UnixMilli())
	assert.Len(t, recs[0].Headers, 2)
	assert.Equal(t, "k3", string(recs[1].Key))

	// A column the table does not have is refused.
	bad := arrow.NewSchema([]arrow.Field{{Name: "nope", Type: arrow.PrimitiveTypes.Uint64}}, nil)
	bb := array.NewRecordBuilder(mem, bad)
	defer bb.Release()
	bb.Field(0).(*array.Uint64Builder).Append(1)
	badRec := bb.NewRecordBatch()
	defer badRec.Release()
	assert.ErrorContains(t, tbl.Insert(context.Background(), badRec), `no column "nope"`)
}

// Delivery errors reach the caller of Insert (ClickHouse loses them).
func TestInsertDeliveryError(t *testing.T) {
	mem := checkedMem(t)
	c := newCluster(t, kafkatest.Topic("down", 1))
	s := baseSettings(c, "down", "g")
	tbl := newTable(t, s, kvCols, kafkaengine.WithAllocator(mem))
	// The broker refuses every produce request for the topic.
	c.Kfake().ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.Kfake().KeepControl()
		pr := req.(*kmsg.ProduceRequest)
		resp := pr.ResponseKind().(*kmsg.ProduceResponse)
		for _, rt := range pr.Topics {
			st := kmsg.NewProduceResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewProduceResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.TopicAuthorizationFailed.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	rec := kvRecord(t, mem, 3)
	defer rec.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := tbl.Insert(ctx, rec)
	assert.ErrorContains(t, err, "not delivered")
	assert.ErrorContains(t, err, "authoriz")
}

// kcat (librdkafka) produces messages with a key and headers; the table reads them with
// their metadata. Then the table inserts and kcat reads the same key, headers and payloads.
func TestKcatInterop(t *testing.T) {
	kcat := kcatPath(t)
	c := newCluster(t, kafkatest.Topic("kcat_in", 1), kafkatest.Topic("kcat_out", 1))

	before := time.Now().Add(-time.Second)
	cmd := exec.Command(kcat, "-P", "-b", c.Addr(), "-t", "kcat_in", "-p", "0", "-k", "key1", "-H", "h1=v1", "-H", "h1=v2", "-H", "empty=")
	cmd.Stdin = strings.NewReader(strings.Join(jsonRows(0, 3), "\n") + "\n")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))

	tbl := newTable(t, baseSettings(c, "kcat_in", "g"), kvCols, kafkaengine.WithAllVirtualColumns())
	sink := newCollector(t)
	require.NoError(t, tbl.Attach("mv", sink))
	start(t, tbl)
	eventually(t, 20*time.Second, func() bool { return sink.Rows() == 3 }, "3 rows from kcat")
	assert.Equal(t, []string{"0", "1", "2"}, sink.column("key"))
	assert.Equal(t, []string{"key1", "key1", "key1"}, sink.column("_key"))
	assert.Equal(t, []string{`["h1","h1","empty"]`, `["h1","h1","empty"]`, `["h1","h1","empty"]`}, sink.column("_headers.name"))
	assert.Equal(t, []string{`["v1","v2",""]`, `["v1","v2",""]`, `["v1","v2",""]`}, sink.column("_headers.value"))
	for _, r := range sink.blocks() {
		ts := r.Column(r.Schema().FieldIndices("_timestamp_ms")[0]).(*array.Timestamp)
		for i := range ts.Len() {
			got := ts.Value(i).ToTime(arrow.Millisecond)
			assert.True(t, got.After(before) && got.Before(time.Now().Add(time.Second)), "kcat's create time, got %s", got)
		}
	}

	// The other direction: Insert, kcat consumes.
	outTbl := newTable(t, baseSettings(c, "kcat_out", "g"), kvCols)
	mem := memory.NewGoAllocator()
	rec := kvRecordWithMeta(t, mem, 2)
	defer rec.Release()
	require.NoError(t, outTbl.Insert(context.Background(), rec))
	cmd = exec.Command(kcat, "-C", "-b", c.Addr(), "-t", "kcat_out", "-o", "beginning", "-e", "-q", "-f", "%k|%h|%s\n")
	got, err := cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, "k0|trace=t0|{\"key\":\"0\",\"value\":\"0\"}\n\nk1|trace=t1|{\"key\":\"1\",\"value\":\"10\"}\n\n", string(got))
}

func kcatPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("kcat is not installed: .ci/run must install it")
		}
		t.Skip("kcat not installed (apt-get install kcat)")
	}
	return p
}

func kvRecord(t *testing.T, mem memory.Allocator, n int) arrow.RecordBatch {
	t.Helper()
	schema, err := kafkaengine.Columns(kvCols...)
	require.NoError(t, err)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.Uint64Builder).Append(uint64(i))
		b.Field(1).(*array.Uint64Builder).Append(uint64(i * 10))
	}
	return b.NewRecordBatch()
}

func kvRecordWithMeta(t *testing.T, mem memory.Allocator, n int) arrow.RecordBatch {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "key", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "value", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "_key", Type: arrow.BinaryTypes.String},
		{Name: "_headers.name", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "_headers.value", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.Uint64Builder).Append(uint64(i))
		b.Field(1).(*array.Uint64Builder).Append(uint64(i * 10))
		b.Field(2).(*array.StringBuilder).Append("k" + string(rune('0'+i)))
		for j, v := range []string{"trace", "t" + string(rune('0'+i))} {
			lb := b.Field(3 + j).(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.StringBuilder).Append(v)
		}
	}
	return b.NewRecordBatch()
}

var (
	_ = bytes.Equal
	_ = slices.Sort[[]int]
)

// Payloads kcat produces from files decode to the expected rows: a CSV file sent whole
// as one message (several rows in it), a TSV file and a JSONEachRow file line by line.
func TestKcatFileFormats(t *testing.T) {
	kcat := kcatPath(t)
	dir := t.TempDir()
	cases := []struct {
		format, file, body string
		wholeFile          bool
	}{
		{"CSV", "rows.csv", "0,\"zero\"\n1,\"one, with comma\"\n2,\"two \"\"quoted\"\"\"\n", true},
		{"TSV", "rows.tsv", "0\tzero\n1\tone\\twith tab\n2\ttwo\n", false},
		{"JSONEachRow", "rows.json", `{"key": 0, "value": "zero"}` + "\n" + `{"key": 1, "value": "one"}` + "\n" + `{"key": 2, "value": "two"}` + "\n", false},
	}
	c := newCluster(t)
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			topic := "kcat_" + tc.format
			require.NoError(t, c.CreateTopic(context.Background(), topic, 1))
			path := dir + "/" + tc.file
			require.NoError(t, os.WriteFile(path, []byte(tc.body), 0o644))
			args := []string{"-P", "-b", c.Addr(), "-t", topic, "-p", "0"}
			if tc.wholeFile {
				args = append(args, path) // the file is one message
			} else {
				args = append(args, "-l", path) // one message per line
			}
			out, err := exec.Command(kcat, args...).CombinedOutput()
			require.NoError(t, err, string(out))

			s := baseSettings(c, topic, "g")
			s.Format = tc.format
			tbl := newTable(t, s, []string{"key UInt64", "value String"}, kafkaengine.WithVirtualColumns("_offset"))
			sink := newCollector(t)
			require.NoError(t, tbl.Attach("mv", sink))
			start(t, tbl)
			eventually(t, 20*time.Second, func() bool { return sink.Rows() == 3 }, "3 rows")
			assert.Equal(t, []string{"0", "1", "2"}, sink.column("key"))
			switch tc.format {
			case "CSV":
				assert.Equal(t, []string{"zero", "one, with comma", `two "quoted"`}, sink.column("value"))
				assert.Equal(t, []string{"0", "0", "0"}, sink.column("_offset"), "one message, three rows")
			case "TSV":
				assert.Equal(t, []string{"zero", "one\twith tab", "two"}, sink.column("value"))
				assert.Equal(t, []string{"0", "1", "2"}, sink.column("_offset"))
			default:
				assert.Equal(t, []string{"zero", "one", "two"}, sink.column("value"))
			}
		})
	}
}
