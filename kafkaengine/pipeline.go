package kafkaengine

import (
	"context"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/offsets"
	"github.com/chkafka/chkafka/virtualcols"
)

// maxEmptyPolls is ClickHouse's MAX_FAILED_POLL_ATTEMPTS: a block in progress is flushed
// after this many empty polls even if neither its size nor its time limit was reached.
const maxEmptyPolls = 10

// assignmentWait is how long a direct select waits for a partition assignment before it
// returns nothing (ClickHouse: 15 s).
const assignmentWait = 15 * time.Second

// item is what a claim hands to the pipeline: messages of one partition of a
// generation, or (msgs nil) the start of that generation, sent by Setup before any of
// its messages.
type item struct {
	gen  *generation
	msgs []*sarama.ConsumerMessage
	pre  *decoded // msgs decoded ahead by the claim, or nil: the pipeline decodes them
	at   int      // the index in pre of msgs[0] (an item split across poll batches)
}

// endGen asks the pipeline to drop the generation's rows; done is closed when it has.
type endGen struct {
	gen  *generation
	done chan struct{}
}

// selectReq asks the pipeline for one block (a direct SELECT, SPEC §6).
type selectReq struct {
	res chan selectResult
}

type selectResult struct {
	rec arrow.RecordBatch
	err error
}

// pipeline builds blocks from the messages of its members and delivers them. It is the
// single owner of the decoder, the staged rows, the block builder and the offsets of the
// block in progress (STYLE R9); sarama's goroutines only send it items and control
// events. With kafka_thread_per_consumer = 0 one pipeline serves every consumer of the
// table; with 1 each consumer has its own.
//
// The block in progress is always derivable from pending, the messages it was built
// from: after a sink failure, a broken message or the end of a generation, the block
// is rebuilt from the messages that remain. That is the seek back to the committed
// offsets of SPEC §5.4, without a group rebalance.
type pipeline struct {
	t        *Table
	members  []*Consumer
	in       chan item
	free     chan *decoded       // decoded batches for the claims to reuse
	decoders chan format.Decoder // the claims' decoders, between claims
	ctrl     chan any
	done     chan struct{} // closed when run returns

	dec     format.Decoder
	rows    *block.Rows
	rowOpts block.Options
	b       *block.Builder
	dlq     *deadLetters // dead_letter_queue mode only
	meta    virtualcols.Message

	gens       map[*generation]struct{} // live generations
	pending    []message                // messages of the block in progress, in poll order
	arena      arena                    // their bytes
	carry      item                     // rest of an item beyond the last poll batch
	spare      []message                // the other pending buffer, for rebuild
	broken     int                      // broken messages skipped in this block
	start      time.Time                // when the block's first message was polled
	emptyPolls int
	failure    error                                       // the block failed; retried after the reschedule delay
	committed  map[*generation]map[offsets.Partition]int64 // offsets committed mid-block (kafka_commit_every_batch)

	failures  int  // consecutive failed attempts of the block in progress
	replaying bool // rebuild is decoding messages it decoded before
	sel       *selectReq
	selStart  time.Time
	idleSince time.Time // since when no sink is attached and no select is served
}

func (t *Table) newPipeline(members []*Consumer) (*pipeline, error) {
	fs := t.settings.formatSettings()
	dec, err := t.format.NewDecoder(t.physical, &fs)
	if err != nil {
		return nil, err
	}
	b, err := block.NewBuilder(t.opts.mem, t.cols, t.virtual)
	if err != nil {
		return nil, err
	}
	p := &pipeline{
		t:       t,
		members: members,
		// A short hand-off: each item is a fetched batch, and claims wait here rather than
		// queueing fetched messages without bound (measured: with 65k slots the heap grew
		// with the topic, 384 MiB at 1M messages and 850 MiB at 5M; with 16 it stays flat).
		in:        make(chan item, 16),
		free:      make(chan *decoded, 16+4),
		decoders:  make(chan format.Decoder, 64),
		ctrl:      make(chan any),
		done:      make(chan struct{}),
		dec:       dec,
		rowOpts:   block.Options{NullAsDefault: fs.NullAsDefault, DateTimeBestEffort: fs.DateTimeBestEffort},
		b:         b,
		gens:      map[*generation]struct{}{},
		committed: map[*generation]map[offsets.Partition]int64{},
	}
	if t.settings.errorMode() == ErrorModeDeadLetterQueue {
		if p.dlq, err = newDeadLetters(t.opts.mem, t.opts.name); err != nil {
			b.Release()
			return nil, err
		}
	}
	p.rows = block.NewRows(t.cols, p.rowOpts)
	for _, m := range members {
		m.pipe = p
	}
	return p, nil
}

// send hands it to the pipeline; false if ctx ended or the pipeline stopped first.
func (p *pipeline) send(ctx context.Context, it item) bool {
	select {
	case p.in <- it:
		return true
	case <-ctx.Done():
		return false
	case <-p.done:
		return false
	}
}

// endGeneration returns once the pipeline has dropped every row of gen.
func (p *pipeline) endGeneration(gen *generation) {
	done := make(chan struct{})
	select {
	case p.ctrl <- endGen{gen: gen, done: done}:
	case <-p.done:
		return
	}
	select {
	case <-done:
	case <-p.done:
	}
}

// selectBlock asks the running pipeline for one block.
func (p *pipeline) selectBlock(ctx context.Context) (arrow.RecordBatch, error) {
	req := &selectReq{res: make(chan selectResult, 1)}
	select {
	case p.ctrl <- req:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.done:
		return nil, ErrClosed
	}
	select {
	case r := <-req.res:
		return r.rec, r.err
	case <-p.done:
		// run answers an accepted request before it returns.
		r := <-req.res
		return r.rec, r.err
	}
}

func (p *pipeline) run(ctx context.Context) {
	defer close(p.done)
	defer p.release(ctx)
	for ctx.Err() == nil {
		if p.failure != nil {
			p.report(p.failure)
			p.failure = nil
			p.failures++
			p.wait(ctx, p.retryDelay())
			p.rebuild()
			continue
		}
		has, changed := p.t.sinkState()
		if p.sel == nil && !has {
			p.waitTarget(ctx, changed)
			continue
		}
		for _, m := range p.members {
			m.unpark()
		}
		p.poll(ctx, changed)
		if p.failure == nil && p.cutDue() {
			p.flush(ctx)
		}
	}
}

func (p *pipeline) release(ctx context.Context) {
	if p.sel != nil {
		p.sel.res <- selectResult{err: context.Cause(ctx)}
		p.sel = nil
	}
	clear(p.pending)
	p.pending = nil
	p.b.Release()
	if p.dlq != nil {
		p.dlq.release()
	}
}

// handle serves one control event.
func (p *pipeline) handle(ev any) {
	switch ev := ev.(type) {
	case endGen:
		ev.gen.ended = true
		delete(p.gens, ev.gen)
		delete(p.committed, ev.gen)
		for _, it := range p.pending {
			if it.gen == ev.gen {
				// Drop the rows of the revoked partitions before the session ends;
				// their new owner reads them again (DESIGN semantics 2).
				p.rebuild()
				break
			}
		}
		close(ev.done)
	case *selectReq:
		if p.sel != nil {
			ev.res <- selectResult{err: ErrSelectNotAllowed}
			return
		}
		p.sel, p.selStart, p.emptyPolls = ev, time.Now(), 0
	}
}

// wait sleeps for d while serving control events.
func (p *pipeline) wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case ev := <-p.ctrl:
			p.handle(ev)
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// waitTarget waits for a sink to be attached or a select request, serving control
// events. Members idle for kafka_consumers_pool_ttl_ms leave the group until then.
// changed must have been read with the check that found no sinks (Table.sinkState).
func (p *pipeline) waitTarget(ctx context.Context, changed <-chan struct{}) {
	if p.idleSince.IsZero() {
		p.idleSince = time.Now()
	}
	ttl := time.NewTimer(max(0, p.t.settings.consumersPoolTTL()-time.Since(p.idleSince)))
	defer ttl.Stop()
	select {
	case ev := <-p.ctrl:
		p.handle(ev)
	case <-changed:
	case <-ttl.C:
		for _, m := range p.members {
			m.park()
		}
		// Parked: wait without a timer.
		select {
		case ev := <-p.ctrl:
			p.handle(ev)
		case <-changed:
		case <-ctx.Done():
		}
	case <-ctx.Done():
	}
	if p.sel != nil || p.t.hasSinks() {
		p.idleSince = time.Time{}
	}
}

// pollTimeout is how long a poll waits for its first message: forever on an idle
// pipeline (nothing to flush), else the poll timeout, shortened to the block's deadline.
func (p *pipeline) pollTimeout() (time.Duration, bool) {
	s := &p.t.settings
	if len(p.pending) == 0 && p.sel == nil {
		return 0, false
	}
	d := s.pollTimeout()
	if fi := s.flushInterval(); fi > 0 && p.sel == nil && len(p.pending) > 0 {
		d = min(d, max(0, fi-time.Since(p.start)))
	}
	return d, true
}

// poll takes one poll batch: it waits for the first messages, then takes what is
// already there, up to kafka_poll_max_batch_size messages, decoding each one.
// changed is the sink-change channel read with the check that found sinks attached.
func (p *pipeline) poll(ctx context.Context, changed <-chan struct{}) {
	first := p.carry
	p.carry = item{}
	if first.gen == nil {
		var timer <-chan time.Time
		if d, ok := p.pollTimeout(); ok {
			t := time.NewTimer(d)
			defer t.Stop()
			timer = t.C
		}
		select {
		case first = <-p.in:
		case ev := <-p.ctrl:
			p.handle(ev)
			return
		case <-timer:
			if len(p.gens) > 0 {
				p.emptyPolls++
			}
			return
		case <-changed:
			return
		case <-ctx.Done():
			return
		}
	}
	now := time.Now()
	maxBatch := p.t.settings.pollMaxBatchSize()
	var (
		n      int
		counts = make(map[*Consumer]int, len(p.members))
		next   = make(map[*Consumer]map[offsets.Partition]int64, len(p.members))
	)
	it, ok := first, true
	for ok {
		switch {
		case it.msgs == nil:
			if !it.gen.ended {
				p.gens[it.gen] = struct{}{}
			}
		case it.gen.ended:
			// Messages of a revoked generation: the partitions' new owner reads them.
		default:
			c := it.gen.c
			if next[c] == nil {
				next[c] = map[offsets.Partition]int64{}
			}
			for i, m := range it.msgs {
				if n == maxBatch {
					p.carry = item{gen: it.gen, msgs: it.msgs[i:], pre: it.pre, at: it.at + i}
					break
				}
				if len(p.pending) == 0 {
					p.start = now
				}
				n++
				counts[c]++
				next[c][offsets.Partition{Topic: m.Topic, Partition: m.Partition}] = m.Offset + 1
				if err := p.take(p.arena.keep(it.gen, m), it.pre, it.at+i); err != nil {
					p.failure = err
					// The rest is read again after the failed block is handled.
					p.carry = item{gen: it.gen, msgs: it.msgs[i+1:], pre: it.pre, at: it.at + i + 1}
					break
				}
			}
		}
		if p.carry.pre != it.pre || len(p.carry.msgs) == 0 {
			p.recycle(it.pre) // every row of it copied (or its generation ended)
		}
		if n >= maxBatch || p.failure != nil {
			break
		}
		select {
		case it = <-p.in:
		default:
			ok = false
		}
	}
	if len(p.carry.msgs) == 0 {
		p.carry = item{}
	}
	for c, k := range counts {
		c.stats.polled(k, now, next[c])
	}
	if n > 0 && p.failure == nil && p.t.settings.CommitEveryBatch {
		p.commit(ctx, true)
	}
}

// take adds a message to the block: its offset to its generation's tracker, its rows
// to the builder. pre, if not nil, holds the message decoded ahead as its message i.
func (p *pipeline) take(m message, pre *decoded, i int) error {
	p.pending = append(p.pending, m)
	if m.gen.tracker.Mark(m.topic, m.partition, m.offset) {
		m.gen.c.stats.uncommitted(offsets.Partition{Topic: m.topic, Partition: m.partition}, m.timestamp())
	}
	return p.decode(m, pre, i)
}

// decode appends the rows of one message, decoded ahead (message i of pre) or here,
// applying the error mode and the skip-broken budget (DESIGN semantics 3 and 4).
func (p *pipeline) decode(m message, pre *decoded, i int) error {
	value := m.val
	if value == nil {
		return nil // a tombstone: no rows, its offset is still committed (SPEC §7.1)
	}
	var (
		rows   = p.rows
		lo, hi int
		err    error
	)
	if pre != nil {
		rows, err = pre.rows, pre.err(i)
		lo, hi = pre.at(i)
	} else {
		p.rows.Reset()
		err = p.dec.Decode(p.rows, skipBytes(value, p.t.settings.SchemaRegistrySkipBytes))
		hi = p.rows.Len()
	}
	if err == nil {
		if hi > lo {
			p.arena.meta(&p.meta, &m)
			p.b.AppendRange(rows, lo, hi, &p.meta)
		}
		return nil
	}
	broken := &BrokenMessageError{Topic: m.topic, Partition: m.partition, Offset: m.offset, Err: err}
	if !p.replaying {
		m.gen.c.stats.broken() // a rebuild decodes the message again: count it once
	}
	switch p.t.settings.errorMode() {
	case ErrorModeStream:
		p.arena.meta(&p.meta, &m)
		p.meta.Raw, p.meta.Err = value, err.Error()
		p.b.AppendDefault(&p.meta)
		return nil
	case ErrorModeDeadLetterQueue:
		p.arena.meta(&p.meta, &m)
		return p.dlq.add(&p.meta, value, err)
	}
	if p.broken < p.t.settings.SkipBrokenMessages {
		p.broken++
		if !p.replaying {
			m.gen.c.stats.exception(broken)
		}
		return nil
	}
	return broken
}

// rebuild drops the block and builds it again from the pending messages of live
// generations.
func (p *pipeline) rebuild() {
	p.b.Reset()
	if p.dlq != nil {
		p.dlq.b.Reset()
	}
	p.broken, p.failure = 0, nil
	for gen := range p.gens {
		gen.tracker.Reset()
	}
	old := p.pending
	p.pending = p.spare[:0]
	p.replaying = true
	defer func() { p.replaying = false }()
	for i, m := range old {
		if m.gen.ended {
			continue
		}
		if err := p.take(m, nil, 0); err != nil {
			p.failure = err
			for _, rest := range old[i+1:] {
				if !rest.gen.ended {
					p.pending = append(p.pending, rest)
					rest.gen.tracker.Mark(rest.topic, rest.partition, rest.offset)
				}
			}
			break
		}
	}
	clear(old)
	p.spare = old[:0]
	if len(p.pending) == 0 {
		p.resetBlock()
	}
}

// cutDue reports whether the block is complete: checked after each poll batch only,
// never inside one (SPEC §4.4).
func (p *pipeline) cutDue() bool {
	s := &p.t.settings
	if p.sel != nil {
		if p.b.Len() > 0 || p.emptyPolls >= maxEmptyPolls {
			return true
		}
		return len(p.gens) == 0 && time.Since(p.selStart) >= assignmentWait
	}
	if len(p.pending) == 0 {
		return false
	}
	if p.b.Len() >= s.maxBlockSize() || p.emptyPolls >= maxEmptyPolls {
		return true
	}
	fi := s.flushInterval()
	return fi > 0 && time.Since(p.start) >= fi
}

// flush delivers the block to every sink (or to the select being served), then commits
// its offsets. A failing sink leaves the block pending; it is rebuilt and delivered
// again after the reschedule delay.
func (p *pipeline) flush(ctx context.Context) {
	if p.sel != nil {
		p.answerSelect(ctx)
		return
	}
	sinks := p.t.sinkList()
	if len(sinks) == 0 {
		return // keep the block until a sink is attached again
	}
	if !p.flushDeadLetters(ctx) {
		return
	}
	if p.b.Len() > 0 {
		rec := p.b.NewRecordBatch()
		for _, s := range sinks {
			if err := s.sink.Write(ctx, rec); err != nil {
				rec.Release()
				if ctx.Err() != nil {
					return
				}
				p.failure = &SinkError{Name: s.name, Err: err}
				return
			}
		}
		p.t.opts.logger.Debug("kafkaengine: block written", "rows", rec.NumRows(), "messages", len(p.pending), "sinks", len(sinks))
		rec.Release()
	}
	p.commit(ctx, false)
	p.resetBlock()
}

// flushDeadLetters writes the block's dead-letter records (before the block's sinks, so
// that a failing dead-letter sink does not duplicate rows in them); false if it failed.
func (p *pipeline) flushDeadLetters(ctx context.Context) bool {
	if p.dlq == nil || p.dlq.b.Len() == 0 {
		return true
	}
	rec := p.dlq.b.NewRecordBatch()
	defer rec.Release()
	if err := p.t.opts.dlq.Write(ctx, rec); err != nil {
		// The run loop rebuilds the block, dead letters included, after the delay.
		p.failure = &SinkError{Name: "dead-letter sink", Err: err}
		return false
	}
	return true
}

func (p *pipeline) answerSelect(ctx context.Context) {
	rec := p.b.NewRecordBatch()
	req := p.sel
	p.sel = nil
	if p.t.settings.CommitOnSelect && !p.flushDeadLetters(ctx) {
		// Answer with the rows; the dead letters (and so the commit) are retried.
		p.failure = nil
		p.rebuild()
		p.emptyPolls = 0
		req.res <- selectResult{rec: rec}
		return
	}
	if p.t.settings.CommitOnSelect {
		p.commit(ctx, false)
		p.resetBlock()
	} else {
		// Not committed: the next select (or sink) sees the same messages again.
		p.rebuild()
	}
	p.emptyPolls = 0
	req.res <- selectResult{rec: rec}
}

// commit commits, per live generation, the next offset of every partition in the block.
// midBlock is kafka_commit_every_batch's commit after a poll batch.
// The generations (one per member) commit in parallel.
func (p *pipeline) commit(ctx context.Context, midBlock bool) {
	type job struct {
		gen  *generation
		offs map[offsets.Partition]int64
		err  error
	}
	var jobs []*job
	for gen := range p.gens {
		o := gen.tracker.Offsets()
		done := p.committed[gen]
		for k, off := range o {
			if done[k] >= off {
				delete(o, k)
			}
		}
		if len(o) > 0 {
			jobs = append(jobs, &job{gen: gen, offs: o})
		}
	}
	switch len(jobs) {
	case 0:
		return
	case 1:
		jobs[0].err = jobs[0].gen.Commit(ctx, jobs[0].offs)
	default:
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Go(func() { j.err = j.gen.Commit(ctx, j.offs) })
		}
		wg.Wait()
	}
	for _, j := range jobs {
		gen, o := j.gen, j.offs
		if j.err != nil {
			// The rows were delivered but not committed: the member rejoins and reads
			// them again (duplicates, never loss).
			gen.c.stats.exception(j.err)
			gen.c.restartSession()
			continue
		}
		done := p.committed[gen]
		if midBlock {
			if done == nil {
				done = map[offsets.Partition]int64{}
				p.committed[gen] = done
			}
			for k, off := range o {
				done[k] = off
			}
		}
	}
}

// retryDelay is kafka_consumer_reschedule_ms, doubled per consecutive failure up to
// maxBackoff for isolated sinks.
func (p *pipeline) retryDelay() time.Duration {
	d := p.t.settings.reschedule()
	if !p.t.opts.backoff {
		return d
	}
	for i := 1; i < p.failures && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func (p *pipeline) resetBlock() {
	p.failures = 0
	if len(p.pending) > 0 {
		for _, m := range p.members {
			m.stats.dropped()
		}
	}
	for gen := range p.gens {
		gen.tracker.Reset()
	}
	clear(p.pending)
	p.pending = p.pending[:0]
	p.arena.reset()
	p.broken, p.emptyPolls = 0, 0
	clear(p.committed)
	for _, m := range p.members {
		m.stats.idle()
	}
}

// report records err in the stats of the consumer it concerns (a broken message) or of
// every member (a sink failure, as ClickHouse copies view errors to every consumer), and
// passes it to the error hook once.
func (p *pipeline) report(err error) {
	p.t.opts.logger.Warn("kafkaengine: block failed; retrying", "err", err, "reschedule", p.t.settings.reschedule())
	for _, m := range p.members {
		m.stats.record(err)
	}
	p.t.opts.onError(err)
}
