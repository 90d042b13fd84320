package tsv

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

func TestRoundTrip(t *testing.T) {
	nullRepr := defaults()
	nullRepr.TSVNullRepresentation = "<null>"
	for _, f := range []Format{{}, {WithNames: true}, {WithNames: true, WithTypes: true}} {
		t.Run(f.Name(), func(t *testing.T) {
			msgs := tt.RoundTrip(t, f, defaults(), tt.RoundTripColumns)
			assert.Len(t, msgs, 2)
		})
	}
	t.Run("null representation", func(t *testing.T) { tt.RoundTrip(t, Format{}, nullRepr, tt.RoundTripColumns) })
}

// TabSeparatedRaw cannot carry tabs and newlines in strings; everything else survives.
func TestRoundTripRaw(t *testing.T) {
	var cols []tt.Column
	for _, c := range tt.RoundTripColumns {
		if strings.HasPrefix(c.Def, "s ") || strings.HasPrefix(c.Def, "fs ") || strings.HasPrefix(c.Def, "e8 ") || strings.HasPrefix(c.Def, "lc ") {
			continue
		}
		cols = append(cols, c)
	}
	cols = append(cols, tt.Column{Def: "rs String", Rows: [5]tt.Cell{tt.Txt(""), tt.Txt(`a\b'c"`), tt.Txt("Привет"), tt.Txt("x y"), tt.Txt("\\")}})
	for _, f := range []Format{{Raw: true}, {Raw: true, WithNames: true, WithTypes: true}} {
		t.Run(f.Name(), func(t *testing.T) { tt.RoundTrip(t, f, defaults(), cols) })
	}
}

// The encoder writes ClickHouse's TSV output (VECTORS.md §1 payloads, §6.1, §6.2).
func TestEncodeOutputForm(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		f    Format
		cols []string
		msg  string
		want string
	}{
		{Format{}, tt.MatrixCols, tt.Testdata(t, "matrix_m2.tsv"), tt.Testdata(t, "matrix_m2.tsv")},
		{Format{WithNames: true}, tt.MatrixCols, tt.Testdata(t, "matrix_names_m2.tsv"), tt.Testdata(t, "matrix_names_m2.tsv")},
		{Format{WithNames: true, WithTypes: true}, tt.MatrixCols, tt.Testdata(t, "matrix_types_m1.tsv"), tt.Testdata(t, "matrix_types_m1.tsv")},
		{Format{}, tt.KeyValue, "7\t7\n", "7\t7\n"},
		{Format{}, []string{"key UInt64", "value UInt64", "k String", "ts DateTime('UTC')"}, tt.Testdata(t, "key_timestamp.tsv"), "1\t1\tk1\t2020-01-01 00:00:01\n"},
		{Format{}, []string{"s String", "n Nullable(String)", "a Array(String)", "m Map(String, Array(Nullable(Int8)))", "tu Tuple(Int8, String)"},
			tt.Testdata(t, "escapes.tsv"), "a\\tb\\nc\\\\d\\'eA\\\\%\t\\N\t['x\\'y','z']\t{'k':[1,NULL]}\t(1,'a\\tb')\n"},
		{Format{Raw: true}, []string{"s String", "n Nullable(Int8)", "a Array(String)"}, "a\\b'\t\\N\t['x\\ty']\n", "a\\b'\t\\N\t['x\\ty']\n"},
	} {
		h := tt.NewHarness(t, mem, tc.f, tc.cols, defaults())
		h.MustDecode(tc.msg)
		rec := h.Record()
		h.Release()
		enc, err := tc.f.NewEncoder(rec.Schema(), nil)
		require.NoError(t, err)
		out, err := enc.Append(nil, rec, 0, int(rec.NumRows()))
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(out), "%s %v", tc.f.Name(), tc.cols)
		rec.Release()
	}
}
