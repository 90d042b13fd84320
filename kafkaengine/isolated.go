package kafkaengine

import (
	"context"
	"sync"
	"time"
)

// AttachOption configures how [Table.Attach] attaches a sink.
type AttachOption func(*attachOptions)

type attachOptions struct {
	isolated bool
}

// Isolated attaches a sink with its own progress, so that one failing sink neither
// holds back nor duplicates rows into the others (ClickHouse issues #20086, #52354).
//
// The default policy is ClickHouse's all-or-nothing: a block is committed once every
// sink wrote it; when one fails, every sink receives the block again — the healthy ones
// see duplicates, and all of them wait for the failing one.
//
// An isolated sink instead reads the table's topics with a consumer group of its own,
// named "<kafka_group_name>.<sink name>", as a separate copy of the table with the same
// settings, columns and virtual columns: it receives every block at least once, and
// exactly once unless it fails or a rebalance intervenes; the table's other sinks
// commit without it. When it fails, only it is retried, from its own committed offsets,
// after kafka_consumer_reschedule_ms doubled on each consecutive failure up to 30 s.
// Its lag is in [TableStats.Sinks]. The cost: its topics are fetched and decoded once
// more. It starts and stops with the table's Run.
func Isolated() AttachOption { return func(o *attachOptions) { o.isolated = true } }

// maxBackoff caps the retry delay of an isolated sink.
const maxBackoff = 30 * time.Second

// child is an isolated sink's copy of the table.
type child struct {
	t       *Table
	started bool
	cancel  context.CancelFunc // stops the child's run; set when started
}

func (t *Table) newChild(name string, s Sink) (*child, error) {
	cs := t.settings
	cs.GroupName = t.settings.GroupName + "." + name
	c := &Table{
		settings: cs,
		cols:     t.cols,
		physical: t.physical,
		schema:   t.schema,
		virtual:  t.virtual,
		format:   t.format,
		opts:     t.opts,
		changed:  make(chan struct{}),
	}
	c.opts.backoff = true
	c.opts.name = t.opts.name + "." + name
	if err := c.Attach(name, s); err != nil {
		return nil, err
	}
	return &child{t: c}, nil
}

// superviseChildren runs the isolated sinks' tables while the table runs: those
// attached before and those attached meanwhile; Detach stops one. It returns when ctx
// ends, after every child stopped.
func (t *Table) superviseChildren(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		t.mu.Lock()
		for _, c := range t.children {
			if c.started {
				continue
			}
			cctx, cancel := context.WithCancel(ctx)
			c.started, c.cancel = true, cancel
			wg.Go(func() {
				if err := c.t.Run(cctx); err != nil {
					t.opts.onError(err)
				}
			})
		}
		changed := t.changed
		t.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			t.mu.Lock()
			for _, c := range t.children {
				c.started = false
			}
			t.mu.Unlock()
			return
		}
	}
}
