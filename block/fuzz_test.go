package block

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzAppendText feeds arbitrary text to every kind of column: AppendText must return an
// error or stage exactly one value, never panic, and the staged rows must build.
func FuzzAppendText(f *testing.F) {
	for _, s := range []string{"", "0", "-1", "+5", "1.5", "1e309", "inf", "nan", "true", "abc",
		"2020-01-01", "2020-01-01 10:20:30.123", "2020-01-01T10:20:30+03:00", "20200101T102030Z",
		"1577836800.5", "-0.005", "9999999999999999999999999999999999999999", "1e-99999",
		"61f0c404-5cb3-11e7-907b-a6006ad3dba0", "[1,NULL,'x']", "{'a':[1]}", "(1,'a')", "[[", "'\\x4",
		"00000000-0000-0000-0000-00000000-000"} {
		f.Add(s)
	}
	cols := mustColumnsF(f, "i8 Int8", "u64 UInt64", "f32 Float32", "b Bool", "s String", "fs FixedString(3)",
		"d Date", "d32 Date32", "dt DateTime('Asia/Istanbul')", "dt64 DateTime64(9)", "dec Decimal(9, 3)",
		"dec2 Decimal(76, 10)", "u UUID", "e Enum8('a' = 1, 'b' = 2)", "n Nullable(Int32)",
		"lc LowCardinality(Nullable(String))", "a Array(Nullable(Int32))", "m Map(String, Array(UInt8))",
		"t Tuple(a Int8, b Array(String))")
	f.Fuzz(func(t *testing.T, s string) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		for _, opts := range []Options{{}, {DateTimeBestEffort: true, NullAsDefault: true}} {
			rows := NewRows(cols, opts)
			for i := range cols {
				c := rows.Col(i)
				before := c.Len()
				err := c.AppendText([]byte(s))
				if want := before + 1; err == nil && c.Len() != want || err != nil && c.Len() != before {
					t.Fatalf("%s: %q: len %d -> %d, err %v", cols[i].Name, s, before, c.Len(), err)
				}
			}
			if err := rows.EndRow(); err != nil {
				t.Fatal(err)
			}
			b, err := NewBuilder(mem, cols, nil)
			if err != nil {
				t.Fatal(err)
			}
			b.Append(rows, nil)
			b.NewRecordBatch().Release()
			b.Release()
		}
	})
}

func mustColumnsF(f *testing.F, defs ...string) []Column {
	cols, err := ParseColumns(defs)
	if err != nil {
		f.Fatal(err)
	}
	return cols
}
