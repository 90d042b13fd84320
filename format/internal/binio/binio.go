// Package binio reads and writes the little-endian and varint encodings of ClickHouse's
// binary formats (RowBinary, Native) with bounds checks: a read past the end of the input
// returns an error in ClickHouse's words instead of panicking.
package binio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// ErrReadAfterEOF is ClickHouse's error for a varint (or byte) read at the end of the input.
var ErrReadAfterEOF = errors.New("Attempt to read after eof")

// ShortReadError is ClickHouse's "Cannot read all data" error: a fixed-size read found
// fewer bytes than it needed.
type ShortReadError struct {
	Read, Expected int
}

// Error returns "Cannot read all data. Bytes read: R. Bytes expected: E.".
func (e *ShortReadError) Error() string {
	return fmt.Sprintf("Cannot read all data. Bytes read: %d. Bytes expected: %d.", e.Read, e.Expected)
}

// MaxStringSize is ClickHouse's DEFAULT_MAX_STRING_SIZE: longer strings are refused.
const MaxStringSize = 1 << 30

// Reader reads from a byte slice. The zero value reads nothing; use [Reader.Reset]. Slices it
// returns alias the input.
type Reader struct {
	buf []byte
	pos int
}

// Reset makes r read b from its start.
func (r *Reader) Reset(b []byte) { r.buf, r.pos = b, 0 }

// Pos returns the number of bytes consumed.
func (r *Reader) Pos() int { return r.pos }

// Len returns the number of bytes left.
func (r *Reader) Len() int { return len(r.buf) - r.pos }

// Since returns the bytes consumed since position start (a value [Reader.Pos] returned).
func (r *Reader) Since(start int) []byte { return r.buf[start:r.pos:r.pos] }

// EOF reports whether every byte was consumed.
func (r *Reader) EOF() bool { return r.pos >= len(r.buf) }

// Fixed returns the next n bytes. Fewer than n bytes left is a [*ShortReadError] that
// consumes what is left, as ClickHouse's readStrict does.
func (r *Reader) Fixed(n int) ([]byte, error) {
	if n < 0 || n > len(r.buf)-r.pos {
		left := len(r.buf) - r.pos
		r.pos = len(r.buf)
		return nil, &ShortReadError{Read: left, Expected: n}
	}
	b := r.buf[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return b, nil
}

// Byte returns the next byte.
func (r *Reader) Byte() (byte, error) {
	if r.pos >= len(r.buf) {
		return 0, &ShortReadError{Read: 0, Expected: 1}
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

// U16 reads a little-endian uint16.
func (r *Reader) U16() (uint16, error) {
	b, err := r.Fixed(2)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

// U32 reads a little-endian uint32.
func (r *Reader) U32() (uint32, error) {
	b, err := r.Fixed(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// U64 reads a little-endian uint64.
func (r *Reader) U64() (uint64, error) {
	b, err := r.Fixed(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// Uvarint reads ClickHouse's VarUInt (LEB128, at most 10 bytes; like ClickHouse it stops
// after the 10th byte). The end of the input inside it is [ErrReadAfterEOF].
func (r *Reader) Uvarint() (uint64, error) {
	var x uint64
	for i := 0; i < 10; i++ {
		if r.pos >= len(r.buf) {
			return 0, ErrReadAfterEOF
		}
		b := r.buf[r.pos]
		r.pos++
		x |= uint64(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			break
		}
	}
	return x, nil
}

// String reads a VarUInt length and that many bytes (ClickHouse's readStringBinary).
func (r *Reader) String() ([]byte, error) {
	n, err := r.Uvarint()
	if err != nil {
		return nil, err
	}
	if n > MaxStringSize {
		return nil, errors.New("Too large string size.")
	}
	return r.Fixed(int(n))
}

// AppendUvarint appends v as a VarUInt.
func AppendUvarint(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// AppendString appends len(s) as a VarUInt and the bytes of s.
func AppendString[T ~string | ~[]byte](dst []byte, s T) []byte {
	dst = AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// Int256 is a two's complement 256-bit integer, least significant limb first. ClickHouse's
// Decimal32..Decimal256 are its 4, 8, 16 and 32 low bytes.
type Int256 [4]uint64

// Int256FromLE sign-extends the little-endian two's complement integer b (1 to 32 bytes).
func Int256FromLE(b []byte) Int256 {
	var buf [32]byte
	n := copy(buf[:], b)
	if n > 0 && b[n-1]&0x80 != 0 {
		for i := n; i < 32; i++ {
			buf[i] = 0xff
		}
	}
	return Int256{
		binary.LittleEndian.Uint64(buf[0:]), binary.LittleEndian.Uint64(buf[8:]),
		binary.LittleEndian.Uint64(buf[16:]), binary.LittleEndian.Uint64(buf[24:]),
	}
}

// Int256FromInt64 sign-extends v.
func Int256FromInt64(v int64) Int256 {
	s := uint64(v >> 63)
	return Int256{uint64(v), s, s, s}
}

// Neg reports whether v is negative.
func (v Int256) Neg() bool { return int64(v[3]) < 0 }

// Negate returns -v.
func (v Int256) Negate() Int256 {
	var r Int256
	var c uint64 = 1
	for i := range v {
		r[i], c = bits.Add64(^v[i], 0, c)
	}
	return r
}

// AppendLE appends the n low bytes of v, little-endian (n is 4, 8, 16 or 32).
func (v Int256) AppendLE(dst []byte, n int) []byte {
	var buf [32]byte
	for i, l := range v {
		binary.LittleEndian.PutUint64(buf[8*i:], l)
	}
	return append(dst, buf[:n]...)
}

// AppendDecimal appends v / 10^scale as decimal text: "-123.45", "0.05", "7".
func (v Int256) AppendDecimal(dst []byte, scale int) []byte {
	neg := v.Neg()
	m := v
	if neg {
		m = v.Negate()
	}
	// Digits, least significant first, by repeated division by 10^19.
	var digits [80]byte
	n := 0
	for m != (Int256{}) {
		var rem uint64
		for i := 3; i >= 0; i-- {
			m[i], rem = bits.Div64(rem, m[i], 1e19)
		}
		for k := 0; k < 19; k++ {
			digits[n] = byte('0' + rem%10)
			rem /= 10
			n++
			if m == (Int256{}) && rem == 0 {
				break
			}
		}
	}
	for n <= scale { // at least one digit before the point
		digits[n] = '0'
		n++
	}
	if neg {
		dst = append(dst, '-')
	}
	for i := n - 1; i >= 0; i-- {
		if i == scale-1 {
			dst = append(dst, '.')
		}
		dst = append(dst, digits[i])
	}
	return dst
}

// DecimalWidth is the byte width ClickHouse stores Decimal(P, S) in: 4 for P <= 9, 8 for
// P <= 18, 16 for P <= 38, else 32.
func DecimalWidth(precision int) int {
	switch {
	case precision <= 9:
		return 4
	case precision <= 18:
		return 8
	case precision <= 38:
		return 16
	}
	return 32
}

const hexDigits = "0123456789abcdef"

// UUIDToRFC converts a UUID in ClickHouse's binary byte order (two little-endian UInt64
// halves, high half first) to RFC 4122 byte order, and back: the swap is its own inverse.
func UUIDToRFC(dst, ch []byte) {
	for i := 0; i < 8; i++ {
		dst[i] = ch[7-i]
		dst[8+i] = ch[15-i]
	}
}

// AppendUUIDHex appends the 32 hex digits of the RFC 4122 UUID u (16 bytes).
func AppendUUIDHex(dst, u []byte) []byte {
	for _, b := range u[:16] {
		dst = append(dst, hexDigits[b>>4], hexDigits[b&15])
	}
	return dst
}

// AppendUUIDText appends the canonical 36-character form of the RFC 4122 UUID u.
func AppendUUIDText(dst, u []byte) []byte {
	for i, b := range u[:16] {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[b>>4], hexDigits[b&15])
	}
	return dst
}
