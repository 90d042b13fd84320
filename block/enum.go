package block

import (
	"encoding/binary"
	"math/bits"
)

// enumNames finds an Enum name's declaration position. It replaces a map[string]int32,
// whose lookup hashes the whole name with the runtime's string hash and then compares
// strings scattered over the heap: names are few and short, so an open-addressing table
// keyed by a hash of the length and the first and last bytes, whose entries hold those
// bytes (all of a name of up to 16) and point into one compact array of all the names,
// costs a multiplication, a load and a comparison of a few words. The zero value finds
// nothing.
type enumNames struct {
	text  []byte      // the names, concatenated
	table []enumEntry // len is a power of two
	shift uint        // 64 - log2(len(table))
}

// enumEntry is a name's key (enumKey), its place in enumNames.text and its position + 1;
// 0 is an empty slot.
type enumEntry struct {
	lo, hi uint64
	off, n uint32
	pos1   int32
}

func newEnumNames(vals []EnumValue) enumNames {
	size := 8
	for size < 4*len(vals) {
		size *= 2
	}
	e := enumNames{table: make([]enumEntry, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for i, v := range vals {
		j := e.slot([]byte(v.Name))
		if e.table[j].pos1 != 0 {
			// A repeated name maps to its last position, as a map assignment would.
			e.table[j].pos1 = int32(i + 1)
			continue
		}
		lo, hi := enumKey([]byte(v.Name))
		e.table[j] = enumEntry{lo: lo, hi: hi, off: uint32(len(e.text)), n: uint32(len(v.Name)), pos1: int32(i + 1)}
		e.text = append(e.text, v.Name...)
	}
	return e
}

// slot returns the table index holding name, or the empty slot where it belongs.
func (e *enumNames) slot(name []byte) uint64 {
	mask := uint64(len(e.table) - 1)
	lo, hi := enumKey(name)
	for j := enumHash(lo, hi, len(name)) >> e.shift; ; j = (j + 1) & mask {
		t := &e.table[j]
		if t.pos1 == 0 {
			return j
		}
		if int(t.n) == len(name) && equalShort(e.text[t.off:t.off+t.n], name) {
			return j
		}
	}
}

// lookup returns the declaration position of the name v. It is enumKey and slot written
// out in one function, comparing the key words and, past 16 bytes, the middle words
// inline: it runs for every Enum value given by name.
func (e *enumNames) lookup(v []byte) (int32, bool) {
	if len(e.table) == 0 {
		return 0, false
	}
	n := len(v)
	var lo, hi uint64
	switch {
	case n >= 8:
		lo, hi = binary.LittleEndian.Uint64(v), binary.LittleEndian.Uint64(v[n-8:])
	case n >= 4:
		lo = uint64(binary.LittleEndian.Uint32(v)) | uint64(binary.LittleEndian.Uint32(v[n-4:]))<<32
	case n > 0:
		lo = uint64(v[0]) | uint64(v[n/2])<<8 | uint64(v[n-1])<<16
	}
	mask := uint64(len(e.table) - 1)
	for j := enumHash(lo, hi, n) >> (e.shift & 63); ; j = (j + 1) & mask {
		t := &e.table[j]
		if t.pos1 == 0 {
			return 0, false
		}
		if t.lo != lo || t.hi != hi || int(t.n) != n {
			continue
		}
		if n > 16 && !equalMiddle(e.text[t.off:t.off+t.n], v) {
			continue
		}
		return t.pos1 - 1, true
	}
}

// enumKey returns the words of s that an enumEntry keeps: for 8 bytes or more the first
// and the last eight; for 4 to 7, the first and the last four in lo; for 1 to 3, the
// first, middle and last bytes in lo. Of a name of up to 16 bytes, they and its length
// determine every byte.
func enumKey(s []byte) (lo, hi uint64) {
	n := len(s)
	switch {
	case n >= 8:
		return binary.LittleEndian.Uint64(s), binary.LittleEndian.Uint64(s[n-8:])
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(s)) | uint64(binary.LittleEndian.Uint32(s[n-4:]))<<32, 0
	case n > 0:
		return uint64(s[0]) | uint64(s[n/2])<<8 | uint64(s[n-1])<<16, 0
	}
	return 0, 0
}

// enumHash mixes the length and a name's key (enumKey); slot uses the high bits of the
// product.
func enumHash(lo, hi uint64, n int) uint64 {
	return (lo ^ bits.RotateLeft64(hi, 29) ^ uint64(n)<<56) * 0x9E3779B97F4A7C15
}

// equalMiddle reports whether a and b, of the same length of more than 16 bytes, are
// equal between their first and last eight bytes (which the caller has compared).
func equalMiddle(a, b []byte) bool {
	n := len(a)
	if len(b) != n {
		return false
	}
	for i := 8; i < n-8; i += 8 {
		if binary.LittleEndian.Uint64(a[i:]) != binary.LittleEndian.Uint64(b[i:]) {
			return false
		}
	}
	return true
}

// equalShort reports whether a and b, of equal length, are equal, comparing overlapping
// words inline: for the short values it is used on, cheaper than a call to memequal.
func equalShort(a, b []byte) bool {
	n := len(a)
	if len(b) != n {
		return false
	}
	switch {
	case n >= 8:
		for i := 0; i < n-8; i += 8 {
			if binary.LittleEndian.Uint64(a[i:]) != binary.LittleEndian.Uint64(b[i:]) {
				return false
			}
		}
		return binary.LittleEndian.Uint64(a[n-8:]) == binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		return binary.LittleEndian.Uint32(a) == binary.LittleEndian.Uint32(b) &&
			binary.LittleEndian.Uint32(a[n-4:]) == binary.LittleEndian.Uint32(b[n-4:])
	}
	for i := range n {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
