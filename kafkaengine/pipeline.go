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
// The block in progress is held with the generation of each row (heldBlock): after a
// sink failure it is delivered again, and at the end of a generation its rows are
// dropped from it, without reading or decoding anything again. A message that fails the
// block (the skip budget spent) is decoded again after the reschedule delay. That is the
// seek back to the committed offsets of SPEC §5.4, without a group rebalance.
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
	blk     heldBlock
	dlq     *deadLetters          // dead_letter_queue mode only
	metas   []virtualcols.Message // virtual-column values of the messages being appended
	hdrs    []virtualcols.Header  // their headers
	hdrEnds []int                 // hdrEnds[i]: the end of metas[i]'s headers in hdrs
	stale   [2]int                // metas and hdrs used before: cleared before reuse
	virtual bool                  // the table has virtual columns

	gens       map[*generation]struct{} // live generations
	msgs       int                      // messages in the block in progress
	carry      item                     // rest of an item beyond the last poll batch
	stuck      stuckMessage             // the message that failed the block, if it did
	broken     int                      // broken messages skipped in this block
	start      time.Time                // when the block's first message was polled
	emptyPolls int
	sizing     blockSizing
	failure    error                                       // the block failed; retried after the reschedule delay
	committed  map[*generation]map[offsets.Partition]int64 // offsets committed mid-block (kafka_commit_every_batch)

	failures  int  // consecutive failed attempts of the block in progress
	replaying bool // decoding the stuck message again: its failure was counted
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
		blk:       newHeldBlock(t.opts.mem, b),
		virtual:   len(t.virtual) > 0,
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
			p.retryStuck()
			if p.failure == nil && p.sel == nil && p.cutDue() {
				// Deliver the failed block again as it was, not grown by another poll.
				p.flush(ctx)
			}
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
	p.blk.release()
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
		// Drop the rows of the revoked partitions before the session ends; their new
		// owner reads them again (DESIGN semantics 2).
		p.blk.drop(ev.gen)
		if p.dlq != nil {
			p.dlq.blk.drop(ev.gen)
		}
		if ev.gen.held > 0 {
			if p.msgs -= ev.gen.held; p.msgs == 0 {
				p.resetBlock()
			}
			ev.gen.held = 0
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
	if p.msgs == 0 && p.sel == nil {
		return 0, false
	}
	d := s.pollTimeout()
	if fi := s.flushInterval(); fi > 0 && p.sel == nil && p.msgs > 0 {
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
	// The batch is what was buffered when it began, as a client's poll returns what it
	// holds: items that arrive while it is taken wait for the next poll. A block so
	// overshoots kafka_max_block_size by at most one hand-off's worth (sizeBlock).
	more := len(p.in)
	var (
		n      int
		counts = make(map[*Consumer]int, len(p.members))
		next   = make(map[*Consumer]map[offsets.Partition]int64, len(p.members))
	)
	for it := first; ; it, more = <-p.in, more-1 {
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
			msgs := it.msgs
			if k := maxBatch - n; len(msgs) > k {
				p.carry = item{gen: it.gen, msgs: msgs[k:], pre: it.pre, at: it.at + k}
				msgs = msgs[:k]
			}
			if p.msgs == 0 {
				p.start = now
			}
			taken, err := p.take(it.gen, msgs, it.pre, it.at)
			n += taken
			counts[c] += taken
			if taken > 0 {
				last := msgs[taken-1]
				next[c][offsets.Partition{Topic: last.Topic, Partition: last.Partition}] = last.Offset + 1
			}
			if err != nil {
				p.failure = err
				// The rest is read again after the failed block is handled.
				p.carry = item{gen: it.gen, msgs: it.msgs[taken:], pre: it.pre, at: it.at + taken}
			}
		}
		if p.carry.pre != it.pre || len(p.carry.msgs) == 0 {
			p.recycle(it.pre) // every row of it copied (or its generation ended)
		}
		if n >= maxBatch || p.failure != nil || more == 0 {
			break
		}
	}
	if len(p.carry.msgs) == 0 {
		p.carry = item{}
	}
	for c, k := range counts {
		c.stats.polled(k, now, next[c])
	}
	if n > 0 && p.failure == nil {
		p.sizeBlock()
	}
	if n > 0 && p.failure == nil && p.t.settings.CommitEveryBatch {
		p.commit(ctx, true)
	}
}

// stuckMessage is a message that failed its block with the skip budget spent.
type stuckMessage struct {
	gen *generation
	m   *sarama.ConsumerMessage
}

// take adds messages of gen to the block: their offsets to the generation's tracker,
// their rows to the block. pre, if not nil, holds msgs decoded ahead from its message
// at on. It returns how many messages it took: all of them, or up to and including the
// one that failed the block, which becomes the stuck message.
func (p *pipeline) take(gen *generation, msgs []*sarama.ConsumerMessage, pre *decoded, at int) (int, error) {
	run := -1 // the first of the messages decoded ahead whose rows are not copied yet
	for i, m := range msgs {
		p.msgs++
		gen.held++
		if gen.tracker.Mark(m.Topic, m.Partition, m.Offset) {
			gen.c.stats.uncommitted(offsets.Partition{Topic: m.Topic, Partition: m.Partition}, m.Timestamp)
		}
		if pre != nil && pre.err(at+i) == nil {
			// The rows of consecutive messages decoded ahead are copied in one call.
			if run < 0 {
				run = i
			}
			if p.virtual {
				p.addMeta(m)
			}
			continue
		}
		if run >= 0 {
			p.appendRun(gen, pre, at+run, at+i)
			run = -1
		}
		if err := p.decode(gen, m, pre, at+i); err != nil {
			p.stuck = stuckMessage{gen: gen, m: m}
			return i + 1, err
		}
	}
	if run >= 0 {
		p.appendRun(gen, pre, at+run, at+len(msgs))
	}
	return len(msgs), nil
}

// appendRun copies the rows of messages from to to-1 of pre, decoded ahead without
// error, into the block, with the virtual-column values added for them (addMeta).
func (p *pipeline) appendRun(gen *generation, pre *decoded, from, to int) {
	lo, _ := pre.at(from)
	if p.virtual {
		p.blk.b.AppendMessages(pre.rows, lo, pre.ends[from:to], p.takeMetas())
	} else if _, hi := pre.at(to - 1); hi > lo {
		p.blk.b.AppendRange(pre.rows, lo, hi, nil)
	}
	p.blk.mark(gen)
}

// decode appends the rows of one message, decoded ahead (message i of pre) or here,
// applying the error mode and the skip-broken budget (DESIGN semantics 3 and 4).
func (p *pipeline) decode(gen *generation, m *sarama.ConsumerMessage, pre *decoded, i int) error {
	if m.Value == nil {
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
		err = p.dec.Decode(p.rows, skipBytes(m.Value, p.t.settings.SchemaRegistrySkipBytes))
		hi = p.rows.Len()
	}
	if err == nil {
		if hi > lo {
			p.blk.b.AppendRange(rows, lo, hi, p.metaOf(m))
			p.blk.mark(gen)
		}
		return nil
	}
	broken := &BrokenMessageError{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Err: err}
	if !p.replaying {
		gen.c.stats.broken() // a stuck message is decoded again: count it once
	}
	switch p.t.settings.errorMode() {
	case ErrorModeStream:
		meta := p.metaOf(m)
		meta.Raw, meta.Err = m.Value, err.Error()
		p.blk.b.AppendDefault(meta)
		p.blk.mark(gen)
		return nil
	case ErrorModeDeadLetterQueue:
		if err := p.dlq.add(p.metaOf(m), m.Value, err); err != nil {
			return err
		}
		p.dlq.blk.mark(gen)
		return nil
	}
	if p.broken < p.t.settings.SkipBrokenMessages {
		p.broken++
		if !p.replaying {
			gen.c.stats.exception(broken)
		}
		return nil
	}
	return broken
}

// addMeta adds the virtual-column values of m to the metas of the messages being
// appended; takeMetas returns them.
func (p *pipeline) addMeta(m *sarama.ConsumerMessage) {
	if len(p.metas) == 0 && p.stale != [2]int{} {
		// Let sarama's fetch buffers go: the keys and headers point into them.
		clear(p.metas[:p.stale[0]])
		clear(p.hdrs[:p.stale[1]])
		p.stale = [2]int{}
	}
	for _, h := range m.Headers {
		if h != nil {
			p.hdrs = append(p.hdrs, virtualcols.Header{Key: h.Key, Value: h.Value})
		}
	}
	p.hdrEnds = append(p.hdrEnds, len(p.hdrs))
	ts := m.Timestamp
	p.metas = append(p.metas, virtualcols.Message{
		Topic:        m.Topic,
		Partition:    m.Partition,
		Offset:       m.Offset,
		Key:          m.Key,
		Timestamp:    ts,
		HasTimestamp: !ts.IsZero() && ts.UnixMilli() >= 0,
	})
}

// takeMetas returns the metas added since the last call, valid until the next addMeta.
func (p *pipeline) takeMetas() []virtualcols.Message {
	lo := 0
	for i, hi := range p.hdrEnds {
		p.metas[i].Headers = p.hdrs[lo:hi:hi]
		lo = hi
	}
	metas := p.metas
	p.stale = [2]int{len(p.metas), len(p.hdrs)}
	p.metas, p.hdrs, p.hdrEnds = p.metas[:0], p.hdrs[:0], p.hdrEnds[:0]
	return metas
}

// metaOf returns the virtual-column values of m, valid until the next addMeta.
func (p *pipeline) metaOf(m *sarama.ConsumerMessage) *virtualcols.Message {
	p.addMeta(m)
	return &p.takeMetas()[0]
}

// retryStuck decodes the stuck message again (a schema registry may answer now), as
// ClickHouse reads it again after seeking back; the block fails again if it fails.
// The skip budget is not refunded: the messages skipped before it stay skipped.
func (p *pipeline) retryStuck() {
	s := p.stuck
	p.stuck = stuckMessage{}
	if s.m == nil || s.gen.ended {
		return
	}
	p.replaying = true
	defer func() { p.replaying = false }()
	if err := p.decode(s.gen, s.m, nil, 0); err != nil {
		p.failure = err
		p.stuck = s
	}
}

// blockSizing is what sizeBlock keeps of the block in progress.
type blockSizing struct {
	firstRows int       // the block's rows after its first poll batch
	firstAt   time.Time // when that batch was taken; zero before it
}

// sizeBlock tells the builder, after each poll batch, how many rows the block will
// probably reach (blockOutlook.expected), so that its buffers are allocated at that size
// while they are still small instead of doubling as they fill: a doubling copies a buffer
// and holds both copies, and near the end of a block that was the peak of its memory
// (≈1.9× the block's Arrow size in the first block of a table, which has no recent blocks
// to size its buffers from; Builder.Reserve leaves the buffers of later blocks, sized
// from the recent ones, alone). An estimate short of the block leaves the rest to grow as
// before; one beyond it leaves room unused until the block is delivered.
func (p *pipeline) sizeBlock() {
	if p.sel != nil {
		return // a select's block is cut after this poll batch
	}
	z, s := &p.sizing, &p.t.settings
	rows, now := p.blk.Len(), time.Now()
	o := blockOutlook{rows: rows, msgs: p.msgs, maxRows: s.maxBlockSize(), rate: -1, left: -1,
		batch: min(s.pollMaxBatchSize(), (cap(p.in)+1)*aheadBatch)}
	if z.firstAt.IsZero() {
		z.firstRows, z.firstAt = rows, now
	} else if dt := now.Sub(z.firstAt).Seconds(); dt > 0 {
		o.rate = float64(rows-z.firstRows) / dt
	}
	if rows >= o.maxRows {
		return // the block is cut now
	}
	for _, m := range p.members {
		o.unread += m.stats.unread()
	}
	if fi := s.flushInterval(); fi > 0 {
		o.left = max(0, (fi - now.Sub(p.start)).Seconds())
	}
	if grow := o.expected() - rows; grow > 0 {
		p.blk.b.Reserve(p.blk.b.Len() + grow)
	}
}

// firstBatchGrowth is how far the estimate of a block may go at its first poll batch,
// before a rate is known: up to this many times the rows so far. A larger estimate waits
// for the second poll batch's rate, since a backlog read slowly is cut by the flush
// interval short of the size (and a first poll batch is at most what the hand-off holds,
// 17 batches of 512 messages, so this over-allocates a bounded amount at worst).
// Reserving a part now and the rest later would hold both reservations while the first is
// copied into the second; the buffers' own doubling up to the second batch costs less.
const firstBatchGrowth = 16

// blockOutlook is what sizeBlock knows at a poll batch of the block in progress.
type blockOutlook struct {
	rows, msgs int     // rows and messages in the block
	maxRows    int     // kafka_max_block_size
	batch      int     // messages a poll batch holds at most
	unread     int64   // messages the partitions hold beyond those read (high watermarks)
	rate       float64 // rows per second since the block's first poll batch; < 0: not known yet
	left       float64 // seconds until kafka_flush_interval_ms cuts the block; < 0: no limit
}

// expected is the number of rows the block will probably reach, with the rows per message
// of the block so far: the least of
//   - the cut by size: the block is cut after the poll batch that crosses maxRows, never
//     inside one, so maxRows plus half the largest poll batch, or 8/9 of maxRows plus a
//     whole poll batch where the builder's 1/8 of extra room then covers that;
//   - the rows of the unread messages (partitions whose high watermark is not known yet
//     count none);
//   - the rows the rate brings in the time left.
//
// While the rate is not known, an estimate beyond firstBatchGrowth times the rows so far
// is not made: expected returns the rows so far.
func (o blockOutlook) expected() int {
	perMsg := float64(o.rows) / float64(o.msgs)
	cut := float64(o.maxRows) + perMsg*float64(o.batch)
	want := max(cut-perMsg*float64(o.batch)/2, cut*8/9)
	want = min(want, float64(o.rows)+perMsg*float64(o.unread))
	switch {
	case o.rate < 0:
		if want > firstBatchGrowth*float64(o.rows) {
			return o.rows
		}
	case o.left >= 0:
		want = min(want, float64(o.rows)+o.rate*o.left)
	}
	return int(want)
}

// cutDue reports whether the block is complete: checked after each poll batch only,
// never inside one (SPEC §4.4).
func (p *pipeline) cutDue() bool {
	s := &p.t.settings
	if p.sel != nil {
		if p.blk.Len() > 0 || p.emptyPolls >= maxEmptyPolls {
			return true
		}
		return len(p.gens) == 0 && time.Since(p.selStart) >= assignmentWait
	}
	if p.msgs == 0 {
		return false
	}
	if p.blk.Len() >= s.maxBlockSize() || p.emptyPolls >= maxEmptyPolls {
		return true
	}
	fi := s.flushInterval()
	return fi > 0 && time.Since(p.start) >= fi
}

// flush delivers the block to every sink (or to the select being served), then commits
// its offsets. A failing sink leaves the block held; it is delivered
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
	if p.blk.Len() > 0 {
		rec, err := p.blk.record()
		if err != nil {
			p.failure = err
			return
		}
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
		p.t.opts.logger.Debug("kafkaengine: block written", "rows", rec.NumRows(), "messages", p.msgs, "sinks", len(sinks))
		rec.Release()
	}
	p.commit(ctx, false)
	p.resetBlock()
}

// flushDeadLetters writes the block's dead-letter records (before the block's sinks, so
// that a failing dead-letter sink does not duplicate rows in them); false if it failed.
func (p *pipeline) flushDeadLetters(ctx context.Context) bool {
	if p.dlq == nil || p.dlq.blk.Len() == 0 {
		return true
	}
	rec, err := p.dlq.blk.record()
	if err != nil {
		p.failure = err
		return false
	}
	defer rec.Release()
	if err := p.t.opts.dlq.Write(ctx, rec); err != nil {
		// The run loop delivers the block, dead letters included, again after the delay.
		p.failure = &SinkError{Name: "dead-letter sink", Err: err}
		return false
	}
	return true
}

func (p *pipeline) answerSelect(ctx context.Context) {
	req := p.sel
	p.sel = nil
	p.emptyPolls = 0
	rec, err := p.blk.record()
	if err != nil {
		req.res <- selectResult{err: err}
		return
	}
	switch {
	case !p.t.settings.CommitOnSelect:
		// Not committed: the next select (or sink) sees the same rows again.
	case !p.flushDeadLetters(ctx):
		// Answer with the rows; the dead letters (and so the commit) are retried.
		p.failure = nil
	default:
		p.commit(ctx, false)
		p.resetBlock()
	}
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
	if p.msgs > 0 {
		for _, m := range p.members {
			m.stats.dropped()
		}
	}
	for gen := range p.gens {
		gen.tracker.Reset()
		gen.held = 0
	}
	p.msgs = 0
	p.blk.reset()
	if p.dlq != nil {
		p.dlq.blk.reset()
	}
	p.stuck = stuckMessage{}
	p.broken, p.emptyPolls = 0, 0
	p.sizing = blockSizing{}
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
