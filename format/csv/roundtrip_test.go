package csv

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

func TestRoundTrip(t *testing.T) {
	pipe := defaults()
	pipe.CSVDelimiter = '|'
	pipe.CSVNullRepresentation = "NULL"
	for _, f := range []Format{{}, {WithNames: true}, {WithNames: true, WithTypes: true}} {
		t.Run(f.Name(), func(t *testing.T) { tt.RoundTrip(t, f, defaults(), tt.RoundTripColumns) })
	}
	t.Run("pipe delimiter, NULL", func(t *testing.T) { tt.RoundTrip(t, Format{WithNames: true}, pipe, tt.RoundTripColumns) })
}

// The encoder writes ClickHouse's CSV output (VECTORS.md §1 payloads).
func TestEncodeOutputForm(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		f    Format
		cols []string
		msg  string
		want string
	}{
		{Format{}, tt.MatrixCols, tt.Testdata(t, "matrix_m2.csv"), tt.Testdata(t, "matrix_m2.csv")},
		{Format{WithNames: true}, tt.MatrixCols, tt.Testdata(t, "matrix_names_m1.csv"), tt.Testdata(t, "matrix_names_m1.csv")},
		{Format{WithNames: true, WithTypes: true}, tt.MatrixCols, tt.Testdata(t, "matrix_types_m2.csv"), tt.Testdata(t, "matrix_types_m2.csv")},
		{Format{}, []string{"a String", "b String", "n Nullable(String)", "e Nullable(Int8)", "arr Array(Int8)", "m Map(String, String)"},
			tt.Testdata(t, "rfc4180.csv"), `"a ""quoted"" word","multi` + "\r\n" + `line",\N,\N,"[1,2]","{'k':'v'}"` + "\n"},
		{Format{}, []string{"d Date", "dt DateTime", "u UUID", "e Enum8('a' = 1)", "b Bool", "f Float64", "dec Decimal(9, 3)", "t Tuple(Int8, String)"},
			"2020-01-02,2020-01-02 03:04:05,61f0c404-5cb3-11e7-907b-a6006ad3dba0,a,1,1e-7,1.500,\"(1,'x\"\"')\"",
			`"2020-01-02","2020-01-02 03:04:05","61f0c404-5cb3-11e7-907b-a6006ad3dba0","a",true,1e-7,1.5,"(1,'x""')"` + "\n"},
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
