package registry_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format/registry"
	"github.com/chkafka/chkafka/format/registry/registrytest"
)

const schemaA = `{"type":"record","name":"row","fields":[{"name":"a","type":"long"}]}`
const schemaB = `{"type":"record","name":"row","fields":[{"name":"b","type":"string"}]}`

func newServer(t *testing.T) *registrytest.Server {
	t.Helper()
	srv := registrytest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

func TestSchemaByIDCachesAndAuth(t *testing.T) {
	srv := newServer(t)
	srv.SetBasicAuth("user", "p@ss:word")
	idA := srv.Add("t-value", registry.Schema{Text: schemaA})
	idB := srv.Add("t-value", registry.Schema{Type: registry.Protobuf, Text: "syntax = \"proto3\";"})
	require.Equal(t, 1, idA)
	require.Equal(t, 2, idB)

	c, err := registry.New(srv.AuthURL())
	require.NoError(t, err)
	assert.NotContains(t, c.URL(), "p@ss")
	ctx := context.Background()
	s, err := c.SchemaByID(ctx, idA)
	require.NoError(t, err)
	assert.Equal(t, registry.Schema{ID: 1, Type: registry.Avro, Text: schemaA}, *s)
	s, err = c.SchemaByID(ctx, idB)
	require.NoError(t, err)
	assert.Equal(t, registry.Protobuf, s.Type)

	n := srv.Requests()
	_, err = c.SchemaByID(ctx, idA)
	require.NoError(t, err)
	assert.Equal(t, n, srv.Requests(), "a cached id needs no request")

	// WithBasicAuth overrides the URL's credentials.
	c2, err := registry.New(srv.URL, registry.WithBasicAuth("user", "p@ss:word"))
	require.NoError(t, err)
	_, err = c2.SchemaByID(ctx, idA)
	require.NoError(t, err)
}

func TestErrors(t *testing.T) {
	srv := newServer(t)
	srv.SetBasicAuth("user", "secret")
	srv.Add("t-value", registry.Schema{Text: schemaA})
	ctx := context.Background()

	t.Run("wrong credentials", func(t *testing.T) {
		u := strings.Replace(srv.AuthURL(), "secret", "wrong-password", 1)
		c, err := registry.New(u)
		require.NoError(t, err)
		_, err = c.SchemaByID(ctx, 1)
		require.Error(t, err)
		assert.ErrorIs(t, err, registry.ErrUnauthorized)
		assert.NotContains(t, err.Error(), "wrong-password")
		assert.Contains(t, err.Error(), "user:xxxxx@"+strings.TrimPrefix(srv.URL, "http://")+"/schemas/ids/1")
		assert.Contains(t, err.Error(), "401 Unauthorized")
	})
	t.Run("no credentials", func(t *testing.T) {
		c, err := registry.New(srv.URL)
		require.NoError(t, err)
		_, err = c.SchemaByID(ctx, 1)
		assert.ErrorIs(t, err, registry.ErrUnauthorized)
	})
	t.Run("unknown id", func(t *testing.T) {
		c, err := registry.New(srv.AuthURL())
		require.NoError(t, err)
		_, err = c.SchemaByID(ctx, 42)
		assert.ErrorIs(t, err, registry.ErrNotFound)
		assert.Contains(t, err.Error(), "/schemas/ids/42: 404 Not Found: Schema 42 not found (error code 40403)")
		assert.NotContains(t, err.Error(), "secret")
	})
	t.Run("outage is retried, bounded", func(t *testing.T) {
		c, err := registry.New(srv.AuthURL(), registry.WithRetryTimeout(300*time.Millisecond))
		require.NoError(t, err)
		srv.FailNext(2, http.StatusServiceUnavailable)
		s, err := c.SchemaByID(ctx, 1)
		require.NoError(t, err, "two 503s are retried")
		assert.Equal(t, schemaA, s.Text)

		srv.FailNext(1000, http.StatusInternalServerError)
		defer srv.FailNext(0, 0)
		start := time.Now()
		_, err = c.SchemaByID(ctx, 2)
		require.Error(t, err)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.ErrorIs(t, err, registry.ErrUnavailable)
		assert.Contains(t, err.Error(), "500 Internal Server Error")
	})
	t.Run("network error", func(t *testing.T) {
		dead := registrytest.NewServer()
		u := "http://user:secret@" + strings.TrimPrefix(dead.URL, "http://")
		dead.Close()
		c, err := registry.New(u, registry.WithRetryTimeout(200*time.Millisecond))
		require.NoError(t, err)
		_, err = c.SchemaByID(ctx, 1)
		require.Error(t, err)
		assert.ErrorIs(t, err, registry.ErrUnavailable)
		assert.NotContains(t, err.Error(), "secret")
		assert.Contains(t, err.Error(), "user:xxxxx@")
	})
	t.Run("bad urls", func(t *testing.T) {
		for _, u := range []string{"", "ftp://host", "http://", "http://user:se cret@host:bad port"} {
			_, err := registry.New(u)
			require.Error(t, err, u)
			assert.NotContains(t, err.Error(), "cret", u)
		}
	})
}

func TestRegisterAndLookup(t *testing.T) {
	srv := newServer(t)
	c, err := registry.New(srv.URL)
	require.NoError(t, err)
	ctx := context.Background()

	_, err = c.Lookup(ctx, "t-value", registry.Schema{Text: schemaA})
	assert.ErrorIs(t, err, registry.ErrNotFound)

	id, err := c.Register(ctx, "t-value", registry.Schema{Text: schemaA})
	require.NoError(t, err)
	assert.Equal(t, 1, id)
	id2, err := c.Register(ctx, "t-value", registry.Schema{Text: schemaB})
	require.NoError(t, err)
	assert.Equal(t, 2, id2)
	got, err := c.Lookup(ctx, "t-value", registry.Schema{Text: schemaA})
	require.NoError(t, err)
	assert.Equal(t, 1, got)
	assert.Equal(t, []int{1, 2}, srv.Subjects("t-value"))

	n := srv.Requests()
	again, err := c.Register(ctx, "t-value", registry.Schema{Text: schemaA})
	require.NoError(t, err)
	assert.Equal(t, 1, again)
	assert.Equal(t, n, srv.Requests(), "registered ids are cached")

	s, err := c.SubjectVersion(ctx, "t-value", 2)
	require.NoError(t, err)
	assert.Equal(t, schemaB, s.Text)
	s, err = c.SubjectVersion(ctx, "t-value", -1)
	require.NoError(t, err)
	assert.Equal(t, 2, s.ID)
	_, err = c.SubjectVersion(ctx, "other", 1)
	assert.ErrorIs(t, err, registry.ErrNotFound)
}

func TestTLS(t *testing.T) {
	srv := registrytest.NewTLSServer()
	defer srv.Close()
	srv.Add("s", registry.Schema{Text: schemaA})

	// The system roots do not trust httptest's certificate.
	c, err := registry.New(srv.URL, registry.WithRetryTimeout(100*time.Millisecond))
	require.NoError(t, err)
	_, err = c.SchemaByID(context.Background(), 1)
	require.Error(t, err)

	c, err = registry.New(srv.URL, registry.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	s, err := c.SchemaByID(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, schemaA, s.Text)
}

func TestContextCancel(t *testing.T) {
	srv := newServer(t)
	srv.FailNext(1000, http.StatusBadGateway)
	c, err := registry.New(srv.URL)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.SchemaByID(ctx, 1)
	require.Error(t, err)
	assert.Less(t, time.Since(start), time.Second)
	var re *registry.Error
	require.True(t, errors.As(err, &re))
	assert.Equal(t, http.StatusBadGateway, re.Status)
}
