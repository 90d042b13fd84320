package block

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// growBuf is one Arrow buffer that the builder fills itself: appends are plain copies into
// its bytes, without the per-call bookkeeping (capacity checks per value, validity bits for
// every value) of arrow-go's array builders. The buffer is handed over whole to the batch by
// finish; the next one is allocated on the first append after that, with the size the
// recent ones reached (hint), so that a stream of blocks of varying size allocates each
// buffer once per block and never copies it to grow.
type growBuf struct {
	mem  memory.Allocator
	buf  *memory.Buffer // nil between finish and the next append
	b    []byte         // buf's bytes, full capacity
	n    int            // bytes used
	hint int            // bytes the recent finished buffers used: their maximum, decaying by 1/64 per buffer
	want int            // bytes reserve expected this buffer to reach (0: no estimate)
}

// grow makes room for extra more bytes and returns the buffer's bytes (full capacity).
// The check that there is room is small enough to be inlined into the appenders.
func (g *growBuf) grow(extra int) []byte {
	if g.n+extra <= len(g.b) {
		return g.b
	}
	return g.growSlow(g.n + extra)
}

// growSlow is grow when the buffer must be allocated or enlarged to need bytes.
func (g *growBuf) growSlow(need int) []byte {
	if g.buf == nil {
		// The recent batches' size plus 1/8: batches of about the same size never grow
		// (a late doubling would copy nearly the whole buffer, and hold both copies).
		g.buf = memory.NewResizableBuffer(g.mem)
		g.buf.Reserve(max(need, g.hint+g.hint/8, 64))
	} else {
		g.buf.Reserve(max(need, 2*len(g.b)))
	}
	g.b = g.buf.Buf()
	return g.b
}

// appendBytes appends p.
func (g *growBuf) appendBytes(p []byte) {
	b := g.grow(len(p))
	g.n += copy(b[g.n:], p)
}

// finish returns the buffer holding the n bytes written (nil if none) and restarts empty.
// The caller owns the returned reference.
func (g *growBuf) finish() *memory.Buffer {
	buf := g.buf
	if buf == nil {
		return nil
	}
	buf.Resize(g.n)
	// Blocks cut after a poll batch vary in size (up to twice kafka_max_block_size rows),
	// and blocks cut early (by time, or by empty polls while the client catches up) come
	// between full ones: size for the larger recent ones, and forget them slowly when
	// blocks shrink (1/64 per block: with 1/16, a few early cuts in a row shrank the next
	// full block's buffers, which then doubled near its end holding both copies).
	// A block cut short of its estimate (reserve) hands the estimate on: the next
	// block would otherwise start at the short blocks' size and double near its end.
	g.hint = max(g.n, g.want, g.hint-g.hint/64)
	g.buf, g.b, g.n, g.want = nil, nil, 0, 0
	return buf
}

// scale is a block's expected growth: from rows rows now to total rows ([Builder.Reserve]).
type scale struct{ rows, total int }

// of scales n, a size at s.rows rows, to s.total rows.
func (s scale) of(n int) int { return int(int64(n) * int64(s.total) / int64(s.rows)) }

// reserve makes room, with one reallocation now, for what the bytes written take when
// scaled by s, plus 1/8: the buffer then reaches the block's expected end without
// doubling (each doubling copies the buffer and holds both copies). It does nothing while
// the buffer is empty (there is no rate to scale), when it already has the room, and for
// a buffer sized from the recent ones (hint): their use is a better guide than an
// estimate, and a second allocation would hold both while the first is copied. The
// estimate sizes the next buffer too when this one is finished short of it (finish):
// blocks cut early, however many in a row, do not shrink the next full one.
func (g *growBuf) reserve(s scale) {
	if g.n == 0 {
		return
	}
	need := s.of(g.n)
	g.want = max(g.want, need)
	if g.hint == 0 && need > len(g.b) {
		g.buf.Reserve(need + need/8)
		g.b = g.buf.Buf()
	}
}

// release frees the buffer in progress.
func (g *growBuf) release() {
	if g.buf != nil {
		g.buf.Release()
	}
	g.buf, g.b, g.n = nil, nil, 0
}

// asBytes views a slice of fixed-width values as its bytes.
func asBytes[T any](s []T) []byte {
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

// appendValues appends fixed-width values to g.
func appendValues[T any](g *growBuf, v []T) {
	if len(v) == 1 {
		// One row per message is the common case: a store beats a call to memmove.
		appendValue(g, v[0])
		return
	}
	g.appendBytes(asBytes(v))
}

// appendValue appends one fixed-width value to g, which holds only values of type T (so
// g.n is a multiple of T's size, and the buffer is aligned for T).
func appendValue[T any](g *growBuf, v T) {
	size := int(unsafe.Sizeof(v))
	b := g.grow(size)
	*(*T)(unsafe.Pointer(&b[g.n])) = v
	g.n += size
}

// appendInt32 appends one int32 to g.
func appendInt32(g *growBuf, v int32) {
	b := g.grow(4)
	*(*int32)(unsafe.Pointer(&b[g.n])) = v
	g.n += 4
}

// validity is the validity bitmap of an array in progress. It is materialised only when a
// block has a null: until then every value is valid and the array gets no bitmap at all.
type validity struct {
	bits  growBuf
	on    bool // bitmap materialised: every value appended since has its bit
	nulls int
}

// add records the validity of the len(valid) values appended after the first at values
// of the array; a nil valid means n values, all valid.
func (v *validity) add(valid []bool, at, n int) {
	if !v.on && valid == nil {
		return // inlined: a column that is not Nullable, in a block without NULLs
	}
	v.addSlow(valid, at, n)
}

func (v *validity) addSlow(valid []bool, at, n int) {
	if !v.on {
		if valid == nil || allTrue(valid) {
			return
		}
		// First null of the block: the values before it were all valid.
		v.on = true
		v.reserve(at + n)
		bitutil.SetBitsTo(v.bits.b, 0, int64(at), true)
	} else {
		v.reserve(at + n)
	}
	if valid == nil {
		bitutil.SetBitsTo(v.bits.b, int64(at), int64(n), true)
		return
	}
	for i, ok := range valid {
		bitutil.SetBitTo(v.bits.b, at+i, ok)
		if !ok {
			v.nulls++
		}
	}
}

// reserve makes the bitmap cover n values.
func (v *validity) reserve(n int) {
	if need := int(bitutil.BytesForBits(int64(n))); need > v.bits.n {
		v.bits.grow(need - v.bits.n)
		v.bits.n = need
	}
}

// reserveFor scales a materialised bitmap by s (growBuf.reserve).
func (v *validity) reserveFor(s scale) {
	if v.on {
		v.bits.reserve(s)
	}
}

// finish returns the bitmap of the n values appended (nil when all are valid) and the
// number of nulls, and restarts.
func (v *validity) finish(n int) (*memory.Buffer, int) {
	if !v.on {
		return nil, 0
	}
	v.bits.n = int(bitutil.BytesForBits(int64(n)))
	buf, nulls := v.bits.finish(), v.nulls
	v.on, v.nulls = false, 0
	return buf, nulls
}

func (v *validity) release() {
	v.bits.release()
	v.on, v.nulls = false, 0
}

func allTrue(v []bool) bool {
	for _, ok := range v {
		if !ok {
			return false
		}
	}
	return true
}
