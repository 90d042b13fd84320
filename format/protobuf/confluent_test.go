package protobuf

import (
	"encoding/binary"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/registry"
	"github.com/chkafka/chkafka/format/registry/registrytest"
)

const twoMessages = `syntax = "proto3";
package ev;
import "inner.proto";
message Click {
  string page = 1;
  int64 id = 2;
}
message View {
  int64 id = 1;
  string page = 2;
  message Extra {
    int64 id = 1;
    inner.Strings tags = 2;
  }
}
`

// confluentFrame is magic, schema id, message-index path and record.
func confluentFrame(id int, path []int64, rec []byte) []byte {
	out := []byte{0}
	out = binary.BigEndian.AppendUint32(out, uint32(id))
	if len(path) == 1 && path[0] == 0 {
		out = append(out, 0)
	} else {
		out = protowire.AppendVarint(out, protowire.EncodeZigZag(int64(len(path))))
		for _, p := range path {
			out = protowire.AppendVarint(out, protowire.EncodeZigZag(p))
		}
	}
	return append(out, rec...)
}

type confluentSetup struct {
	srv            *registrytest.Server
	testID, evID   int
	avroID         int
	s              format.Settings
	matrixRecord   []byte
	testProtoBytes string
}

func newConfluentSetup(t testing.TB) *confluentSetup {
	t.Helper()
	srv := registrytest.NewServer()
	t.Cleanup(srv.Close)
	srv.SetBasicAuth("reader", "s3cr3t")
	c := &confluentSetup{srv: srv}
	c.testProtoBytes = string(readFile(t, "test.proto"))
	c.testID = srv.Add("matrix-value", registry.Schema{Type: registry.Protobuf, Text: c.testProtoBytes})
	srv.Add("inner.proto", registry.Schema{Type: registry.Protobuf, Text: string(readFile(t, "inner.proto"))})
	c.evID = srv.Add("ev-value", registry.Schema{Type: registry.Protobuf, Text: twoMessages,
		References: []registry.Reference{{Name: "inner.proto", Subject: "inner.proto", Version: 1}}})
	c.avroID = srv.Add("avro-value", registry.Schema{Text: `{"type":"record","name":"r","fields":[]}`})
	c.s = format.DefaultSettings()
	c.s.AvroSchemaRegistryURL = srv.AuthURL()
	c.matrixRecord = readFile(t, "matrix_m1.bin")[1:]
	return c
}

func TestConfluentMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := newConfluentSetup(t)
	h := newHarness(t, mem, Confluent{}, matrixCols, c.s)
	defer h.Release()
	n, err := h.Decode(nil)
	require.NoError(t, err)
	assert.Zero(t, n, "an empty message has no rows")
	m1 := confluentFrame(c.testID, []int64{0}, c.matrixRecord)
	h.MustDecode(m1)
	m2 := readFile(t, "matrix_m2.bin")
	for len(m2) > 0 {
		rec, k, err := delimitedRecord(m2)
		require.NoError(t, err)
		m2 = m2[k:]
		h.MustDecode(confluentFrame(c.testID, []int64{0}, rec))
	}
	h.MustDecode(m1)
	rec := h.Record()
	defer rec.Release()
	checkMatrix(t, rec)
}

// Two schema ids and several message-index paths interleaved; references resolved
// through the registry.
func TestConfluentSchemas(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := newConfluentSetup(t)
	h := newHarness(t, mem, Confluent{}, []string{"id Int64", "page String", "val1 String", "tags Array(String)"}, c.s)
	defer h.Release()

	click := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "/home")
	click = protowire.AppendVarint(protowire.AppendTag(click, 2, protowire.VarintType), 7)
	view := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 8)
	view = protowire.AppendString(protowire.AppendTag(view, 2, protowire.BytesType), "/about")
	tags := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "a")
	tags = protowire.AppendString(protowire.AppendTag(tags, 1, protowire.BytesType), "b")
	extra := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 9)
	extra = protowire.AppendBytes(protowire.AppendTag(extra, 2, protowire.BytesType), tags)

	h.MustDecode(
		confluentFrame(c.evID, []int64{0}, click),
		confluentFrame(c.testID, []int64{0}, c.matrixRecord),
		confluentFrame(c.evID, []int64{1}, view),
		confluentFrame(c.evID, []int64{1, 0}, extra),
		confluentFrame(c.evID, []int64{0}, click),
	)
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []string{"7", "0", "8", "9", "7"}, strs(rec.Column(0)))
	assert.Equal(t, []string{"/home", "", "/about", "", "/home"}, strs(rec.Column(1)))
	assert.Equal(t, []string{"", "AM", "", "", ""}, strs(rec.Column(2)))
	assert.Equal(t, []string{"[]", "[]", "[]", `["a","b"]`, "[]"}, strs(rec.Column(3)))

	before := c.srv.Requests()
	h.MustDecode(confluentFrame(c.evID, []int64{1}, view), confluentFrame(c.testID, []int64{0}, c.matrixRecord))
	assert.Equal(t, before, c.srv.Requests(), "schemas are cached per id")
}

// The Go protobuf runtime's serialization, framed as Confluent's serializer frames it.
func TestConfluentGoRuntime(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := newConfluentSetup(t)
	md := descriptor(t, "test.proto", "TestMessage")
	rec := marshal(t, md, func(m *dynamicpb.Message) {
		m.Set(field(md, "id"), protoreflect.ValueOfInt64(-5))
		m.Set(field(md, "val1"), protoreflect.ValueOfString("x"))
	})
	h := newHarness(t, mem, Confluent{}, matrixCols, c.s)
	defer h.Release()
	h.MustDecode(confluentFrame(c.testID, []int64{0}, rec))
	got := h.Record()
	defer got.Release()
	assert.Equal(t, []string{"-5"}, strs(got.Column(0)))
	assert.Equal(t, []string{"x"}, strs(got.Column(2)))
}

func TestConfluentErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := newConfluentSetup(t)
	host := strings.TrimPrefix(c.srv.URL, "http://")
	good := confluentFrame(c.testID, []int64{0}, c.matrixRecord)

	t.Run("wrong credentials", func(t *testing.T) {
		s := c.s
		s.AvroSchemaRegistryURL = "http://reader:bad-pass@" + host
		h := newHarness(t, mem, Confluent{}, matrixCols, s)
		defer h.Release()
		_, err := h.Decode(good)
		require.ErrorIs(t, err, registry.ErrUnauthorized)
		assert.Contains(t, err.Error(), "schema id 1: registry: GET http://reader:xxxxx@"+host+"/schemas/ids/1: 401 Unauthorized")
		assert.NotContains(t, err.Error(), "bad-pass")
	})

	h := newHarness(t, mem, Confluent{}, matrixCols, c.s)
	defer h.Release()
	for _, tc := range []struct {
		name    string
		payload []byte
		want    string
	}{
		{"unknown id", confluentFrame(99, []int64{0}, nil), "schema id 99: registry: GET http://reader:xxxxx@" + host + "/schemas/ids/99: 404 Not Found"},
		{"short", []byte{0, 0, 1}, "message of 3 bytes is shorter than the 5-byte Confluent header"},
		{"magic", []byte("qwertyuiop"), "invalid magic byte before the schema id: must be zero, found 113"},
		{"no index", []byte{0, 0, 0, 0, 1}, "cannot read the message-index count: unexpected end of data"},
		{"index out of range", confluentFrame(c.testID, []int64{3}, nil), "message index 3 out of range (1 messages at level 0)"},
		{"avro id", confluentFrame(c.avroID, []int64{0}, nil), "has type AVRO, not PROTOBUF"},
		{"bad record", confluentFrame(c.testID, []int64{0}, []byte{0x1a, 0x05}), "field val1: unexpected end of data"},
		{"garbage 2", []byte("poiuytrewq"), "invalid magic byte"},
		{"garbage 3", []byte("zxcvbnm"), "invalid magic byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := h.Decode(tc.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "(at row 1)")
		})
	}

	cols, err := block.ParseColumns(matrixCols)
	require.NoError(t, err)
	_, err = Confluent{}.NewDecoder(block.Schema(cols), nil)
	require.ErrorContains(t, err, "format_avro_schema_registry_url is not set")
	_, err = Confluent{}.NewEncoder(block.Schema(cols), &c.s)
	require.True(t, errors.Is(err, errors.ErrUnsupported))
}

func TestConfluentOutage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := newConfluentSetup(t)
	client, err := registry.New(c.srv.AuthURL(), registry.WithRetryTimeout(200*time.Millisecond))
	require.NoError(t, err)
	h := newHarness(t, mem, Confluent{Registry: client}, matrixCols, format.DefaultSettings())
	defer h.Release()
	good := confluentFrame(c.testID, []int64{0}, c.matrixRecord)
	c.srv.FailNext(1_000_000, http.StatusServiceUnavailable)
	start := time.Now()
	_, err = h.Decode(good)
	require.ErrorIs(t, err, registry.ErrUnavailable)
	assert.Less(t, time.Since(start), 3*time.Second)
	c.srv.FailNext(0, 0)
	n, err := h.Decode(good)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}
