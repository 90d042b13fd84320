package json

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/virtualcols"
)

// Strings inside Array/Map/Tuple literals of the *Strings* formats are quoted with
// ClickHouse's escapes and read back byte for byte, including quotes, backslashes,
// control bytes and the NULL words (which are only NULL unquoted).
func TestStringsFormatsNestedText(t *testing.T) {
	tricky := []string{"it's", `back\slash`, "\n\t\r\b\f\x00\x01", `"NULL"`, "NULL", "ᴺᵁᴸᴸ", "[1,2]", "(a,b)", "{'k':1}", "é😀", ""}
	defs := []string{"a Array(String)", "m Map(String, Nullable(String))", "t Tuple(s String, f FixedString(3), e Enum8('it''s' = 1, 'b\\\\' = 2))", "n Array(Nullable(String))"}
	for _, name := range []string{"JSONStringsEachRow", "JSONCompactStringsEachRow", "JSONCompactStringsEachRowWithNamesAndTypes"} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			cols, err := block.ParseColumns(defs)
			require.NoError(t, err)
			rows := block.NewRows(cols, block.Options{})
			for i, s := range tricky {
				a := rows.Col(0).BeginArray()
				require.NoError(t, a.AppendText([]byte(s)))
				require.NoError(t, a.AppendText([]byte(s+s)))
				rows.Col(0).EndArray()
				k, v := rows.Col(1).BeginMap()
				require.NoError(t, k.AppendText([]byte(s)))
				require.NoError(t, v.AppendText([]byte(s)))
				require.NoError(t, k.AppendText([]byte("null")))
				require.NoError(t, v.AppendNull())
				require.NoError(t, rows.Col(1).EndMap())
				tc := rows.Col(2)
				tc.BeginTuple()
				require.NoError(t, tc.Field(0).AppendText([]byte(s)))
				require.NoError(t, tc.Field(1).AppendText([]byte(s[:min(len(s), 3)])))
				require.NoError(t, tc.Field(2).AppendInt(int64(1+i%2)))
				require.NoError(t, tc.EndTuple())
				n := rows.Col(3).BeginArray()
				require.NoError(t, n.AppendNull())
				require.NoError(t, n.AppendText([]byte(s)))
				rows.Col(3).EndArray()
				require.NoError(t, rows.EndRow())
			}
			b, err := block.NewBuilder(mem, cols, nil)
			require.NoError(t, err)
			defer b.Release()
			b.Append(rows, &virtualcols.Message{})
			src := b.NewRecordBatch()
			defer src.Release()

			f := lookup(t, name)
			enc, err := f.NewEncoder(src.Schema(), nil)
			require.NoError(t, err)
			out, err := enc.Append(nil, src, 0, int(src.NumRows()))
			require.NoError(t, err)
			dec, err := f.NewDecoder(src.Schema(), nil)
			require.NoError(t, err)
			rows.Reset()
			require.NoError(t, dec.Decode(rows, out), "%s", out)
			b.Append(rows, &virtualcols.Message{})
			got := b.NewRecordBatch()
			defer got.Release()
			for c := range src.NumCols() {
				assert.True(t, array.Equal(src.Column(int(c)), got.Column(int(c))), "column %s:\n%v\n%v\n%s", src.ColumnName(int(c)), src.Column(int(c)), got.Column(int(c)), out)
			}
		})
	}
}
