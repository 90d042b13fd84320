package msgpack

import (
	"encoding/binary"
	"errors"
	"math"
)

// The MessagePack wire format (https://github.com/msgpack/msgpack/blob/master/spec.md),
// hand-written: a token reader over a byte slice and append-style writers.

// kind is the kind of a MessagePack value.
type kind uint8

const (
	kNil kind = iota + 1
	kBool
	kInt   // a negative integer (int field)
	kUint  // a non-negative integer (uint field)
	kFloat // float 32 or float 64 (float field; f32 tells which)
	kStr
	kBin
	kArray // n elements follow
	kMap   // n key/value pairs follow
	kExt
)

func (k kind) String() string {
	switch k {
	case kNil:
		return "nil"
	case kBool:
		return "bool"
	case kInt, kUint:
		return "integer"
	case kFloat:
		return "float"
	case kStr:
		return "string"
	case kBin:
		return "binary"
	case kArray:
		return "array"
	case kMap:
		return "map"
	case kExt:
		return "extension"
	}
	return "unknown"
}

// token is the header of one MessagePack value, with its bytes for str, bin and ext.
type token struct {
	kind  kind
	b     bool
	i     int64
	u     uint64
	f     float64
	f32   bool
	bytes []byte
	n     int  // array and map sizes
	ext   int8 // extension type
}

var (
	errEOF   = errors.New("Unexpected end of file while parsing msgpack object.")
	errParse = errors.New("Error occurred while parsing msgpack data.")
)

type reader struct {
	buf []byte
	pos int
}

func (r *reader) eof() bool { return r.pos >= len(r.buf) }

func (r *reader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.buf)-r.pos {
		return nil, errEOF
	}
	b := r.buf[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return b, nil
}

func (r *reader) uint(n int) (uint64, error) {
	b, err := r.take(n)
	if err != nil {
		return 0, err
	}
	switch n {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(b)), nil
	}
	return binary.BigEndian.Uint64(b), nil
}

// next reads the header of the next value.
func (r *reader) next() (token, error) {
	if r.pos >= len(r.buf) {
		return token{}, errEOF
	}
	c := r.buf[r.pos]
	r.pos++
	switch {
	case c <= 0x7f:
		return token{kind: kUint, u: uint64(c)}, nil
	case c >= 0xe0:
		return token{kind: kInt, i: int64(int8(c))}, nil
	case c&0xf0 == 0x80:
		return token{kind: kMap, n: int(c & 0x0f)}, nil
	case c&0xf0 == 0x90:
		return token{kind: kArray, n: int(c & 0x0f)}, nil
	case c&0xe0 == 0xa0:
		b, err := r.take(int(c & 0x1f))
		return token{kind: kStr, bytes: b}, err
	}
	switch c {
	case 0xc0:
		return token{kind: kNil}, nil
	case 0xc2, 0xc3:
		return token{kind: kBool, b: c == 0xc3}, nil
	case 0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb:
		size := 1 << ((c - 0xc4) % 3) // c4 c5 c6 → 1 2 4
		k := kBin
		if c >= 0xd9 {
			size, k = 1<<(c-0xd9), kStr
		}
		n, err := r.uint(size)
		if err != nil {
			return token{}, err
		}
		if n > uint64(len(r.buf)-r.pos) {
			return token{}, errEOF
		}
		b, err := r.take(int(n))
		return token{kind: k, bytes: b}, err
	case 0xc7, 0xc8, 0xc9:
		n, err := r.uint(1 << (c - 0xc7))
		if err != nil {
			return token{}, err
		}
		return r.ext(n)
	case 0xca:
		u, err := r.uint(4)
		return token{kind: kFloat, f: float64(math.Float32frombits(uint32(u))), f32: true}, err
	case 0xcb:
		u, err := r.uint(8)
		return token{kind: kFloat, f: math.Float64frombits(u)}, err
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, err := r.uint(1 << (c - 0xcc))
		return token{kind: kUint, u: u}, err
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (c - 0xd0)
		u, err := r.uint(n)
		if err != nil {
			return token{}, err
		}
		v := int64(u<<(64-8*n)) >> (64 - 8*n) // sign-extend
		if v >= 0 {
			return token{kind: kUint, u: uint64(v)}, nil
		}
		return token{kind: kInt, i: v}, nil
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return r.ext(1 << (c - 0xd4))
	case 0xdc, 0xdd, 0xde, 0xdf:
		n, err := r.uint(2 << ((c - 0xdc) % 2)) // dc/de: 2 bytes, dd/df: 4 bytes
		if err != nil {
			return token{}, err
		}
		// Every element takes at least one byte: a count beyond the input is truncated data.
		if n > uint64(len(r.buf)-r.pos) {
			return token{}, errEOF
		}
		if c <= 0xdd {
			return token{kind: kArray, n: int(n)}, nil
		}
		return token{kind: kMap, n: int(n)}, nil
	}
	return token{}, errParse // 0xc1, never used
}

func (r *reader) ext(n uint64) (token, error) {
	t, err := r.take(1)
	if err != nil {
		return token{}, err
	}
	if n > uint64(len(r.buf)-r.pos) {
		return token{}, errEOF
	}
	b, err := r.take(int(n))
	return token{kind: kExt, ext: int8(t[0]), bytes: b}, err
}

// The writers choose the smallest encoding, as msgpack-c (ClickHouse's packer) does.

func appendUint(dst []byte, v uint64) []byte {
	switch {
	case v < 128:
		return append(dst, byte(v))
	case v <= math.MaxUint8:
		return append(dst, 0xcc, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xcd), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0xce), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcf), v)
}

func appendInt(dst []byte, v int64) []byte {
	switch {
	case v >= 0:
		return appendUint(dst, uint64(v))
	case v >= -32:
		return append(dst, byte(v))
	case v >= math.MinInt8:
		return append(dst, 0xd0, byte(v))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(dst, 0xd1), uint16(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, 0xd2), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(v))
}

func appendFloat32(dst []byte, v float32) []byte {
	return binary.BigEndian.AppendUint32(append(dst, 0xca), math.Float32bits(v))
}

func appendFloat64(dst []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, 0xcb), math.Float64bits(v))
}

func appendBin(dst, b []byte) []byte {
	n := len(b)
	switch {
	case n <= math.MaxUint8:
		dst = append(dst, 0xc4, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xc5), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xc6), uint32(n))
	}
	return append(dst, b...)
}

func appendArrayHeader(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x90|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xdc), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdd), uint32(n))
}

func appendMapHeader(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x80|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xde), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdf), uint32(n))
}
