package kafkaengine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// Columns parses ClickHouse column definitions ("level LowCardinality(String)",
// "labels Array(LowCardinality(String))") into the Arrow schema [New] takes. DEFAULT,
// MATERIALIZED, EPHEMERAL and ALIAS columns are refused as ClickHouse's Kafka engine
// refuses them, and so are names of virtual columns.
func Columns(defs ...string) (*arrow.Schema, error) {
	cols, err := block.ParseColumns(defs)
	if err != nil {
		return nil, err
	}
	return block.Schema(cols), nil
}

type namedSink struct {
	name string
	sink Sink
}

// Table is a Kafka table: it reads the settings' topics with a consumer group, decodes
// every message with the format into Arrow record batches (the physical columns then
// the requested virtual columns) and delivers each block to every attached sink before
// committing its offsets. Insert publishes rows. A Table is safe for concurrent use.
type Table struct {
	settings Settings
	cols     []block.Column
	physical *arrow.Schema // the table's columns, what formats decode and encode
	schema   *arrow.Schema // blocks: physical columns then virtual ones
	virtual  []string
	format   format.Format
	opts     options

	mu        sync.Mutex
	sinks     []namedSink
	changed   chan struct{} // closed and replaced on every Attach/Detach
	running   bool
	pipes     []*pipeline
	consumers []*Consumer
	producer  *Producer
	closed    bool
	children  map[string]*child // isolated sinks
}

// New validates settings and columns and returns a table; it does not connect yet.
// schema is the table's columns: from [Columns], or any Arrow schema whose types map to
// ClickHouse types (DESIGN.md semantics 9). Errors name the offending setting or column.
func New(settings Settings, schema *arrow.Schema, opts ...Option) (*Table, error) {
	if err := settings.Validate(); err != nil {
		return nil, err
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, err
	}
	f := o.format
	if f == nil {
		if f, err = format.Lookup(settings.Format); err != nil {
			return nil, &SettingError{Setting: "kafka_format", Value: settings.Format, Err: err}
		}
	}
	virtual, err := virtualColumns(o.virtual, settings.errorMode())
	if err != nil {
		return nil, err
	}
	if settings.errorMode() == ErrorModeDeadLetterQueue && o.dlq == nil {
		return nil, &SettingError{Setting: "kafka_handle_error_mode", Value: string(settings.HandleErrorMode),
			Reason: "the dead-letter queue needs a dead-letter sink: pass kafkaengine.WithDeadLetterSink"}
	}
	t := &Table{
		settings: settings,
		cols:     cols,
		physical: block.Schema(cols),
		virtual:  virtual,
		format:   f,
		opts:     o,
		changed:  make(chan struct{}),
	}
	// Compile a decoder and a builder now, so that a format that cannot express a
	// column is refused at creation, not at the first message.
	fs := settings.formatSettings()
	if _, err := f.NewDecoder(t.physical, &fs); err != nil {
		return nil, fmt.Errorf("kafkaengine: format %s: %w", settings.Format, err)
	}
	b, err := block.NewBuilder(o.mem, cols, virtual)
	if err != nil {
		return nil, err
	}
	t.schema = b.Schema()
	b.Release()
	return t, nil
}

func virtualColumns(names []string, mode ErrorMode) ([]string, error) {
	var out []string
	for _, n := range names {
		if !virtualcols.IsVirtual(n) {
			return nil, fmt.Errorf("kafkaengine: %q is not a virtual column (allowed: %v)", n, virtualcols.Names())
		}
		if (n == virtualcols.RawMessage || n == virtualcols.Error) && mode != ErrorModeStream {
			return nil, fmt.Errorf("kafkaengine: virtual column %s exists only with kafka_handle_error_mode = 'stream'", n)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if mode == ErrorModeStream {
		for _, n := range []string{virtualcols.RawMessage, virtualcols.Error} {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// Schema returns the schema of the blocks sinks receive: the table's columns, then the
// virtual columns it carries.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Settings returns the table's settings.
func (t *Table) Settings() Settings { return t.settings }

// Attach adds a sink under name; from the next block on it receives every block. It may
// be called while the table runs (CREATE MATERIALIZED VIEW). A sink implementing
// [Binder] is checked against [Table.Schema] first. By default all sinks succeed or
// fail together; see [Isolated] for a sink with its own progress.
func (t *Table) Attach(name string, s Sink, opts ...AttachOption) error {
	var ao attachOptions
	for _, o := range opts {
		o(&ao)
	}
	var c *child
	if ao.isolated {
		var err error
		if c, err = t.newChild(name, s); err != nil {
			return err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	for _, ns := range t.sinks {
		if ns.name == name {
			return fmt.Errorf("%w: %q", ErrSinkExists, name)
		}
	}
	if _, dup := t.children[name]; dup {
		return fmt.Errorf("%w: %q", ErrSinkExists, name)
	}
	if c != nil {
		if t.children == nil {
			t.children = map[string]*child{}
		}
		t.children[name] = c
		t.notifyLocked()
		return nil
	}
	if b, ok := s.(Binder); ok {
		if err := b.Bind(t.schema); err != nil {
			return fmt.Errorf("kafkaengine: attach %q: %w", name, err)
		}
	}
	// Copy on write: pipelines read the slice without the lock.
	t.sinks = append(slices.Clip(t.sinks), namedSink{name: name, sink: s})
	t.notifyLocked()
	return nil
}

// Detach removes the sink attached under name. The block in progress goes to the sinks
// still attached; with none left the table stops consuming (its offsets stay as they
// are) until a sink is attached again.
func (t *Table) Detach(name string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.children[name]; ok {
		if c.cancel != nil {
			c.cancel()
		}
		delete(t.children, name)
		t.notifyLocked()
		return nil
	}
	i := slices.IndexFunc(t.sinks, func(ns namedSink) bool { return ns.name == name })
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrNoSink, name)
	}
	t.sinks = slices.Delete(slices.Clone(t.sinks), i, i+1)
	t.notifyLocked()
	return nil
}

func (t *Table) notifyLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}

func (t *Table) sinkList() []namedSink {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sinks
}

func (t *Table) hasSinks() bool { return len(t.sinkList()) > 0 }

// sinkState reports whether sinks are attached and the channel closed on the next
// Attach or Detach, read together: a waiter that checked hasSinks and then took the
// channel could miss an Attach in between and sleep through it.
func (t *Table) sinkState() (bool, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sinks) > 0, t.changed
}

// Run consumes until ctx ends, delivering blocks to the attached sinks. It starts
// kafka_num_consumers group members and their pipelines and returns once all of them have
// stopped: nil when ctx was cancelled, or an error if the table could not start. Errors
// the table recovers from (unreachable brokers, broken messages, failing sinks, failed
// commits) do not stop it: they go to the error hook and the consumers' stats. A block
// in progress when ctx ends is dropped uncommitted and read again by the next run.
func (t *Table) Run(ctx context.Context) error {
	ready := make(chan struct{})
	return t.run(ctx, ready)
}

func (t *Table) run(ctx context.Context, ready chan<- struct{}) error {
	t.mu.Lock()
	switch {
	case t.closed:
		t.mu.Unlock()
		return ErrClosed
	case t.running:
		t.mu.Unlock()
		return ErrRunning
	}
	consumers, pipes, err := t.newConsumers()
	if err != nil {
		t.mu.Unlock()
		return err
	}
	t.running, t.consumers, t.pipes = true, consumers, pipes
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.running, t.pipes = false, nil
		t.mu.Unlock()
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, p := range pipes {
		wg.Go(func() { p.run(ctx) })
	}
	for _, c := range consumers {
		wg.Go(func() { c.run(ctx) })
	}
	wg.Go(func() { t.superviseChildren(ctx) })
	close(ready)
	wg.Wait()
	return nil
}

func (t *Table) newConsumers() ([]*Consumer, []*pipeline, error) {
	n := t.settings.numConsumers()
	consumers := make([]*Consumer, n)
	for i := range consumers {
		consumers[i] = &Consumer{t: t, index: i, clientID: t.settings.clientID(i)}
		consumers[i].stats.onErr = t.opts.onError
	}
	var pipes []*pipeline
	if t.settings.ThreadPerConsumer {
		for _, c := range consumers {
			p, err := t.newPipeline([]*Consumer{c})
			if err != nil {
				return nil, nil, err
			}
			pipes = append(pipes, p)
		}
	} else {
		p, err := t.newPipeline(consumers)
		if err != nil {
			return nil, nil, err
		}
		pipes = append(pipes, p)
	}
	return consumers, pipes, nil
}

// Consumers returns the consumers of the current or last run (nil before the first).
func (t *Table) Consumers() []*Consumer {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.consumers)
}

// Stats returns the stats of every consumer of the current or last run, and their sums.
func (t *Table) Stats() TableStats {
	var ts TableStats
	for _, c := range t.Consumers() {
		s := c.Stats()
		ts.Consumers = append(ts.Consumers, s)
		ts.MessagesRead += s.MessagesRead
		ts.BrokenMessages += s.BrokenMessages
		ts.Commits += s.Commits
		ts.Lag += s.Lag
		ts.OldestUncommittedAge = max(ts.OldestUncommittedAge, s.OldestUncommittedAge)
	}
	t.mu.Lock()
	children := maps.Clone(t.children)
	t.mu.Unlock()
	for name, c := range children {
		if ts.Sinks == nil {
			ts.Sinks = map[string]TableStats{}
		}
		ts.Sinks[name] = c.t.Stats()
	}
	return ts
}

// Select is ClickHouse's direct SELECT from the Kafka table (SPEC §6): it reads at most
// one block from each pipeline — whatever one poll batch returns once an assignment
// exists, or nothing after 10 empty polls — and returns the rows as one record batch
// with [Table.Schema], which the caller must Release. Offsets are committed only with
// kafka_commit_on_select; otherwise the next Select returns the same messages. While
// the table runs with sinks attached, Select fails with [ErrSelectNotAllowed]; while it
// runs without sinks, its consumers serve the select; otherwise Select joins the group
// for the duration of the call.
func (t *Table) Select(ctx context.Context) (arrow.RecordBatch, error) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, ErrClosed
	}
	running, pipes, sinks := t.running, t.pipes, len(t.sinks)
	t.mu.Unlock()
	if running && sinks > 0 {
		return nil, ErrSelectNotAllowed
	}
	if running {
		return t.selectFrom(ctx, pipes)
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{})
	errc := make(chan error, 1)
	go func() { errc <- t.run(runCtx, ready) }()
	select {
	case <-ready:
	case err := <-errc:
		return nil, err
	}
	t.mu.Lock()
	pipes = t.pipes
	t.mu.Unlock()
	rec, err := t.selectFrom(ctx, pipes)
	cancel()
	if rerr := <-errc; err == nil && rerr != nil {
		rec.Release()
		return nil, rerr
	}
	return rec, err
}

func (t *Table) selectFrom(ctx context.Context, pipes []*pipeline) (arrow.RecordBatch, error) {
	recs := make([]arrow.RecordBatch, len(pipes))
	errs := make([]error, len(pipes))
	var wg sync.WaitGroup
	for i, p := range pipes {
		wg.Go(func() { recs[i], errs[i] = p.selectBlock(ctx) })
	}
	wg.Wait()
	defer func() {
		for _, r := range recs {
			if r != nil {
				r.Release()
			}
		}
	}()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return concatRecords(t.opts.mem, recs)
}

// Write makes a Table usable as a [Sink]: it is [Table.Insert], so a [View] can publish
// another table's rows to Kafka (Kafka → Kafka).
func (t *Table) Write(ctx context.Context, rec arrow.RecordBatch) error { return t.Insert(ctx, rec) }

// Insert publishes rec's rows to the table's topic in the table's format (DESIGN.md
// semantics 7): row formats put up to kafka_max_rows_per_message rows in one message,
// block formats one record batch. Columns are matched by name to the table's columns;
// columns named _key, _timestamp, _headers.name and _headers.value set the key, the
// timestamp and the headers of each message from its last row. Insert returns once the
// brokers acknowledged every message, or the first delivery error. rec is borrowed.
func (t *Table) Insert(ctx context.Context, rec arrow.RecordBatch) error {
	p, err := t.getProducer()
	if err != nil {
		return err
	}
	return p.Write(ctx, rec)
}

func (t *Table) getProducer() (*Producer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	if t.producer == nil {
		p, err := newProducer(t.settings, t.cols, t.format, t.opts, t.saramaConfig(t.settings.clientID(0)))
		if err != nil {
			return nil, err
		}
		t.producer = p
	}
	return t.producer, nil
}

// Close releases the table's producer. It does not stop a running table (cancel Run's
// context for that). It is idempotent.
func (t *Table) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	var errs []error
	for _, c := range t.children {
		errs = append(errs, c.t.Close())
	}
	if t.producer != nil {
		errs = append(errs, t.producer.Close())
	}
	return errors.Join(errs...)
}
