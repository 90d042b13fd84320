package json

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

var matrixCols = []string{"id Int64", "blockNo UInt16", "val1 String", "val2 Float32", "val3 UInt8"}

func testdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

func TestRegistered(t *testing.T) {
	for _, name := range []string{"JSONEachRow", "JSONLines", "NDJSON"} {
		f, err := format.Lookup(name)
		require.NoError(t, err, name)
		assert.Equal(t, Format{}, f)
		assert.False(t, format.IsBlockOriented(f))
	}
}

// VECTORS.md §1: the format matrix, JSONEachRow row.
func TestDecodeFormatMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, matrixCols, defaults())
	defer h.Release()

	m1 := testdata(t, "matrix_m1.json")
	require.Equal(t, `{"id":"0","blockNo":0,"val1":"AM","val2":0.5,"val3":1}`+"\n", m1)
	var m2 strings.Builder
	for i := 1; i <= 15; i++ {
		fmt.Fprintf(&m2, `{"id":"%d","blockNo":0,"val1":"AM","val2":0.5,"val3":1}`+"\n", i)
	}
	require.Equal(t, m2.String(), testdata(t, "matrix_m2.json"))

	for _, tc := range []struct {
		payload string
		rows    int
	}{{"", 0}, {m1, 1}, {m2.String(), 15}, {m1, 1}} {
		n, err := h.decode(tc.payload)
		require.NoError(t, err)
		assert.Equal(t, tc.rows, n)
	}
	rec := h.record()
	defer rec.Release()
	require.EqualValues(t, 17, rec.NumRows())
	ids := rec.Column(0).(*array.Int64)
	for i := range 17 {
		want := int64(i)
		if i == 16 {
			want = 0
		}
		assert.Equal(t, want, ids.Value(i))
		assert.Equal(t, uint16(0), rec.Column(1).(*array.Uint16).Value(i))
		assert.Equal(t, "AM", rec.Column(2).(*array.String).Value(i))
		assert.Equal(t, float32(0.5), rec.Column(3).(*array.Float32).Value(i))
		assert.Equal(t, uint8(1), rec.Column(4).(*array.Uint8).Value(i))
	}
}

func TestDecodeRows(t *testing.T) {
	nested := defaults()
	nested.ImportNestedJSON = true
	tests := []struct {
		name     string
		cols     []string
		settings *format.Settings
		payloads []string
		want     [][]string // per column, the values of all rows
	}{
		{
			name:     "virt1 spacing, 25 objects per message",
			cols:     []string{"key UInt64", "value UInt64"},
			payloads: []string{testdata(t, "virt1.json")},
			want: func() [][]string {
				var k []string
				for i := range 25 {
					k = append(k, fmt.Sprint(i))
				}
				return [][]string{k, k}
			}(),
		},
		{
			name:     "back to back objects",
			cols:     []string{"key UInt64", "value UInt64"},
			payloads: []string{testdata(t, "back_to_back.json")},
			want:     [][]string{{"1", "2", "3"}, {"1", "2", "3"}},
		},
		{
			name:     "separators, array, semicolon, BOM",
			cols:     []string{"key UInt64"},
			payloads: []string{`{"key":1},{"key":2} , {"key":3},`, ` [ {"key":4} , {"key":5} ] `, "{\"key\":6};\n", "\xEF\xBB\xBF{\"key\":7}", "[]", `{"key":8};`},
			want:     [][]string{{"1", "2", "3", "4", "5", "6", "7", "8"}},
		},
		{
			name:     "empty and blank messages",
			cols:     []string{"key UInt64"},
			payloads: []string{"", " \n\t\r\f\v", "\xEF\xBB\xBF", "\n\n"},
			want:     [][]string{nil},
		},
		{
			name:     "issue11308 nested json",
			cols:     []string{"t UInt64", "`e.x` String"},
			settings: &nested,
			payloads: []string{`{"t": 123, "e": {"x": "woof"} }`, `{"t": 123, "e": {"x": "woof"} }`, `{"t": 124, "e": {"x": "test"} }`},
			want:     [][]string{{"123", "123", "124"}, {"woof", "woof", "test"}},
		},
		{
			name:     "nested json: flat key, unknown nested keys, deeper levels",
			cols:     []string{"t UInt64", "`e.x` String", "`a.b.c` Int32"},
			settings: &nested,
			payloads: []string{`{"e.x":"flat"}`, `{"e":{"y":[1,{"z":2}],"x":"n"},"a":{"b":{"c":7}}}`, `{"e":{},"a":{"b":5}}`},
			want:     [][]string{{"0", "0", "0"}, {"flat", "n", ""}, {"0", "7", "0"}},
		},
		{
			name:     "nested object without import_nested_json is skipped",
			cols:     []string{"t UInt64", "`e.x` String"},
			payloads: []string{`{"t": 123, "e": {"x": "woof"} }`},
			want:     [][]string{{"123"}, {""}},
		},
		{
			name:     "unknown fields of any nesting are skipped",
			cols:     []string{"key UInt64", "value UInt64"},
			payloads: []string{`{"key":1,"zzz":{"a":[1,{"b":"}]\""}],"c":null},"q":[[[]]],"n":-1.5e3,"w":true,"value":2}`},
			want:     [][]string{{"1"}, {"2"}},
		},
		{
			name:     "missing fields get defaults",
			cols:     []string{"a Int32", "b String", "c Nullable(Int8)", "d Array(Int8)"},
			payloads: []string{`{}`, `{"b":"x"}`},
			want:     [][]string{{"0", "0"}, {"", "x"}, {"(null)", "(null)"}, {"[]", "[]"}},
		},
		{
			name:     "null as default",
			cols:     []string{"a Int32", "b String", "c Nullable(Int8)", "d Array(Int8)", "f Float64"},
			payloads: []string{`{"a":null,"b":null,"c":null,"d":null,"f":null}`},
			want:     [][]string{{"0"}, {""}, {"(null)"}, {"[]"}, {"0"}},
		},
		{
			name:     "integers: quoted, exponent, bool",
			cols:     []string{"i Int64", "u UInt64", "s Int8"},
			payloads: []string{`{"i":"0","u":"18446744073709551615","s":-128}`, `{"i":1e3,"u":2.0,"s":true}`, `{"i":"-9223372036854775808","u":18446744073709551615,"s":"12"}`},
			want: [][]string{
				{"0", "1000", "-9223372036854775808"},
				{"18446744073709551615", "2", "18446744073709551615"},
				{"-128", "1", "12"},
			},
		},
		{
			name:     "floats",
			cols:     []string{"f Float64", "g Float32"},
			payloads: []string{`{"f":0.5,"g":"0.25"}`, `{"f":"inf","g":"-inf"}`, `{"f":-inf,"g":nan}`, `{"f":1e-7,"g":1}`, `{"f":false,"g":true}`},
			want:     [][]string{{"0.5", "+Inf", "-Inf", "1e-07", "0"}, {"0.25", "-Inf", "NaN", "1", "1"}},
		},
		{
			name:     "strings take numbers, bools, objects and arrays",
			cols:     []string{"s String", "n Nullable(String)"},
			payloads: []string{`{"s":12.50,"n":true}`, `{"s":{"a": [1, "}"]},"n":[ 1 , 2 ]}`, `{"s":"\u00e9\ud83d\ude00\n\"","n":null}`},
			want:     [][]string{{"12.50", `{"a": [1, "}"]}`, "é😀\n\""}, {"true", "[ 1 , 2 ]", "(null)"}},
		},
		{
			name:     "json as string",
			cols:     []string{"F2 String", "F3 String"},
			payloads: []string{testdata(t, "json_as_string.json")},
			want:     [][]string{{`{"F21":"V21","F22":{},"F23":"V23","F24":"2019-12-24T16:28:04"}`}, {"V3"}},
		},
		{
			name:     "containers",
			cols:     []string{"a Array(Nullable(Int32))", "m Map(String, UInt64)", "t Tuple(a Int8, b String)", "aa Array(Array(String))"},
			payloads: []string{`{"a":[1,null,3],"m":{"k":1,"k\"2":"2"},"t":{"b":"x","a":1,"zz":[1]},"aa":[["a"],[],["b","c"]]}`, `{"a":[],"m":{},"t":[2,"y"],"aa":[]}`, `{"t":{"a":3}}`},
			want: [][]string{
				{"[1,null,3]", "[]", "[]"},
				{`[{"key":"k","value":1},{"key":"k\"2","value":2}]`, "[]", "[]"},
				{`{"a":1,"b":"x"}`, `{"a":2,"b":"y"}`, `{"a":3,"b":""}`},
				{`[["a"],[],["b","c"]]`, "[]", "[]"},
			},
		},
		{
			name:     "enum by name and value, dates",
			cols:     []string{"e Enum8('a' = 1, 'b' = 2)", "d Date", "dt DateTime", "u UUID"},
			payloads: []string{`{"e":"b","d":"2020-01-02","dt":"2020-01-02 03:04:05","u":"61f0c404-5cb3-11e7-907b-a6006ad3dba0"}`, `{"e":1,"d":1,"dt":1}`},
			want: [][]string{
				{"b", "a"},
				{"2020-01-02", "1970-01-02"},
				{"2020-01-02T03:04:05Z", "1970-01-01T00:00:01Z"},
				{"YfDEBFyzEeeQe6YAatPboA==", "AAAAAAAAAAAAAAAAAAAAAA=="}, // base64 of 61f0c404-5cb3-11e7-907b-a6006ad3dba0 and of zeros
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tt.settings != nil {
				s = *tt.settings
			}
			h := newHarness(t, mem, tt.cols, s)
			defer h.Release()
			h.mustDecode(tt.payloads...)
			rec := h.record()
			defer rec.Release()
			require.EqualValues(t, len(tt.want), rec.NumCols())
			for k, want := range tt.want {
				got := strs(rec.Column(k))
				if len(want) == 0 {
					assert.Empty(t, got, "column %s", rec.ColumnName(k))
					continue
				}
				assert.Equal(t, want, got, "column %s", rec.ColumnName(k))
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	noNullDefault := defaults()
	noNullDefault.NullAsDefault = false
	nested := defaults()
	nested.ImportNestedJSON = true
	nestedStrict := nested
	nestedStrict.SkipUnknownFields = false
	kv := []string{"key UInt64", "value UInt64"}
	tests := []struct {
		name     string
		cols     []string
		settings *format.Settings
		payload  string
		want     string // substring of the error text
		row      int
		key      string
		is       error
	}{
		{
			name: "VECTORS §2 broken JSONEachRow", cols: matrixCols, payload: testdata(t, "broken.json"),
			want: `Cannot parse input: expected '"' before: 'BAD","val1":"AM","val2":0.5,"val3":1}': (while reading the value of key blockNo)`,
			row:  1, key: "blockNo",
		},
		{name: "garbage qwertyuiop", cols: kv, payload: testdata(t, "garbage_1.txt"), want: `Cannot parse input: expected '{' before: 'qwertyuiop': (at row 1)`, row: 1},
		{name: "garbage asdfghjkl", cols: kv, payload: testdata(t, "garbage_2.txt"), want: `Cannot parse input: expected '{' before: 'asdfghjkl': (at row 1)`, row: 1},
		{name: "garbage zxcvbnm", cols: kv, payload: testdata(t, "garbage_3.txt"), want: `Cannot parse input: expected '{' before: 'zxcvbnm': (at row 1)`, row: 1},
		{name: "formats_errors", cols: kv, payload: testdata(t, "formats_errors.txt"), want: `expected '{' before: 'Broken message\nBroken`, row: 1},
		{name: "settings_new_syntax 1", cols: kv, payload: testdata(t, "settings_new_syntax_1.txt"), want: `expected '{' before: '}{very_broken_message,'`, row: 1},
		{name: "settings_new_syntax 2", cols: kv, payload: testdata(t, "settings_new_syntax_2.txt"), want: `expected '{' before: '}another{very_broken_message,'`, row: 1},
		{
			name: "stream mode odd message", cols: []string{"i Int64", "s String"}, payload: testdata(t, "stream_bad.json"),
			want: `expected '"' before: 'n_AB12", "s": "ABCDEFGH"}': (while reading the value of key i): (at row 1)`, row: 1, key: "i",
		},
		{name: "malformed object among ten", cols: []string{"i Int64", "s String"}, payload: testdata(t, "stream_ten.json"), want: `(while reading the value of key i): (at row 5)`, row: 5, key: "i"},
		{name: "garbage after the last row", cols: kv, payload: `{"key":1}x`, want: `expected '{' before: 'x': (at row 2)`, row: 2},
		{name: "garbage after a value", cols: kv, payload: `{"key":1 2}`, want: `expected ',' before: '2}'`, row: 1},
		{name: "bad number", cols: kv, payload: `{"key":1x}`, key: "key", row: 1},
		{name: "fraction into integer", cols: kv, payload: `{"key":0.5}`, key: "key", row: 1},
		{name: "out of range", cols: matrixCols, payload: `{"blockNo":70000}`, key: "blockNo", row: 1},
		{name: "negative into unsigned", cols: kv, payload: `{"key":-1}`, key: "key", row: 1},
		{name: "truncated value", cols: matrixCols, payload: `{"id":"0","blockNo":0`, want: "Unexpected end of stream while parsing JSONEachRow format", row: 1},
		{name: "truncated after colon", cols: matrixCols, payload: `{"id":`, want: "unexpected end of stream", row: 1, key: "id"},
		{name: "truncated key", cols: matrixCols, payload: `{"id`, want: "expected closing quote", row: 1},
		{name: "open brace only", cols: matrixCols, payload: `{`, want: "Unexpected end of stream", row: 1},
		{name: "unterminated string value", cols: matrixCols, payload: `{"val1":"AM}`, want: "expected closing quote", key: "val1", row: 1},
		{name: "missing colon", cols: kv, payload: `{"key" 1}`, want: `expected ':' before: '1}'`, row: 1},
		{name: "unquoted key", cols: kv, payload: `{key:1}`, want: `expected '"' before: 'key:1}'`, row: 1},
		{name: "trailing comma in object", cols: kv, payload: `{"key":1,}`, want: `expected '"' before: '}'`, row: 1},
		{name: "leading comma", cols: kv, payload: `,{"key":1}`, want: `expected '{' before: ',{"key":1}'`, row: 1},
		{name: "double comma", cols: kv, payload: `{"key":1},,{"key":2}`, want: `expected '{' before: ',{"key":2}'`, row: 2},
		{name: "unclosed array of rows", cols: kv, payload: `[{"key":1}`, want: `expected ']' at end of stream.`, row: 2},
		{name: "bracket without array", cols: kv, payload: `{"key":1}]`, want: `expected '{' before: ']'`, row: 2},
		{name: "garbage after semicolon", cols: kv, payload: `{"key":1};x`, want: `expected 'eof' before: 'x'`, row: 2},
		{name: "duplicate field", cols: kv, payload: `{"key":1,"key":2}`, want: "Duplicate field found while parsing JSONEachRow format: key", row: 1},
		// Rows that teach fastMembers a key order, then repeat a key of it: members that
		// name one column twice, a repeat after the order, one on the general path.
		{name: "duplicate field in the learnt order", cols: kv, payload: "{\"key\":1,\"value\":2}\n{\"value\":1,\"key\":2}\n{\"value\":1,\"value\":2}\n", want: "Duplicate field found while parsing JSONEachRow format: value", row: 3},
		{name: "duplicate field after the learnt order", cols: kv, payload: "{\"key\":1,\"value\":2}\n{\"key\":1,\"value\":2,\"key\":3}\n", want: "Duplicate field found while parsing JSONEachRow format: key", row: 2},
		{name: "duplicate field on the general path", cols: kv, payload: "{\"key\":1,\"value\":2}\n{\"key\":1, \"key\":2}\n", want: "Duplicate field found while parsing JSONEachRow format: key", row: 2},
		{name: "duplicate field of a partly learnt order", cols: kv, payload: "{\"key\":1,\"value\":2}\n{\"key\":1,\"\\u0076alue\":2,\"value\":3}\n", want: "Duplicate field found while parsing JSONEachRow format: value", row: 2},
		{name: "unknown field", cols: kv, settings: &strict, payload: `{"key":1,"zzz":2}`, want: "Unknown field found while parsing JSONEachRow format: zzz: (at row 1)", row: 1},
		{name: "unknown nested field", cols: []string{"`e.x` String"}, settings: &nestedStrict, payload: `{"e":{"y":1}}`, want: "Unknown field found while parsing JSONEachRow format: e.y", row: 1},
		{name: "nested table name needs an object", cols: []string{"`e.x` String"}, settings: &nested, payload: `{"e":1}`, want: `expected '{' before: '1}'`, row: 1},
		{name: "null into non-nullable", cols: kv, settings: &noNullDefault, payload: `{"key":null}`, key: "key", row: 1, is: block.ErrNotNullable},
		{name: "bad value of unknown field", cols: kv, payload: `{"zzz":[1,}`, want: "Cannot parse JSON value", row: 1},
		{name: "object into number", cols: kv, payload: `{"key":{}}`, want: "expected a JSON value of type UInt64 before: '{}}'", key: "key", row: 1},
		{name: "word into string", cols: []string{"s String"}, payload: `{"s":abc}`, key: "s", row: 1},
		{name: "array trailing comma", cols: []string{"a Array(Int8)"}, payload: `{"a":[1,]}`, key: "a", row: 1},
		{name: "array not array", cols: []string{"a Array(Int8)"}, payload: `{"a":1}`, want: `expected '[' before: '1}'`, key: "a", row: 1},
		{name: "tuple too short", cols: []string{"t Tuple(Int8, String)"}, payload: `{"t":[1]}`, key: "t", row: 1},
		{name: "tuple too long", cols: []string{"t Tuple(Int8, String)"}, payload: `{"t":[1,"a",2]}`, key: "t", row: 1},
		{name: "unknown enum", cols: []string{"e Enum8('a' = 1)"}, payload: `{"e":"zz"}`, key: "e", row: 1},
		{name: "bad surrogate", cols: []string{"s String"}, payload: `{"s":"\ud800"}`, want: "surrogate pair", key: "s", row: 1},
		{name: "error in second row", cols: kv, payload: "{\"key\":1}\n{\"key\":\"x\"}\n", key: "key", row: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tt.settings != nil {
				s = *tt.settings
			}
			h := newHarness(t, mem, tt.cols, s)
			defer h.Release()
			n, err := h.decode(tt.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tt.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.row, pe.Row, "row")
			assert.Equal(t, tt.key, pe.Key, "key")
			assert.Contains(t, err.Error(), fmt.Sprintf("(at row %d)", tt.row))
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			// The staged rows were reset: a good message decodes normally afterwards.
			assert.Zero(t, h.rows.Len())
		})
	}
}

// Every garbage message is exactly one error and never zero rows (VECTORS.md §3).
func TestGarbageIsOneError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, []string{"key UInt64", "value UInt64"}, defaults())
	defer h.Release()
	good := testdata(t, "virt1.json")
	for _, p := range []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"} {
		_, err := h.decode(p)
		require.Error(t, err, p)
	}
	// settings_new_syntax: 25 good, two broken, 25 good → the 50 good rows.
	errs := 0
	for _, p := range []string{good, testdata(t, "settings_new_syntax_1.txt"), testdata(t, "settings_new_syntax_2.txt"), good} {
		if _, err := h.decode(p); err != nil {
			errs++
		}
	}
	assert.Equal(t, 2, errs)
	rec := h.record()
	defer rec.Release()
	assert.EqualValues(t, 50, rec.NumRows())
}

func TestDecodeWrongRows(t *testing.T) {
	cols, err := block.ParseColumns([]string{"a Int8"})
	require.NoError(t, err)
	dec, err := Format{}.NewDecoder(block.Schema(cols), nil)
	require.NoError(t, err)
	other, err := block.ParseColumns([]string{"a Int8", "b Int8"})
	require.NoError(t, err)
	err = dec.Decode(block.NewRows(other, block.Options{}), []byte(`{"a":1}`))
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*ParseError)))
}

// A steady-state decode of the queue schema allocates nothing per row.
func TestDecodeAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, []string{"timestamp UInt64", "level String", "message String"}, defaults())
	defer h.Release()
	payload := []byte(queuePayload(100))
	for range 3 {
		require.NoError(t, h.dec.Decode(h.rows, payload))
		h.rows.Reset()
	}
	allocs := testing.AllocsPerRun(20, func() {
		if err := h.dec.Decode(h.rows, payload); err != nil {
			panic(err)
		}
		h.rows.Reset()
	})
	assert.LessOrEqual(t, allocs, 2.0, "allocations per 100-row message")
}

func queuePayload(n int) string {
	var b strings.Builder
	levels := []string{"info", "warning", "error"}
	for i := range n {
		fmt.Fprintf(&b, `{"timestamp":%d,"level":"%s","message":"request %d served in \"%d ms\" by node-%d"}`+"\n", 1700000000+i, levels[i%3], i, i%97, i%5)
	}
	return b.String()
}
