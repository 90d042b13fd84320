package json

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

func TestRegisteredFamily(t *testing.T) {
	for k := range numKinds {
		f := lookup(t, k.String())
		assert.Equal(t, Format{kind: k}, f)
		assert.Equal(t, k.String(), f.Name())
		assert.Equal(t, k == kindColumns || k == kindCompactColumns || k == kindColumnsWithMetadata, format.IsBlockOriented(f), k.String())
	}
	for _, alias := range []string{"JSONLines", "NDJSON"} {
		assert.Equal(t, lookup(t, "JSONEachRow"), lookup(t, alias))
	}
	_, err := format.Lookup("jsoneachrow")
	assert.ErrorIs(t, err, format.ErrUnknownFormat, "names are case-sensitive")

	cols, err := block.ParseColumns(matrixCols)
	require.NoError(t, err)
	for _, name := range []string{"JSONStrings", "JSONCompactStrings"} {
		_, err := lookup(t, name).NewDecoder(block.Schema(cols), nil)
		assert.ErrorIs(t, err, errors.ErrUnsupported, name)
		_, err = lookup(t, name).NewEncoder(block.Schema(cols), nil)
		assert.NoError(t, err, name)
	}
}

// matrixRow renders row id of the format matrix (VECTORS.md §1) in format k, the way
// ClickHouse writes it; k's document framing is added by matrixMessage.
func matrixRow(k kind, id int) string {
	switch k {
	case kindEachRow:
		return fmt.Sprintf(`{"id":"%d","blockNo":0,"val1":"AM","val2":0.5,"val3":1}`, id)
	case kindStringsEachRow:
		return fmt.Sprintf(`{"id":"%d","blockNo":"0","val1":"AM","val2":"0.5","val3":"1"}`, id)
	case kindObjectEachRow:
		return matrixRow(kindEachRow, id)
	case kindCompactStringsEachRow, kindCompactStringsEachRowWithNames, kindCompactStringsEachRowWithNamesAndTypes:
		return fmt.Sprintf(`["%d", "0", "AM", "0.5", "1"]`, id)
	case kindDocument:
		return fmt.Sprintf("\t\t{\n\t\t\t\"id\": \"%d\",\n\t\t\t\"blockNo\": 0,\n\t\t\t\"val1\": \"AM\",\n\t\t\t\"val2\": 0.5,\n\t\t\t\"val3\": 1\n\t\t}", id)
	case kindCompact:
		return fmt.Sprintf(`		["%d", 0, "AM", 0.5, 1]`, id)
	}
	return fmt.Sprintf(`["%d", 0, "AM", 0.5, 1]`, id)
}

const matrixMeta = "{\n\t\"meta\":\n\t[\n" +
	"\t\t{\n\t\t\t\"name\": \"id\",\n\t\t\t\"type\": \"Int64\"\n\t\t},\n" +
	"\t\t{\n\t\t\t\"name\": \"blockNo\",\n\t\t\t\"type\": \"UInt16\"\n\t\t},\n" +
	"\t\t{\n\t\t\t\"name\": \"val1\",\n\t\t\t\"type\": \"String\"\n\t\t},\n" +
	"\t\t{\n\t\t\t\"name\": \"val2\",\n\t\t\t\"type\": \"Float32\"\n\t\t},\n" +
	"\t\t{\n\t\t\t\"name\": \"val3\",\n\t\t\t\"type\": \"UInt8\"\n\t\t}\n" +
	"\t],\n\n"

// matrixMessage renders rows [from, to] of the format matrix as one ClickHouse message of
// format k.
func matrixMessage(k kind, from, to int) string {
	var b strings.Builder
	switch k {
	case kindColumns, kindColumnsWithMetadata, kindCompactColumns:
		var ids []string
		var zeros, ams, halves, ones []string
		for id := from; id <= to; id++ {
			ids = append(ids, fmt.Sprintf(`"%d"`, id))
			zeros, ams, halves, ones = append(zeros, "0"), append(ams, `"AM"`), append(halves, "0.5"), append(ones, "1")
		}
		values := [][]string{ids, zeros, ams, halves, ones}
		names := []string{"id", "blockNo", "val1", "val2", "val3"}
		indent := "\t"
		switch k {
		case kindCompactColumns:
			b.WriteString("[\n")
		case kindColumnsWithMetadata:
			b.WriteString(matrixMeta + "\t\"data\":\n\t{\n")
			indent = "\t\t"
		default:
			b.WriteString("{\n")
		}
		for c, v := range values {
			if c > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(indent)
			if k != kindCompactColumns {
				b.WriteString(`"` + names[c] + `": `)
			}
			b.WriteString("[" + strings.Join(v, ", ") + "]")
		}
		switch k {
		case kindCompactColumns:
			b.WriteString("\n]\n")
		case kindColumnsWithMetadata:
			fmt.Fprintf(&b, "\n\t},\n\n\t\"rows\": %d\n}\n", to-from+1)
		default:
			b.WriteString("\n}\n")
		}
		return b.String()
	case kindObjectEachRow:
		b.WriteString("{\n")
		for id := from; id <= to; id++ {
			if id > from {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, "\t\"row_%d\": %s", id-from+1, matrixRow(k, id))
		}
		b.WriteString("\n}\n")
		return b.String()
	case kindDocument, kindCompact:
		b.WriteString(matrixMeta + "\t\"data\":\n\t[\n")
		for id := from; id <= to; id++ {
			if id > from {
				b.WriteString(",\n")
			}
			b.WriteString(matrixRow(k, id))
		}
		fmt.Fprintf(&b, "\n\t],\n\n\t\"rows\": %d\n}\n", to-from+1)
		return b.String()
	}
	if k.withNames() {
		b.WriteString("[\"id\", \"blockNo\", \"val1\", \"val2\", \"val3\"]\n")
	}
	if k.withTypes() {
		b.WriteString("[\"Int64\", \"UInt16\", \"String\", \"Float32\", \"UInt8\"]\n")
	}
	for id := from; id <= to; id++ {
		b.WriteString(matrixRow(k, id) + "\n")
	}
	return b.String()
}

// emptyError is the error of an empty message for the formats that do not accept one
// (VECTORS.md §1.2 "Empty OK", SPEC §7.2); "" means an empty message has no rows.
var emptyError = map[kind]string{
	kindCompactEachRowWithNames:                "expected '[' at end of stream",
	kindCompactEachRowWithNamesAndTypes:        "Cannot parse input: expected '[' at end of stream.",
	kindCompactStringsEachRowWithNames:         "expected '[' at end of stream",
	kindCompactStringsEachRowWithNamesAndTypes: "expected '[' at end of stream",
	kindObjectEachRow:                          "expected '{' at end of stream",
	kindCompact:                                "expected '{' at end of stream",
}

// VECTORS.md §1 for every readable format of the family (JSONAsString has its own test):
// the empty message where it is allowed, M1, M2 (15 rows) and M3 give the 17 rows; the
// payloads are exactly what ClickHouse writes, and what the encoder writes.
func TestFormatMatrixAllFormats(t *testing.T) {
	for _, k := range readableKinds() {
		if k == kindAsString {
			continue
		}
		t.Run(k.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := newFormatHarness(t, mem, lookup(t, k.String()), matrixCols, defaults())
			defer h.Release()

			n, err := h.decode("")
			if want := emptyError[k]; want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), want)
			} else {
				require.NoError(t, err)
				assert.Zero(t, n)
			}
			m1, m2 := matrixMessage(k, 0, 0), matrixMessage(k, 1, 15)
			for _, m := range []struct {
				payload string
				rows    int
			}{{m1, 1}, {m2, 15}, {m1, 1}} {
				n, err := h.decode(m.payload)
				require.NoError(t, err, "%s", m.payload)
				assert.Equal(t, m.rows, n)
			}
			rec := h.record()
			defer rec.Release()
			checkMatrixRows(t, rec.Column(0).(*array.Int64), rec)

			// The encoder writes the same messages.
			enc, err := lookup(t, k.String()).NewEncoder(rec.Schema(), nil)
			require.NoError(t, err)
			out, err := enc.Append(nil, rec, 0, 1)
			require.NoError(t, err)
			assert.Equal(t, m1, string(out))
			out, err = enc.Append(out[:0], rec, 1, 16)
			require.NoError(t, err)
			assert.Equal(t, m2, string(out))
		})
	}
}

func checkMatrixRows(t *testing.T, ids *array.Int64, rec interface{ NumRows() int64 }) {
	t.Helper()
	require.EqualValues(t, 17, rec.NumRows())
	for i := range 17 {
		want := int64(i)
		if i == 16 {
			want = 0
		}
		assert.Equal(t, want, ids.Value(i))
	}
}

// VECTORS.md §1, the exact payloads of the JSONCompact formats' rows.
func TestFormatMatrixVectors(t *testing.T) {
	assert.Equal(t, "[\"0\", 0, \"AM\", 0.5, 1]\n", matrixMessage(kindCompactEachRow, 0, 0))
	assert.Equal(t, "[\"id\", \"blockNo\", \"val1\", \"val2\", \"val3\"]\n[\"Int64\", \"UInt16\", \"String\", \"Float32\", \"UInt8\"]\n[\"0\", 0, \"AM\", 0.5, 1]\n",
		matrixMessage(kindCompactEachRowWithNamesAndTypes, 0, 0))
	assert.Equal(t, testdata(t, "matrix_m1.json"), matrixMessage(kindEachRow, 0, 0))
	assert.Equal(t, testdata(t, "matrix_m2.json"), matrixMessage(kindEachRow, 1, 15))
	for _, k := range readableKinds() {
		if k == kindAsString || k == kindEachRow {
			continue
		}
		assert.Equal(t, testdata(t, "matrix_"+k.String()+"_m1.json"), matrixMessage(k, 0, 0), k.String())
	}
}

// VECTORS.md §2: the broken fourth message of the stream-mode matrix test.
func TestBrokenMessageVectors(t *testing.T) {
	tests := []struct {
		format, payload, want string
		key                   string
	}{
		{"JSONEachRow", testdata(t, "broken.json"), `Cannot parse input: expected '"' before: 'BAD","val1":"AM","val2":0.5,"val3":1}': (while reading the value of key blockNo)`, "blockNo"},
		{"JSONCompactEachRow", testdata(t, "broken_compact.json"), `Cannot parse input: expected '"' before: 'BAD", "AM", 0.5, 1]': (while reading the value of key blockNo)`, "blockNo"},
		{"JSONCompactEachRowWithNamesAndTypes", testdata(t, "broken_compact.json"), `Cannot parse JSON string: expected opening quote`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := newFormatHarness(t, mem, lookup(t, tt.format), matrixCols, defaults())
			defer h.Release()
			k := lookup(t, tt.format).kind
			good := []string{matrixMessage(k, 0, 0), matrixMessage(k, 1, 15), matrixMessage(k, 0, 0)}
			h.mustDecode(good...)
			n, err := h.decode(tt.payload)
			require.Error(t, err)
			assert.Zero(t, n)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "(at row 1)")
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.key, pe.Key)
			rec := h.record()
			defer rec.Release()
			checkMatrixRows(t, rec.Column(0).(*array.Int64), rec)
		})
	}
}

// VECTORS.md §3 and SPEC §11.5: every garbage message is exactly one error, never rows.
func TestGarbageAllFormats(t *testing.T) {
	garbage := []string{
		testdata(t, "garbage_1.txt"), testdata(t, "garbage_2.txt"), testdata(t, "garbage_3.txt"),
		testdata(t, "formats_errors.txt"), testdata(t, "settings_new_syntax_1.txt"), testdata(t, "settings_new_syntax_2.txt"),
	}
	for _, k := range readableKinds() {
		t.Run(k.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			defs := []string{"key UInt64", "value UInt64"}
			if k == kindAsString {
				defs = []string{"field String"}
			}
			h := newFormatHarness(t, mem, lookup(t, k.String()), defs, defaults())
			defer h.Release()
			for _, p := range garbage {
				n, err := h.decode(p)
				require.Error(t, err, "%q", p)
				assert.Zero(t, n)
				assert.NotEmpty(t, err.Error())
				assert.Zero(t, h.rows.Len())
			}
			rec := h.record()
			defer rec.Release()
			assert.Zero(t, rec.NumRows())
		})
	}
}

// The JSONEachRow texts for the garbage vectors are ClickHouse's (VECTORS.md §3); the
// other formats report where their structure breaks.
func TestGarbageMessages(t *testing.T) {
	tests := []struct {
		format, want string
	}{
		{"JSONEachRow", `Cannot parse input: expected '{' before: 'qwertyuiop': (at row 1)`},
		{"JSONStringsEachRow", `Cannot parse input: expected '{' before: 'qwertyuiop': (at row 1)`},
		{"JSON", `Cannot parse input: expected '{' before: 'qwertyuiop': (at row 1)`},
		{"JSONObjectEachRow", `Cannot parse input: expected '{' before: 'qwertyuiop': (at row 1)`},
		{"JSONCompactEachRow", `Cannot parse input: expected '[' before: 'qwertyuiop': (at row 1)`},
		{"JSONCompactEachRowWithNames", `Cannot parse input: expected '[' before: 'qwertyuiop': (at row 1)`},
		{"JSONCompact", `Cannot parse input: expected '{' before: 'qwertyuiop': (at row 1)`},
		{"JSONColumns", `Cannot parse input: expected '{' before: 'qwertyuiop'`},
		{"JSONCompactColumns", `Cannot parse input: expected '[' before: 'qwertyuiop'`},
		{"JSONColumnsWithMetadata", `Cannot parse input: expected '{' before: 'qwertyuiop'`},
		{"JSONAsString", `JSON object must begin with '{'.: (at row 1)`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			defs := []string{"key UInt64", "value UInt64"}
			if tt.format == "JSONAsString" {
				defs = []string{"field String"}
			}
			cols, err := block.ParseColumns(defs)
			require.NoError(t, err)
			dec, err := lookup(t, tt.format).NewDecoder(block.Schema(cols), nil)
			require.NoError(t, err)
			rows := block.NewRows(cols, block.Options{NullAsDefault: true})
			err = dec.Decode(rows, []byte("qwertyuiop"))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}
