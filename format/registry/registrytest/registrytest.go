// Package registrytest runs an in-process Confluent Schema Registry for tests, in the
// style of net/http/httptest.
//
//	srv := registrytest.NewServer()
//	defer srv.Close()
//	srv.SetBasicAuth("user", "secret")
//	id := srv.Add("topic-value", registry.Schema{Text: avroSchema})
//	url := srv.AuthURL() // "http://user:secret@127.0.0.1:port"
//
// The server implements the endpoints package registry uses: GET /schemas/ids/{id},
// GET /subjects/{subject}/versions/{version}, POST /subjects/{subject}/versions and POST
// /subjects/{subject}. Identical schemas (same type and text) share one id, as in the real
// registry. Schema texts are stored verbatim, not validated.
package registrytest

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/chkafka/chkafka/format/registry"
)

// Server is an in-process schema registry. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	mu         sync.Mutex
	user, pass string
	auth       bool
	schemas    []registry.Schema // id-1 → schema
	subjects   map[string][]int  // subject → ids of versions 1, 2, ...
	fail       int               // requests left to fail with failStatus
	failStatus int
	requests   int
}

// NewServer starts a registry over plain HTTP. The caller must Close it.
func NewServer() *Server {
	s := &Server{subjects: map[string][]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Start()
	return s
}

// NewTLSServer starts a registry over HTTPS with httptest's self-signed certificate; use
// Server.Client() as the registry client's *http.Client. The caller must Close it.
func NewTLSServer() *Server {
	s := &Server{subjects: map[string][]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// Clients that do not trust the test certificate fail their handshakes by design.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	return s
}

// SetBasicAuth makes the server require these basic-auth credentials (401 otherwise).
func (s *Server) SetBasicAuth(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass, s.auth = user, password, true
}

// AuthURL returns the server URL with the basic-auth credentials as user information.
func (s *Server) AuthURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, _ := url.Parse(s.URL)
	if s.auth {
		u.User = url.UserPassword(s.user, s.pass)
	}
	return u.String()
}

// Add registers schema under subject (as a new version unless the subject has it) and
// returns its id.
func (s *Server) Add(subject string, schema registry.Schema) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := s.register(subject, schema)
	return id
}

// FailNext makes the next n requests fail with the HTTP status (e.g. 503) before any
// other processing, to simulate an outage.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail, s.failStatus = n, status
}

// Requests returns the number of requests served so far, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Subjects returns the ids of the versions of subject, oldest first.
func (s *Server) Subjects(subject string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.subjects[subject]...)
}

// register adds schema to subject; the caller holds s.mu. It returns the id and the
// 1-based version.
func (s *Server) register(subject string, schema registry.Schema) (id, version int) {
	typ := schemaType(schema.Type)
	for i, have := range s.schemas {
		if schemaType(have.Type) == typ && have.Text == schema.Text {
			id = i + 1
			break
		}
	}
	if id == 0 {
		schema.ID = len(s.schemas) + 1
		schema.Type = typ
		s.schemas = append(s.schemas, schema)
		id = schema.ID
	}
	for v, have := range s.subjects[subject] {
		if have == id {
			return id, v + 1
		}
	}
	s.subjects[subject] = append(s.subjects[subject], id)
	return id, len(s.subjects[subject])
}

func schemaType(t string) string {
	if t == "" {
		return registry.Avro
	}
	return strings.ToUpper(t)
}

type errorBody struct {
	Code    int    `json:"error_code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.fail > 0 {
		s.fail--
		writeJSON(w, s.failStatus, errorBody{s.failStatus * 100, "injected failure"})
		return
	}
	if s.auth {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.user || p != s.pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			writeJSON(w, http.StatusUnauthorized, errorBody{40101, "Unauthorized"})
			return
		}
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "schemas" && parts[1] == "ids":
		id, err := strconv.Atoi(parts[2])
		if err != nil || id < 1 || id > len(s.schemas) {
			writeJSON(w, http.StatusNotFound, errorBody{40403, "Schema " + parts[2] + " not found"})
			return
		}
		writeJSON(w, http.StatusOK, schemaBody(s.schemas[id-1], "", 0))
	case r.Method == http.MethodGet && len(parts) == 4 && parts[0] == "subjects" && parts[2] == "versions":
		versions, ok := s.subjects[parts[1]]
		if !ok {
			writeJSON(w, http.StatusNotFound, errorBody{40401, "Subject '" + parts[1] + "' not found."})
			return
		}
		v := len(versions)
		if parts[3] != "latest" {
			n, err := strconv.Atoi(parts[3])
			if err != nil || n < 1 || n > len(versions) {
				writeJSON(w, http.StatusNotFound, errorBody{40402, "Version " + parts[3] + " not found."})
				return
			}
			v = n
		}
		writeJSON(w, http.StatusOK, schemaBody(s.schemas[versions[v-1]-1], parts[1], v))
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "subjects" && parts[2] == "versions":
		schema, ok := readSchema(w, r)
		if !ok {
			return
		}
		id, _ := s.register(parts[1], schema)
		writeJSON(w, http.StatusOK, map[string]int{"id": id})
	case r.Method == http.MethodPost && len(parts) == 2 && parts[0] == "subjects":
		schema, ok := readSchema(w, r)
		if !ok {
			return
		}
		versions, ok := s.subjects[parts[1]]
		if !ok {
			writeJSON(w, http.StatusNotFound, errorBody{40401, "Subject '" + parts[1] + "' not found."})
			return
		}
		for v, id := range versions {
			have := s.schemas[id-1]
			if have.Type == schemaType(schema.Type) && have.Text == schema.Text {
				writeJSON(w, http.StatusOK, schemaBody(have, parts[1], v+1))
				return
			}
		}
		writeJSON(w, http.StatusNotFound, errorBody{40403, "Schema not found"})
	default:
		writeJSON(w, http.StatusNotFound, errorBody{404, "HTTP 404 Not Found"})
	}
}

func readSchema(w http.ResponseWriter, r *http.Request) (registry.Schema, bool) {
	var req struct {
		Schema     string               `json:"schema"`
		SchemaType string               `json:"schemaType"`
		References []registry.Reference `json:"references"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Schema == "" {
		writeJSON(w, http.StatusUnprocessableEntity, errorBody{42201, "Invalid schema"})
		return registry.Schema{}, false
	}
	return registry.Schema{Type: schemaType(req.SchemaType), Text: req.Schema, References: req.References}, true
}

func schemaBody(s registry.Schema, subject string, version int) map[string]any {
	m := map[string]any{"id": s.ID, "schema": s.Text}
	if s.Type != registry.Avro {
		m["schemaType"] = s.Type
	}
	if len(s.References) > 0 {
		m["references"] = s.References
	}
	if subject != "" {
		m["subject"] = subject
		m["version"] = version
	}
	return m
}
