package avro

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Errors of the binary decoder; the message decoder adds the row.
var (
	errTruncated = errors.New("unexpected end of data")
	errVarint    = errors.New("malformed variable-length integer")
)

// reader reads Avro's binary encoding from a byte slice.
type reader struct {
	buf []byte
	pos int
	// empty counts the zero-size items (nulls, empty records) of the message's arrays
	// and maps so far; see maxEmptyItems.
	empty int64
}

func (r *reader) remaining() int { return len(r.buf) - r.pos }

func (r *reader) long() (int64, error) {
	var u uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.pos >= len(r.buf) {
			return 0, errTruncated
		}
		b := r.buf[r.pos]
		r.pos++
		u |= uint64(b&0x7f) << shift
		if b < 0x80 {
			if shift == 63 && b > 1 {
				return 0, errVarint
			}
			return int64(u>>1) ^ -int64(u&1), nil
		}
	}
	return 0, errVarint
}

func (r *reader) int() (int32, error) {
	v, err := r.long()
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("int value %d out of range", v)
	}
	return int32(v), nil
}

func (r *reader) boolean() (bool, error) {
	if r.pos >= len(r.buf) {
		return false, errTruncated
	}
	b := r.buf[r.pos]
	r.pos++
	if b > 1 {
		return false, fmt.Errorf("invalid boolean byte 0x%02x", b)
	}
	return b == 1, nil
}

func (r *reader) float() (float32, error) {
	if r.remaining() < 4 {
		return 0, errTruncated
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(r.buf[r.pos:]))
	r.pos += 4
	return v, nil
}

func (r *reader) double() (float64, error) {
	if r.remaining() < 8 {
		return 0, errTruncated
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.buf[r.pos:]))
	r.pos += 8
	return v, nil
}

// bytes returns the next bytes or string value; the slice aliases the input.
func (r *reader) bytes() ([]byte, error) {
	n, err := r.long()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("negative length %d", n)
	}
	if n > int64(r.remaining()) {
		return nil, errTruncated
	}
	b := r.buf[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

func (r *reader) fixed(n int) ([]byte, error) {
	if n > r.remaining() {
		return nil, errTruncated
	}
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	return b, nil
}

// blockCount reads the item count of the next array or map block; a negative count is
// followed by the block's byte size, which is read and ignored. minItem is the fewest
// bytes one item takes: counts that cannot fit the remaining input are rejected before
// the caller loops over them.
func (r *reader) blockCount(minItem int) (int64, error) {
	n, err := r.count(minItem)
	if err == nil && minItem == 0 {
		r.empty += n
		if r.empty > maxEmptyItems {
			return 0, fmt.Errorf("more than %d zero-size items in one message", maxEmptyItems)
		}
	}
	return n, err
}

func (r *reader) count(minItem int) (int64, error) {
	n, err := r.long()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if n == math.MinInt64 {
			return 0, fmt.Errorf("invalid block count %d", n)
		}
		n = -n
		if _, err := r.long(); err != nil {
			return 0, err
		}
	}
	if minItem > 0 && n > int64(r.remaining()/minItem) {
		return 0, errTruncated
	}
	if n > maxEmptyItems {
		return 0, fmt.Errorf("block of %d items", n)
	}
	return n, nil
}

// maxEmptyItems bounds the items of zero size (nulls, empty records) in the arrays and
// maps of one message, which a few bytes of input could otherwise declare by the
// quintillion.
const maxEmptyItems = 1 << 20

// maxSkipDepth bounds the recursion of skipping values of recursive types.
const maxSkipDepth = 512

// skip skips one value of type n.
func (r *reader) skip(n *node, depth int) error {
	if depth > maxSkipDepth {
		return fmt.Errorf("value nested deeper than %d levels", maxSkipDepth)
	}
	switch n.kind {
	case kNull:
		return nil
	case kBoolean:
		_, err := r.boolean()
		return err
	case kInt, kLong, kEnum:
		_, err := r.long()
		return err
	case kFloat:
		_, err := r.fixed(4)
		return err
	case kDouble:
		_, err := r.fixed(8)
		return err
	case kBytes, kString:
		_, err := r.bytes()
		return err
	case kFixed:
		_, err := r.fixed(n.size)
		return err
	case kRecord:
		for _, f := range n.fields {
			if err := r.skip(f.node, depth+1); err != nil {
				return err
			}
		}
		return nil
	case kUnion:
		i, err := r.long()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(n.branches)) {
			return fmt.Errorf("union index %d out of range [0, %d)", i, len(n.branches))
		}
		return r.skip(n.branches[i], depth+1)
	case kArray, kMap:
		item := n.items
		if n.kind == kMap {
			item = n.values
		}
		minItem := item.min
		if n.kind == kMap {
			minItem++
		}
		for {
			c, err := r.blockCount(minItem)
			if err != nil {
				return err
			}
			if c == 0 {
				return nil
			}
			for ; c > 0; c-- {
				if n.kind == kMap {
					if _, err := r.bytes(); err != nil {
						return err
					}
				}
				if err := r.skip(item, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return fmt.Errorf("cannot skip %s", n)
}

// Appenders of Avro's binary encoding.

func appendLong(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

func appendBytes(dst, b []byte) []byte {
	dst = appendLong(dst, int64(len(b)))
	return append(dst, b...)
}

func appendFloat(dst []byte, v float32) []byte {
	return binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
}

func appendDouble(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}
