package avro

import (
	"encoding/binary"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/linkedin/goavro/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
	"github.com/chkafka/chkafka/format/registry"
	"github.com/chkafka/chkafka/format/registry/registrytest"
)

// newRegistry starts a registry with basic auth on.
func newRegistry(t *testing.T) *registrytest.Server {
	t.Helper()
	srv := registrytest.NewServer()
	t.Cleanup(srv.Close)
	srv.SetBasicAuth("reader", "s3cr3t")
	return srv
}

func confluentSettings(url string) format.Settings {
	s := defaults()
	s.AvroSchemaRegistryURL = url
	return s
}

// frame builds a Confluent frame from a goavro-encoded datum.
func frame(t testing.TB, id int, schema string, datum map[string]any) []byte {
	t.Helper()
	codec, err := goavro.NewCodec(schema)
	require.NoError(t, err)
	out := []byte{0}
	out = binary.BigEndian.AppendUint32(out, uint32(id))
	out, err = codec.BinaryFromNative(out, datum)
	require.NoError(t, err)
	return out
}

// VECTORS §1 AvroConfluent: empty message, M1, M2 (15 frames), M3, with basic auth on.
func TestConfluentMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srv := newRegistry(t)
	id := srv.Add("matrix-value", registry.Schema{Text: matrixSchema})
	require.Equal(t, 1, id)

	h := codectest.NewHarness(t, mem, Confluent{}, codectest.MatrixCols, confluentSettings(srv.AuthURL()))
	defer h.Release()
	m1 := codectest.ReadTestdata(t, "confluent_m1.bin")
	assert.Equal(t, frame(t, 1, matrixSchema, matrixRow(0)), m1, "VECTORS §1 bytes")
	n, err := h.Decode(nil)
	require.NoError(t, err)
	assert.Zero(t, n)
	h.MustDecode(m1, codectest.ReadTestdata(t, "confluent_m2.bin"), m1)
	rec := h.Record()
	defer rec.Release()
	codectest.CheckMatrix(t, rec)
}

// Two schema ids interleaved in one topic and within one message.
func TestConfluentTwoSchemas(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srv := newRegistry(t)
	const v1 = `{"type":"record","name":"user","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}`
	const v2 = `{"type":"record","name":"user","fields":[{"name":"name","type":"string"},{"name":"email","type":["null","string"],"default":null},{"name":"id","type":"int"}]}`
	id1 := srv.Add("users-value", registry.Schema{Text: v1})
	id2 := srv.Add("users-value", registry.Schema{Text: v2})
	require.NotEqual(t, id1, id2)

	h := codectest.NewHarness(t, mem, Confluent{}, []string{"id Int64", "name String", "email Nullable(String)"}, confluentSettings(srv.AuthURL()))
	defer h.Release()
	a := frame(t, id1, v1, map[string]any{"id": int64(1), "name": "ann"})
	b := frame(t, id2, v2, map[string]any{"id": int32(2), "name": "bob", "email": goavro.Union("string", "bob@x")})
	c := frame(t, id1, v1, map[string]any{"id": int64(3), "name": "cid"})
	d := frame(t, id2, v2, map[string]any{"id": int32(4), "name": "dan", "email": nil})
	h.MustDecode(a, append(append(append([]byte(nil), b...), c...), d...), b)
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []string{"1", "2", "3", "4", "2"}, codectest.Strs(rec.Column(0)))
	assert.Equal(t, []string{"ann", "bob", "cid", "dan", "bob"}, codectest.Strs(rec.Column(1)))
	assert.Equal(t, []string{"(null)", "bob@x", "(null)", "(null)", "bob@x"}, codectest.Strs(rec.Column(2)))
	before := srv.Requests()
	h.MustDecode(a, b)
	assert.Equal(t, before, srv.Requests(), "schemas are cached per id")
}

func TestConfluentErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srv := newRegistry(t)
	id := srv.Add("matrix-value", registry.Schema{Text: matrixSchema})
	pid := srv.Add("proto-value", registry.Schema{Type: registry.Protobuf, Text: `syntax = "proto3"; message M {}`})
	host := strings.TrimPrefix(srv.URL, "http://")
	good := frame(t, id, matrixSchema, matrixRow(7))

	t.Run("wrong credentials", func(t *testing.T) {
		h := codectest.NewHarness(t, mem, Confluent{}, codectest.MatrixCols, confluentSettings("http://reader:wrong-pass@"+host))
		defer h.Release()
		n, err := h.Decode(good)
		require.Error(t, err)
		assert.Zero(t, n)
		assert.ErrorIs(t, err, registry.ErrUnauthorized)
		assert.NotContains(t, err.Error(), "wrong-pass")
		assert.Contains(t, err.Error(), "schema id 1: registry: GET http://reader:xxxxx@"+host+"/schemas/ids/1: 401 Unauthorized")
	})

	h := codectest.NewHarness(t, mem, Confluent{}, codectest.MatrixCols, confluentSettings(srv.AuthURL()))
	defer h.Release()
	for _, tc := range []struct {
		name    string
		payload []byte
		want    []string
	}{
		{"unknown id", []byte{0, 0, 0, 0, 42, 0}, []string{"schema id 42: registry: GET http://reader:xxxxx@" + host + "/schemas/ids/42: 404 Not Found", "(at row 1)"}},
		{"short message", []byte{0, 0, 1}, []string{"Missing AvroConfluent magic byte or schema identifier: 3 bytes left", "(at row 1)"}},
		{"short second frame", append(append([]byte(nil), good...), 0, 0), []string{"Missing AvroConfluent magic byte", "(at row 2)"}},
		{"wrong magic", []byte("qwertyuiop"), []string{"Invalid magic byte before AvroConfluent schema identifier. Must be zero byte, found 113 instead"}},
		{"truncated datum", good[:len(good)-2], []string{"schema id 1: field val2: unexpected end of data", "(at row 1)"}},
		{"protobuf id", []byte{0, 0, 0, 0, byte(pid)}, []string{"has type PROTOBUF, not AVRO"}},
		{"garbage 2", []byte("asdfghjkl"), []string{"Invalid magic byte"}},
		{"garbage 3", []byte("zxcvbnm"), []string{"Invalid magic byte"}},
		{"broken", []byte("Broken message\nBroken message\nBroken message\n"), []string{"Invalid magic byte"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := h.Decode(tc.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
	h.MustDecode(good)
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []string{"7"}, codectest.Strs(rec.Column(0)))
}

// A registry outage is retried for a bounded time, then fails the message; the next
// message recovers.
func TestConfluentOutage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srv := newRegistry(t)
	id := srv.Add("matrix-value", registry.Schema{Text: matrixSchema})
	client, err := registry.New(srv.AuthURL(), registry.WithRetryTimeout(300*time.Millisecond))
	require.NoError(t, err)
	h := codectest.NewHarness(t, mem, Confluent{Registry: client}, codectest.MatrixCols, defaults())
	defer h.Release()
	good := frame(t, id, matrixSchema, matrixRow(1))

	srv.FailNext(1_000_000, http.StatusServiceUnavailable)
	start := time.Now()
	_, err = h.Decode(good)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.ErrorIs(t, err, registry.ErrUnavailable)
	assert.Contains(t, err.Error(), "503 Service Unavailable")
	assert.Greater(t, srv.Requests(), 2, "retried")

	srv.FailNext(2, http.StatusBadGateway) // a short blip is absorbed by the retries
	n, err := h.Decode(good)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestConfluentSettings(t *testing.T) {
	cols, err := block.ParseColumns(codectest.MatrixCols)
	require.NoError(t, err)
	_, err = Confluent{}.NewDecoder(block.Schema(cols), nil)
	require.ErrorContains(t, err, "format_avro_schema_registry_url is not set")
	s := confluentSettings("ftp://user:pw@host")
	_, err = Confluent{}.NewDecoder(block.Schema(cols), &s)
	require.ErrorContains(t, err, "scheme must be http or https")
	assert.NotContains(t, err.Error(), ":pw@")
}

func TestConfluentEncode(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srv := newRegistry(t)
	s := confluentSettings(srv.AuthURL())

	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	h.MustDecode(codectest.ReadTestdata(t, "matrix_m1.avro"), codectest.ReadTestdata(t, "matrix_m2.avro"))
	rec := h.Record()
	defer rec.Release()

	enc, err := Confluent{}.NewEncoder(rec.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append([]byte("keep"), rec, 0, 1)
	require.ErrorContains(t, err, "not bound to a topic")
	assert.Equal(t, "keep", string(out))

	bound, err := enc.(format.TopicEncoder).ForTopic("events")
	require.NoError(t, err)
	m1, err := bound.Append(nil, rec, 0, 1)
	require.NoError(t, err)
	m2, err := bound.Append(nil, rec, 1, 16)
	require.NoError(t, err)
	ids := srv.Subjects("events-value")
	require.Len(t, ids, 1)
	assert.Equal(t, []byte{0, 0, 0, 0, byte(ids[0])}, m1[:5])

	// The datum is plain Avro binary of the registered schema: goavro reads it.
	schema, err := registry.New(srv.AuthURL())
	require.NoError(t, err)
	sc, err := schema.SchemaByID(t.Context(), ids[0])
	require.NoError(t, err)
	codec, err := goavro.NewCodec(sc.Text)
	require.NoError(t, err)
	native, rest, err := codec.NativeFromBinary(m1[5:])
	require.NoError(t, err)
	assert.Empty(t, rest)
	assert.Equal(t, map[string]any{"id": int64(0), "blockNo": int32(0), "val1": []byte("AM"), "val2": float32(0.5), "val3": int32(1)}, native)

	// A second encoder for the topic finds the subject's schema without a new version.
	enc2, err := Confluent{}.NewEncoder(rec.Schema(), &s)
	require.NoError(t, err)
	bound2, err := enc2.(format.TopicEncoder).ForTopic("events")
	require.NoError(t, err)
	again, err := bound2.Append(nil, rec, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, m1, again)
	assert.Len(t, srv.Subjects("events-value"), 1)

	d := codectest.NewHarness(t, mem, Confluent{}, codectest.MatrixCols, s)
	defer d.Release()
	d.MustDecode(m1, m2, m1)
	got := d.Record()
	defer got.Release()
	codectest.CheckMatrix(t, got)

	// Wrong credentials when registering.
	bad := confluentSettings(strings.Replace(srv.AuthURL(), "s3cr3t", "nope", 1))
	enc3, err := Confluent{}.NewEncoder(rec.Schema(), &bad)
	require.NoError(t, err)
	b3, err := enc3.(format.TopicEncoder).ForTopic("events")
	require.NoError(t, err)
	_, err = b3.Append(nil, rec, 0, 1)
	require.ErrorIs(t, err, registry.ErrUnauthorized)
	assert.Contains(t, err.Error(), "subject events-value")
	assert.NotContains(t, err.Error(), "nope")
}
