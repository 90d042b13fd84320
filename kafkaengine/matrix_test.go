package kafkaengine_test

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/kafkaengine"
)

// matrixCols is the table of ClickHouse's test_kafka_formats (VECTORS.md §1).
var matrixCols = []string{"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8"}

// matrixCase is one format of the matrix: its messages M1 (row 0), M2 (rows 1–15),
// M3 (row 0), whether it takes an empty message, and the settings it needs.
type matrixCase struct {
	format   string
	emptyOK  bool
	row      func(id int) []byte // one row; rows are concatenated with sep
	sep      string
	header   []byte
	settings map[string]string
	encoded  bool // messages come from the format's own encoder (not transcribed in VECTORS.md)
}

func hexBytes(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func le64(v int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }

func text(f string) func(int) []byte {
	return func(id int) []byte { return []byte(strings.ReplaceAll(f, "<id>", fmt.Sprint(id))) }
}

var matrixCases = []matrixCase{
	{format: "JSONEachRow", emptyOK: true, row: text(`{"id":"<id>","blockNo":0,"val1":"AM","val2":0.5,"val3":1}` + "\n")},
	{format: "JSONCompactEachRow", emptyOK: true, row: text(`["<id>", 0, "AM", 0.5, 1]` + "\n")},
	{format: "JSONCompactEachRowWithNamesAndTypes", row: text(`["<id>", 0, "AM", 0.5, 1]` + "\n"),
		header: []byte(`["id", "blockNo", "val1", "val2", "val3"]` + "\n" + `["Int64", "UInt16", "String", "Float32", "UInt8"]` + "\n")},
	{format: "TSKV", row: text("id=<id>\tblockNo=0\tval1=AM\tval2=0.5\tval3=1\n")},
	{format: "CSV", emptyOK: true, row: text(`<id>,0,"AM",0.5,1` + "\n")},
	{format: "TSV", emptyOK: true, row: text("<id>\t0\tAM\t0.5\t1\n")},
	{format: "CSVWithNames", row: text(`<id>,0,"AM",0.5,1` + "\n"), header: []byte(`"id","blockNo","val1","val2","val3"` + "\n")},
	{format: "Values", emptyOK: true, row: text("(<id>,0,'AM',0.5,1)"), sep: ","},
	{format: "TSVWithNames", emptyOK: true, row: text("<id>\t0\tAM\t0.5\t1\n"), header: []byte("id\tblockNo\tval1\tval2\tval3\n")},
	{format: "TSVWithNamesAndTypes", row: text("<id>\t0\tAM\t0.5\t1\n"),
		header: []byte("id\tblockNo\tval1\tval2\tval3\nInt64\tUInt16\tString\tFloat32\tUInt8\n")},
	{format: "CustomSeparated", row: text("<id>\t0\tAM\t0.5\t1\n")},
	{format: "Regexp", row: text(`(id = <id>, blockNo = 0, val1 = "AM", val2 = 0.5, val3 = 1)`), sep: "\n",
		settings: map[string]string{
			"format_regexp":               `'\\(id = (.+?), blockNo = (.+?), val1 = \"(.+?)\", val2 = (.+?), val3 = (.+?)\\)'`,
			"format_regexp_escaping_rule": "'Escaped'",
		}},
	{format: "MsgPack", row: func(id int) []byte { return append([]byte{byte(id)}, hexBytes("00 a2 41 4d ca 3f 00 00 00 01")...) }},
	{format: "RowBinary", row: func(id int) []byte { return append(le64(id), hexBytes("00 00 02 41 4d 00 00 00 3f 01")...) }},
	{format: "RowBinaryWithNamesAndTypes", row: func(id int) []byte { return append(le64(id), hexBytes("00 00 02 41 4d 00 00 00 3f 01")...) },
		header: hexBytes("05 02 69 64 07 62 6c 6f 63 6b 4e 6f 04 76 61 6c 31 04 76 61 6c 32 04 76 61 6c 33 05 49 6e 74 36 34 06 55 49 6e 74 31 36 06 53 74 72 69 6e 67 07 46 6c 6f 61 74 33 32 05 55 49 6e 74 38")},
	{format: "Protobuf", row: func(id int) []byte {
		if id == 0 {
			return hexBytes("0b 1a 02 41 4d 25 00 00 00 3f 28 01")
		}
		return append([]byte{0x0d, 0x08, byte(id)}, hexBytes("1a 02 41 4d 25 00 00 00 3f 28 01")...)
	}, settings: map[string]string{"kafka_schema": "'test:TestMessage'", "format_schema_path": "'../format/protobuf/testdata'"}},
	{format: "CapnProto", row: func(id int) []byte {
		frame := hexBytes("00 00 00 00 05 00 00 00 00 00 00 00 02 00 01 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 3f 01 00 00 00 1a 00 00 00 41 4d 00 00 00 00 00 00")
		frame[16] = byte(id)
		return frame
	}, settings: map[string]string{"kafka_schema": "'test:TestRecordStruct'", "format_schema_path": "'../format/capnproto/testdata'"}},
	{format: "Native", encoded: true},
	{format: "Arrow", encoded: true},
	{format: "ArrowStream", encoded: true},
	{format: "Parquet", encoded: true},
	{format: "Avro", encoded: true},
}

// nativeMessage is the Native block of VECTORS.md §1 for ids.
func nativeMessage(ids []int) []byte {
	col := func(name, typ string) []byte {
		return append(append([]byte{byte(len(name))}, name...), append([]byte{byte(len(typ))}, typ...)...)
	}
	b := []byte{5, byte(len(ids))}
	b = append(b, col("id", "Int64")...)
	for _, id := range ids {
		b = append(b, le64(id)...)
	}
	b = append(b, col("blockNo", "UInt16")...)
	b = append(b, make([]byte, 2*len(ids))...)
	b = append(b, col("val1", "String")...)
	for range ids {
		b = append(b, 2, 'A', 'M')
	}
	b = append(b, col("val2", "Float32")...)
	for range ids {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(0.5))
	}
	b = append(b, col("val3", "UInt8")...)
	for range ids {
		b = append(b, 1)
	}
	return b
}

func (mc matrixCase) message(t *testing.T, ids []int) []byte {
	if mc.format == "Native" {
		return nativeMessage(ids)
	}
	if mc.encoded {
		return encodeRows(t, mc.format, ids)
	}
	msg := append([]byte(nil), mc.header...)
	for i, id := range ids {
		if i > 0 {
			msg = append(msg, mc.sep...)
		}
		msg = append(msg, mc.row(id)...)
	}
	return msg
}

// encodeRows encodes rows (id, 0, "AM", 0.5, 1) with the format's own encoder as one message.
func encodeRows(t *testing.T, name string, ids []int) []byte {
	t.Helper()
	schema, err := kafkaengine.Columns(matrixCols...)
	require.NoError(t, err)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, id := range ids {
		b.Field(0).(*array.Int64Builder).Append(int64(id))
		b.Field(1).(*array.Uint16Builder).Append(0)
		b.Field(2).(*array.StringBuilder).Append("AM")
		b.Field(3).(*array.Float32Builder).Append(0.5)
		b.Field(4).(*array.Uint8Builder).Append(1)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := format.Lookup(name)
	require.NoError(t, err)
	fs := format.DefaultSettings()
	enc, err := f.NewEncoder(schema, &fs)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, len(ids))
	require.NoError(t, err)
	return out
}

// VECTORS.md §1: every format of the matrix reads [empty,] M1, M2 (15 rows), M3 into
// the 17 expected rows with their topic, partition and offsets; the empty message takes
// offset 0 and gives no row where the format accepts it.
func TestFormatMatrix(t *testing.T) {
	c := newCluster(t)
	for _, mc := range matrixCases {
		t.Run(mc.format, func(t *testing.T) {
			_, err := format.Lookup(mc.format)
			require.NoError(t, err)
			topic := "matrix_" + mc.format
			require.NoError(t, c.CreateTopic(context.Background(), topic, 1))
			var msgs []string
			if mc.emptyOK {
				msgs = append(msgs, "")
			}
			msgs = append(msgs, string(mc.message(t, []int{0})), string(mc.message(t, seq(1, 16))), string(mc.message(t, []int{0})))
			require.NoError(t, c.ProduceValues(context.Background(), topic, msgs...))

			m := map[string]string{
				"kafka_broker_list": "'" + c.Addr() + "'", "kafka_topic_list": "'" + topic + "'",
				"kafka_group_name": "'g'", "kafka_format": "'" + mc.format + "'",
				"kafka_flush_interval_ms": "100", "kafka_poll_timeout_ms": "50",
			}
			for k, v := range mc.settings {
				m[k] = v
			}
			s, err := kafkaengine.ParseSettings(m)
			require.NoError(t, err)
			tbl := newTable(t, s, matrixCols, kafkaengine.WithVirtualColumns("_topic", "_partition", "_offset"))
			sink := newCollector(t)
			require.NoError(t, tbl.Attach("mv", sink))
			start(t, tbl)
			eventually(t, 20*time.Second, func() bool { return committedTotal(t, c, "g", topic) == int64(len(msgs)) }, "all committed")

			o1, o2, o3 := 0, 1, 2
			if mc.emptyOK {
				o1, o2, o3 = 1, 2, 3
			}
			var want []string
			line := func(id, off int) string { return fmt.Sprintf("%d 0 AM 0.5 1 %s 0 %d", id, topic, off) }
			want = append(want, line(0, o1))
			for id := 1; id <= 15; id++ {
				want = append(want, line(id, o2))
			}
			want = append(want, line(0, o3))
			var got []string
			cols := make([][]string, 8)
			for i, n := range []string{"id", "blockNo", "val1", "val2", "val3", "_topic", "_partition", "_offset"} {
				cols[i] = sink.column(n)
			}
			for r := range cols[0] {
				row := make([]string, len(cols))
				for i := range cols {
					row[i] = cols[i][r]
				}
				got = append(got, strings.Join(row, " "))
			}
			assert.Equal(t, want, got)
		})
	}
}

var _ arrow.RecordBatch
