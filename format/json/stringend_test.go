package json

import (
	"bytes"
	"testing"
)

// stringEnd finds the first '"' or '\\' from i on, or len(b), whatever the lengths and
// positions around its 8-byte words and its handover to IndexByte past 64 bytes; bytes
// that share a special's low seven bits are not specials.
func TestStringEnd(t *testing.T) {
	ref := func(b []byte, i int) int {
		for k := i; k < len(b); k++ {
			if b[k] == '"' || b[k] == '\\' {
				return k
			}
		}
		return len(b)
	}
	for n := 0; n <= 150; n++ {
		b := bytes.Repeat([]byte{'a'}, n)
		for i := 0; i <= n+1; i++ {
			for p := -1; p < n; p++ {
				for _, c := range []byte{'"', '\\', 0x80 | '"', 0x80 | '\\'} {
					if p >= 0 {
						b[p] = c
					}
					if got, want := stringEnd(b, i), ref(b, i); got != want {
						t.Fatalf("stringEnd(%q, %d) = %d, want %d", b, i, got, want)
					}
					if p >= 0 {
						b[p] = 'a'
					}
				}
			}
		}
	}
}
