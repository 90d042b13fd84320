package binio

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReader(t *testing.T) {
	var r Reader
	r.Reset([]byte{0x96, 0x01, 2, 'h', 'i', 1, 0, 0, 0})
	v, err := r.Uvarint()
	require.NoError(t, err)
	assert.Equal(t, uint64(150), v)
	s, err := r.String()
	require.NoError(t, err)
	assert.Equal(t, "hi", string(s))
	assert.Equal(t, []byte{'h', 'i'}, r.Since(2)[1:])
	_, err = r.U64()
	assert.EqualError(t, err, "Cannot read all data. Bytes read: 4. Bytes expected: 8.")
	assert.True(t, r.EOF())
	_, err = r.Uvarint()
	assert.ErrorIs(t, err, ErrReadAfterEOF)
	_, err = r.Byte()
	var sr *ShortReadError
	assert.True(t, errors.As(err, &sr))

	r.Reset([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	_, err = r.String()
	assert.EqualError(t, err, "Too large string size.")
	r.Reset([]byte{0x41, 1, 2})
	_, err = r.String()
	assert.EqualError(t, err, "Cannot read all data. Bytes read: 2. Bytes expected: 65.")
}

func TestAppend(t *testing.T) {
	assert.Equal(t, "9601", hex.EncodeToString(AppendUvarint(nil, 150)))
	assert.Equal(t, "ffffffffffffffffff01", hex.EncodeToString(AppendUvarint(nil, 1<<64-1)))
	assert.Equal(t, "02414d", hex.EncodeToString(AppendString(nil, "AM")))
	var r Reader
	r.Reset(AppendUvarint(nil, 1<<64-1))
	v, err := r.Uvarint()
	require.NoError(t, err)
	assert.Equal(t, uint64(1<<64-1), v)
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		le    string
		scale int
		want  string
	}{
		{"6affffff", 2, "-1.50"},
		{"96000000", 2, "1.50"},
		{"00000000", 3, "0.000"},
		{"05000000", 0, "5"},
		{"0100000000000000", 5, "0.00001"},
		{"ffffffffffffffffffffffffffffffff", 2, "-0.01"},
		{"ffffffffffffffffffffffffffffff7f", 0, "170141183460469231731687303715884105727"},
		{"00000000000000000000000000000080", 0, "-170141183460469231731687303715884105728"},
		{"0000000000000000000000000000000000000000000000000000000000000080", 38,
			"-578960446186580977117854925043439539266.34992332820282019728792003956564819968"},
		{"0000000000000000010000000000000000000000000000000000000000000000", 1, "1844674407370955161.6"},
		{"00000000e8890423c78a000000000000", 0, "655360000000000000000000"},
	}
	for _, tt := range tests {
		b, err := hex.DecodeString(tt.le)
		require.NoError(t, err)
		v := Int256FromLE(b)
		assert.Equal(t, tt.want, string(v.AppendDecimal(nil, tt.scale)), tt.le)
		assert.Equal(t, tt.le, hex.EncodeToString(v.AppendLE(nil, len(b))))
	}
	assert.Equal(t, "-7", string(Int256FromInt64(-7).AppendDecimal(nil, 0)))
	assert.Equal(t, Int256FromInt64(7), Int256FromInt64(-7).Negate())
	assert.Equal(t, []int{4, 4, 8, 8, 16, 16, 32, 32}, []int{DecimalWidth(1), DecimalWidth(9), DecimalWidth(10), DecimalWidth(18), DecimalWidth(19), DecimalWidth(38), DecimalWidth(39), DecimalWidth(76)})
}

func TestUUID(t *testing.T) {
	ch, err := hex.DecodeString("e711b35c04c4f061a0dbd36a00a67b90")
	require.NoError(t, err)
	var u [16]byte
	UUIDToRFC(u[:], ch)
	assert.Equal(t, "61f0c404-5cb3-11e7-907b-a6006ad3dba0", string(AppendUUIDText(nil, u[:])))
	assert.Equal(t, "61f0c4045cb311e7907ba6006ad3dba0", string(AppendUUIDHex(nil, u[:])))
	var back [16]byte
	UUIDToRFC(back[:], u[:])
	assert.Equal(t, ch, back[:])
}

func TestParseError(t *testing.T) {
	err := &ParseError{Row: 1, Column: "val1", Err: &ShortReadError{Read: 9, Expected: 65}}
	assert.Equal(t, "Cannot read all data. Bytes read: 9. Bytes expected: 65.: (at row 1)\n: (while reading column val1)", err.Error())
	assert.Equal(t, "x: (at row 2)", (&ParseError{Row: 2, Err: errors.New("x")}).Error())
	assert.Equal(t, "x: (while reading column c)", (&ParseError{Column: "c", Err: errors.New("x")}).Error())
	assert.Equal(t, "x", (&ParseError{Err: errors.New("x")}).Error())
	var sr *ShortReadError
	assert.True(t, errors.As(err, &sr))
}
