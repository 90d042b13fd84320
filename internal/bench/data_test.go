package bench

import (
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/registry/registrytest"
	"github.com/chkafka/chkafka/internal/datagen"
	"github.com/chkafka/chkafka/kafkaengine"

	_ "github.com/chkafka/chkafka/format/all"
)

// blockRows is the block size of every benchmark: the engine cuts a block (and the
// decode benchmarks call NewRecordBatch) every 64k rows.
const blockRows = 1 << 16

// schemaDef is one of datagen's two tables.
type schemaDef struct {
	name string
	// corpusRows is how many rows the decode benchmarks cycle through: more than one
	// block, so that every block cut happens on warm buffers.
	corpusRows int
	gen        func(mem memory.Allocator, seed uint64, n int) (arrow.RecordBatch, error)
	cols       []string // ClickHouse column definitions
}

// arrowSchema returns the table schema of the columns.
func (s schemaDef) arrowSchema(tb testing.TB) *arrow.Schema {
	sch, err := kafkaengine.Columns(s.cols...)
	mustNoErr(tb, err, "columns of %s", s.name)
	return sch
}

var (
	queueSchema  = schemaDef{"queue", 100_000, datagen.Queue, datagen.QueueColumns}
	githubSchema = schemaDef{"github", 50_000, datagen.GitHubEvents, datagen.GitHubColumns}
	schemas      = []schemaDef{queueSchema, githubSchema}
)

// decodeFormats are the formats of issue 7's decode benchmarks. AvroConfluent runs
// against an in-process schema registry (format/registry/registrytest).
var decodeFormats = []string{"JSONEachRow", "CSV", "TSV", "RowBinary", "Avro", "AvroConfluent"}

// zeroAllocFormats must decode without allocating per row (issue 7, item 3).
var zeroAllocFormats = []string{"JSONEachRow", "CSV", "TSV", "RowBinary"}

// corpus is one schema's rows encoded in one format, one row per message.
type corpus struct {
	schema *arrow.Schema
	msgs   [][]byte
	bytes  int // total payload bytes
	rows   int
}

var corpora sync.Map // "schema/format" → *corpusEntry

type corpusEntry struct {
	once sync.Once
	c    *corpus
	err  error
}

// records caches the generated record batch of each schema (never released: it lives as
// long as the process, like the corpora).
var records sync.Map // schema name → *recordEntry

type recordEntry struct {
	once sync.Once
	rec  arrow.RecordBatch
	err  error
}

func schemaRecord(s schemaDef) (arrow.RecordBatch, error) {
	v, _ := records.LoadOrStore(s.name, &recordEntry{})
	e := v.(*recordEntry)
	e.once.Do(func() { e.rec, e.err = s.gen(memory.NewGoAllocator(), 1, s.corpusRows) })
	return e.rec, e.err
}

// lookupFormat returns the named format or skips tb when it is not registered yet.
func lookupFormat(tb testing.TB, name string) format.Format {
	tb.Helper()
	f, err := format.Lookup(name)
	if err != nil {
		tb.Skipf("format %s not registered yet", name)
	}
	return f
}

// getCorpus returns schema s's corpus in the named format (encoded once per process with
// the format's own encoder), skipping tb when the format is not registered.
func getCorpus(tb testing.TB, s schemaDef, formatName string) *corpus {
	tb.Helper()
	lookupFormat(tb, formatName)
	v, _ := corpora.LoadOrStore(s.name+"/"+formatName, &corpusEntry{})
	e := v.(*corpusEntry)
	e.once.Do(func() {
		rec, err := schemaRecord(s)
		if err != nil {
			e.err = err
			return
		}
		var msgs [][]byte
		if formatName == "AvroConfluent" {
			msgs, err = confluentMessages(rec)
		} else {
			msgs, err = datagen.Messages(rec, formatName, 1)
		}
		if err != nil {
			e.err = err
			return
		}
		c := &corpus{schema: rec.Schema(), msgs: msgs, rows: int(rec.NumRows())}
		for _, m := range msgs {
			c.bytes += len(m)
		}
		e.c = c
	})
	if e.err != nil {
		tb.Fatalf("corpus %s/%s: %v", s.name, formatName, e.err)
	}
	return e.c
}

// formatSettings are the settings of the named format's decoders and encoders: the
// defaults, with the benchmark schema registry for AvroConfluent.
func formatSettings(formatName string) format.Settings {
	s := format.DefaultSettings()
	if formatName == "AvroConfluent" {
		s.AvroSchemaRegistryURL = schemaRegistryURL()
	}
	return s
}

var registry struct {
	once sync.Once
	srv  *registrytest.Server
}

// schemaRegistryURL starts the process's schema registry on first use (it lives as long
// as the process).
func schemaRegistryURL() string {
	registry.once.Do(func() { registry.srv = registrytest.NewServer() })
	return registry.srv.URL
}

// confluentMessages is datagen.Messages for AvroConfluent, whose encoder needs the
// registry and a topic (the schema subject is "<topic>-value").
func confluentMessages(rec arrow.RecordBatch) ([][]byte, error) {
	f, err := format.Lookup("AvroConfluent")
	if err != nil {
		return nil, err
	}
	s := formatSettings("AvroConfluent")
	enc, err := f.NewEncoder(rec.Schema(), &s)
	if err != nil {
		return nil, err
	}
	if te, ok := enc.(interface {
		ForTopic(string) (format.Encoder, error)
	}); ok {
		if enc, err = te.ForTopic("bench"); err != nil {
			return nil, err
		}
	}
	n := int(rec.NumRows())
	msgs := make([][]byte, 0, n)
	var buf []byte
	for i := range n {
		start := len(buf)
		if buf, err = enc.Append(buf, rec, i, i+1); err != nil {
			return nil, fmt.Errorf("encode row %d: %w", i, err)
		}
		msgs = append(msgs, buf[start:len(buf):len(buf)])
	}
	return msgs, nil
}

// perRowMetrics reports the custom metrics of a benchmark whose op is one row.
func perRowMetrics(b *testing.B, rows int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(rows)/s, "rows/s")
	}
}

func mustNoErr(tb testing.TB, err error, what string, args ...any) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
