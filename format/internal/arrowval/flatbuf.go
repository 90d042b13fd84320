package arrowval

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// arrow-go decodes the flatbuffers of Arrow IPC metadata without checking them: a corrupt
// vector length becomes a huge make() that kills the process (an out-of-memory fatal
// error cannot be recovered). The verifiers below walk the metadata of every IPC message
// and file footer with bounds checks before arrow-go sees it, following the Arrow schema
// (format/Message.fbs, Schema.fbs, File.fbs).

var errCorruptMetadata = errors.New("corrupt Arrow IPC metadata")

// fbVerifier checks one flatbuffer.
type fbVerifier struct {
	buf    []byte
	budget int // tables left to visit: bounds the work on DAG-shaped (shared) references
}

func (v *fbVerifier) fail(what string) error {
	return fmt.Errorf("%w: %s", errCorruptMetadata, what)
}

// in reports whether [p, p+n) lies in the buffer.
func (v *fbVerifier) in(p, n int) bool {
	return p >= 0 && n >= 0 && p <= len(v.buf) && n <= len(v.buf)-p
}

func (v *fbVerifier) u32(p int) uint32 { return binary.LittleEndian.Uint32(v.buf[p:]) }

// fbTable is a checked table: its position, its vtable's position and size, and its
// inline size.
type fbTable struct {
	v              *fbVerifier
	pos, vt, vtLen int
	size           int
}

// table checks the table at t.
func (v *fbVerifier) table(t int) (fbTable, error) {
	v.budget--
	if v.budget < 0 {
		return fbTable{}, v.fail("too many tables")
	}
	if !v.in(t, 4) {
		return fbTable{}, v.fail("table out of bounds")
	}
	vt := t - int(int32(v.u32(t)))
	if !v.in(vt, 4) {
		return fbTable{}, v.fail("vtable out of bounds")
	}
	vtLen := int(binary.LittleEndian.Uint16(v.buf[vt:]))
	size := int(binary.LittleEndian.Uint16(v.buf[vt+2:]))
	if vtLen < 4 || vtLen%2 != 0 || !v.in(vt, vtLen) || size < 4 || !v.in(t, size) {
		return fbTable{}, v.fail("bad vtable")
	}
	return fbTable{v: v, pos: t, vt: vt, vtLen: vtLen, size: size}, nil
}

// field returns the position of field k (0-based) of width n, or -1 when absent.
func (t fbTable) field(k, n int) (int, error) {
	o := 4 + 2*k
	if o+2 > t.vtLen {
		return -1, nil
	}
	off := int(binary.LittleEndian.Uint16(t.v.buf[t.vt+o:]))
	if off == 0 {
		return -1, nil
	}
	if off+n > t.size {
		return -1, t.v.fail("field out of its table")
	}
	return t.pos + off, nil
}

// ref follows the offset field k to its target, or returns -1 when absent.
func (t fbTable) ref(k int) (int, error) {
	p, err := t.field(k, 4)
	if err != nil || p < 0 {
		return p, err
	}
	target := p + int(t.v.u32(p))
	if !t.v.in(target, 4) {
		return -1, t.v.fail("reference out of bounds")
	}
	return target, nil
}

// vector checks the vector of field k with elements of elem bytes and returns its
// position and length (pos -1 when absent).
func (t fbTable) vector(k, elem int) (int, int, error) {
	p, err := t.ref(k)
	if err != nil || p < 0 {
		return p, 0, err
	}
	n := int(t.v.u32(p))
	if n > (len(t.v.buf)-p-4)/max(elem, 1) {
		return -1, 0, t.v.fail("vector out of bounds")
	}
	return p + 4, n, nil
}

// tables checks each table of the vector of tables of field k with check.
func (t fbTable) tables(k int, check func(int) error) error {
	p, n, err := t.vector(k, 4)
	if err != nil || p < 0 {
		return err
	}
	for i := range n {
		e := p + 4*i
		if err := check(e + int(t.v.u32(e))); err != nil {
			return err
		}
	}
	return nil
}

// sub checks the table referenced by field k with check, when present.
func (t fbTable) sub(k int, check func(int) error) error {
	p, err := t.ref(k)
	if err != nil || p < 0 {
		return err
	}
	return check(p)
}

func (v *fbVerifier) plain(t int) error {
	_, err := v.table(t)
	return err
}

func (v *fbVerifier) keyValue(t int) error {
	tab, err := v.table(t)
	if err != nil {
		return err
	}
	for k := range 2 {
		if _, _, err := tab.vector(k, 1); err != nil { // key, value strings
			return err
		}
	}
	return nil
}

func (v *fbVerifier) field(t, depth int) error {
	if depth > 64 {
		return v.fail("fields nested too deep")
	}
	tab, err := v.table(t)
	if err != nil {
		return err
	}
	if _, _, err := tab.vector(0, 1); err != nil { // name
		return err
	}
	tp, err := tab.field(2, 1) // type_type
	if err != nil {
		return err
	}
	if err := tab.sub(3, func(p int) error { // type
		tt, err := v.table(p)
		if err != nil || tp < 0 {
			return err
		}
		switch v.buf[tp] {
		case 10: // Timestamp: timezone string
			_, _, err = tt.vector(1, 1)
		case 14: // Union: typeIds [int]
			_, _, err = tt.vector(1, 4)
		}
		return err
	}); err != nil {
		return err
	}
	if err := tab.sub(4, func(p int) error { // dictionary: DictionaryEncoding { indexType: Int }
		d, err := v.table(p)
		if err != nil {
			return err
		}
		return d.sub(1, v.plain)
	}); err != nil {
		return err
	}
	if err := tab.tables(5, func(p int) error { return v.field(p, depth+1) }); err != nil { // children
		return err
	}
	return tab.tables(6, v.keyValue) // custom_metadata
}

func (v *fbVerifier) schema(t int) error {
	tab, err := v.table(t)
	if err != nil {
		return err
	}
	if err := tab.tables(1, func(p int) error { return v.field(p, 0) }); err != nil {
		return err
	}
	if err := tab.tables(2, v.keyValue); err != nil {
		return err
	}
	_, _, err = tab.vector(3, 8) // features
	return err
}

func (v *fbVerifier) recordBatch(t int) error {
	tab, err := v.table(t)
	if err != nil {
		return err
	}
	for k, size := range []int{1: 16, 2: 16, 4: 8} { // nodes, buffers, variadicBufferCounts
		if size == 0 {
			continue
		}
		if _, _, err := tab.vector(k, size); err != nil {
			return err
		}
	}
	return tab.sub(3, v.plain) // compression
}

// message checks a Message table and returns its body length.
func (v *fbVerifier) message() (int64, error) {
	if !v.in(0, 4) {
		return 0, v.fail("message too short")
	}
	tab, err := v.table(int(v.u32(0)))
	if err != nil {
		return 0, err
	}
	ht, err := tab.field(1, 1)
	if err != nil {
		return 0, err
	}
	if err := tab.sub(2, func(p int) error {
		if ht < 0 {
			return v.plain(p)
		}
		switch v.buf[ht] {
		case 1:
			return v.schema(p)
		case 2: // DictionaryBatch { data: RecordBatch }
			d, err := v.table(p)
			if err != nil {
				return err
			}
			return d.sub(1, v.recordBatch)
		case 3:
			return v.recordBatch(p)
		}
		return v.plain(p)
	}); err != nil {
		return 0, err
	}
	if err := tab.tables(4, v.keyValue); err != nil {
		return 0, err
	}
	var body int64
	if p, err := tab.field(3, 8); err != nil {
		return 0, err
	} else if p >= 0 {
		body = int64(binary.LittleEndian.Uint64(v.buf[p:]))
	}
	return body, nil
}

func newVerifier(buf []byte) *fbVerifier { return &fbVerifier{buf: buf, budget: 1 + len(buf)/4} }

// VerifyIPCStream checks the framing and the metadata of every message of an Arrow IPC
// stream (as in the ArrowStream format and in Parquet's stored ARROW:schema) so that
// arrow-go's reader cannot be made to allocate beyond the data's size.
func VerifyIPCStream(b []byte) error {
	for p := 0; p < len(b); {
		n, next, err := messageFrame(b, p)
		if err != nil {
			return err
		}
		if n == 0 { // end of stream
			return nil
		}
		body, err := newVerifier(b[next : next+n]).message()
		if err != nil {
			return err
		}
		p = next + n
		if body < 0 || body > int64(len(b)-p) {
			return fmt.Errorf("%w: message body of %d bytes, %d left", errCorruptMetadata, body, len(b)-p)
		}
		p += int(body)
	}
	return nil
}

// messageFrame reads the continuation marker and length of the message at p and returns
// the metadata length (0 for end of stream) and its position.
func messageFrame(b []byte, p int) (int, int, error) {
	if len(b)-p < 4 {
		return 0, 0, fmt.Errorf("%w: truncated message length", errCorruptMetadata)
	}
	n := binary.LittleEndian.Uint32(b[p:])
	p += 4
	if n == 0xFFFFFFFF {
		if len(b)-p < 4 {
			return 0, 0, fmt.Errorf("%w: truncated message length", errCorruptMetadata)
		}
		n = binary.LittleEndian.Uint32(b[p:])
		p += 4
	}
	if n == 0 {
		return 0, p, nil
	}
	if int64(n) > int64(len(b)-p) || n < 4 {
		return 0, 0, fmt.Errorf("%w: message metadata of %d bytes, %d left", errCorruptMetadata, n, len(b)-p)
	}
	return int(n), p, nil
}

var arrowMagic = []byte("ARROW1")

// VerifyIPCFile checks an Arrow IPC file: its magic, its footer and the messages its
// blocks point to.
func VerifyIPCFile(b []byte) error {
	if len(b) < 2*len(arrowMagic)+4 || !bytes.HasPrefix(b, arrowMagic) || !bytes.HasSuffix(b, arrowMagic) {
		return errors.New("not an Arrow file")
	}
	end := len(b) - len(arrowMagic) - 4
	size := int(int32(binary.LittleEndian.Uint32(b[end:])))
	if size <= 0 || size > end-len(arrowMagic) {
		return fmt.Errorf("%w: footer of %d bytes", errCorruptMetadata, size)
	}
	footer := b[end-size : end]
	v := newVerifier(footer)
	if !v.in(0, 4) {
		return v.fail("footer too short")
	}
	tab, err := v.table(int(v.u32(0)))
	if err != nil {
		return err
	}
	if err := tab.sub(1, v.schema); err != nil {
		return err
	}
	if err := tab.tables(4, v.keyValue); err != nil {
		return err
	}
	for _, k := range []int{2, 3} { // dictionaries, recordBatches: [Block]
		p, n, err := tab.vector(k, 24)
		if err != nil {
			return err
		}
		for i := range n {
			blk := footer[p+24*i:]
			off := int64(binary.LittleEndian.Uint64(blk))
			meta := int64(int32(binary.LittleEndian.Uint32(blk[8:])))
			body := int64(binary.LittleEndian.Uint64(blk[16:]))
			if off < 0 || meta < 8 || body < 0 || off > int64(len(b)) || meta > int64(len(b))-off || body > int64(len(b))-off-meta {
				return fmt.Errorf("%w: block out of the file", errCorruptMetadata)
			}
			n, next, err := messageFrame(b[:off+meta], int(off))
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: empty block message", errCorruptMetadata)
			}
			if _, err := newVerifier(b[next : next+n]).message(); err != nil {
				return err
			}
		}
	}
	return nil
}
