package block

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
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
		"d Date", "d32 Date32", "dt DateTime('Asia/Istanbul')", "dtu DateTime", "dt64 DateTime64(9)", "dec Decimal(9, 3)",
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

// FuzzDictionary stages the values of s split at '|' (and, as LowCardinality(UInt16), its
// pairs of bytes) and checks that the LowCardinality dictionaries hold each distinct value
// once, in order of first appearance, and that every row's index names its value: values
// that share their length and first and last bytes must still be told apart.
func FuzzDictionary(f *testing.F) {
	for _, s := range []string{"", "a|b|a", "|x||x|", "abcdefgh12345678|abcdefgh12345678|abcdefgX12345678",
		"0123456789abcdefXYZ0123456789abcdef|0123456789abcdefxyz0123456789abcdef|0123456789abcdefXYZ0123456789abcdef",
		"abcd|abcd|abXd|abcde|abXde|aXc|abc|ab|a|a"} {
		f.Add(s)
	}
	cols := mustColumnsF(f, "s LowCardinality(String)", "u LowCardinality(UInt16)")
	f.Fuzz(func(t *testing.T, s string) {
		vals := strings.Split(s, "|")
		rows := NewRows(cols, Options{})
		var nums []string
		for i, v := range vals {
			if err := rows.Col(0).AppendText([]byte(v)); err != nil {
				t.Fatal(err)
			}
			num := "0"
			if i+1 < len(s) {
				num = strconv.Itoa(int(s[i])<<8 | int(s[i+1]))
			}
			nums = append(nums, num)
			if err := rows.Col(1).AppendText([]byte(num)); err != nil {
				t.Fatal(err)
			}
			if err := rows.EndRow(); err != nil {
				t.Fatal(err)
			}
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		b, err := NewBuilder(mem, cols, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Release()
		for range 2 { // a second batch restarts the dictionaries
			b.AppendRange(rows, 0, len(vals)/2, nil)
			b.AppendRange(rows, len(vals)/2, len(vals), nil)
			rec := b.NewRecordBatch()
			for c, want := range [][]string{vals, nums} {
				d := rec.Column(c).(*array.Dictionary)
				var dict []string
				for i := range d.Dictionary().Len() {
					dict = append(dict, d.Dictionary().ValueStr(i))
				}
				var distinct []string
				seen := map[string]bool{}
				for i, v := range want {
					if !seen[v] {
						seen[v] = true
						distinct = append(distinct, v)
					}
					if got := dict[d.GetValueIndex(i)]; got != v {
						t.Fatalf("column %d row %d: %q, want %q", c, i, got, v)
					}
				}
				if !slices.Equal(dict, distinct) {
					t.Fatalf("column %d: dictionary %q, want %q", c, dict, distinct)
				}
			}
			rec.Release()
		}
	})
}
