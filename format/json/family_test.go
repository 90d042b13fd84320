package json

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/format"
)

func TestDecodeFamilyRows(t *testing.T) {
	noHeader := defaults()
	noHeader.WithNamesUseHeader = false
	noTypes := defaults()
	noTypes.WithTypesUseHeader = false
	strictNull := defaults()
	strictNull.NullAsDefault = false
	nested := defaults()
	nested.ImportNestedJSON = true
	kv := []string{"key UInt64", "value String"}
	tests := []struct {
		name     string
		format   string
		cols     []string
		settings *format.Settings
		payloads []string
		want     [][]string // per column, the values of all rows
	}{
		{
			name: "compact: separators, spacing, BOM", format: "JSONCompactEachRow", cols: kv,
			payloads: []string{`[1,"a"],[2,"b"];[3,"c"]`, "\xEF\xBB\xBF [ 4 , \"d\" ]\n\n[5, \"e\"],", `[6,"f"][7,"g"]`, " \n "},
			want:     [][]string{{"1", "2", "3", "4", "5", "6", "7"}, {"a", "b", "c", "d", "e", "f", "g"}},
		},
		{
			name: "compact: typed JSON values", format: "JSONCompactEachRow", cols: []string{"a Array(Nullable(Int32))", "m Map(String, UInt64)", "t Tuple(a Int8, b String)", "s String"},
			payloads: []string{`[[1,null], {"k":"2"}, {"b":"x","a":1}, {"raw": [1]}]`, `[[], {}, [2,"y"], 12.5]`},
			want:     [][]string{{"[1,null]", "[]"}, {`[{"key":"k","value":2}]`, "[]"}, {`{"a":1,"b":"x"}`, `{"a":2,"b":"y"}`}, {`{"raw": [1]}`, "12.5"}},
		},
		{
			name: "with names: header maps fields, unknown names skipped, missing columns default", format: "JSONCompactEachRowWithNames", cols: []string{"a UInt8", "b String", "c Nullable(Int8)"},
			payloads: []string{"[\"b\", \"zzz\", \"a\"]\n[\"x\", {\"any\": [1]}, 1]\n[\"y\", null, 2]", `["c"]` + "\n" + `[5]`},
			want:     [][]string{{"1", "2", "0"}, {"x", "y", ""}, {"(null)", "(null)", "5"}},
		},
		{
			name: "with names: header row only", format: "JSONCompactEachRowWithNames", cols: kv,
			payloads: []string{`["key", "value"]`, "[\"value\"]\n"},
			want:     [][]string{nil, nil},
		},
		{
			name: "with names, use_header off: names skipped, fields in table order", format: "JSONCompactEachRowWithNames", cols: kv, settings: &noHeader,
			payloads: []string{"[\"value\", \"key\"]\n[1, \"a\"]"},
			want:     [][]string{{"1"}, {"a"}},
		},
		{
			name: "with names and types", format: "JSONCompactEachRowWithNamesAndTypes", cols: kv,
			payloads: []string{"[\"value\", \"key\"]\n[\"String\", \"UInt64\"]\n[\"a\", 1]\n[\"b\", 2]"},
			want:     [][]string{{"1", "2"}, {"a", "b"}},
		},
		{
			name: "types: aliases and spacing of the same type are accepted", format: "JSONCompactEachRowWithNamesAndTypes", cols: []string{"a Int64", "m Map(String, Array(Nullable(UInt8)))"},
			payloads: []string{"[\"a\", \"m\"]\n[\"BIGINT\", \"Map(String,Array(Nullable(UInt8)))\"]\n[1, {\"k\": [null]}]"},
			want:     [][]string{{"1"}, {`[{"key":"k","value":[null]}]`}},
		},
		{
			name: "types row not checked with with_types_use_header off", format: "JSONCompactEachRowWithNamesAndTypes", cols: kv, settings: &noTypes,
			payloads: []string{"[\"key\", \"value\"]\n[\"String\", 1]\n[1, \"a\"]"},
			want:     [][]string{{"1"}, {"a"}},
		},
		{
			name: "compact strings", format: "JSONCompactStringsEachRow", cols: []string{"i Int64", "f Float64", "a Array(String)", "t Tuple(Int8, Nullable(String))", "d DateTime", "n Nullable(Int8)", "s String"},
			payloads: []string{`["-1", "inf", "['a','b\\'c']", "(1,NULL)", "2020-01-02 03:04:05", "NULL", "x"]`, `["2", "0.5", "[]", "(2,'z')", "0", "ᴺᵁᴸᴸ", "null"]`, `["3", "nan", "[ 'q' ]", "(3, 'w')", "1970-01-01 00:00:01", "7", ""]`},
			want: [][]string{
				{"-1", "2", "3"}, {"+Inf", "0.5", "NaN"}, {`["a","b'c"]`, "[]", `["q"]`},
				{`{"1":1,"2":null}`, `{"1":2,"2":"z"}`, `{"1":3,"2":"w"}`},
				{"2020-01-02T03:04:05Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z"}, {"(null)", "(null)", "7"}, {"x", "", ""},
			},
		},
		{
			name: "strings: NULL words are text without null_as_default", format: "JSONCompactStringsEachRow", cols: []string{"s String", "n Nullable(String)"}, settings: &strictNull,
			payloads: []string{`["NULL", "null"]`, `["ᴺᵁᴸᴸ", "x"]`},
			want:     [][]string{{"NULL", "ᴺᵁᴸᴸ"}, {"(null)", "x"}},
		},
		{
			name: "compact strings with names and types", format: "JSONCompactStringsEachRowWithNamesAndTypes", cols: kv,
			payloads: []string{"[\"value\", \"key\"]\n[\"String\", \"UInt64\"]\n[\"a\", \"1\"]"},
			want:     [][]string{{"1"}, {"a"}},
		},
		{
			name: "strings each row", format: "JSONStringsEachRow", cols: []string{"i UInt64", "m Map(String, Array(Int8))", "e Enum8('a' = 1, 'b' = 2)"},
			payloads: []string{`{"i":"1","m":"{'k':[1,-2]}","e":"b"}` + "\n" + `{"e":"1"}`, `[{"i":"3"}]`},
			want:     [][]string{{"1", "0", "3"}, {`[{"key":"k","value":[1,-2]}]`, "[]", "[]"}, {"b", "a", "a"}},
		},
		{
			name: "strings each row with nested json", format: "JSONStringsEachRow", cols: []string{"`e.x` UInt8"}, settings: &nested,
			payloads: []string{`{"e":{"x":"5"}}`},
			want:     [][]string{{"5"}},
		},
		{
			name: "object each row", format: "JSONObjectEachRow", cols: kv,
			payloads: []string{`{"row_1": {"key": 1, "value": "a"}, "anything": {"value": "b"}}`, "{\n}", "{\"r\":{\"key\":3}};\n"},
			want:     [][]string{{"1", "0", "3"}, {"a", "b", ""}},
		},
		{
			name: "JSON document: statistics and other members, any order of name and type", format: "JSON", cols: kv,
			payloads: []string{
				`{"meta": [{"type": "UInt64", "name": "key"}, {"name": "extra", "type": "NoSuchType"}], "totals": {"a": [1]}, "data": [{"key": "1", "value": "a", "extra": 1}, {"value": "b"}], "rows": 2, "statistics": {"elapsed": 0.1}}`,
				`{"meta":[],"data":[]}`,
			},
			want: [][]string{{"1", "0"}, {"a", "b"}},
		},
		{
			name: "JSON document without metadata is JSONEachRow", format: "JSON", cols: kv,
			payloads: []string{`{"key": 1, "value": "a"} {"key": 2}`, `[{"key": 3}]`, ``, `{"meta": 1}`},
			want:     [][]string{{"1", "2", "3", "0"}, {"a", "", "", ""}},
		},
		{
			name: "JSONCompact maps fields by metadata", format: "JSONCompact", cols: []string{"key UInt64", "value String", "n Nullable(UInt8)"},
			payloads: []string{`{"meta": [{"name": "value", "type": "String"}, {"name": "skipped", "type": "Int8"}, {"name": "key", "type": "UInt64"}], "data": [["a", 1, "1"], ["b", 2, 2]], "rows": 2}`},
			want:     [][]string{{"1", "2"}, {"a", "b"}, {"(null)", "(null)"}},
		},
		{
			name: "JSONColumns: missing column defaults, unknown skipped, several blocks", format: "JSONColumns", cols: []string{"key UInt64", "value String", "n Nullable(UInt8)"},
			payloads: []string{`{"value": ["a", "b"], "zzz": [[1, "]"], {}], "key": [1, "2"]}` + "\n" + `{"n": [5]}`, `{}`, ` {"key": [], "value": []} `, ``},
			want:     [][]string{{"1", "2", "0"}, {"a", "b", ""}, {"(null)", "(null)", "5"}},
		},
		{
			name: "JSONCompactColumns: fewer columns than the table", format: "JSONCompactColumns", cols: []string{"key UInt64", "value String", "n Nullable(UInt8)"},
			payloads: []string{`[[1, 2], ["a", "b"]]`, `[]`, `[[3]][[4]]`},
			want:     [][]string{{"1", "2", "3", "4"}, {"a", "b", "", ""}, {"(null)", "(null)", "(null)", "(null)"}},
		},
		{
			name: "JSONColumnsWithMetadata", format: "JSONColumnsWithMetadata", cols: kv,
			payloads: []string{`{"meta": [{"name": "key", "type": "UInt64"}], "data": {"key": [7, 8]}, "rows": 2}`, ``},
			want:     [][]string{{"7", "8"}, {"", ""}},
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
			h := newFormatHarness(t, mem, lookup(t, tt.format), tt.cols, s)
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

func TestDecodeFamilyErrors(t *testing.T) {
	strict := defaults()
	strict.SkipUnknownFields = false
	kv := []string{"key UInt64", "value String"}
	tests := []struct {
		name, format string
		cols         []string
		settings     *format.Settings
		payload      string
		want         string // substring of the error text
		row          int
		key          string
	}{
		{name: "compact: too few fields", format: "JSONCompactEachRow", cols: kv, payload: `[1]`, want: `Cannot parse input: expected ',' before: ']'`, row: 1},
		{name: "compact: too many fields", format: "JSONCompactEachRow", cols: kv, payload: "[1, \"a\"]\n[2, \"b\", 3]", want: `expected ']' before: ', 3]'`, row: 2},
		{name: "compact: object row", format: "JSONCompactEachRow", cols: kv, payload: `{"key": 1}`, want: `expected '[' before: '{"key": 1}'`, row: 1},
		{name: "compact: truncated", format: "JSONCompactEachRow", cols: kv, payload: `[1, "a`, want: "expected closing quote", row: 1, key: "value"},
		{name: "compact: bad value", format: "JSONCompactEachRow", cols: kv, payload: "[1, \"a\"]\n[-1, \"b\"]", row: 2, key: "key"},
		{name: "compact: broken skipped value", format: "JSONCompactEachRowWithNames", cols: kv, payload: "[\"zz\", \"key\"]\n[[1,}, 2]", want: "Cannot parse JSON value", row: 1},
		{name: "header: not strings", format: "JSONCompactEachRowWithNames", cols: kv, payload: `[1, 2]`, want: "Cannot parse JSON string: expected opening quote", row: 1},
		{name: "header: unknown name", format: "JSONCompactEachRowWithNames", cols: kv, settings: &strict, payload: "[\"key\", \"zzz\"]\n", want: "Unknown field found in JSONCompactEachRowWithNames header: 'zzz' at position 1", row: 1},
		{name: "header: duplicate name", format: "JSONCompactEachRowWithNames", cols: kv, payload: "[\"key\", \"key\"]\n", want: "Duplicate field found while parsing JSONCompactEachRowWithNames header: key", row: 1},
		{name: "header: type differs", format: "JSONCompactEachRowWithNamesAndTypes", cols: kv, payload: "[\"key\", \"value\"]\n[\"String\", \"String\"]\n", want: "Type of 'key' must be UInt64, not String", row: 1},
		{name: "header: unknown type", format: "JSONCompactEachRowWithNamesAndTypes", cols: kv, payload: "[\"key\", \"value\"]\n[\"Nope\", \"String\"]\n", want: "Type of 'key' must be UInt64, not Nope", row: 1},
		{name: "header: types count", format: "JSONCompactEachRowWithNamesAndTypes", cols: kv, payload: "[\"key\", \"value\"]\n[\"UInt64\"]\n", want: "The number of data types differs from the number of column names in input data", row: 1},
		{name: "header: names only", format: "JSONCompactEachRowWithNamesAndTypes", cols: kv, payload: "[\"key\", \"value\"]\n", want: "expected '[' at end of stream", row: 1},
		{name: "strings: number instead of string", format: "JSONCompactStringsEachRow", cols: kv, payload: `[1, "a"]`, want: "Cannot parse JSON string: expected opening quote: (while reading the value of key key): (at row 1)", row: 1, key: "key"},
		{name: "strings: null is not a string", format: "JSONStringsEachRow", cols: kv, payload: `{"value": null}`, want: "Cannot parse JSON string: expected opening quote", row: 1, key: "value"},
		{name: "strings: bad literal", format: "JSONCompactStringsEachRow", cols: []string{"a Array(UInt8)"}, payload: `["[1,"]`, row: 1, key: "a"},
		{name: "strings: bad number", format: "JSONStringsEachRow", cols: kv, payload: `{"key": "x1"}`, row: 1, key: "key"},
		{name: "object each row: row is not an object", format: "JSONObjectEachRow", cols: kv, payload: `{"row_1": [1]}`, want: `expected '{' before: '[1]}'`, row: 1},
		{name: "object each row: no name", format: "JSONObjectEachRow", cols: kv, payload: `{{"key": 1}}`, want: "Cannot parse JSON string: expected opening quote", row: 1},
		{name: "object each row: unclosed", format: "JSONObjectEachRow", cols: kv, payload: `{"row_1": {"key": 1}`, want: "expected '}' at end of stream", row: 2},
		{name: "object each row: garbage after", format: "JSONObjectEachRow", cols: kv, payload: `{"row_1": {"key": 1}} x`, want: "expected 'eof' before: 'x'", row: 2},
		{name: "object each row: missing comma", format: "JSONObjectEachRow", cols: kv, payload: `{"row_1": {"key": 1} "row_2": {}}`, want: `expected ',' before: '"row_2"`, row: 2},
		{name: "JSON: metadata type differs", format: "JSON", cols: kv, payload: `{"meta": [{"name": "key", "type": "String"}], "data": []}`, want: "Type String of column 'key' from metadata is not the same as type in header UInt64", row: 1},
		{name: "JSON: unknown type of a column", format: "JSON", cols: kv, payload: `{"meta": [{"name": "key", "type": "Nope"}], "data": []}`, want: `Cannot parse type "Nope" of column 'key' from metadata`, row: 1},
		{name: "JSON: bad row", format: "JSON", cols: kv, payload: `{"meta": [], "data": [{"key": 1}, {"key": "x"}]}`, row: 2, key: "key"},
		{name: "JSON: unclosed data", format: "JSON", cols: kv, payload: `{"meta": [], "data": [{"key": 1}`, want: "expected ']' at end of stream", row: 2},
		{name: "JSON: garbage after the document", format: "JSON", cols: kv, payload: `{"meta": [], "data": []} {}`, want: "expected 'eof' before: '{}'", row: 1},
		{name: "JSON: unknown field", format: "JSON", cols: kv, settings: &strict, payload: `{"meta": [], "data": [{"zz": 1}]}`, want: "Unknown field found while parsing JSONEachRow format: zz", row: 1},
		{name: "JSONCompact: no metadata", format: "JSONCompact", cols: kv, payload: `{"data": [[1, "a"]]}`, want: `Expected field "meta" with columns names and types, found field data`, row: 1},
		{name: "JSONCompact: bad metadata entry", format: "JSONCompact", cols: kv, payload: `{"meta": [{"name": "key", "size": "8"}], "data": []}`, want: `Expected two fields "name" and "type" with column name and type, found fields "name" and "size"`, row: 1},
		{name: "JSONCompact: no data", format: "JSONCompact", cols: kv, payload: `{"meta": [], "rows": 0}`, want: `Expected field "data" with table content`, row: 1},
		{name: "JSONCompact: unknown column", format: "JSONCompact", cols: kv, settings: &strict, payload: `{"meta": [{"name": "x", "type": "UInt8"}], "data": []}`, want: "Unknown field found in JSONCompact header: 'x' at position 0", row: 1},
		{name: "JSONCompact: row longer than metadata", format: "JSONCompact", cols: kv, payload: `{"meta": [{"name": "key", "type": "UInt64"}], "data": [[1, 2]]}`, want: "expected ']' before: ', 2]]}'", row: 1},
		{name: "columns: row counts differ", format: "JSONColumns", cols: kv, payload: `{"key": [1, 2], "value": ["a"]}`, want: "Number of rows differs in different columns: 2 != 1"},
		{name: "columns: unknown column", format: "JSONColumns", cols: kv, settings: &strict, payload: `{"zz": [1]}`, want: "Unknown column found in input data: zz"},
		{name: "columns: duplicate column", format: "JSONColumns", cols: kv, payload: `{"key": [1], "key": [2]}`, want: "Duplicate column found in input data: key"},
		{name: "columns: not an array", format: "JSONColumns", cols: kv, payload: `{"key": 1}`, want: "expected '[' before: '1}'"},
		{name: "columns: unknown column not an array", format: "JSONColumns", cols: kv, payload: `{"zz": 1}`, want: "expected '[' before: '1}'"},
		{name: "columns: bad value", format: "JSONColumns", cols: kv, payload: `{"value": ["a", "b", "c"], "key": [1, 2, "x"]}`, key: "key", row: 3},
		{name: "columns: broken json", format: "JSONColumns", cols: kv, payload: `{"key": [1, }`, want: "Cannot parse JSON value: unexpected symbol"},
		{name: "columns: truncated", format: "JSONColumns", cols: kv, payload: `{"key": [1, 2]`, want: "expected ',' at end of stream"},
		{name: "compact columns: too many columns", format: "JSONCompactColumns", cols: kv, payload: `[[1], ["a"], [2]]`, want: "Input data has too many columns, expected 2 columns"},
		{name: "columns with metadata: two documents", format: "JSONColumnsWithMetadata", cols: kv, payload: `{"meta": [], "data": {}} {"meta": [], "data": {}}`, want: "expected 'eof' before: '{\"meta\""},
		{name: "columns with metadata: type differs", format: "JSONColumnsWithMetadata", cols: kv, payload: `{"meta": [{"name": "value", "type": "UInt8"}], "data": {}}`, want: "Type UInt8 of column 'value' from metadata is not the same as type in header String"},
		{name: "columns with metadata: bad value", format: "JSONColumnsWithMetadata", cols: kv, payload: `{"meta": [], "data": {"key": [1, -1]}}`, key: "key", row: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := defaults()
			if tt.settings != nil {
				s = *tt.settings
			}
			h := newFormatHarness(t, mem, lookup(t, tt.format), tt.cols, s)
			defer h.Release()
			n, err := h.decode(tt.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tt.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.row, pe.Row, "row")
			assert.Equal(t, tt.key, pe.Key, "key")
			if tt.row == 0 {
				assert.NotContains(t, err.Error(), "(at row")
			}
			// A good message decodes normally afterwards.
			assert.Zero(t, h.rows.Len())
		})
	}
}
