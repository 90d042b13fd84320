package capnproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// This file reads and builds Cap'n Proto messages (the encoding of
// https://capnproto.org/encoding.html): the standard stream framing, struct, list and far
// pointers. Capabilities are not supported.

var (
	errBounds = errors.New("pointer out of bounds")
	errLimit  = errors.New("message exceeds the traversal limit (too many words read)")
	errDepth  = errors.New("message nested too deeply")
)

// Element sizes of list pointers.
const (
	szVoid = iota
	szBit
	szByte
	szTwo
	szFour
	szEight
	szPointer
	szComposite
)

const maxSegments = 512

// message is one framed Cap'n Proto message being read.
type message struct {
	segs   [][]byte
	budget int // words the traversal may still read
}

// readFrame parses the stream framing at the start of b: the segment count minus one and
// the segment sizes (in words) as little-endian uint32, padded to a word, then the
// segments. It returns the bytes the frame takes.
func (m *message) readFrame(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, fmt.Errorf("Cannot read all data. Bytes read: %d. Bytes expected: 4", len(b))
	}
	n := int(binary.LittleEndian.Uint32(b)) + 1
	if n > maxSegments || n <= 0 {
		return 0, fmt.Errorf("invalid segment count %d", uint64(binary.LittleEndian.Uint32(b))+1)
	}
	head := 4 + 4*n
	if head%8 != 0 {
		head += 4
	}
	if len(b) < head {
		return 0, fmt.Errorf("Cannot read all data. Bytes read: %d. Bytes expected: %d", len(b), head)
	}
	m.segs = m.segs[:0]
	pos := head
	total := 0
	for i := range n {
		words := int(binary.LittleEndian.Uint32(b[4+4*i:]))
		if words > (len(b)-pos)/8 {
			return 0, fmt.Errorf("Cannot read all data. Bytes read: %d. Bytes expected: %d (segment %d of %d words)", len(b)-pos, words*8, i, words)
		}
		m.segs = append(m.segs, b[pos:pos+words*8])
		pos += words * 8
		total += words
	}
	// Like Cap'n Proto's traversal limit: reading may not amplify a message beyond a
	// multiple of its size (pointers may share targets).
	m.budget = 8*total + 64
	return pos, nil
}

// release drops the references to the input, keeping the slice's capacity.
func (m *message) release() {
	clear(m.segs)
	m.segs = m.segs[:0]
}

func (m *message) charge(words int) error {
	if words < 0 || words > m.budget {
		return errLimit
	}
	m.budget -= words
	return nil
}

// structRef is a struct value: its data section and the location of its pointers.
type structRef struct {
	m      *message
	seg    int
	data   []byte // data section
	ptrs   int    // word offset of the pointer section in seg
	nptrs  int
	isNull bool
}

// listRef is a list value.
type listRef struct {
	m     *message
	seg   int
	off   int // byte offset of the first element in seg
	count int
	size  int // element size code
	step  int // bits per element (composite: bits per element including pointers)
	dw    int // composite: data words per element
	pw    int // composite: pointer words per element
}

func (m *message) word(seg, off int) (uint64, error) {
	if seg < 0 || seg >= len(m.segs) || off < 0 || off >= len(m.segs[seg])/8 {
		return 0, errBounds
	}
	return binary.LittleEndian.Uint64(m.segs[seg][off*8:]), nil
}

// resolve follows a far pointer: it returns the segment and word offset where the object
// starts and the pointer word describing it (its offset field meaningless when far).
func (m *message) resolve(seg, off int) (p uint64, tseg, toff int, err error) {
	p, err = m.word(seg, off)
	if err != nil || p == 0 {
		return p, 0, 0, err
	}
	if p&3 != 2 {
		return p, seg, off + 1 + int(int32(uint32(p))>>2), nil
	}
	// Far pointer: a landing pad in another segment.
	double := p>>2&1 == 1
	padOff := int(p >> 3 & (1<<29 - 1))
	padSeg := int(p >> 32)
	pad, err := m.word(padSeg, padOff)
	if err != nil {
		return 0, 0, 0, err
	}
	if !double {
		if pad&3 == 2 {
			return 0, 0, 0, errors.New("far pointer lands on a far pointer")
		}
		return pad, padSeg, padOff + 1 + int(int32(uint32(pad))>>2), nil
	}
	tag, err := m.word(padSeg, padOff+1)
	if err != nil {
		return 0, 0, 0, err
	}
	if pad&7 != 2 {
		return 0, 0, 0, errors.New("invalid double-far landing pad")
	}
	return tag, int(pad >> 32), int(pad >> 3 & (1<<29 - 1)), nil
}

// readStruct reads the struct pointer at word off of seg. A null pointer is a null struct
// (all fields default).
func (m *message) readStruct(seg, off int) (structRef, error) {
	p, tseg, toff, err := m.resolve(seg, off)
	if err != nil {
		return structRef{}, err
	}
	if p == 0 {
		return structRef{m: m, isNull: true}, nil
	}
	if p&3 != 0 {
		return structRef{}, fmt.Errorf("expected a struct pointer, found kind %d", p&3)
	}
	return m.structAt(tseg, toff, int(p>>32&0xffff), int(p>>48))
}

func (m *message) structAt(seg, off, dw, pw int) (structRef, error) {
	if seg < 0 || seg >= len(m.segs) || off < 0 || off+dw+pw > len(m.segs[seg])/8 {
		return structRef{}, errBounds
	}
	if err := m.charge(max(dw+pw, 1)); err != nil {
		return structRef{}, err
	}
	return structRef{m: m, seg: seg, data: m.segs[seg][off*8 : (off+dw)*8], ptrs: off + dw, nptrs: pw}, nil
}

// readList reads the list pointer at word off of seg. A null pointer is an empty list.
func (m *message) readList(seg, off int) (listRef, error) {
	p, tseg, toff, err := m.resolve(seg, off)
	if err != nil {
		return listRef{}, err
	}
	if p == 0 {
		return listRef{m: m}, nil
	}
	if p&3 != 1 {
		return listRef{}, fmt.Errorf("expected a list pointer, found kind %d", p&3)
	}
	size := int(p >> 32 & 7)
	n := int(p >> 35)
	l := listRef{m: m, seg: tseg, off: toff * 8, count: n, size: size}
	if tseg < 0 || tseg >= len(m.segs) || toff < 0 {
		return listRef{}, errBounds
	}
	segWords := len(m.segs[tseg]) / 8
	var words int
	switch size {
	case szComposite:
		tag, err := m.word(tseg, toff)
		if err != nil {
			return listRef{}, err
		}
		if tag&3 != 0 {
			return listRef{}, errors.New("invalid composite list tag")
		}
		l.count = int(uint32(tag) >> 2)
		l.dw, l.pw = int(tag>>32&0xffff), int(tag>>48)
		if l.count*(l.dw+l.pw) > n {
			return listRef{}, errors.New("composite list elements exceed its size")
		}
		l.off += 8
		l.step = (l.dw + l.pw) * 64
		words = n + 1
		if toff+words > segWords {
			return listRef{}, errBounds
		}
		// Zero-size elements still cost a word each, so that a few bytes cannot
		// declare billions of them.
		return l, m.charge(max(words, l.count))
	case szPointer:
		l.step = 64
	default:
		l.step = []int{0, 1, 8, 16, 32, 64}[size]
	}
	words = (n*l.step + 63) / 64
	if toff+words > segWords {
		return listRef{}, errBounds
	}
	return l, m.charge(max(words, n/64))
}

// bytes returns the elements of a byte list.
func (l listRef) bytes() ([]byte, error) {
	if l.count == 0 {
		return nil, nil
	}
	if l.size != szByte {
		return nil, fmt.Errorf("expected a list of bytes, found element size %d", l.size)
	}
	return l.m.segs[l.seg][l.off : l.off+l.count], nil
}

// elemStruct returns struct element i of a composite list.
func (l listRef) elemStruct(i int) structRef {
	off := l.off/8 + i*(l.dw+l.pw)
	s := l.m.segs[l.seg]
	return structRef{m: l.m, seg: l.seg, data: s[off*8 : (off+l.dw)*8], ptrs: off + l.dw, nptrs: l.pw}
}

// elemWord returns the word offset of pointer element i of a pointer list.
func (l listRef) elemPtr(i int) int { return l.off/8 + i }

// Primitive accessors of a list's elements (the caller checked the element size).
func (l listRef) bit(i int) bool {
	b := l.m.segs[l.seg][l.off+i/8]
	return b>>(i%8)&1 == 1
}

func (l listRef) u8(i int) uint64 { return uint64(l.m.segs[l.seg][l.off+i]) }
func (l listRef) u16(i int) uint64 {
	return uint64(binary.LittleEndian.Uint16(l.m.segs[l.seg][l.off+2*i:]))
}
func (l listRef) u32(i int) uint64 {
	return uint64(binary.LittleEndian.Uint32(l.m.segs[l.seg][l.off+4*i:]))
}
func (l listRef) u64(i int) uint64 { return binary.LittleEndian.Uint64(l.m.segs[l.seg][l.off+8*i:]) }

// Field accessors of a struct's data section: offsets are in units of the field's size;
// fields beyond a (shorter, older) data section read as zero.
func (s structRef) bit(off uint32) bool {
	if int(off/8) >= len(s.data) {
		return false
	}
	return s.data[off/8]>>(off%8)&1 == 1
}

func (s structRef) u8(off uint32) uint64 {
	if int(off) >= len(s.data) {
		return 0
	}
	return uint64(s.data[off])
}

func (s structRef) u16(off uint32) uint64 {
	if int(off)*2+2 > len(s.data) {
		return 0
	}
	return uint64(binary.LittleEndian.Uint16(s.data[off*2:]))
}

func (s structRef) u32(off uint32) uint64 {
	if int(off)*4+4 > len(s.data) {
		return 0
	}
	return uint64(binary.LittleEndian.Uint32(s.data[off*4:]))
}

func (s structRef) u64(off uint32) uint64 {
	if int(off)*8+8 > len(s.data) {
		return 0
	}
	return binary.LittleEndian.Uint64(s.data[off*8:])
}

// ptr returns the word offset of pointer i, or -1 when the struct has fewer pointers.
func (s structRef) ptr(i int) int {
	if s.isNull || i >= s.nptrs {
		return -1
	}
	return s.ptrs + i
}

// text reads the Text or Data at pointer i (nil for a null or missing pointer); Text's
// terminating NUL is removed.
func (s structRef) blob(i int, text bool) ([]byte, error) {
	p := s.ptr(i)
	if p < 0 {
		return nil, nil
	}
	l, err := s.m.readList(s.seg, p)
	if err != nil {
		return nil, err
	}
	return blobOf(l, text)
}

func blobOf(l listRef, text bool) ([]byte, error) {
	b, err := l.bytes()
	if err != nil {
		return nil, err
	}
	if text && len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b, nil
}

// builder builds one single-segment message.
type builder struct {
	seg []byte
}

// reset starts a message with the root pointer word.
func (b *builder) reset() { b.seg = append(b.seg[:0], make([]byte, 8)...) }

// alloc appends words zeroed words and returns the word offset of the first.
func (b *builder) alloc(words int) int {
	off := len(b.seg) / 8
	b.seg = append(b.seg, make([]byte, words*8)...)
	return off
}

func (b *builder) setWord(off int, v uint64) { binary.LittleEndian.PutUint64(b.seg[off*8:], v) }

// structPtr points the pointer word at ptrOff to a struct at target.
func (b *builder) structPtr(ptrOff, target, dw, pw int) {
	b.setWord(ptrOff, uint64(uint32(int32(target-ptrOff-1)<<2))|uint64(dw)<<32|uint64(pw)<<48)
}

// listPtr points the pointer word at ptrOff to a list at target.
func (b *builder) listPtr(ptrOff, target, size, count int) {
	b.setWord(ptrOff, uint64(uint32(int32(target-ptrOff-1)<<2))|1|uint64(size)<<32|uint64(count)<<35)
}

// newStruct allocates a struct and points ptrOff at it; it returns the word offset of its
// data section.
func (b *builder) newStruct(ptrOff, dw, pw int) int {
	off := b.alloc(dw + pw)
	b.structPtr(ptrOff, off, dw, pw)
	return off
}

// blob allocates a byte list (Text adds the NUL) and points ptrOff at it.
func (b *builder) blob(ptrOff int, v []byte, text bool) {
	n := len(v)
	if text {
		n++
	}
	off := b.alloc((n + 7) / 8)
	copy(b.seg[off*8:], v)
	b.listPtr(ptrOff, off, szByte, n)
}

// Setters of data-section fields at a struct's data word offset; offsets are in units of
// the field's size.
func (b *builder) putBit(data int, off uint32, v bool) {
	p := &b.seg[data*8+int(off/8)]
	if v {
		*p |= 1 << (off % 8)
	} else {
		*p &^= 1 << (off % 8)
	}
}

func (b *builder) put8(data int, off uint32, v uint64) { b.seg[data*8+int(off)] = byte(v) }
func (b *builder) put16(data int, off uint32, v uint64) {
	binary.LittleEndian.PutUint16(b.seg[data*8+int(off)*2:], uint16(v))
}
func (b *builder) put32(data int, off uint32, v uint64) {
	binary.LittleEndian.PutUint32(b.seg[data*8+int(off)*4:], uint32(v))
}
func (b *builder) put64(data int, off uint32, v uint64) {
	binary.LittleEndian.PutUint64(b.seg[data*8+int(off)*8:], v)
}

// appendFrame appends the message with the single-segment stream framing.
func (b *builder) appendFrame(dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, 0)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(b.seg)/8))
	return append(dst, b.seg...)
}

func f32bits(v float64) uint64 { return uint64(math.Float32bits(float32(v))) }
