package values

import (
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
	tt.Registered(t, "Values", Format{})
}

// VECTORS.md §1: Values (empty OK).
func TestDecodeFormatMatrix(t *testing.T) {
	m1, m2 := tt.Testdata(t, "matrix_m1.values"), tt.Testdata(t, "matrix_m2.values")
	require.Equal(t, "(0,0,'AM',0.5,1)", m1)
	tt.Matrix(t, Format{}, defaults(), true, m1, m2)
}

func TestDecodeRows(t *testing.T) {
	cols := []string{"i Int32", "s String", "n Nullable(Int8)", "a Array(String)", "t Tuple(Int8, String)",
		"m Map(String, Array(Nullable(Int8)))", "dt DateTime", "b Bool", "e Enum8('a' = 1, 'b' = 2)", "q UInt8"}
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
	}, tt.DecodeColumns(t, Format{}, cols, defaults(), tt.Testdata(t, "literals.values"), "", "  \n", "(3 , 'x' , null , [] , (0,'') , {} , 0 , 0 , 'a' , 0)"))
}

func TestDecodeErrors(t *testing.T) {
	tests := []tt.ErrorCase{
		{Name: "VECTORS §2 Values", Cols: tt.MatrixCols, Payload: tt.Testdata(t, "broken.values"),
			Want: "Cannot parse string 'BAD' as UInt16: syntax error at begin of string. Note: there are toUInt16OrZero and toUInt16OrNull functions, which returns zero/NULL instead of throwing exception",
			Row:  1, Column: "blockNo"},
		{Name: "garbage qwertyuiop", Cols: tt.KeyValue, Payload: tt.Testdata(t, "garbage_1.txt"),
			Want: "Cannot parse input: expected '(' before: 'qwertyuiop': (at row 1)", Row: 1},
		{Name: "formats_errors", Cols: tt.KeyValue, Payload: tt.Testdata(t, "formats_errors.txt"),
			Want: "Cannot parse input: expected '(' before: 'Broken message", Row: 1},
		{Name: "partial number", Cols: tt.KeyValue, Payload: "('12a',1)", Want: "Cannot parse string '12a' as UInt64: syntax error at position 2 (parsed just '12')", Row: 1, Column: "key"},
		{Name: "bare garbage", Cols: tt.KeyValue, Payload: "(1x,2)", Want: "Cannot parse input: expected ',' before: 'x,2)'", Row: 1, Column: "key"},
		{Name: "missing paren", Cols: tt.KeyValue, Payload: "(1,2", Want: "expected ')' at end of stream", Row: 1},
		{Name: "too many values", Cols: tt.KeyValue, Payload: "(1,2,3)", Want: "expected ')' before: ',3)'", Row: 1},
		{Name: "second row", Cols: tt.KeyValue, Payload: "(1,2),(3,'x')", Want: "(at row 2)", Row: 2, Column: "value"},
		{Name: "after semicolon", Cols: tt.KeyValue, Payload: "(1,2);(3,4)", Want: "expected 'eof' before: '(3,4)'", Row: 2},
		{Name: "unterminated string", Cols: []string{"s String"}, Payload: "('abc", Want: "expected closing quote", Row: 1, Column: "s"},
		{Name: "array for a number", Cols: tt.KeyValue, Payload: "([1],2)", Want: "expected a value of type UInt64", Row: 1, Column: "key"},
		{Name: "unbalanced", Cols: []string{"a Array(Int8)"}, Payload: "([1,2", Want: "unbalanced brackets", Row: 1, Column: "a"},
	}
	tt.DecodeErrors(t, Format{}, tests, nil)
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	tt.GarbageIsOneError(t, defaults(), Format{})
}

func TestNewDecoderErrors(t *testing.T) {
	_, err := Format{}.NewDecoder(block.Schema(nil), nil)
	require.Error(t, err)
	tt.OtherRowsError(t, Format{}, "(1)")
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
