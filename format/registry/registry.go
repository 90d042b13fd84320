package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of the client's time limits.
const (
	// DefaultRequestTimeout bounds one HTTP request (connect, send and receive).
	DefaultRequestTimeout = 5 * time.Second
	// DefaultRetryTimeout bounds one call, all retries included.
	DefaultRetryTimeout = 10 * time.Second
)

// maxBody bounds the response bodies the client reads: a schema is a few kilobytes, so a
// larger body is a misconfigured URL, not a registry.
const maxBody = 16 << 20

// Schema types, as the registry's "schemaType" field names them. The registry omits the
// field for Avro; [Client] reports it as [Avro].
const (
	Avro     = "AVRO"
	Protobuf = "PROTOBUF"
	JSON     = "JSON"
)

// Schema is a schema the registry stores.
type Schema struct {
	// ID is the registry's global schema id (0 for a schema not yet registered).
	ID int
	// Type is Avro, Protobuf or JSON; "" means Avro.
	Type string
	// Text is the schema text: Avro JSON, a .proto file, or a JSON schema.
	Text string
	// References name the other schemas Text imports (Protobuf imports, Avro named types).
	References []Reference
}

// Reference is one schema a schema refers to: Name is the import name (a .proto file name
// or an Avro full name), Subject and Version where the registry keeps it.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Sentinel conditions a registry [*Error] matches with errors.Is.
var (
	// ErrNotFound is a 404: an unknown schema id, subject or version.
	ErrNotFound = errors.New("registry: not found")
	// ErrUnauthorized is a 401 or 403: missing or wrong credentials, or no permission.
	ErrUnauthorized = errors.New("registry: unauthorized")
	// ErrUnavailable is a network error or a 5xx response that persisted through the
	// retries.
	ErrUnavailable = errors.New("registry: unavailable")
)

// Error is a failed registry request. Its text names the request with the registry URL
// (password redacted), the HTTP status and the registry's error code and message.
type Error struct {
	Method  string // HTTP method
	URL     string // request URL with the password replaced by "xxxxx"
	Status  int    // HTTP status code; 0 when no response arrived
	Code    int    // the registry's error_code, 0 if none
	Message string // the registry's message, or the start of the body
	Err     error  // the network error when Status is 0, else nil
}

// Error returns e.g. `registry: GET http://user:xxxxx@host:8081/schemas/ids/7: 404 Not
// Found: Schema 7 not found (error code 40403)`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("registry: ")
	b.WriteString(e.Method)
	b.WriteString(" ")
	b.WriteString(e.URL)
	if e.Status == 0 {
		if e.Err != nil {
			b.WriteString(": ")
			b.WriteString(e.Err.Error())
		}
		return b.String()
	}
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.Status))
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" ")
		b.WriteString(t)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != 0 {
		b.WriteString(" (error code ")
		b.WriteString(strconv.Itoa(e.Code))
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the network error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is matches [ErrNotFound], [ErrUnauthorized] and [ErrUnavailable] by status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case ErrUnavailable:
		return retryable(e.Status)
	}
	return false
}

func retryable(status int) bool {
	return status == 0 || status >= 500 || status == http.StatusTooManyRequests
}

// Option configures a [Client].
type Option func(*Client) error

// WithHTTPClient makes the client send its requests with hc (default: a client of its
// own using the system's proxy settings and root certificates). Tests pass the client of
// an httptest TLS server here.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("registry: WithHTTPClient: nil client")
		}
		c.hc = hc
		return nil
	}
}

// WithBasicAuth sets the basic-auth credentials, overriding user information in the URL.
func WithBasicAuth(user, password string) Option {
	return func(c *Client) error {
		c.user, c.pass, c.auth = user, password, true
		return nil
	}
}

// WithRequestTimeout bounds each HTTP request (default [DefaultRequestTimeout]).
func WithRequestTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("registry: WithRequestTimeout: %v is not positive", d)
		}
		c.requestTimeout = d
		return nil
	}
}

// WithRetryTimeout bounds each call including its retries (default
// [DefaultRetryTimeout]). Network errors, 5xx and 429 responses are retried with
// exponential backoff until it runs out; other responses are final.
func WithRetryTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("registry: WithRetryTimeout: %v is not positive", d)
		}
		c.retryTimeout = d
		return nil
	}
}

// Client talks to a Confluent Schema Registry (or a service with its API) over HTTP or
// HTTPS. Schemas fetched by id are cached for the life of the client (the registry never
// changes the schema of an id), as are the ids of registered or looked-up schemas.
//
// A Client is safe for concurrent use.
type Client struct {
	base           *url.URL // without user information
	shown          string   // the URL as errors show it, password redacted
	user, pass     string
	auth           bool
	hc             *http.Client
	requestTimeout time.Duration
	retryTimeout   time.Duration

	mu       sync.Mutex
	byID     map[int]*Schema
	subjects map[subjectKey]int
}

type subjectKey struct{ subject, typ, text string }

// New returns a client for the registry at rawURL (format_avro_schema_registry_url), e.g.
// "https://user:secret@registry.example.com:8081". User information in the URL is basic
// auth (user and password are URL-decoded); https uses the system's root certificates
// unless [WithHTTPClient] says otherwise. It fails for an empty or unparsable URL or a
// scheme other than http and https; it does not contact the registry.
func New(rawURL string, opts ...Option) (*Client, error) {
	if rawURL == "" {
		return nil, errors.New("registry: empty schema registry URL (format_avro_schema_registry_url)")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the URL, password included: say only what is wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("registry: bad schema registry URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("registry: schema registry URL %s: scheme must be http or https", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("registry: schema registry URL %s has no host", u.Redacted())
	}
	c := &Client{
		shown:          strings.TrimSuffix(u.Redacted(), "/"),
		hc:             http.DefaultClient,
		requestTimeout: DefaultRequestTimeout,
		retryTimeout:   DefaultRetryTimeout,
		byID:           map[int]*Schema{},
		subjects:       map[subjectKey]int{},
	}
	if u.User != nil {
		c.user = u.User.Username()
		c.pass, _ = u.User.Password()
		c.auth = true
	}
	base := *u
	base.User = nil
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawPath = ""
	base.RawQuery, base.Fragment = "", ""
	c.base = &base
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// URL returns the registry URL with the password redacted.
func (c *Client) URL() string { return c.shown }

// SchemaByID returns the schema with the given id (GET /schemas/ids/{id}), from the cache
// when it was fetched before. The caller must not modify the result. Errors are
// [*Error] values: errors.Is(err, [ErrNotFound]) for an unknown id.
func (c *Client) SchemaByID(ctx context.Context, id int) (*Schema, error) {
	c.mu.Lock()
	s, ok := c.byID[id]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	var resp struct {
		Schema     string      `json:"schema"`
		SchemaType string      `json:"schemaType"`
		References []Reference `json:"references"`
	}
	if err := c.do(ctx, http.MethodGet, "/schemas/ids/"+strconv.Itoa(id), nil, &resp); err != nil {
		return nil, err
	}
	s = &Schema{ID: id, Type: schemaType(resp.SchemaType), Text: resp.Schema, References: resp.References}
	c.mu.Lock()
	c.byID[id] = s
	c.mu.Unlock()
	return s, nil
}

// SubjectVersion returns version v of subject (GET /subjects/{subject}/versions/{v}); v < 0
// means the latest version. Protobuf decoders use it to resolve references. It is not
// cached.
func (c *Client) SubjectVersion(ctx context.Context, subject string, v int) (*Schema, error) {
	ver := "latest"
	if v >= 0 {
		ver = strconv.Itoa(v)
	}
	var resp struct {
		ID         int         `json:"id"`
		Schema     string      `json:"schema"`
		SchemaType string      `json:"schemaType"`
		References []Reference `json:"references"`
	}
	if err := c.do(ctx, http.MethodGet, "/subjects/"+url.PathEscape(subject)+"/versions/"+ver, nil, &resp); err != nil {
		return nil, err
	}
	return &Schema{ID: resp.ID, Type: schemaType(resp.SchemaType), Text: resp.Schema, References: resp.References}, nil
}

// Register registers s under subject (POST /subjects/{subject}/versions) and returns its
// id; registering a schema the subject already has returns the existing id. Successful
// results are cached per (subject, schema).
func (c *Client) Register(ctx context.Context, subject string, s Schema) (int, error) {
	return c.subjectCall(ctx, "/subjects/"+url.PathEscape(subject)+"/versions", subject, s)
}

// Lookup returns the id of s under subject (POST /subjects/{subject}) without registering
// it: errors.Is(err, [ErrNotFound]) when the subject does not have it. Successful results
// are cached per (subject, schema).
func (c *Client) Lookup(ctx context.Context, subject string, s Schema) (int, error) {
	return c.subjectCall(ctx, "/subjects/"+url.PathEscape(subject), subject, s)
}

func (c *Client) subjectCall(ctx context.Context, path, subject string, s Schema) (int, error) {
	key := subjectKey{subject, schemaType(s.Type), s.Text}
	c.mu.Lock()
	id, ok := c.subjects[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	req := struct {
		Schema     string      `json:"schema"`
		SchemaType string      `json:"schemaType,omitempty"`
		References []Reference `json:"references,omitempty"`
	}{Schema: s.Text, References: s.References}
	if t := schemaType(s.Type); t != Avro {
		req.SchemaType = t
	}
	body, err := json.Marshal(req)
	if err != nil {
		return 0, fmt.Errorf("registry: %w", err)
	}
	var resp struct {
		ID int `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, path, body, &resp); err != nil {
		return 0, err
	}
	if resp.ID <= 0 {
		return 0, &Error{Method: http.MethodPost, URL: c.shown + path, Status: http.StatusOK, Message: "response has no schema id"}
	}
	c.mu.Lock()
	c.subjects[key] = resp.ID
	c.mu.Unlock()
	return resp.ID, nil
}

func schemaType(t string) string {
	if t == "" {
		return Avro
	}
	return strings.ToUpper(t)
}

// do sends one request, retrying network errors and 5xx/429 responses with exponential
// backoff within the retry timeout, and decodes a 2xx JSON response into out.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.retryTimeout)
	defer cancel()
	backoff := 50 * time.Millisecond
	var last *Error // the last response error, more telling than a timeout cutting the next try
	for {
		err := c.once(ctx, method, path, body, out)
		if err == nil {
			return nil
		}
		var re *Error
		if !errors.As(err, &re) || !retryable(re.Status) {
			return err
		}
		if ctx.Err() != nil {
			if re.Status == 0 && last != nil {
				return last
			}
			return err
		}
		if re.Status != 0 {
			last = re
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			if re.Status == 0 && last != nil {
				return last
			}
			return err
		case <-t.C:
		}
		backoff = min(backoff*2, time.Second)
	}
}

func (c *Client) once(ctx context.Context, method, path string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	u := *c.base
	u.Path += path
	shown := c.shown + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return &Error{Method: method, URL: shown, Err: err}
	}
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5")
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	if c.auth {
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return &Error{Method: method, URL: shown, Err: netError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return &Error{Method: method, URL: shown, Err: netError(err)}
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Method: method, URL: shown, Status: resp.StatusCode}
		var rerr struct {
			Code    int    `json:"error_code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &rerr) == nil && (rerr.Code != 0 || rerr.Message != "") {
			e.Code, e.Message = rerr.Code, rerr.Message
		} else {
			e.Message = snippet(data)
		}
		return e
	}
	if len(data) > maxBody {
		return &Error{Method: method, URL: shown, Status: resp.StatusCode, Message: "response body larger than 16 MiB"}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &Error{Method: method, URL: shown, Status: resp.StatusCode, Message: "bad response: " + err.Error()}
	}
	return nil
}

// netError strips the *url.Error wrapper, whose text repeats the URL with the password.
func netError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timeout: %w", err)
	}
	return err
}

// snippet returns the start of a non-JSON error body, on one line.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strings.Join(strings.Fields(s), " ")
}
