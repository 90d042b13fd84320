package kafkaengine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/chkafka/chkafka/offsets"
)

// Consumer is one member of the table's consumer group (kafka_num_consumers of them per
// table). It owns one sarama client and consumer group; the messages of its claims go to
// its pipeline, which decodes them, builds blocks and commits this member's offsets once
// per partition per block. Stats is safe for concurrent use.
type Consumer struct {
	t        *Table
	index    int
	clientID string
	pipe     *pipeline
	stats    consumerStats

	mu      sync.Mutex
	restart context.CancelFunc // ends the current session: the next one re-reads from committed offsets
	parked  bool               // idle past kafka_consumers_pool_ttl_ms: out of the group until woken
	wake    chan struct{}      // closed to end parking
}

// Stats returns a snapshot of the consumer's state (SPEC §13.1).
func (c *Consumer) Stats() ConsumerStats {
	s := c.stats.snapshot()
	s.ClientID = c.clientID
	return s
}

// run keeps the member in the group until ctx ends: it (re)creates the client when the
// brokers are unreachable and starts a new session after each rebalance or forced
// restart. Errors go to the stats and the error hook; run never gives up by itself.
func (c *Consumer) run(ctx context.Context) {
	s := &c.t.settings
	for ctx.Err() == nil {
		if wake := c.parking(); wake != nil {
			select {
			case <-wake:
			case <-ctx.Done():
			}
			continue
		}
		client, err := sarama.NewClient(s.Brokers(), c.t.saramaConfig(c.clientID))
		if err != nil {
			c.stats.exception(fmt.Errorf("kafkaengine: consumer %s: connect: %w", c.clientID, err))
			sleep(ctx, s.reschedule())
			continue
		}
		group, err := sarama.NewConsumerGroupFromClient(s.GroupName, client)
		if err != nil {
			c.stats.exception(fmt.Errorf("kafkaengine: consumer %s: join group %q: %w", c.clientID, s.GroupName, err))
			_ = client.Close()
			sleep(ctx, s.reschedule())
			continue
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			for err := range group.Errors() {
				c.stats.exception(fmt.Errorf("kafkaengine: consumer %s: %w", c.clientID, err))
			}
		})
		// Commits go over a connection of their own: on the consumer's connection they
		// would queue behind fetches the broker holds for up to Consumer.MaxWaitTime.
		committer, err := sarama.NewClient(s.Brokers(), c.t.saramaConfig(c.clientID))
		if err != nil {
			c.stats.exception(fmt.Errorf("kafkaengine: consumer %s: connect: %w", c.clientID, err))
			_ = group.Close()
			wg.Wait()
			_ = client.Close()
			sleep(ctx, s.reschedule())
			continue
		}
		h := &handler{c: c, client: committer}
		for ctx.Err() == nil && c.parking() == nil {
			sessCtx, cancel := context.WithCancel(ctx)
			c.mu.Lock()
			c.restart = cancel
			c.mu.Unlock()
			err := group.Consume(sessCtx, s.Topics(), h)
			cancel()
			if err == nil || ctx.Err() != nil {
				continue
			}
			c.stats.exception(fmt.Errorf("kafkaengine: consumer %s: %w", c.clientID, err))
			if errors.Is(err, sarama.ErrClosedConsumerGroup) || errors.Is(err, sarama.ErrClosedClient) {
				break
			}
			sleep(ctx, s.reschedule())
		}
		_ = group.Close()
		wg.Wait()
		_ = committer.Close()
		_ = client.Close()
	}
}

// park takes the consumer out of the group: an idle table leaves the group after
// kafka_consumers_pool_ttl_ms so that other members get its partitions (SPEC §3.3).
func (c *Consumer) park() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parked {
		return
	}
	c.parked, c.wake = true, make(chan struct{})
	if c.restart != nil {
		c.restart()
	}
	c.t.opts.logger.Info("kafkaengine: consumer idle, leaving the group", "client_id", c.clientID)
}

// unpark lets a parked consumer join the group again.
func (c *Consumer) unpark() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parked {
		c.parked = false
		close(c.wake)
	}
}

// parking returns the channel a parked consumer waits on, nil if it is not parked.
func (c *Consumer) parking() chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parked {
		return c.wake
	}
	return nil
}

// restartSession ends the current session so that the next one starts from the group's
// committed offsets (the rewind of SPEC §5.4).
func (c *Consumer) restartSession() {
	c.mu.Lock()
	if c.restart != nil {
		c.restart()
	}
	c.mu.Unlock()
}

// generation is one sarama session of one member: the unit that owns partitions. Its
// messages may be committed only while it is live (DESIGN semantics 2).
type generation struct {
	c       *Consumer
	tracker offsets.Tracker // the block's offsets of this generation; owned by the pipeline
	client  sarama.Client
	sess    sarama.ConsumerGroupSession
	ended   bool // owned by the pipeline goroutine
	held    int  // messages in the pipeline's block in progress; owned by the pipeline
}

// Commit commits offsets ("next offset to read") with the session's generation and member
// id, synchronously, retrying transient errors up to 5 times as ClickHouse does. A
// generation the group has moved past is refused by the coordinator, so revoked
// partitions are never committed. It makes a generation the Kafka-group [offsets.Store].
func (g *generation) Commit(ctx context.Context, offs map[offsets.Partition]int64) error {
	group := g.c.t.settings.GroupName
	req := &sarama.OffsetCommitRequest{
		Version:                 2,
		ConsumerGroup:           group,
		ConsumerGroupGeneration: g.sess.GenerationID(),
		ConsumerID:              g.sess.MemberID(),
		RetentionTime:           -1,
	}
	for k, off := range offs {
		req.AddBlock(k.Topic, k.Partition, off, 0, "")
	}
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			sleep(ctx, time.Duration(attempt)*50*time.Millisecond)
		}
		if err = g.commitOnce(req); err == nil {
			g.c.stats.committed(offs)
			return nil
		}
		var kerr sarama.KError
		if errors.As(err, &kerr) && !retriableCommit(kerr) {
			break
		}
	}
	return &CommitError{Group: group, Err: err}
}

func (g *generation) commitOnce(req *sarama.OffsetCommitRequest) error {
	group := g.c.t.settings.GroupName
	broker, err := g.client.Coordinator(group)
	if err != nil {
		return err
	}
	resp, err := broker.CommitOffset(req)
	if err != nil {
		_ = g.client.RefreshCoordinator(group)
		return err
	}
	for _, parts := range resp.Errors {
		for _, kerr := range parts {
			if kerr == sarama.ErrNoError {
				continue
			}
			if kerr == sarama.ErrNotCoordinatorForConsumer || kerr == sarama.ErrConsumerCoordinatorNotAvailable {
				_ = g.client.RefreshCoordinator(group)
			}
			return kerr
		}
	}
	return nil
}

func retriableCommit(err sarama.KError) bool {
	switch err {
	case sarama.ErrNotCoordinatorForConsumer, sarama.ErrConsumerCoordinatorNotAvailable,
		sarama.ErrOffsetsLoadInProgress, sarama.ErrRequestTimedOut, sarama.ErrNetworkException:
		return true
	}
	return false
}

// handler connects sarama's session callbacks to the pipeline. Claims only forward
// messages; all state belongs to the pipeline goroutine (STYLE R9).
type handler struct {
	c      *Consumer
	client sarama.Client
	gen    *generation // set by Setup before any ConsumeClaim starts
}

func (h *handler) Setup(sess sarama.ConsumerGroupSession) error {
	h.gen = &generation{c: h.c, client: h.client, sess: sess}
	h.c.stats.assigned(sess.MemberID(), sess.Claims())
	if len(sess.Claims()) == 0 {
		// More consumers than partitions: this one idles until a rebalance gives it
		// partitions (ClickHouse logs the same), it does not spin or fail.
		h.c.t.opts.logger.Info("kafkaengine: got empty assignment: not enough partitions in the topics for all consumers?",
			"client_id", h.c.clientID, "generation", sess.GenerationID())
	} else {
		h.c.t.opts.logger.Info("kafkaengine: partitions assigned", "client_id", h.c.clientID,
			"generation", sess.GenerationID(), "claims", sess.Claims())
	}
	if err := h.c.t.opts.start.apply(sess, h.client, h.c.t.settings.GroupName); err != nil {
		h.c.stats.exception(fmt.Errorf("kafkaengine: consumer %s: start position: %w", h.c.clientID, err))
	}
	// The start travels on the message channel, so the pipeline sees it before any
	// message of this generation.
	h.c.pipe.send(sess.Context(), item{gen: h.gen})
	return nil
}

func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	gen, msgs := h.gen, claim.Messages()
	maxBatch := h.c.t.settings.pollMaxBatchSize()
	part := offsets.Partition{Topic: claim.Topic(), Partition: claim.Partition()}
	h.c.stats.claimed(part, claim.InitialOffset(), claim)
	// Decoding happens here, one goroutine per claim, ahead of the pipeline.
	ahead := h.c.pipe.newClaimDecoder()
	defer ahead.done()
	batchMax := min(maxBatch, aheadBatch)
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			// Forward what sarama has already fetched (up to aheadBatch messages per
			// item), so that a poll sees it whole (a poll batch is what the client had
			// buffered).
			var d *decoded
			batch := []*sarama.ConsumerMessage{m}
			if ahead != nil {
				d = h.c.pipe.getDecoded()
				batch = append(d.msgs, m)
			}
		drain:
			for len(batch) < batchMax {
				select {
				case m, ok := <-msgs:
					if !ok {
						break drain
					}
					batch = append(batch, m)
				default:
					break drain
				}
			}
			it := item{gen: gen, msgs: batch}
			if d != nil {
				d.msgs = batch
				ahead.decode(d)
				it.pre = d
			}
			if !h.c.pipe.send(sess.Context(), it) {
				return nil
			}
		case <-sess.Context().Done():
			return nil
		}
	}
}

// Cleanup waits until the pipeline has dropped every row of this generation, so that no
// block outlives the session that produced it.
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error {
	h.c.pipe.endGeneration(h.gen)
	h.c.stats.revoked()
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
