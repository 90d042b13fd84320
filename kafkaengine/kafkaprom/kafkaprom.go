// Package kafkaprom exports the stats of chkafka tables as Prometheus metrics.
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(kafkaprom.NewCollector(map[string]*kafkaengine.Table{"queue": table}))
//
// Every metric carries the table name given to [NewCollector] and, for an isolated sink
// (kafkaengine.Isolated), the sink name in the "sink" label ("" for the table itself).
package kafkaprom

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chkafka/chkafka/kafkaengine"
)

var (
	consumerLabels  = []string{"table", "sink", "client_id"}
	partitionLabels = []string{"table", "sink", "client_id", "topic", "partition"}

	messagesRead = prometheus.NewDesc("chkafka_messages_read_total",
		"Messages returned by polls.", consumerLabels, nil)
	brokenMessages = prometheus.NewDesc("chkafka_broken_messages_total",
		"Messages the format could not decode (skipped, streamed as errors, dead-lettered or failing their block).", consumerLabels, nil)
	commits = prometheus.NewDesc("chkafka_commits_total",
		"Successful offset commits.", consumerLabels, nil)
	assignments = prometheus.NewDesc("chkafka_rebalance_assignments_total",
		"Partition assignments received.", consumerLabels, nil)
	revocations = prometheus.NewDesc("chkafka_rebalance_revocations_total",
		"Partition revocations.", consumerLabels, nil)
	exceptions = prometheus.NewDesc("chkafka_recent_exceptions",
		"Errors among the consumer's last 10 (see ConsumerStats.Exceptions).", consumerLabels, nil)
	inUse = prometheus.NewDesc("chkafka_consumer_in_use",
		"1 while a block is being built from the consumer's messages.", consumerLabels, nil)
	oldestAge = prometheus.NewDesc("chkafka_oldest_uncommitted_age_seconds",
		"Age of the oldest message read and not committed yet.", consumerLabels, nil)
	lag = prometheus.NewDesc("chkafka_lag_messages",
		"High watermark minus committed offset.", partitionLabels, nil)
	committed = prometheus.NewDesc("chkafka_committed_offset",
		"Committed offset (next offset to read).", partitionLabels, nil)
	current = prometheus.NewDesc("chkafka_current_offset",
		"Next offset the consumer reads.", partitionLabels, nil)
	highWater = prometheus.NewDesc("chkafka_high_watermark",
		"End offset of the partition as of the last fetch.", partitionLabels, nil)
)

// Collector is a prometheus.Collector over tables' stats; it reads them on each scrape.
// It is safe for concurrent use.
type Collector struct {
	tables map[string]*kafkaengine.Table
}

// NewCollector returns a collector for tables, keyed by the name used in the "table" label.
func NewCollector(tables map[string]*kafkaengine.Table) *Collector {
	return &Collector{tables: tables}
}

// Describe sends the descriptors of every metric.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{messagesRead, brokenMessages, commits, assignments, revocations,
		exceptions, inUse, oldestAge, lag, committed, current, highWater} {
		ch <- d
	}
}

// Collect sends the current value of every metric.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for name, t := range c.tables {
		st := t.Stats()
		collect(ch, name, "", st)
		for sink, ss := range st.Sinks {
			collect(ch, name, sink, ss)
		}
	}
}

func collect(ch chan<- prometheus.Metric, table, sink string, st kafkaengine.TableStats) {
	for _, cs := range st.Consumers {
		l := []string{table, sink, cs.ClientID}
		counter := func(d *prometheus.Desc, v uint64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), l...)
		}
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
		}
		counter(messagesRead, cs.MessagesRead)
		counter(brokenMessages, cs.BrokenMessages)
		counter(commits, cs.Commits)
		counter(assignments, cs.RebalanceAssignments)
		counter(revocations, cs.RebalanceRevocations)
		gauge(exceptions, float64(len(cs.Exceptions)))
		b := 0.0
		if cs.InUse {
			b = 1
		}
		gauge(inUse, b)
		gauge(oldestAge, cs.OldestUncommittedAge.Seconds())
		for _, a := range cs.Assignments {
			pl := []string{table, sink, cs.ClientID, a.Topic, strconv.Itoa(int(a.Partition))}
			pg := func(d *prometheus.Desc, v int64) {
				ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), pl...)
			}
			pg(lag, a.Lag)
			pg(committed, a.Committed)
			pg(current, a.Current)
			pg(highWater, a.HighWatermark)
		}
	}
}
