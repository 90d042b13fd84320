package kafkaengine

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/chkafka/chkafka/virtualcols"
)

// Sink receives the blocks a [Table] reads: it plays the role of a ClickHouse
// materialized view. Write borrows rec for the duration of the call; a sink that keeps it
// must call rec.Retain (and later Release). A non-nil error fails the block: nothing is
// committed and every sink receives the block again after kafka_consumer_reschedule_ms
// (the same rows, less those of partitions revoked in the meantime), so a sink must
// tolerate seeing a block more than once (at-least-once delivery). A block whose rows
// were dropped that way may carry dictionary values (LowCardinality columns) that no row
// uses any more.
// Write is called from one goroutine per consumer pipeline; with
// kafka_thread_per_consumer = 1 and several consumers, concurrently.
type Sink interface {
	Write(ctx context.Context, rec arrow.RecordBatch) error
}

// SinkFunc adapts a function to a [Sink].
type SinkFunc func(ctx context.Context, rec arrow.RecordBatch) error

// Write calls f(ctx, rec).
func (f SinkFunc) Write(ctx context.Context, rec arrow.RecordBatch) error { return f(ctx, rec) }

// Binder is implemented by sinks that check the table's block schema when attached
// ([View] does); Attach fails with Bind's error.
type Binder interface {
	Bind(schema *arrow.Schema) error
}

// Query derives a new record batch from a block, like the SELECT of a materialized view.
// It borrows rec; the batch it returns is owned by the caller (released after use).
// It may return nil to write nothing for this block.
type Query func(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error)

// View is a [Sink] that runs a [Query] over each block and writes the result to another
// sink: `CREATE MATERIALIZED VIEW v TO target AS SELECT ...`. The target may be another
// [Table] (Kafka → Kafka). A View is safe for concurrent use if its query and target are.
type View struct {
	query Query
	bind  func(*arrow.Schema) error
	to    Sink
}

// NewView returns a view writing query's results to to.
func NewView(query Query, to Sink) *View { return &View{query: query, to: to} }

// NewProjectionView returns a view that projects each block by [Project]'s rules, e.g.
// NewProjectionView(to, "*", "_topic AS topic", "_partition AS partition").
func NewProjectionView(to Sink, exprs ...string) *View {
	p := &projection{exprs: exprs}
	return &View{query: p.run, bind: p.bind, to: to}
}

// Bind checks a projection against the table's schema; other queries are not checked.
func (v *View) Bind(schema *arrow.Schema) error {
	if v.bind != nil {
		if err := v.bind(schema); err != nil {
			return err
		}
	}
	return nil
}

// Write runs the query and writes its result to the target.
func (v *View) Write(ctx context.Context, rec arrow.RecordBatch) error {
	out, err := v.query(ctx, rec)
	if err != nil {
		return fmt.Errorf("view query: %w", err)
	}
	if out == nil {
		return nil
	}
	defer out.Release()
	if out.NumRows() == 0 {
		return nil
	}
	return v.to.Write(ctx, out)
}

// projection is the SELECT list of a view: column names, "*" (every column that is not
// virtual, as ClickHouse's * excludes virtual columns) and "name AS alias".
type projection struct {
	exprs []string
	bound atomic.Pointer[compiled] // set by Bind; a view may serve several tables
}

// compiled is a projection resolved against one input schema; immutable.
type compiled struct {
	in     *arrow.Schema
	idx    []int
	schema *arrow.Schema
}

func (p *projection) bind(in *arrow.Schema) error {
	idx, schema, err := p.compile(in)
	if err != nil {
		return err
	}
	p.bound.Store(&compiled{in: in, idx: idx, schema: schema})
	return nil
}

// compile resolves the select list against in.
func (p *projection) compile(in *arrow.Schema) ([]int, *arrow.Schema, error) {
	var idx []int
	var fields []arrow.Field
	for _, e := range p.exprs {
		e = strings.TrimSpace(e)
		if e == "*" {
			for i, f := range in.Fields() {
				if !virtualcols.IsVirtual(f.Name) {
					idx = append(idx, i)
					fields = append(fields, f)
				}
			}
			continue
		}
		name, alias := e, e
		if i := strings.Index(strings.ToUpper(e), " AS "); i >= 0 {
			name, alias = strings.TrimSpace(e[:i]), strings.TrimSpace(e[i+4:])
		}
		is := in.FieldIndices(name)
		if len(is) == 0 {
			return nil, nil, fmt.Errorf("kafkaengine: view selects unknown column %q (the table has %s)", name, fieldNames(in))
		}
		f := in.Field(is[0])
		f.Name = alias
		idx = append(idx, is[0])
		fields = append(fields, f)
	}
	return idx, arrow.NewSchema(fields, nil), nil
}

func (p *projection) run(_ context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	// Bind ran at Attach; a batch of another schema (the view used on its own, or
	// attached to several tables) is compiled for this call only.
	c := p.bound.Load()
	if c == nil || (c.in != rec.Schema() && !c.in.Equal(rec.Schema())) {
		idx, schema, err := p.compile(rec.Schema())
		if err != nil {
			return nil, err
		}
		c = &compiled{in: rec.Schema(), idx: idx, schema: schema}
	}
	idx, schema := c.idx, c.schema
	cols := make([]arrow.Array, len(idx))
	for i, j := range idx {
		cols[i] = rec.Column(j)
	}
	return array.NewRecordBatch(schema, cols, rec.NumRows()), nil
}

func fieldNames(s *arrow.Schema) string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
