package block

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"math/rand/v2"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/virtualcols"
)

// Builder accumulates rows into Arrow record batches: the physical columns, then the
// requested virtual columns. It is compiled once per table by [NewBuilder] into one
// appender per column, so [Builder.Append] runs no per-value type switch and, in steady
// state, allocates nothing per row beyond the growth of Arrow buffers.
//
// LowCardinality and Enum columns become dictionary arrays; each record batch carries its
// own dictionary (LowCardinality: the distinct values of that batch in first-seen order;
// Enum: all names in declaration order).
//
// A Builder is not safe for concurrent use. The caller must call [Builder.Release].
type Builder struct {
	schema   *arrow.Schema
	apps     []appender
	virt     *virtualcols.Columns
	def      *Rows // one staged row of type defaults, for AppendDefault
	noMsg    virtualcols.Message
	n        int
	released bool
}

// NewBuilder compiles a builder for cols followed by the virtual columns named in virtual
// (in that order; see [virtualcols.NewColumns]), allocating Arrow memory from mem. It fails
// for an invalid or nil type (a hand-built [Type] that [ParseType] would refuse, an unknown
// time zone), an empty or duplicate column name, a virtual column also declared as a
// physical column, and an unknown or repeated virtual name. The caller must call
// [Builder.Release].
func NewBuilder(mem memory.Allocator, cols []Column, virtual []string) (*Builder, error) {
	seen := make(map[string]bool, len(cols)+len(virtual))
	for _, c := range cols {
		if c.Name == "" {
			return nil, fmt.Errorf("block: empty column name")
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("block: duplicate column name %q", c.Name)
		}
		seen[c.Name] = true
		if err := checkType(c.Type); err != nil {
			return nil, fmt.Errorf("block: column %q: %w", c.Name, err)
		}
	}
	for _, v := range virtual {
		if seen[v] {
			return nil, fmt.Errorf("block: virtual column %q is also a physical column", v)
		}
	}
	virt, err := virtualcols.NewColumns(mem, virtual)
	if err != nil {
		return nil, fmt.Errorf("block: %w", err)
	}
	b := &Builder{virt: virt, apps: make([]appender, len(cols))}
	fields := make([]arrow.Field, 0, len(cols)+len(virtual))
	for i, c := range cols {
		fields = append(fields, columnField(c))
		b.apps[i] = newAppender(mem, c.Type)
	}
	fields = append(fields, virt.Fields()...)
	b.schema = arrow.NewSchema(fields, nil)
	b.def = NewRows(cols, Options{})
	if err := b.def.EndRow(); err != nil {
		b.Release()
		return nil, err
	}
	return b, nil
}

// Schema returns the schema of the record batches: the physical columns as [Schema] gives
// them, then the virtual columns' fields ([virtualcols.Field]).
func (b *Builder) Schema() *arrow.Schema { return b.schema }

// Append copies the rows.Len() completed rows staged in rows, and as many copies of m's
// virtual-column values. rows must come from [NewRows] with the same columns as the Builder
// (Append panics on a different column count); it is only read, and the caller usually
// resets it afterwards. m is borrowed for the call and may be nil when no virtual column
// was requested (a nil m reads as the zero [virtualcols.Message]). Append cannot fail.
func (b *Builder) Append(rows *Rows, m *virtualcols.Message) {
	b.AppendRange(rows, 0, rows.n, m)
}

// AppendRange is [Builder.Append] of the completed rows lo to hi-1 of rows only, with
// hi-lo copies of m's virtual-column values: the rows of one message when rows stages
// several, or of a run of messages when there are no virtual columns (a nil m). For a
// run of messages with virtual columns, [Builder.AppendMessages] copies the physical
// columns in one go. It panics unless 0 <= lo <= hi <= rows.Len().
func (b *Builder) AppendRange(rows *Rows, lo, hi int, m *virtualcols.Message) {
	if len(rows.c) != len(b.apps) {
		panic(fmt.Sprintf("block: Builder.Append with %d columns, the builder has %d", len(rows.c), len(b.apps)))
	}
	if lo < 0 || lo > hi || hi > rows.n {
		panic(fmt.Sprintf("block: Builder.AppendRange(%d, %d) of %d rows", lo, hi, rows.n))
	}
	n := hi - lo
	if n == 0 {
		return
	}
	for i, a := range b.apps {
		a.append(rows.c[i], lo, hi)
	}
	if m == nil {
		m = &b.noMsg
	}
	b.virt.Append(m, n)
	b.n += n
}

// AppendMessages appends the rows of consecutive messages staged in rows, each message's
// rows with its own virtual-column values: message i has the rows from ends[i-1] (lo for
// the first) to ends[i]-1, and metas[i]'s values. A message without rows (ends[i] equal
// to the previous end: a tombstone, a message dropped by [Rows.Truncate]) appends
// nothing. It is [Builder.AppendRange] of each message in turn, with the physical columns
// copied in one go: the way to append a decoded batch of one-row messages when the table
// has virtual columns. rows and metas are borrowed for the call. It panics unless
// len(metas) == len(ends) and 0 <= lo <= ends[0] <= ends[1] <= ... <= rows.Len().
func (b *Builder) AppendMessages(rows *Rows, lo int, ends []int, metas []virtualcols.Message) {
	if len(rows.c) != len(b.apps) {
		panic(fmt.Sprintf("block: Builder.AppendMessages with %d columns, the builder has %d", len(rows.c), len(b.apps)))
	}
	if len(metas) != len(ends) {
		panic(fmt.Sprintf("block: Builder.AppendMessages with %d ends and %d messages", len(ends), len(metas)))
	}
	prev := lo
	for _, end := range ends {
		if end < prev || end > rows.n || prev < 0 {
			panic(fmt.Sprintf("block: Builder.AppendMessages: rows %d to %d of %d", prev, end, rows.n))
		}
		prev = end
	}
	hi := prev
	if hi == lo {
		return
	}
	for i, a := range b.apps {
		a.append(rows.c[i], lo, hi)
	}
	prev = lo
	for i, end := range ends {
		b.virt.Append(&metas[i], end-prev)
		prev = end
	}
	b.n += hi - lo
}

// AppendDefault appends one row of type defaults (see [Col.AppendDefault]) with m's
// virtual-column values: the row of a broken message in kafka_handle_error_mode='stream',
// where m carries Raw and Err. m is borrowed for the call; nil reads as the zero Message.
func (b *Builder) AppendDefault(m *virtualcols.Message) {
	b.Append(b.def, m)
}

// Reserve prepares the batch in progress to grow to total rows: every buffer that would
// have to grow before then, at the bytes per row of the rows appended so far plus 1/8, is
// reallocated once now instead of doubling as it fills (a doubling copies the buffer and
// holds both copies at once, near the end of a batch, with the most memory). It matters
// for the first batch of a Builder: after it, the builder's own buffers start at the size
// the recent batches used plus 1/8, and Reserve does not reallocate them. Arrow-go's builders
// (Bool, Decimal, FixedString, UUID and the virtual columns), which start empty in every
// batch, round the room up to a power of two values. Dictionaries, which grow with
// distinct values rather than rows, and the bitmaps of columns without a NULL so far are
// left as they are. It does nothing before the batch's first row, nor when total <=
// [Builder.Len]. It is a hint only: rows beyond total are appended as before, and rows
// short of it leave the room unused until [Builder.NewRecordBatch], which then sizes the
// next batch's own buffers for total rows too (batches cut short, e.g. by time, would
// otherwise start the next one at their size).
func (b *Builder) Reserve(total int) {
	if b.n == 0 || total <= b.n {
		return
	}
	s := scale{rows: b.n, total: total}
	for _, a := range b.apps {
		a.reserve(s)
	}
	b.virt.Reserve(total)
}

// Len returns the number of rows appended since the last [Builder.NewRecordBatch] or
// [Builder.Reset].
func (b *Builder) Len() int { return b.n }

// NewRecordBatch returns the rows appended so far as a record batch with [Builder.Schema]
// (possibly with zero rows) and restarts the builder empty. The caller owns the batch and
// must Release it; it does not share mutable memory with the builder.
func (b *Builder) NewRecordBatch() arrow.RecordBatch {
	arrs := make([]arrow.Array, 0, len(b.schema.Fields()))
	for _, a := range b.apps {
		arrs = append(arrs, a.finish())
	}
	arrs = append(arrs, b.virt.NewArrays()...)
	rec := array.NewRecordBatch(b.schema, arrs, int64(b.n))
	for _, a := range arrs {
		a.Release()
	}
	b.n = 0
	return rec
}

// Reset drops the rows appended since the last [Builder.NewRecordBatch].
func (b *Builder) Reset() {
	for _, a := range b.apps {
		a.finish().Release()
	}
	for _, a := range b.virt.NewArrays() {
		a.Release()
	}
	b.n = 0
}

// Release frees the builder's Arrow memory. The Builder must not be used afterwards.
// Release is idempotent.
func (b *Builder) Release() {
	if b.released {
		return
	}
	b.released = true
	for _, a := range b.apps {
		if a != nil {
			a.release()
		}
	}
	b.virt.Release()
}

// appender copies staged values of one column into Arrow builders.
type appender interface {
	// append copies values [lo, hi) of c.
	append(c *Col, lo, hi int)
	// reserve makes room for the values appended since the last finish scaled by s
	// (see Builder.Reserve).
	reserve(s scale)
	// finish returns the values appended since the last finish as an array and restarts.
	finish() arrow.Array
	release()
}

func newAppender(mem memory.Allocator, t *Type) appender {
	switch t.Kind {
	case Nullable:
		// Nullability lives in Col.valid; the appenders of T honour it.
		return newAppender(mem, t.Elem)
	case LowCardinality:
		return newDictApp(mem, t)
	case Int8:
		return newRawApp(mem, t, func(c *Col) []int8 { return c.i8 })
	case Int16:
		return newRawApp(mem, t, func(c *Col) []int16 { return c.i16 })
	case Int32:
		return newRawApp(mem, t, func(c *Col) []int32 { return c.i32 })
	case Int64:
		return newRawApp(mem, t, func(c *Col) []int64 { return c.i64 })
	case UInt8:
		return newRawApp(mem, t, func(c *Col) []uint8 { return c.u8 })
	case UInt16:
		return newRawApp(mem, t, func(c *Col) []uint16 { return c.u16 })
	case UInt32:
		return newRawApp(mem, t, func(c *Col) []uint32 { return c.u32 })
	case UInt64:
		return newRawApp(mem, t, func(c *Col) []uint64 { return c.u64 })
	case Float32:
		return newRawApp(mem, t, func(c *Col) []float32 { return c.f32 })
	case Float64:
		return newRawApp(mem, t, func(c *Col) []float64 { return c.f64 })
	case Bool:
		return &primApp[bool]{b: array.NewBooleanBuilder(mem), get: func(c *Col) []bool { return c.bools }}
	case Date, Date32:
		return newRawApp(mem, t, func(c *Col) []int32 { return c.i32 })
	case DateTime, DateTime64:
		return newRawApp(mem, t, func(c *Col) []int64 { return c.i64 })
	case Decimal:
		if dt, ok := t.ArrowType().(*arrow.Decimal128Type); ok {
			return &primApp[decimal128.Num]{b: array.NewDecimal128Builder(mem, dt), get: func(c *Col) []decimal128.Num { return c.d128 }}
		}
		return &primApp[decimal256.Num]{
			b:   array.NewDecimal256Builder(mem, t.ArrowType().(*arrow.Decimal256Type)),
			get: func(c *Col) []decimal256.Num { return c.d256 },
		}
	case String:
		return newStrApp(mem, t.ArrowType())
	case FixedString, UUID:
		return &fixedApp{b: array.NewFixedSizeBinaryBuilder(mem, t.ArrowType().(*arrow.FixedSizeBinaryType))}
	case Enum8, Enum16:
		return newEnumApp(mem, t)
	case Array:
		return &listApp{dt: t.ArrowType(), offs: growBuf{mem: mem}, child: newAppender(mem, t.Elem)}
	case Map:
		return &mapApp{
			dt: t.ArrowType().(*arrow.MapType), offs: growBuf{mem: mem},
			key: newAppender(mem, t.Key), val: newAppender(mem, t.Value),
		}
	case Tuple:
		s := &structApp{dt: t.ArrowType()}
		for _, f := range t.Fields {
			s.fields = append(s.fields, newAppender(mem, f.Type))
		}
		return s
	}
	panic(fmt.Sprintf("block: no appender for type %s", t))
}

// castSlice reinterprets a slice of one fixed-width type as another of the same size
// (int32 days as arrow.Date32, int64 ticks as arrow.Timestamp).
func castSlice[To, From any](s []From) []To {
	return unsafe.Slice((*To)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// rawBytes views element i of s as bytes (dictionary keys of fixed-width values).
func rawBytes[T any](s []T, i int) []byte {
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[i])), unsafe.Sizeof(z))
}

// primBuilder is an Arrow builder with a bulk AppendValues for T.
type primBuilder[T any] interface {
	array.Builder
	AppendValues(v []T, valid []bool)
}

// primApp bulk-copies values through an arrow-go builder: Bool (bit-packed) and Decimal.
type primApp[T any] struct {
	b   primBuilder[T]
	get func(c *Col) []T
}

func (a *primApp[T]) append(c *Col, lo, hi int) {
	var valid []bool
	if c.nullable {
		valid = c.valid[lo:hi]
	}
	a.b.AppendValues(a.get(c)[lo:hi], valid)
}

func (a *primApp[T]) reserve(s scale)     { reserveBuilder(a.b, s) }
func (a *primApp[T]) finish() arrow.Array { return a.b.NewArray() }
func (a *primApp[T]) release()            { a.b.Release() }

// rawApp copies fixed-width values straight into the Arrow buffers: one copy per column
// per message, and no validity bitmap unless the block has a NULL.
type rawApp[T any] struct {
	dt    arrow.DataType
	get   func(c *Col) []T
	vals  growBuf
	valid validity
	n     int
}

func newRawApp[T any](mem memory.Allocator, t *Type, get func(c *Col) []T) *rawApp[T] {
	return newRawAppType(mem, t.ArrowType(), get)
}

func newRawAppType[T any](mem memory.Allocator, dt arrow.DataType, get func(c *Col) []T) *rawApp[T] {
	return &rawApp[T]{dt: dt, get: get, vals: growBuf{mem: mem}, valid: validity{bits: growBuf{mem: mem}}}
}

func (a *rawApp[T]) append(c *Col, lo, hi int) {
	appendValues(&a.vals, a.get(c)[lo:hi])
	if c.nullable {
		a.valid.add(c.valid[lo:hi], a.n, hi-lo)
	} else if a.valid.on {
		a.valid.add(nil, a.n, hi-lo)
	}
	a.n += hi - lo
}

func (a *rawApp[T]) reserve(s scale) {
	a.vals.reserve(s)
	a.valid.reserveFor(s)
}

func (a *rawApp[T]) finish() arrow.Array {
	bits, nulls := a.valid.finish(a.n)
	arr := makeArray(a.dt, a.n, nulls, nil, bits, nonNil(a.vals.finish(), a.vals.mem))
	a.n = 0
	return arr
}

func (a *rawApp[T]) release() {
	a.vals.release()
	a.valid.release()
}

// makeArray builds an array over bufs (a nil entry is an absent buffer), taking over the
// caller's references to them.
func makeArray(dt arrow.DataType, n, nulls int, children []arrow.ArrayData, bufs ...*memory.Buffer) arrow.Array {
	data := array.NewData(dt, n, bufs, children, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data)
}

// nonNil returns buf, or an empty buffer when nil (no value was written).
func nonNil(buf *memory.Buffer, mem memory.Allocator) *memory.Buffer {
	if buf != nil {
		return buf
	}
	return memory.NewResizableBuffer(mem)
}

// strApp copies String values: the bytes of a run of values in one copy, the offsets
// rebased in one loop.
type strApp struct {
	dt    arrow.DataType
	offs  growBuf // n+1 int32 offsets once a value was appended
	data  growBuf
	valid validity
	n     int
}

func newStrApp(mem memory.Allocator, dt arrow.DataType) *strApp {
	return &strApp{dt: dt, offs: growBuf{mem: mem}, data: growBuf{mem: mem}, valid: validity{bits: growBuf{mem: mem}}}
}

func (a *strApp) append(c *Col, lo, hi int) {
	if a.offs.n == 0 {
		appendInt32(&a.offs, 0)
	}
	if lo == hi {
		return
	}
	start, end := c.offs[lo], c.offs[hi]
	if int64(a.data.n)+int64(end-start) > math.MaxInt32 {
		panic(fmt.Sprintf("block: more than 2 GiB of String values in one batch (column type %s)", a.dt))
	}
	base := int32(a.data.n) - start
	d := a.data.grow(int(end - start))
	a.data.n += copy(d[a.data.n:], c.bin[start:end])
	k := hi - lo
	b := a.offs.grow(4 * k)
	out := unsafe.Slice((*int32)(unsafe.Pointer(&b[a.offs.n])), k)
	for i, off := range c.offs[lo+1 : hi+1] {
		out[i] = off + base
	}
	a.offs.n += 4 * k
	if c.nullable {
		a.valid.add(c.valid[lo:hi], a.n, k)
	} else if a.valid.on {
		a.valid.add(nil, a.n, k)
	}
	a.n += k
}

func (a *strApp) reserve(s scale) {
	a.offs.reserve(s)
	a.data.reserve(s)
	a.valid.reserveFor(s)
}

func (a *strApp) finish() arrow.Array {
	if a.offs.n == 0 {
		appendInt32(&a.offs, 0)
	}
	bits, nulls := a.valid.finish(a.n)
	arr := makeArray(a.dt, a.n, nulls, nil, bits, a.offs.finish(), nonNil(a.data.finish(), a.data.mem))
	a.n = 0
	return arr
}

func (a *strApp) release() {
	a.offs.release()
	a.data.release()
	a.valid.release()
}

// fixedApp copies FixedString and UUID values.
type fixedApp struct{ b *array.FixedSizeBinaryBuilder }

func (a *fixedApp) append(c *Col, lo, hi int) {
	a.b.Reserve(hi - lo)
	w := c.width
	for i := lo; i < hi; i++ {
		if c.nullable && !c.valid[i] {
			a.b.AppendNull()
			continue
		}
		a.b.Append(c.bin[i*w : (i+1)*w])
	}
}

func (a *fixedApp) reserve(s scale)     { reserveBuilder(a.b, s) }
func (a *fixedApp) finish() arrow.Array { return a.b.NewArray() }

// reserveBuilder is growBuf.reserve for an arrow-go builder, whose Reserve rounds the
// room up to a power of two values.
func reserveBuilder(b array.Builder, s scale) {
	if n := b.Len(); n > 0 {
		if need := s.of(n); need > b.Cap() {
			b.Reserve(need + need/8 - n)
		}
	}
}
func (a *fixedApp) release() { a.b.Release() }

// enumApp builds dictionary arrays whose indices are the staged declaration positions and
// whose dictionary is the fixed list of names.
type enumApp struct {
	dt    *arrow.DictionaryType
	idx   appender
	names arrow.Array
}

func newEnumApp(mem memory.Allocator, t *Type) *enumApp {
	dt := t.ArrowType().(*arrow.DictionaryType)
	nb := array.NewStringBuilder(mem)
	defer nb.Release()
	for _, v := range t.Enum {
		nb.Append(v.Name)
	}
	a := &enumApp{dt: dt, names: nb.NewArray()}
	switch dt.IndexType.ID() {
	case arrow.INT8:
		a.idx = newRawAppType(mem, dt.IndexType, func(c *Col) []int8 { return c.i8 })
	case arrow.INT16:
		a.idx = newRawAppType(mem, dt.IndexType, func(c *Col) []int16 { return c.i16 })
	default:
		a.idx = newRawAppType(mem, dt.IndexType, func(c *Col) []int32 { return c.i32 })
	}
	return a
}

func (a *enumApp) append(c *Col, lo, hi int) { a.idx.append(c, lo, hi) }
func (a *enumApp) reserve(s scale)           { a.idx.reserve(s) }

func (a *enumApp) finish() arrow.Array {
	indices := a.idx.finish()
	defer indices.Release()
	return array.NewDictionaryArray(a.dt, indices, a.names)
}

func (a *enumApp) release() {
	a.idx.release()
	a.names.Release()
}

// dictApp dictionary-encodes LowCardinality values. Distinct values are found with an
// open-addressing table (linear probing, at most half full) whose slots hold a value's
// dictionary index and a tag: its length and bits of its hash (dictTag). A probe whose
// tag matches compares the value's key words (dictKey) with the entry's in ents, which
// up to 32 bytes settles equality with no look at the value's bytes; past 32 bytes the
// bytes are compared too. No allocation per lookup; each new value is appended once to
// the dictionary's value builder. The dictionary restarts with every batch.
type dictApp struct {
	dt     *arrow.DictionaryType
	idx    growBuf // int32 indices
	valid  validity
	n      int
	values appender
	str    bool // values are strings (repStr): append finds them inline, without raw
	raw    func(c *Col, i int) []byte
	seed   maphash.Seed
	key    [4]uint64 // random keys of the hash of values up to 32 bytes (hashKey)
	table  []uint64  // slots: dictionary index in the high half, dictTag (never 0) in the low; 0 is empty
	ents   []dictKey // the key words of each distinct value, by dictionary index
	keys   []byte    // the distinct values' bytes, concatenated
	koffs  []int32   // len(distinct)+1 offsets into keys
	empty  int32     // dictionary index + 1 of the empty string, 0 if not seen yet
}

// dictKey holds the key words of a value v of n bytes: the little-endian words at 0, n-8,
// 8 and n-16 of v placed in a run of zero bytes (so, from 8 bytes on, w0 and w1 are its
// first and last eight bytes, and from 16 bytes on, w2 and w3 the eight bytes after the
// first eight and before the last eight). They cover the bytes 0 to 15 and n-16 to n-1,
// so that, with n, they determine a value of up to 32 bytes.
type dictKey struct{ w0, w1, w2, w3 uint64 }

// dictKeyOf returns the key words of v.
func dictKeyOf(v []byte) dictKey {
	n := len(v)
	switch {
	case n >= 16:
		return dictKey{
			w0: binary.LittleEndian.Uint64(v),
			w1: binary.LittleEndian.Uint64(v[n-8:]),
			w2: binary.LittleEndian.Uint64(v[8:]),
			w3: binary.LittleEndian.Uint64(v[n-16:]),
		}
	case n >= 8:
		// The words at 8 and n-16 hold the last n-8 bytes, low, and the first n-8,
		// high: the ends of the last and first words (a shift by 64 gives 0).
		first, last := binary.LittleEndian.Uint64(v), binary.LittleEndian.Uint64(v[n-8:])
		sh := 8 * uint(16-n)
		return dictKey{w0: first, w1: last, w2: last >> sh, w3: first << sh}
	}
	var w uint64
	if n >= 4 {
		// The two words overlap; the shared bytes land on the same bits.
		w = uint64(binary.LittleEndian.Uint32(v)) | uint64(binary.LittleEndian.Uint32(v[n-4:]))<<(8*(n-4))
	} else {
		for i := n - 1; i >= 0; i-- {
			w = w<<8 | uint64(v[i])
		}
	}
	return dictKey{w0: w, w1: w << (8 * uint(8-n))}
}

// dictKeyAt returns the key words of the n bytes at p+s, 1 <= n <= 32, loading the
// words at s, s+n-8, s+8 and s+n-16 whatever n and masking off the bytes that are not
// the value's: the caller has checked that the 16 bytes before p+s+n and after p+s are in
// bounds.
func dictKeyAt(p unsafe.Pointer, s, n int) dictKey {
	m := &dictMasks[(n-1)&31]
	b := (*[16]byte)(unsafe.Add(p, s))
	c := (*[16]byte)(unsafe.Add(p, s+n-16))
	return dictKey{
		w0: binary.LittleEndian.Uint64(b[:8]) & m.w0,
		w1: binary.LittleEndian.Uint64(c[8:]) & m.w1,
		w2: binary.LittleEndian.Uint64(b[8:]) & m.w2,
		w3: binary.LittleEndian.Uint64(c[:8]) & m.w3,
	}
}

// dictMasks[n-1] keeps, of the four words loaded at s, e-8, s+8 and e-16 around the
// value b[s:e] of n bytes (1 to 32), the bytes of the value: its key words (dictKey).
var dictMasks = func() (m [32]dictKey) {
	low := func(k int) uint64 { return uint64(1)<<(8*k) - 1 } // k < 8
	for n := 1; n <= 32; n++ {
		k0, k2 := min(n, 8), min(max(n-8, 0), 8) // the value's bytes in w0 and w1, w2 and w3
		m[n-1] = dictKey{w0: ^uint64(0), w1: ^uint64(0), w2: ^uint64(0), w3: ^uint64(0)}
		if k0 < 8 {
			m[n-1].w0, m[n-1].w1 = low(k0), ^low(8-k0)
		}
		if k2 < 8 {
			m[n-1].w2, m[n-1].w3 = low(k2), ^low(8-k2)
		}
	}
	return m
}()

// hashKey hashes a value of n bytes, at most 32, from its key words, in the manner of
// wyhash's short path: each pair of words, keyed with random keys, multiplied into 128
// bits whose halves are folded. Values longer than 32 bytes use maphash (hash). Both are
// seeded per builder, so that inputs cannot be crafted to collide.
func (a *dictApp) hashKey(k dictKey, n int) uint64 {
	h1, l1 := bits.Mul64(k.w0^a.key[0], k.w1^a.key[1]^uint64(n))
	h2, l2 := bits.Mul64(k.w2^a.key[2], k.w3^a.key[3])
	return h1 ^ l1 ^ h2 ^ l2
}

// hash hashes a value for the table: hashKey up to 32 bytes, maphash beyond.
func (a *dictApp) hash(v []byte) uint64 {
	if len(v) > 32 {
		return maphash.Bytes(a.seed, v)
	}
	return a.hashKey(dictKeyOf(v), len(v))
}

// dictTag is the low half of a table slot for a value of n bytes with hash h: bits 38 to
// 62 of h (the table index uses the low bits), bit 31 set so that no tag is 0 (an empty
// slot), and min(n, 63) in the low 6 bits, so that a matching tag means an equal length
// up to 62 bytes.
func dictTag(h uint64, n int) uint32 {
	return uint32(h>>32)&^0x3f | 1<<31 | uint32(min(n, 63))
}

func newDictApp(mem memory.Allocator, t *Type) *dictApp {
	inner := t.Elem.stripNullable()
	a := &dictApp{
		dt:     t.ArrowType().(*arrow.DictionaryType),
		idx:    growBuf{mem: mem},
		valid:  validity{bits: growBuf{mem: mem}},
		values: newAppender(mem, inner),
		seed:   maphash.MakeSeed(),
		key:    [4]uint64{rand.Uint64() | 1, rand.Uint64(), rand.Uint64() | 1, rand.Uint64()},
		table:  make([]uint64, 64),
		koffs:  []int32{0},
	}
	switch newCol("", inner, Options{}).rep {
	case repStr:
		a.str = true
		a.raw = func(c *Col, i int) []byte { return c.bin[c.offs[i]:c.offs[i+1]] }
	case repFixed:
		a.raw = func(c *Col, i int) []byte { return c.bin[i*c.width : (i+1)*c.width] }
	case repI8:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.i8, i) }
	case repI16:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.i16, i) }
	case repI32:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.i32, i) }
	case repI64:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.i64, i) }
	case repU8:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.u8, i) }
	case repU16:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.u16, i) }
	case repU32:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.u32, i) }
	case repU64:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.u64, i) }
	case repF32:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.f32, i) }
	case repF64:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.f64, i) }
	case repD128:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.d128, i) }
	case repD256:
		a.raw = func(c *Col, i int) []byte { return rawBytes(c.d256, i) }
	default:
		panic(fmt.Sprintf("block: LowCardinality of %s", inner))
	}
	return a
}

func (a *dictApp) append(c *Col, lo, hi int) {
	if lo == hi {
		return
	}
	k := hi - lo
	b := a.idx.grow(4 * k)
	out := unsafe.Slice((*int32)(unsafe.Pointer(&b[a.idx.n])), k)
	var valid []bool
	if c.nullable {
		valid = c.valid[lo:hi]
	}
	switch {
	case a.str && valid == nil:
		offs := c.offs[lo : hi+1]
		for i := 0; i < k; i++ {
			// findRun does the common cases; value i, if any is left, is one of the others.
			if i += a.findRun(out[i:], offs[i:], c.bin); i == k {
				break
			}
			out[i] = a.lookup(c.bin[offs[i]:offs[i+1]], c, lo+i)
		}
	case a.str:
		offs := c.offs[lo : hi+1]
		for i := range out {
			if !valid[i] {
				out[i] = 0
				continue
			}
			s, e := offs[i], offs[i+1]
			if s == e && a.empty != 0 {
				out[i] = a.empty - 1
				continue
			}
			out[i] = a.lookup(c.bin[s:e], c, lo+i)
		}
	default:
		for i := range out {
			if valid != nil && !valid[i] {
				out[i] = 0
				continue
			}
			out[i] = a.lookup(a.raw(c, lo+i), c, lo+i)
		}
	}
	a.idx.n += 4 * k
	a.valid.add(valid, a.n, k)
	a.n += k
}

// findRun sets out[i] to the dictionary index of the string bin[offs[i]:offs[i+1]] for i
// from 0 on, as long as the value is the empty string (once in the dictionary) or a
// value of 1 to 32 bytes already in the dictionary that starts at least 16 bytes after
// the start of bin and 32 before its end, and returns the number of values done; lookup
// does the others. These are the commonest cases, done here in a loop without a call, on
// registers, and with no branch on a value's length: the four words of the value's key
// (dictKey) are loaded at s, e-8, s+8 and e-16 whatever its length, reaching past it into
// its neighbours (in bounds by the check on s and n), whose bytes are masked off.
func (a *dictApp) findRun(out, offs []int32, bin []byte) int {
	// 16 <= s <= len(bin)-32 and 1 <= n <= 32 put the words read, s to s+16 and
	// e-16 to e, in bin. With fewer than 48 bytes, nmax = 0 sends every non-empty
	// value to lookup.
	lim, nmax := uint(len(bin)-48), uint(32)
	if len(bin) < 48 {
		lim, nmax = 0, 0
	}
	base := unsafe.Pointer(unsafe.SliceData(bin))
	starts, ends := offs[:len(out)], offs[1:][:len(out)]
values:
	for i := range out {
		s, e := int(starts[i]), int(ends[i])
		if s == e && a.empty != 0 {
			// The empty string, the commonest LowCardinality value (absent fields).
			out[i] = a.empty - 1
			continue
		}
		n := e - s
		if uint(s-16) > lim || uint(n-1) >= nmax {
			return i
		}
		w := dictKeyAt(base, s, n)
		h := a.hashKey(w, n)
		tag := dictTag(h, n)
		table := a.table
		mask := uint64(len(table) - 1)
		for j := h & mask; ; j = (j + 1) & mask {
			slot := table[j]
			if uint32(slot) == tag {
				id := int32(slot >> 32)
				x := &a.ents[id]
				if (x.w0^w.w0)|(x.w1^w.w1)|(x.w2^w.w2)|(x.w3^w.w3) == 0 {
					out[i] = id
					continue values
				}
			} else if slot == 0 {
				return i // a new value
			}
		}
	}
	return len(out)
}

// lookup returns the dictionary index of v, the bytes of value i of c, adding the value
// if new.
func (a *dictApp) lookup(v []byte, c *Col, i int) int32 {
	n := len(v)
	w := dictKeyOf(v)
	var h uint64
	if n > 32 {
		h = maphash.Bytes(a.seed, v)
	} else {
		h = a.hashKey(w, n)
	}
	tag := dictTag(h, n)
	mask := uint64(len(a.table) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		slot := a.table[j]
		if slot == 0 {
			return a.insert(v, j, tag, w, c, i)
		}
		if uint32(slot) != tag {
			continue
		}
		id := int32(slot >> 32)
		if a.ents[id] != w {
			continue
		}
		// Past 32 bytes the key words leave out the middle (and past 62 the tag the
		// length).
		if n <= 32 || string(a.keys[a.koffs[id]:a.koffs[id+1]]) == string(v) {
			return id
		}
	}
}

// insert adds v, value i of c, with key words w, to the dictionary in the empty slot j
// of the table, with tag tag, and returns its index.
func (a *dictApp) insert(v []byte, j uint64, tag uint32, w dictKey, c *Col, i int) int32 {
	id := int32(len(a.koffs) - 1)
	a.table[j] = uint64(id)<<32 | uint64(tag)
	a.ents = append(a.ents, w)
	a.keys = append(a.keys, v...)
	a.koffs = append(a.koffs, int32(len(a.keys)))
	a.values.append(c, i, i+1)
	if 2*len(a.koffs) > len(a.table) {
		a.grow()
	}
	if len(v) == 0 {
		a.empty = id + 1
	}
	return id
}

// grow doubles the table and re-inserts the distinct values.
func (a *dictApp) grow() {
	a.table = make([]uint64, 2*len(a.table))
	mask := uint64(len(a.table) - 1)
	for id := 0; id < len(a.koffs)-1; id++ {
		v := a.keys[a.koffs[id]:a.koffs[id+1]]
		h := a.hash(v)
		j := h & mask
		for a.table[j] != 0 {
			j = (j + 1) & mask
		}
		a.table[j] = uint64(id)<<32 | uint64(dictTag(h, len(v)))
	}
}

// reserve makes room for the indices; the dictionary grows with distinct values, not rows.
func (a *dictApp) reserve(s scale) {
	a.idx.reserve(s)
	a.valid.reserveFor(s)
}

func (a *dictApp) finish() arrow.Array {
	bits, nulls := a.valid.finish(a.n)
	indices := makeArray(arrow.PrimitiveTypes.Int32, a.n, nulls, nil, bits, nonNil(a.idx.finish(), a.idx.mem))
	a.n = 0
	defer indices.Release()
	dict := a.values.finish()
	defer dict.Release()
	clear(a.table)
	a.ents = a.ents[:0]
	a.keys = a.keys[:0]
	a.koffs = a.koffs[:1]
	a.empty = 0
	return array.NewDictionaryArray(a.dt, indices, dict)
}

func (a *dictApp) release() {
	a.idx.release()
	a.valid.release()
	a.values.release()
}

// listApp builds list arrays from staged offsets and an element appender.
type listApp struct {
	dt     arrow.DataType
	offs   growBuf // n+1 int32 offsets once a value was appended
	child  appender
	n      int // rows
	nChild int // elements
}

// appendOffsets rebases staged offsets offs[lo..hi] onto the base elements already built
// and appends them to g (after a leading 0 for the first value of a batch).
func appendOffsets(g *growBuf, offs []int32, lo, hi, base int) {
	if g.n == 0 {
		appendInt32(g, 0)
	}
	if lo == hi {
		return
	}
	k := hi - lo
	b := g.grow(4 * k)
	out := unsafe.Slice((*int32)(unsafe.Pointer(&b[g.n])), k)
	shift := int32(base) - offs[lo]
	for i, off := range offs[lo+1 : hi+1] {
		out[i] = off + shift
	}
	g.n += 4 * k
}

// finishOffsets returns the offsets buffer of a batch: [0] when no value was appended.
func finishOffsets(g *growBuf) *memory.Buffer {
	if g.n == 0 {
		appendInt32(g, 0)
	}
	return g.finish()
}

func (a *listApp) append(c *Col, lo, hi int) {
	appendOffsets(&a.offs, c.offs, lo, hi, a.nChild)
	start, end := int(c.offs[lo]), int(c.offs[hi])
	if start == end {
		a.n += hi - lo // only empty lists: nothing for the elements' appender
		return
	}
	a.child.append(c.elem, start, end)
	a.nChild += end - start
	a.n += hi - lo
}

func (a *listApp) reserve(s scale) {
	a.offs.reserve(s)
	a.child.reserve(s)
}

func (a *listApp) finish() arrow.Array {
	child := a.child.finish()
	defer child.Release()
	arr := makeArray(a.dt, a.n, 0, []arrow.ArrayData{child.Data()}, nil, finishOffsets(&a.offs))
	a.n, a.nChild = 0, 0
	return arr
}

func (a *listApp) release() {
	a.offs.release()
	a.child.release()
}

// mapApp builds map arrays: offsets over a struct of keys and values.
type mapApp struct {
	dt       *arrow.MapType
	offs     growBuf
	key, val appender
	n        int
	nEntries int
}

func (a *mapApp) append(c *Col, lo, hi int) {
	appendOffsets(&a.offs, c.offs, lo, hi, a.nEntries)
	start, end := int(c.offs[lo]), int(c.offs[hi])
	a.key.append(c.key, start, end)
	a.val.append(c.val, start, end)
	a.nEntries += end - start
	a.n += hi - lo
}

func (a *mapApp) reserve(s scale) {
	a.offs.reserve(s)
	a.key.reserve(s)
	a.val.reserve(s)
}

func (a *mapApp) finish() arrow.Array {
	keys := a.key.finish()
	defer keys.Release()
	vals := a.val.finish()
	defer vals.Release()
	entries := array.NewData(a.dt.Elem(), a.nEntries, []*memory.Buffer{nil}, []arrow.ArrayData{keys.Data(), vals.Data()}, 0, 0)
	defer entries.Release()
	arr := makeArray(a.dt, a.n, 0, []arrow.ArrayData{entries}, nil, finishOffsets(&a.offs))
	a.n, a.nEntries = 0, 0
	return arr
}

func (a *mapApp) release() {
	a.offs.release()
	a.key.release()
	a.val.release()
}

// structApp builds struct arrays from one appender per tuple element.
type structApp struct {
	dt     arrow.DataType
	fields []appender
	n      int
}

func (a *structApp) append(c *Col, lo, hi int) {
	for i, f := range a.fields {
		f.append(c.fields[i], lo, hi)
	}
	a.n += hi - lo
}

func (a *structApp) reserve(s scale) {
	for _, f := range a.fields {
		f.reserve(s)
	}
}

func (a *structApp) finish() arrow.Array {
	children := make([]arrow.ArrayData, len(a.fields))
	for i, f := range a.fields {
		arr := f.finish()
		children[i] = arr.Data()
		defer arr.Release()
	}
	data := array.NewData(a.dt, a.n, []*memory.Buffer{nil}, children, 0, 0)
	defer data.Release()
	a.n = 0
	return array.MakeFromData(data)
}

func (a *structApp) release() {
	for _, f := range a.fields {
		f.release()
	}
}
