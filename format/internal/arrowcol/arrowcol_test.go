package arrowcol

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecimalHelpers(t *testing.T) {
	for _, tc := range []struct {
		v     int64
		scale int
		text  string
		be4   []byte
	}{
		{12345, 2, "123.45", []byte{0, 0, 0x30, 0x39}},
		{-1, 2, "-0.01", []byte{0xff, 0xff, 0xff, 0xff}},
		{0, 3, "0.000", []byte{0, 0, 0, 0}},
		{5, 0, "5", []byte{0, 0, 0, 5}},
		{math.MinInt64, 0, "-9223372036854775808", []byte{0, 0, 0, 0}},
	} {
		w := signExtend(tc.v)
		assert.Equal(t, tc.text, string(AppendDecimalText(nil, w, tc.scale)), "%d/%d", tc.v, tc.scale)
		assert.Equal(t, tc.be4, AppendDecimalBE(nil, w, 4), "%d", tc.v)
		got, ok := DecimalFits64(w)
		assert.True(t, ok)
		assert.Equal(t, tc.v, got)
	}
	// Beyond 64 bits: 2^64 with scale 1.
	w := [4]uint64{0, 1, 0, 0}
	assert.Equal(t, "1844674407370955161.6", string(AppendDecimalText(nil, w, 1)))
	_, ok := DecimalFits64(w)
	assert.False(t, ok)
	assert.Equal(t, []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, AppendDecimalBE(nil, w, 16))
	assert.Equal(t, "-0.5", string(AppendDecimalText(nil, signExtend(-5), 1)))
}

func TestAppendUUID(t *testing.T) {
	b := []byte{0x61, 0xf0, 0xc4, 0x04, 0x5c, 0xb3, 0x11, 0xe7, 0x90, 0x7b, 0xa6, 0x00, 0x6a, 0xd3, 0xdb, 0xa0}
	assert.Equal(t, "61f0c404-5cb3-11e7-907b-a6006ad3dba0", string(AppendUUID(nil, b)))
}
