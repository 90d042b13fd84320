package arrowval

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
)

func ipcBytes(t *testing.T, file bool) []byte {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	md := arrow.NewMetadata([]string{"k"}, []string{"v"})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "Asia/Istanbul"}},
		{Name: "l", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}},
	}, &md)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).Append(1)
	b.Field(1).(*array.TimestampBuilder).Append(5)
	b.Field(2).(*array.ListBuilder).Append(true)
	b.Field(2).(*array.ListBuilder).ValueBuilder().(*array.StringBuilder).Append("x")
	require.NoError(t, b.Field(3).(*array.BinaryDictionaryBuilder).AppendString("e"))
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	if file {
		w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
		require.NoError(t, err)
		require.NoError(t, w.Write(rec))
		require.NoError(t, w.Close())
	} else {
		w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
		require.NoError(t, w.Write(rec))
		require.NoError(t, w.Close())
	}
	return buf.Bytes()
}

func TestVerifyIPC(t *testing.T) {
	stream, file := ipcBytes(t, false), ipcBytes(t, true)
	require.NoError(t, VerifyIPCStream(stream))
	require.NoError(t, VerifyIPCFile(file))
	for n := range len(stream) { // a cut at a message boundary is a shorter valid stream
		assert.NotPanics(t, func() { _ = VerifyIPCStream(stream[:n]) })
	}
	for _, n := range []int{3, 7, 12, 100} { // cuts inside the schema message
		assert.Error(t, VerifyIPCStream(stream[:n]), "stream cut at %d", n)
	}
	for _, n := range []int{0, 8, 20, len(file) / 2, len(file) - 1} {
		assert.Error(t, VerifyIPCFile(file[:n]), "file cut at %d", n)
	}
	assert.Error(t, VerifyIPCFile(stream))
	assert.Error(t, VerifyIPCStream([]byte("qwertyuiop")))

	// A vector length beyond the metadata is refused: find the schema's fields vector
	// (its length is 4) and make it huge.
	meta := stream[8 : 8+int(binary.LittleEndian.Uint32(stream[4:]))]
	found := false
	for p := 0; p+4 <= len(meta); p += 4 {
		if binary.LittleEndian.Uint32(meta[p:]) != 4 {
			continue
		}
		bad := append([]byte{}, stream...)
		binary.LittleEndian.PutUint32(bad[8+p:], 0x7fffffff)
		if err := VerifyIPCStream(bad); err != nil {
			found = true
			assert.ErrorIs(t, err, errCorruptMetadata)
		}
	}
	assert.True(t, found)
}

func TestStagerLimits(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"a Int64"})
	require.NoError(t, err)
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "z", Type: arrow.Null}}, nil),
		[]arrow.Array{array.NewNull(100)}, 100)
	defer rec.Release()
	s := NewStager(cols)
	s.MaxRows = 10
	rows := block.NewRows(cols, block.Options{})
	assert.ErrorContains(t, s.Stage(rows, rec), "a record batch of 100 rows")
	s.MaxRows = 0
	require.NoError(t, s.Stage(rows, rec))
	assert.Equal(t, 100, rows.Len())
}

func TestLimitedAllocator(t *testing.T) {
	var a LimitedAllocator
	a.Reset(100)
	b := a.Allocate(60)
	b = a.Reallocate(90, b)
	assert.Len(t, b, 90)
	assert.PanicsWithValue(t, ErrTooLarge, func() { a.Allocate(20) })
	var err error
	func() {
		defer Recover(&err)
		a.Allocate(1 << 40)
	}()
	assert.ErrorIs(t, err, ErrTooLarge)
}
