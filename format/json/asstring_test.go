package json

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/virtualcols"
)

// SPEC §14 test_kafka_json_as_string (VECTORS.md §7): three JSON documents and an empty
// message give the three texts verbatim (the tombstone never reaches the decoder).
func TestJSONAsStringVector(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newFormatHarness(t, mem, lookup(t, "JSONAsString"), []string{"field String"}, defaults())
	defer h.Release()
	docs := []string{testdata(t, "as_string_1.json"), testdata(t, "as_string_2.json"), testdata(t, "as_string_3.json")}
	for _, p := range []string{docs[0], "", docs[1], docs[2]} {
		_, err := h.decode(p)
		require.NoError(t, err)
	}
	rec := h.record()
	defer rec.Release()
	assert.Equal(t, docs, strs(rec.Column(0)))
}

func TestJSONAsStringDecode(t *testing.T) {
	tests := []struct {
		name, col string
		payload   string
		want      []string
		err       string
	}{
		{name: "several objects", col: "String", payload: "{\"a\":1} {}\n,{\"b\": [1, {\"c\": \"}\"}]},", want: []string{`{"a":1}`, `{}`, `{"b": [1, {"c": "}"}]}`}},
		{name: "array of objects", col: "String", payload: `[{"id": 1, "name": "name1"}, {"id": 2, "name": "name2"}]`, want: []string{`{"id": 1, "name": "name1"}`, `{"id": 2, "name": "name2"}`}},
		{name: "escaped quotes and braces", col: "String", payload: `{"a":"\"}{\\"}`, want: []string{`{"a":"\"}{\\"}`}},
		{name: "semicolon ends", col: "LowCardinality(Nullable(String))", payload: "\xEF\xBB\xBF{\"x\":{}};\n", want: []string{`{"x":{}}`}},
		{name: "blank", col: "Nullable(String)", payload: " \n\t", want: nil},
		{name: "empty array", col: "String", payload: "[]", want: nil},
		{name: "not an object", col: "String", payload: `{"a":1} [1]`, err: "JSON object must begin with '{'.: (at row 2)"},
		{name: "string", col: "String", payload: `"x"`, err: "JSON object must begin with '{'.: (at row 1)"},
		{name: "unfinished", col: "String", payload: `{"a":{"b":1}`, err: "Unexpected end of file while parsing JSON object.: (at row 1)"},
		{name: "unfinished string", col: "String", payload: `{"a":"}`, err: "Unexpected end of file while parsing JSON object."},
		{name: "backslash at the end", col: "String", payload: `{"a":"\`, err: "Unexpected end of file while parsing JSON object."},
		{name: "unclosed array", col: "String", payload: `[{}`, err: "expected ']' at end of stream.: (at row 2)"},
		{name: "garbage after", col: "String", payload: `{};x`, err: "expected 'eof' before: 'x': (at row 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := newFormatHarness(t, mem, lookup(t, "JSONAsString"), []string{"field " + tt.col}, defaults())
			defer h.Release()
			_, err := h.decode(tt.payload)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			rec := h.record()
			defer rec.Release()
			if tt.want == nil {
				assert.Zero(t, rec.NumRows())
				return
			}
			assert.Equal(t, tt.want, strs(rec.Column(0)))
		})
	}
}

func TestJSONAsStringSchema(t *testing.T) {
	f := lookup(t, "JSONAsString")
	for _, defs := range [][]string{{"a String", "b String"}, {"a UInt8"}, {"a FixedString(3)"}, {"a Array(String)"}} {
		cols, err := block.ParseColumns(defs)
		require.NoError(t, err)
		_, err = f.NewDecoder(block.Schema(cols), nil)
		assert.ErrorContains(t, err, "JSONAsString is only suitable for tables with a single column of type String", "%v", defs)
		_, err = f.NewEncoder(block.Schema(cols), nil)
		assert.Error(t, err, "%v", defs)
	}
}

// JSONAsString writes each value on its own line, which reads back as the same values.
func TestJSONAsStringEncode(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"field Nullable(String)"})
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{})
	for _, v := range []string{`{"a": 1}`, "{\n\"b\": \"\\n\"\n}"} {
		require.NoError(t, rows.Col(0).AppendText([]byte(v)))
		require.NoError(t, rows.EndRow())
	}
	require.NoError(t, rows.Col(0).AppendNull())
	require.NoError(t, rows.EndRow())
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, &virtualcols.Message{})
	rec := b.NewRecordBatch()
	defer rec.Release()

	f := lookup(t, "JSONAsString")
	enc, err := f.NewEncoder(rec.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append([]byte("x"), rec, 0, 2)
	require.NoError(t, err)
	assert.Equal(t, "x{\"a\": 1}\n{\n\"b\": \"\\n\"\n}\n", string(out))

	dec, err := f.NewDecoder(rec.Schema(), nil)
	require.NoError(t, err)
	rows.Reset()
	require.NoError(t, dec.Decode(rows, out[1:]))
	b.Append(rows, &virtualcols.Message{})
	back := b.NewRecordBatch()
	defer back.Release()
	want := array.NewSlice(rec.Column(0), 0, 2)
	defer want.Release()
	assert.True(t, array.Equal(want, back.Column(0)))

	out, err = enc.Append([]byte("keep"), rec, 1, 3)
	assert.True(t, errors.Is(err, errors.ErrUnsupported), "NULL: %v", err)
	assert.Equal(t, "keep", string(out))
}
