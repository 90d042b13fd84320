package texttest

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// FuzzCols covers every reader class: numbers, strings, NULLs, literals, dates, enums.
var FuzzCols = []string{
	"key UInt64", "s String", "n Nullable(Int32)", "a Array(Nullable(String))", "m Map(String, Int8)",
	"t Tuple(Int8, String)", "d DateTime64(3)", "e Enum8('a' = 1, 'b' = 2)", "f Float64", "dec Decimal(10, 2)",
	"fs FixedString(3)", "lc LowCardinality(Nullable(String))", "b Bool", "u UUID", "dd Date",
}

// Fuzzer runs payloads through decoders of several formats of one schema.
type Fuzzer struct {
	cols []block.Column
	decs []format.Decoder
	encs []format.Encoder // nil for a read-only format or one whose output does not read back
	good [][]byte
}

// NewFuzzer compiles the decoders (and encoders, where roundTrip[i]) of formats for defs.
// good[i] is a message formats[i] must decode after any failure (the staged rows are
// reset between messages).
func NewFuzzer(f *testing.F, formats []format.Format, roundTrip []bool, defs []string, s *format.Settings, good []string) *Fuzzer {
	cols, err := block.ParseColumns(defs)
	require.NoError(f, err)
	schema := block.Schema(cols)
	z := &Fuzzer{cols: cols}
	for i, ft := range formats {
		dec, err := ft.NewDecoder(schema, s)
		require.NoError(f, err)
		var enc format.Encoder
		if roundTrip[i] {
			enc, err = ft.NewEncoder(schema, s)
			require.NoError(f, err)
		}
		z.decs = append(z.decs, dec)
		z.encs = append(z.encs, enc)
		z.good = append(z.good, []byte(good[i]))
	}
	return z
}

// Run checks that no payload panics, that a failed message leaves the staged rows
// resettable, and that every message that decodes survives an encode/decode round trip.
func (z *Fuzzer) Run(t *testing.T, payload []byte) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for i, dec := range z.decs {
		rows := block.NewRows(z.cols, block.Options{NullAsDefault: true})
		if err := dec.Decode(rows, payload); err != nil {
			require.NotEmpty(t, err.Error())
			rows.Reset()
			require.NoError(t, dec.Decode(rows, z.good[i]))
			continue
		}
		if z.encs[i] == nil {
			continue
		}
		z.roundTrip(t, mem, i, rows, payload)
	}
}

// roundTrip encodes the rows decoded from payload and checks they decode back equal.
func (z *Fuzzer) roundTrip(t *testing.T, mem memory.Allocator, i int, rows *block.Rows, payload []byte) {
	dec := z.decs[i]
	b, err := block.NewBuilder(mem, z.cols, nil)
	require.NoError(t, err)
	defer b.Release()
	n := rows.Len()
	b.Append(rows, &virtualcols.Message{})
	rec := b.NewRecordBatch()
	defer rec.Release()

	out, err := z.encs[i].Append(nil, rec, 0, n)
	require.NoError(t, err)
	rows.Reset()
	require.NoError(t, dec.Decode(rows, out), "re-decoding %q of %q", out, payload)
	require.Equal(t, n, rows.Len(), "re-decoding %q of %q", out, payload)
	b.Append(rows, &virtualcols.Message{})
	again := b.NewRecordBatch()
	defer again.Release()
	for k := range int(rec.NumCols()) {
		require.True(t, array.ApproxEqual(rec.Column(k), again.Column(k), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
			"column %s of %q re-encoded as %q:\n%v\n%v", rec.ColumnName(k), payload, out, rec.Column(k), again.Column(k))
	}
}
