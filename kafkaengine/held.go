package kafkaengine

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/block"
)

// span is a run of consecutive rows of a held block that came from one generation: the
// rows from the previous span's end up to end.
type span struct {
	gen *generation
	end int
}

// heldBlock is a block in progress: the rows of the builder, preceded by rows already
// made into record batches (a block whose delivery failed, or whose revoked rows were
// dropped), and the generation each row came from. It is what lets the pipeline retry a
// delivery and drop the rows of revoked partitions without keeping or decoding the
// messages again (the seek back of SPEC §5.4 needs only the offsets). Not safe for
// concurrent use: the pipeline owns it.
type heldBlock struct {
	mem   memory.Allocator
	b     *block.Builder
	done  []arrow.RecordBatch // owned; rows 0 to doneRows-1 of the block
	rows  int                 // rows in done
	spans []span
}

func newHeldBlock(mem memory.Allocator, b *block.Builder) heldBlock {
	return heldBlock{mem: mem, b: b}
}

// Len returns the number of rows held.
func (h *heldBlock) Len() int { return h.rows + h.b.Len() }

// mark records that the rows appended to the builder since the last mark came from gen.
func (h *heldBlock) mark(gen *generation) {
	n := h.Len()
	if k := len(h.spans); k > 0 {
		last := &h.spans[k-1]
		if last.end == n {
			return
		}
		if last.gen == gen {
			last.end = n
			return
		}
	} else if n == 0 {
		return
	}
	h.spans = append(h.spans, span{gen: gen, end: n})
}

// holds reports whether any row came from gen.
func (h *heldBlock) holds(gen *generation) bool {
	for _, s := range h.spans {
		if s.gen == gen {
			return true
		}
	}
	return false
}

// seal moves the builder's rows into done.
func (h *heldBlock) seal() {
	if h.b.Len() > 0 {
		rec := h.b.NewRecordBatch()
		h.done = append(h.done, rec)
		h.rows += int(rec.NumRows())
	}
}

// record returns every row held as one record batch, which the caller must release. The
// rows stay held (until reset), so that a failed delivery can be retried with them and
// with rows appended after it.
func (h *heldBlock) record() (arrow.RecordBatch, error) {
	h.seal()
	switch len(h.done) {
	case 0:
		return h.b.NewRecordBatch(), nil // no rows, with the schema
	case 1:
	default:
		rec, err := concatRecords(h.mem, h.done) // more than one: a new batch
		if err != nil {
			return nil, err
		}
		h.releaseDone()
		h.done = append(h.done, rec)
		h.rows = int(rec.NumRows())
	}
	rec := h.done[0]
	rec.Retain()
	return rec, nil
}

// drop removes the rows of gen. The rows kept are slices of the record batches made so
// far (no copy until the next record).
func (h *heldBlock) drop(gen *generation) {
	if !h.holds(gen) {
		return
	}
	h.seal()
	var (
		kept  []arrow.RecordBatch
		spans = h.spans[:0]
		rows  int // rows kept so far
		lo    int // the span's first row
		d     int // the record batch of done holding row lo
		dLo   int // its first row
	)
	for _, s := range h.spans {
		if s.gen != gen {
			// Slice rows [lo, s.end) out of the record batches they lie in.
			for r := lo; r < s.end; {
				for r >= dLo+int(h.done[d].NumRows()) {
					dLo += int(h.done[d].NumRows())
					d++
				}
				end := min(s.end, dLo+int(h.done[d].NumRows()))
				kept = append(kept, h.done[d].NewSlice(int64(r-dLo), int64(end-dLo)))
				r = end
			}
			rows += s.end - lo
			if k := len(spans); k > 0 && spans[k-1].gen == s.gen {
				spans[k-1].end = rows
			} else {
				spans = append(spans, span{gen: s.gen, end: rows})
			}
		}
		lo = s.end
	}
	clear(h.spans[len(spans):])
	h.spans = spans
	h.releaseDone()
	h.done = append(h.done, kept...)
	h.rows = rows
}

// reset drops every row.
func (h *heldBlock) reset() {
	h.releaseDone()
	h.rows = 0
	h.b.Reset()
	clear(h.spans)
	h.spans = h.spans[:0]
}

func (h *heldBlock) releaseDone() {
	for _, r := range h.done {
		r.Release()
	}
	clear(h.done)
	h.done = h.done[:0]
}

// release frees the held rows and the builder.
func (h *heldBlock) release() {
	h.releaseDone()
	h.b.Release()
}

// concatRecords returns the rows of recs, which share a schema, as one record batch
// that the caller must release (recs[0] itself, retained, if it is the only one).
func concatRecords(mem memory.Allocator, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	schema := recs[0].Schema()
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	parts := make([]arrow.Array, len(recs))
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	for i := range cols {
		for j, r := range recs {
			parts[j] = r.Column(i)
		}
		c, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, fmt.Errorf("kafkaengine: joining the rows of column %s: %w", schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}
