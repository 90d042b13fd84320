package codectest

import (
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// SchemaSeeds adds the files of testdata, except the schema files (extension ext, such as
// ".proto"), to a fuzz corpus.
func SchemaSeeds(f *testing.F, ext string) {
	seeds(f, "testdata", func(name string) bool { return filepath.Ext(name) != ext })
}

// FuzzCodec is what a schema format's fuzz target checks a payload with.
type FuzzCodec struct {
	Cols   []block.Column
	Dec    format.Decoder
	Good   []byte         // a message of one row that Dec must decode after a failure
	Enc    format.Encoder // nil: no round trip
	Dec2   format.Decoder // reads Enc's messages back
	PerRow bool           // Enc writes one message per row
}

// Check decodes payload with Dec into rows staged with NULL as default. A failure must have
// a message and leave the rows resettable: Good then decodes as one row. A success of at
// least one row, when Enc is set, must survive a round trip: Enc's messages, read back by
// Dec2, are equal to the decoded rows.
func (c *FuzzCodec) Check(t *testing.T, payload []byte) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := block.NewRows(c.Cols, block.Options{NullAsDefault: true})
	if err := c.Dec.Decode(rows, payload); err != nil {
		require.NotEmpty(t, err.Error())
		rows.Reset()
		require.NoError(t, c.Dec.Decode(rows, c.Good))
		require.Equal(t, 1, rows.Len())
		return
	}
	n := rows.Len()
	if n == 0 || c.Enc == nil {
		return
	}
	b, err := block.NewBuilder(mem, c.Cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, &virtualcols.Message{})
	rec := b.NewRecordBatch()
	defer rec.Release()
	rows.Reset()
	for i := 0; i < n; {
		j := n
		if c.PerRow {
			j = i + 1
		}
		out, err := c.Enc.Append(nil, rec, i, j)
		require.NoError(t, err)
		require.NoError(t, c.Dec2.Decode(rows, out), "re-decoding %x", out)
		i = j
	}
	require.Equal(t, n, rows.Len())
	b.Append(rows, &virtualcols.Message{})
	again := b.NewRecordBatch()
	defer again.Release()
	for k := range int(rec.NumCols()) {
		require.True(t, array.ApproxEqual(rec.Column(k), again.Column(k), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
			"column %s of %x:\n%v\n%v", rec.ColumnName(k), payload, rec.Column(k), again.Column(k))
	}
}

// BenchDecode is the loop of a decoding benchmark: it decodes payload into h's staged rows
// and resets them, reporting allocations and payload bytes per op.
func (h *Harness) BenchDecode(b *testing.B, payload []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if err := h.Dec.Decode(h.Rows, payload); err != nil {
			b.Fatal(err)
		}
		h.Rows.Reset()
	}
}
