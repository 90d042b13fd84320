package json

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// harness decodes messages into staged rows and appends the good ones to a record builder,
// the way the engine does.
type harness struct {
	t    testing.TB
	cols []block.Column
	dec  format.Decoder
	rows *block.Rows
	b    *block.Builder
}

// newHarness compiles a JSONEachRow decoder for the column definitions. The caller defers
// Release.
func newHarness(t testing.TB, mem memory.Allocator, defs []string, s format.Settings) *harness {
	t.Helper()
	return newFormatHarness(t, mem, Format{}, defs, s)
}

// newFormatHarness compiles a decoder of f for the column definitions. The caller defers
// Release.
func newFormatHarness(t testing.TB, mem memory.Allocator, f Format, defs []string, s format.Settings) *harness {
	t.Helper()
	cols, err := block.ParseColumns(defs)
	require.NoError(t, err)
	dec, err := f.NewDecoder(block.Schema(cols), &s)
	require.NoError(t, err)
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: s.NullAsDefault, DateTimeBestEffort: s.DateTimeBestEffort})
	return &harness{t: t, cols: cols, dec: dec, rows: rows, b: b}
}

func (h *harness) Release() { h.b.Release() }

// decode decodes one message and returns its row count; a broken message leaves nothing.
func (h *harness) decode(payload string) (int, error) {
	err := h.dec.Decode(h.rows, []byte(payload))
	if err != nil {
		h.rows.Reset()
		return 0, err
	}
	n := h.rows.Len()
	h.b.Append(h.rows, &virtualcols.Message{})
	h.rows.Reset()
	return n, nil
}

// mustDecode decodes messages that must be good.
func (h *harness) mustDecode(payloads ...string) {
	h.t.Helper()
	for _, p := range payloads {
		_, err := h.decode(p)
		require.NoError(h.t, err, "payload %q", p)
	}
}

// record cuts the record batch; the caller releases it.
func (h *harness) record() arrow.RecordBatch { return h.b.NewRecordBatch() }

// strs renders a column with arrow's ValueStr ("(null)" for nulls).
func strs(arr arrow.Array) []string {
	out := make([]string, arr.Len())
	for i := range out {
		if arr.IsNull(i) {
			out[i] = "(null)"
			continue
		}
		out[i] = arr.ValueStr(i)
	}
	return out
}

func defaults() format.Settings { return format.DefaultSettings() }

// lookup returns the registered format called name.
func lookup(t testing.TB, name string) Format {
	t.Helper()
	f, err := format.Lookup(name)
	require.NoError(t, err)
	return f.(Format)
}

// readableKinds are the formats with a decoder.
func readableKinds() []kind {
	var ks []kind
	for k := range numKinds {
		if k.readable() {
			ks = append(ks, k)
		}
	}
	return ks
}
