package values

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

func defaults() format.Settings { return format.DefaultSettings() }

func TestRegistered(t *testing.T) {
	f, err := format.Lookup("Values")
	require.NoError(t, err)
	assert.Equal(t, Format{}, f)
	assert.False(t, format.IsBlockOriented(f))
}

// VECTORS.md §1: Values (empty OK).
func TestDecodeFormatMatrix(t *testing.T) {
	m1, m2 := tt.Testdata(t, "matrix_m1.values"), tt.Testdata(t, "matrix_m2.values")
	require.Equal(t, "(0,0,'AM',0.5,1)", m1)
	tt.Matrix(t, Format{}, defaults(), true, m1, m2)
}

func TestDecodeRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, []string{"i Int32", "s String", "n Nullable(Int8)", "a Array(String)", "t Tuple(Int8, String)",
		"m Map(String, Array(Nullable(Int8)))", "dt DateTime", "b Bool", "e Enum8('a' = 1, 'b' = 2)", "q UInt8"}, defaults())
	defer h.Release()
	assert.Equal(t, [][]string{
		{"-1", "2", "3"},
		{"it's\n", "", "x"},
		{"(null)", "3", "(null)"},
		{`["a","b'c"]`, "[]", "[]"},
		{`{"1":1,"2":"x"}`, `{"1":0,"2":""}`, `{"1":0,"2":""}`},
		{`[{"key":"k","value":[1,null]}]`, "[]", "[]"},
		{"2020-01-02T03:04:05Z", "1970-01-01T00:00:01Z", "1970-01-01T00:00:00Z"},
		{"true", "false", "false"},
		{"b", "a", "a"},
		{"5", "6", "0"},
	}, h.Columns(tt.Testdata(t, "literals.values"), "", "  \n", "(3 , 'x' , null , [] , (0,'') , {} , 0 , 0 , 'a' , 0)"))
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		cols    []string
		payload string
		want    string
		row     int
		column  string
	}{
		{name: "VECTORS §2 Values", cols: tt.MatrixCols, payload: tt.Testdata(t, "broken.values"),
			want: "Cannot parse string 'BAD' as UInt16: syntax error at begin of string. Note: there are toUInt16OrZero and toUInt16OrNull functions, which returns zero/NULL instead of throwing exception",
			row:  1, column: "blockNo"},
		{name: "garbage qwertyuiop", cols: tt.KeyValue, payload: tt.Testdata(t, "garbage_1.txt"),
			want: "Cannot parse input: expected '(' before: 'qwertyuiop': (at row 1)", row: 1},
		{name: "formats_errors", cols: tt.KeyValue, payload: tt.Testdata(t, "formats_errors.txt"),
			want: "Cannot parse input: expected '(' before: 'Broken message", row: 1},
		{name: "partial number", cols: tt.KeyValue, payload: "('12a',1)", want: "Cannot parse string '12a' as UInt64: syntax error at position 2 (parsed just '12')", row: 1, column: "key"},
		{name: "bare garbage", cols: tt.KeyValue, payload: "(1x,2)", want: "Cannot parse input: expected ',' before: 'x,2)'", row: 1, column: "key"},
		{name: "missing paren", cols: tt.KeyValue, payload: "(1,2", want: "expected ')' at end of stream", row: 1},
		{name: "too many values", cols: tt.KeyValue, payload: "(1,2,3)", want: "expected ')' before: ',3)'", row: 1},
		{name: "second row", cols: tt.KeyValue, payload: "(1,2),(3,'x')", want: "(at row 2)", row: 2, column: "value"},
		{name: "after semicolon", cols: tt.KeyValue, payload: "(1,2);(3,4)", want: "expected 'eof' before: '(3,4)'", row: 2},
		{name: "unterminated string", cols: []string{"s String"}, payload: "('abc", want: "expected closing quote", row: 1, column: "s"},
		{name: "array for a number", cols: tt.KeyValue, payload: "([1],2)", want: "expected a value of type UInt64", row: 1, column: "key"},
		{name: "unbalanced", cols: []string{"a Array(Int8)"}, payload: "([1,2", want: "unbalanced brackets", row: 1, column: "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := tt.NewHarness(t, mem, Format{}, tc.cols, defaults())
			defer h.Release()
			n, err := h.Decode(tc.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tc.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.row, pe.Row, "row")
			assert.Equal(t, tc.column, pe.Column, "column")
		})
	}
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, tt.KeyValue, defaults())
	defer h.Release()
	for _, p := range tt.Garbage {
		_, err := h.Decode(p)
		require.Error(t, err, p)
	}
}

func TestNewDecoderErrors(t *testing.T) {
	_, err := Format{}.NewDecoder(block.Schema(nil), nil)
	require.Error(t, err)
	cols, err := block.ParseColumns([]string{"a Int8"})
	require.NoError(t, err)
	dec, err := Format{}.NewDecoder(block.Schema(cols), nil)
	require.NoError(t, err)
	other, err := block.ParseColumns([]string{"a Int8", "b Int8"})
	require.NoError(t, err)
	err = dec.Decode(block.NewRows(other, block.Options{}), []byte("(1)"))
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*ParseError)))
}

func TestRoundTrip(t *testing.T) {
	msgs := tt.RoundTrip(t, Format{}, defaults(), tt.RoundTripColumns)
	assert.Len(t, msgs, 2)
}

// The encoder writes ClickHouse's Values output (VECTORS.md §1 payloads).
func TestEncodeOutputForm(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, tt.MatrixCols, defaults())
	m2 := tt.Testdata(t, "matrix_m2.values")
	h.MustDecode(m2)
	rec := h.Record()
	h.Release()
	defer rec.Release()
	enc, err := Format{}.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 15)
	require.NoError(t, err)
	assert.Equal(t, m2, string(out))
	out, err = enc.Append(nil, rec, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, "(1,0,'AM',0.5,1)", string(out))
}

// FuzzDecode checks that no payload panics, that a failed message leaves the staged rows
// resettable, and that every message that decodes survives an encode/decode round trip.
func FuzzDecode(f *testing.F) {
	tt.Seeds(f)
	good := `(1,'x',NULL,['a',NULL],{'k':1},(1,'x'),'2020-01-01 00:00:00.5','a',0.5,1.25,'abc','z',true,'61f0c404-5cb3-11e7-907b-a6006ad3dba0','2020-01-01')`
	for _, s := range []string{"", ";", good, good + "," + good + ";", "(1,'a''b\\n',null,[],{},(0,''),0,1,'1',-1e3,'',NULL,'yes','00000000000000000000000000000000',18000)"} {
		f.Add([]byte(s))
	}
	s := format.DefaultSettings()
	z := tt.NewFuzzer(f, []format.Format{Format{}}, []bool{true}, tt.FuzzCols, &s, []string{good})
	f.Fuzz(z.Run)
}

// A steady-state decode allocates nothing per row.
func TestDecodeAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := tt.NewHarness(t, mem, Format{}, []string{"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8", "a Array(String)"}, defaults())
	defer h.Release()
	m := strings.ReplaceAll(tt.Testdata(t, "matrix_m2.values"), ",1)", ",1,['x\\'y','z'])")
	assert.LessOrEqual(t, h.AllocsPerDecode(m+","+m+","+m), 1.0)
}
