// Package registry is a client of the Confluent Schema Registry HTTP API, shared by the
// AvroConfluent format and Confluent-framed Protobuf.
//
// It uses four endpoints: GET /schemas/ids/{id} (a schema by its global id),
// GET /subjects/{subject}/versions/{version} (Protobuf references), POST
// /subjects/{subject}/versions (register) and POST /subjects/{subject} (look up).
//
//	c, err := registry.New("https://user:secret@registry:8081")
//	s, err := c.SchemaByID(ctx, 7)
//
// Basic auth comes from the URL's user information (ClickHouse's
// format_avro_schema_registry_url convention) or from [WithBasicAuth]; https uses the
// system's root certificates, or the *http.Client given with [WithHTTPClient]. Schemas are
// cached per id. Network errors and 5xx responses are retried with exponential backoff for
// at most [WithRetryTimeout] (default 10 s), so a registry outage gives an error after a
// bounded time, never a hang. Errors are [*Error] values naming the request URL with the
// password redacted.
//
// Package registrytest provides an in-process registry for tests.
package registry
