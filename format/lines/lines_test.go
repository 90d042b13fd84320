package lines

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

func TestRegistered(t *testing.T) {
	for name, want := range map[string]Format{"LineAsString": {}, "RawBLOB": {Whole: true}} {
		f, err := format.Lookup(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, f)
		assert.Equal(t, name, want.Name())
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		f        Format
		payloads []string
		want     []string
	}{
		// VECTORS.md §7 intent_size: one line per message.
		{Format{}, []string{tt.Testdata(t, "intent_1.txt"), "message_2\n", ""}, []string{"message_1", "message_2"}},
		{Format{}, []string{tt.Testdata(t, "lines.txt"), "x\ny"}, []string{"a\r", "", "b", "x", "y"}},
		{Format{Whole: true}, []string{tt.Testdata(t, "blob.bin"), "", "x\n"}, []string{"\x00\xff\nbinary\tblob\n", "x\n"}},
	} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		h := tt.NewHarness(t, mem, tc.f, []string{"s String"}, format.DefaultSettings())
		assert.Equal(t, [][]string{tc.want}, h.Columns(tc.payloads...), tc.f.Name())
		h.Release()
		mem.AssertSize(t, 0)
	}
}

func TestSingleStringColumn(t *testing.T) {
	for _, defs := range [][]string{{"a Int32"}, {"a String", "b String"}, {"a LowCardinality(String)"}, {"a Nullable(String)"}} {
		cols, err := block.ParseColumns(defs)
		require.NoError(t, err)
		for _, f := range []Format{{}, {Whole: true}} {
			_, err = f.NewDecoder(block.Schema(cols), nil)
			assert.ErrorContains(t, err, "single column of type String", "%v", defs)
			_, err = f.NewEncoder(block.Schema(cols), nil)
			assert.Error(t, err)
		}
	}
	_, err := Format{}.NewDecoder(block.Schema(nil), nil)
	assert.Error(t, err)
	cols, err := block.ParseColumns([]string{"s String"})
	require.NoError(t, err)
	dec, err := Format{}.NewDecoder(block.Schema(cols), nil)
	require.NoError(t, err)
	two, err := block.ParseColumns([]string{"a String", "b String"})
	require.NoError(t, err)
	assert.Error(t, dec.Decode(block.NewRows(two, block.Options{}), []byte("x")))
}

func TestRoundTrip(t *testing.T) {
	lineSafe := tt.Column{Def: "s String", Rows: [5]tt.Cell{tt.Txt(""), tt.Txt("a\tb\\c'\"\r"), tt.Txt("Привет 😀"), tt.Txt("\xff\x00"), tt.Txt(`\N`)}}
	msgs := tt.RoundTrip(t, Format{}, format.DefaultSettings(), []tt.Column{lineSafe})
	assert.Equal(t, []string{"\na\tb\\c'\"\r\nПривет 😀\n", "\xff\x00\n\\N\n"}, msgs)

	// RawBLOB: one row per message (kafka_max_rows_per_message = 1), any bytes.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{Whole: true}, []string{"s String"}, format.DefaultSettings())
	defer h.Release()
	blob := tt.Testdata(t, "blob.bin")
	h.MustDecode(blob, "second")
	rec := h.Record()
	defer rec.Release()
	enc, err := Format{Whole: true}.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, blob, string(out))
	out, err = enc.Append([]byte("x"), rec, 0, 2)
	require.NoError(t, err)
	assert.Equal(t, "x"+blob+"second", string(out))
	out, err = enc.Append([]byte("x"), rec, 1, 3)
	assert.Error(t, err)
	assert.Equal(t, "x", string(out))
}

// FuzzDecode checks that no payload panics and that LineAsString round-trips every
// message and RawBLOB every non-empty one.
func FuzzDecode(f *testing.F) {
	tt.Seeds(f)
	s := format.DefaultSettings()
	z := tt.NewFuzzer(f, []format.Format{Format{}, Format{Whole: true}}, []bool{true, true}, []string{"s String"}, &s, []string{"x", "x"})
	f.Fuzz(z.Run)
}
