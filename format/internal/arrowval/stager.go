package arrowval

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// Stager stages the rows of Arrow record batches (decoded Arrow IPC or Parquet messages)
// into [block.Rows]: record fields fill the table columns of their name, converted by the
// [Appender] of their types; fields the table lacks are ignored and columns the record
// lacks get their defaults, as in ClickHouse's Arrow and Parquet input. The plan is
// compiled once per record schema and reused while the schema stays the same. A Stager is
// not safe for concurrent use.
type Stager struct {
	// MaxRows is the most rows a record batch may have (0: no limit). Decoders set it per
	// message: a corrupt batch claiming billions of rows without data (a NULL-typed column
	// has no buffers) would otherwise stage billions of default rows.
	MaxRows int

	cols    []block.Column
	index   map[string]int
	scratch []byte
	schema  *arrow.Schema
	plan    []stageCol
}

type stageCol struct {
	field, col int
	app        Appender
}

// NewStager returns a Stager for the table columns cols.
func NewStager(cols []block.Column) *Stager {
	s := &Stager{cols: cols, index: make(map[string]int, len(cols))}
	for i, c := range cols {
		s.index[c.Name] = i
	}
	return s
}

// Stage appends the rows of rec to dst. Errors are [*binio.ParseError] values naming the
// column.
func (s *Stager) Stage(dst *block.Rows, rec arrow.RecordBatch) error {
	if s.schema == nil || !s.schema.Equal(rec.Schema()) {
		if err := s.compile(rec.Schema()); err != nil {
			return err
		}
	}
	cols := rec.Columns()
	n := int(rec.NumRows())
	if s.MaxRows > 0 && n > s.MaxRows {
		return &binio.ParseError{Err: fmt.Errorf("a record batch of %d rows in a message of this size: corrupt data", n)}
	}
	for i := range n {
		for _, p := range s.plan {
			if err := p.app(dst.Col(p.col), cols[p.field], i); err != nil {
				return &binio.ParseError{Column: s.cols[p.col].Name, Err: err}
			}
		}
		if err := dst.EndRow(); err != nil {
			return &binio.ParseError{Err: err}
		}
	}
	return nil
}

func (s *Stager) compile(schema *arrow.Schema) error {
	s.schema, s.plan = nil, s.plan[:0]
	seen := make([]bool, len(s.cols))
	for k, f := range schema.Fields() {
		col, ok := s.index[f.Name]
		if !ok || seen[col] {
			continue
		}
		seen[col] = true
		app, err := CompileAppender(f.Type, s.cols[col].Type, &s.scratch)
		if err != nil {
			return &binio.ParseError{Column: f.Name, Err: err}
		}
		s.plan = append(s.plan, stageCol{field: k, col: col, app: app})
	}
	s.schema = schema
	return nil
}

// ErrTooLarge is the panic value of a [LimitedAllocator] asked for more than its budget.
var ErrTooLarge = errors.New("the message needs more memory than its size allows: corrupt data")

// LimitedAllocator allocates from a Go allocator up to a budget and panics with
// [ErrTooLarge] beyond it, so that a corrupt message declaring huge buffers fails (the
// decoder recovers the panic) instead of exhausting memory. It is not safe for concurrent
// use.
type LimitedAllocator struct {
	mem   memory.GoAllocator
	left  int
	limit int
}

// Reset gives the allocator a fresh budget of n bytes.
func (a *LimitedAllocator) Reset(n int) { a.left, a.limit = n, n }

// Allocate implements memory.Allocator.
func (a *LimitedAllocator) Allocate(size int) []byte {
	if size < 0 || size > a.left {
		panic(ErrTooLarge)
	}
	a.left -= size
	return a.mem.Allocate(size)
}

// Reallocate implements memory.Allocator.
func (a *LimitedAllocator) Reallocate(size int, b []byte) []byte {
	if size < 0 || size-len(b) > a.left {
		panic(ErrTooLarge)
	}
	a.left -= size - len(b)
	return a.mem.Reallocate(size, b)
}

// Free implements memory.Allocator.
func (a *LimitedAllocator) Free(b []byte) { a.mem.Free(b) }

// Budget returns the allocation budget for decoding a message of n bytes: generous for
// compressed data, bounded for corrupt sizes.
func Budget(n int) int { return max(64<<20, 256*n) }

// RowLimit returns the most rows a message of n bytes may decode to.
func RowLimit(n int) int { return 1<<20 + 64*n }

// Recover turns a panic of a third-party decoder (Arrow IPC, Parquet) on corrupt input into
// an error stored in *err. Use it deferred.
func Recover(err *error) {
	if r := recover(); r != nil {
		if e, ok := r.(error); ok {
			*err = &binio.ParseError{Err: fmt.Errorf("corrupt data: %w", e)}
			return
		}
		*err = &binio.ParseError{Err: fmt.Errorf("corrupt data: %v", r)}
	}
}
