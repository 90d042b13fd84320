package json

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// keyWords is how many 8-byte words fastMembers compares a key's raw text in.
const keyWords = 3

// keyLit is the raw text of a column's key as compact JSON writes it, with the byte
// before it: `,"name":` after the previous member, `{"name":` as the first member of an
// object. It is compiled for fastMembers: when the input at the cursor is that text, the
// member's key is the column's name (the name has no '"' or '\\', so the raw text has no
// escape and ends at the closing quote), and the general path, which unescapes and looks
// the key up, would find the same column.
type keyLit struct {
	text []byte // `,"name":` or `{"name":`; nil when the name has a '"' or '\\' (never matched raw), or in noKeyLit
	// text as little-endian words, zero-padded, and masks of the bytes that belong to
	// it; all zero when text does not fit keyWords words (m[0] == 0: use match).
	w, m [keyWords]uint64
}

// noKeyLit is the keyLit of a member not known yet: it matches no input (no text, and a
// mask that makes fastMembers compare its words).
var noKeyLit = keyLit{m: [keyWords]uint64{0xFF}}

// newKeyLit returns the keyLit of a column named name after the byte lead (',' or '{').
func newKeyLit(name string, lead byte) keyLit {
	if strings.ContainsAny(name, `"\`) {
		return keyLit{}
	}
	l := keyLit{text: []byte(string(lead) + `"` + name + `":`)}
	if len(l.text) <= 8*keyWords {
		var pad, ones [8 * keyWords]byte
		copy(pad[:], l.text)
		for i := range l.text {
			ones[i] = 0xFF
		}
		for i := range keyWords {
			l.w[i] = binary.LittleEndian.Uint64(pad[8*i:])
			l.m[i] = binary.LittleEndian.Uint64(ones[8*i:])
		}
	}
	return l
}

// match returns the length of the key's raw text (with the byte before it) at the start
// of b, or 0 when b does not start with it. fastMembers compares the words itself in the
// commonest case (the text fits the words, b long enough).
func (l *keyLit) match(b []byte) int {
	t := l.text
	if len(t) == 0 || !bytes.HasPrefix(b, t) {
		return 0
	}
	return len(t)
}
