package bench

import (
	"bytes"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowcsv "github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// engineVirtual are the virtual columns of the "+virtual" decode variant: what a table
// typically asks for.
var engineVirtual = []string{virtualcols.Topic, virtualcols.Partition, virtualcols.Offset, virtualcols.Timestamp}

// decodeRig decodes a corpus the way the engine's pipeline does: per message rows.Reset,
// Decode, Builder.Append; a record batch every blockRows rows.
type decodeRig struct {
	c    *corpus
	dec  format.Decoder
	rows *block.Rows
	b    *block.Builder
	meta virtualcols.Message
	opts block.Options // of rows
	next int           // next message of the corpus
}

func newDecodeRig(tb testing.TB, mem memory.Allocator, s schemaDef, formatName string, virtual []string) *decodeRig {
	tb.Helper()
	f := lookupFormat(tb, formatName)
	c := getCorpus(tb, s, formatName)
	fs := formatSettings(formatName)
	dec, err := f.NewDecoder(c.schema, &fs)
	mustNoErr(tb, err, "%s decoder", formatName)
	cols, err := block.ColumnsFromSchema(c.schema)
	mustNoErr(tb, err, "columns")
	b, err := block.NewBuilder(mem, cols, virtual)
	mustNoErr(tb, err, "builder")
	tb.Cleanup(b.Release)
	opts := block.Options{NullAsDefault: fs.NullAsDefault, DateTimeBestEffort: fs.DateTimeBestEffort}
	return &decodeRig{
		c:    c,
		dec:  dec,
		rows: block.NewRows(cols, opts),
		b:    b,
		meta: virtualcols.Message{Topic: "queue", Partition: 3},
		opts: opts,
	}
}

// decode decodes the next n messages of the corpus (cycling), cutting a record batch
// every blockRows rows, and returns the number of rows decoded.
func (r *decodeRig) decode(tb testing.TB, n int) int {
	rows := 0
	for range n {
		m := r.c.msgs[r.next]
		r.rows.Reset()
		if err := r.dec.Decode(r.rows, m); err != nil {
			tb.Fatalf("message %d: %v\n%q", r.next, err, m)
		}
		r.meta.Offset++
		r.b.Append(r.rows, &r.meta)
		rows += r.rows.Len()
		if r.b.Len() >= blockRows {
			r.b.NewRecordBatch().Release()
		}
		if r.next++; r.next == len(r.c.msgs) {
			r.next = 0
		}
	}
	return rows
}

// BenchmarkDecode measures payloads → Arrow record batches per format and schema; one op
// is one message of one row. The baselines decode the same payloads with arrow-go
// (schemas adapted by baselineSchema): arrow-json is its JSON reader (array.NewJSONReader)
// on the concatenated JSONEachRow payloads, in runs of jsonRunBytes; arrow-json-msg is its
// per-document RecordBuilder.UnmarshalJSON on each message; arrow-csv is its CSV reader
// (arrow/csv) on the concatenated CSV payloads.
func BenchmarkDecode(b *testing.B) {
	for _, s := range schemas {
		b.Run(s.name, func(b *testing.B) {
			for _, f := range decodeFormats {
				b.Run(f, func(b *testing.B) { benchDecode(b, s, f, nil) })
			}
			b.Run("JSONEachRow+virtual", func(b *testing.B) { benchDecode(b, s, "JSONEachRow", engineVirtual) })
			b.Run("arrow-json", func(b *testing.B) { benchArrowReader(b, s, "JSONEachRow", jsonRunBytes, newArrowJSON) })
			b.Run("arrow-json-msg", func(b *testing.B) { benchArrowJSONMessages(b, s) })
			b.Run("arrow-csv", func(b *testing.B) { benchArrowReader(b, s, "CSV", math.MaxInt, newArrowCSV) })
		})
	}
}

func benchDecode(b *testing.B, s schemaDef, formatName string, virtual []string) {
	r := newDecodeRig(b, memory.NewGoAllocator(), s, formatName, virtual)
	// Warm up: one pass grows the staging slices and the Arrow buffers.
	r.decode(b, min(len(r.c.msgs), blockRows))
	b.SetBytes(int64(r.c.bytes / r.c.rows))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	rows := r.decode(b, b.N)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	perRowMetrics(b, rows)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(rows), "allocs/row")
}

// arrowReader is arrow-go's JSON or CSV reader over data.
type arrowReader interface {
	Next() bool
	RecordBatch() arrow.RecordBatch
	Err() error
	Release()
}

func newArrowJSON(data []byte, schema *arrow.Schema, mem memory.Allocator, chunk int) arrowReader {
	return array.NewJSONReader(bytes.NewReader(data), baselineSchema(schema, false),
		array.WithChunk(chunk), array.WithAllocator(mem))
}

func newArrowCSV(data []byte, schema *arrow.Schema, mem memory.Allocator, chunk int) arrowReader {
	return arrowcsv.NewReader(bytes.NewReader(data), baselineSchema(schema, true),
		arrowcsv.WithChunk(chunk), arrowcsv.WithAllocator(mem), arrowcsv.WithHeader(false))
}

// jsonRunBytes bounds the input of one arrow-go JSON reader. Its decoder (goccy/go-json's
// stream, read with Token) never drops consumed input, so its buffer grows to the whole
// input, and it moves the rest of that buffer for every backslash escape it decodes
// (decoder.decodeEscapeString; ClickHouse writes "/" as "\/"): over a whole corpus it
// is quadratic, 0.3 ms per queue row. Runs of at most 32 KiB of whole rows (about 200
// queue rows or 60 GitHub events), each with a new reader, were its fastest setting here
// (runs of 16, 64, 256 and 1024 rows tried).
const jsonRunBytes = 32 << 10

// benchArrowReader runs an arrow-go reader over the concatenated payloads of the named
// format: b.N rows, in passes over the corpus (the last pass reads a prefix), with a new
// reader for every run of whole rows of at most runBytes (at least one row), each
// reader giving record batches of up to blockRows rows.
func benchArrowReader(b *testing.B, s schemaDef, formatName string, runBytes int,
	open func([]byte, *arrow.Schema, memory.Allocator, int) arrowReader) {
	c := getCorpus(b, s, formatName)
	data := bytes.Join(c.msgs, nil)
	ends := make([]int, len(c.msgs)+1) // ends[i]: end of row i-1 in data
	for i, m := range c.msgs {
		ends[i+1] = ends[i] + len(m)
	}
	var runs []int // runs[i]: first row after run i
	for lo := 0; lo < len(c.msgs); {
		hi := lo + 1
		for hi < len(c.msgs) && ends[hi+1]-ends[lo] <= runBytes {
			hi++
		}
		runs = append(runs, hi)
		lo = hi
	}
	mem := memory.NewGoAllocator()
	pass := func(rows int) {
		lo := 0
		for _, hi := range runs {
			if lo >= rows {
				break
			}
			hi = min(hi, rows)
			rd := open(data[ends[lo]:ends[hi]], c.schema, mem, blockRows)
			got := 0
			for rd.Next() {
				got += int(rd.RecordBatch().NumRows())
			}
			if err := rd.Err(); err != nil {
				b.Fatalf("arrow reader on %s: %v", formatName, err)
			}
			rd.Release()
			if got != hi-lo {
				b.Fatalf("arrow reader on %s: %d rows, want %d", formatName, got, hi-lo)
			}
			lo = hi
		}
	}
	pass(min(c.rows, blockRows)) // warm up and check
	b.SetBytes(int64(c.bytes / c.rows))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for done := 0; done < b.N; {
		k := min(b.N-done, c.rows)
		pass(k)
		done += k
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	perRowMetrics(b, b.N)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "allocs/row")
}

// benchArrowJSONMessages decodes every JSONEachRow message with arrow-go's per-document
// API, RecordBuilder.UnmarshalJSON, cutting a record batch every blockRows rows: the
// way one would use arrow-go on Kafka messages, and this package's decode loop.
func benchArrowJSONMessages(b *testing.B, s schemaDef) {
	c := getCorpus(b, s, "JSONEachRow")
	rb := array.NewRecordBuilder(memory.NewGoAllocator(), baselineSchema(c.schema, false))
	defer rb.Release()
	next := 0
	decode := func(n int) {
		for range n {
			if err := rb.UnmarshalJSON(c.msgs[next]); err != nil {
				b.Fatalf("arrow UnmarshalJSON of message %d: %v", next, err)
			}
			if rb.Field(0).Len() >= blockRows {
				rb.NewRecordBatch().Release()
			}
			if next++; next == len(c.msgs) {
				next = 0
			}
		}
	}
	decode(min(c.rows, blockRows))
	b.SetBytes(int64(c.bytes / c.rows))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	decode(b.N)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	perRowMetrics(b, b.N)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "allocs/row")
}

// baselineSchema adapts a table's schema to what arrow-go's readers accept on the bytes
// chkafka's encoders write, keeping the work the same or making it lighter:
//
//   - timestamp[s, UTC] → timestamp[s]: both readers refuse a zone-less text
//     ("2011-02-12 02:22:00", ClickHouse's DateTime text) for a timestamp with a zone;
//     the parse is the same;
//   - dictionary<int8|int32, utf8> (Enum8, LowCardinality) → utf8: arrow's CSV reader
//     has no dictionaries and its JSON reader builds a new builder and array per value
//     (array.dictionaryBuilder.UnmarshalOne), which would make it a straw man;
//   - CSV only: list<…> (Array) → utf8: ClickHouse writes ['a','b'], arrow/csv reads
//     only {a,b}.
func baselineSchema(s *arrow.Schema, csv bool) *arrow.Schema {
	fields := slices.Clone(s.Fields())
	for i := range fields {
		fields[i].Type = baselineType(fields[i].Type, csv)
		fields[i].Metadata = arrow.Metadata{}
	}
	return arrow.NewSchema(fields, nil)
}

func baselineType(t arrow.DataType, csv bool) arrow.DataType {
	switch t := t.(type) {
	case *arrow.TimestampType:
		return &arrow.TimestampType{Unit: t.Unit}
	case *arrow.DictionaryType:
		return baselineType(t.ValueType, csv)
	case *arrow.ListType:
		if csv {
			return arrow.BinaryTypes.String
		}
		return arrow.ListOf(baselineType(t.Elem(), csv))
	}
	return t
}

// TestDecodeAllocsPerRow checks issue 7's "0 allocations per row in steady state" for
// the formats that promise it: after a warm-up block, decoding one whole block (65536
// messages of one row, Builder.Append each, and the record batch at the end) may
// allocate for the block — its Arrow buffers — but not per row. It counts allocations,
// it times nothing.
func TestDecodeAllocsPerRow(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, s := range schemas {
		for _, f := range zeroAllocFormats {
			t.Run(s.name+"/"+f, func(t *testing.T) {
				// Not memory.CheckedAllocator: it allocates on every call.
				mem := newCountingAllocator()
				r := newDecodeRig(t, mem, s, f, nil)
				defer func() {
					r.b.Release()
					if mem.Live() != 0 {
						t.Errorf("%d Arrow bytes leaked", mem.Live())
					}
				}()
				// AllocsPerRun runs once to warm up, then the measured block.
				perRow := testing.AllocsPerRun(1, func() { r.decode(t, blockRows) }) / blockRows
				t.Logf("%s %s: %.4f allocs/row (%.0f per block)", s.name, f, perRow, perRow*blockRows)
				if perRow > maxAllocsPerRow {
					t.Errorf("%s decoding of %s allocates %.3f times per row in steady state, want 0 (at most %v per row for the block's buffers)",
						f, s.name, perRow, maxAllocsPerRow)
				}
			})
		}
	}
}

// maxAllocsPerRow is the allocation budget of a block, per row: what the Arrow buffers of
// a block cost, amortised. One allocation per row, or even per 100 rows, fails.
const maxAllocsPerRow = 0.01

// claimBatch is the batch size of BenchmarkEngineSplit: how many fetched messages one
// claim decodes into one Rows before handing it to the pipeline.
const claimBatch = 512

// claimRows is how many Rows BenchmarkEngineSplit hands to its Builder in turn: one per
// claim (partition) feeding the pipeline.
const claimRows = 3

// BenchmarkEngineSplit mimics the engine's split of the decode path: a claim decodes a
// batch of claimBatch messages into one Rows (Decode appends, Rows.Reset once per batch),
// then the single pipeline goroutine copies them into the block with
// Builder.AppendRange: once per message when the table has virtual columns
// ("+virtual"), once per batch when it has none; "+virtual/AppendMessages" copies a
// batch with virtual columns in one Builder.AppendMessages call. claimRows Rows feed the Builder in
// turn. One op is one message of one row; claim-ns/row and pipeline-ns/row are the two
// halves (the pipeline is the engine's serial bottleneck, the claims run in parallel).
func BenchmarkEngineSplit(b *testing.B) {
	for _, s := range schemas {
		b.Run(s.name, func(b *testing.B) {
			b.Run("JSONEachRow", func(b *testing.B) { benchEngineSplit(b, s, "JSONEachRow", nil) })
			b.Run("JSONEachRow+virtual", func(b *testing.B) { benchEngineSplit(b, s, "JSONEachRow", engineVirtual) })
			b.Run("JSONEachRow+virtual/AppendMessages", func(b *testing.B) {
				benchEngineSplit(b, s, "JSONEachRow", engineVirtual, true)
			})
		})
	}
}

// splitClock is BenchmarkEngineSplit's clock: monotonic wall time. On a shared machine,
// a thread CPU-time clock can replace it (with runtime.LockOSThread) to leave out the
// time the benchmark waits for a core.
var splitClock = func() time.Duration { return time.Since(splitEpoch) }

var splitEpoch = time.Now()

func benchEngineSplit(b *testing.B, s schemaDef, formatName string, virtual []string, messages ...bool) {
	runtime.LockOSThread() // for a thread CPU-time splitClock
	defer runtime.UnlockOSThread()
	r := newDecodeRig(b, memory.NewGoAllocator(), s, formatName, virtual)
	cols := r.rows.Columns()
	rows := make([]*block.Rows, claimRows)
	for i := range rows {
		rows[i] = block.NewRows(cols, r.opts)
	}
	ends := make([]int, 0, claimBatch) // ends[i]: Rows.Len() after message i of the batch
	metas := make([]virtualcols.Message, 0, claimBatch)
	var claim, pipeline time.Duration
	which := 0
	run := func(n int) (done int) {
		for done < n {
			rs := rows[which]
			which = (which + 1) % len(rows)
			k := min(claimBatch, n-done)
			first := r.next
			t0 := splitClock()
			rs.Reset()
			ends = ends[:0]
			for range k {
				if err := r.dec.Decode(rs, r.c.msgs[r.next]); err != nil {
					b.Fatalf("message %d: %v", r.next, err)
				}
				ends = append(ends, rs.Len())
				if r.next++; r.next == len(r.c.msgs) {
					r.next = 0
				}
			}
			t1 := splitClock()
			switch {
			case virtual == nil:
				r.b.AppendRange(rs, 0, rs.Len(), nil)
			case len(messages) > 0:
				metas = metas[:0]
				for i := range ends {
					r.meta.Offset = int64(first + i)
					metas = append(metas, r.meta)
				}
				r.b.AppendMessages(rs, 0, ends, metas)
			default:
				lo := 0
				r.meta.Offset = int64(first)
				for _, hi := range ends {
					r.meta.Offset++
					r.b.AppendRange(rs, lo, hi, &r.meta)
					lo = hi
				}
			}
			if r.b.Len() >= blockRows {
				r.b.NewRecordBatch().Release()
			}
			t2 := splitClock()
			claim += t1 - t0
			pipeline += t2 - t1
			done += k
		}
		return done
	}
	run(min(len(r.c.msgs), blockRows)) // warm up
	claim, pipeline = 0, 0
	b.SetBytes(int64(r.c.bytes / r.c.rows))
	b.ReportAllocs()
	b.ResetTimer()
	n := run(b.N)
	b.StopTimer()
	b.ReportMetric(float64(claim.Nanoseconds())/float64(n), "claim-ns/row")
	b.ReportMetric(float64(pipeline.Nanoseconds())/float64(n), "pipeline-ns/row")
}
