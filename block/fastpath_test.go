package block

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the fast paths: each checks a fast path against the plain code it replaces.

func TestEnumNames(t *testing.T) {
	names := []string{"", "a", "ab", "abc", "none", "open", "closed", "created", "Event",
		"ForkEvent", "IssuesEvent", "IssueCommentEvent", "PullRequestEvent", "PullRequestReviewEvent",
		"PullRequestReviewCommentEvent", "aaaaaaaaXaaaaaaaa", "aaaaaaaaYaaaaaaaa", "12345678",
		"1234567812345678", "123456781234567", "x\x00y", strings.Repeat("long", 40)}
	vals := make([]EnumValue, len(names))
	for i, n := range names {
		vals[i] = EnumValue{Name: n, Value: int16(i)}
	}
	e := newEnumNames(vals)
	for i, n := range names {
		pos, ok := e.lookup([]byte(n))
		require.True(t, ok, "%q", n)
		assert.Equal(t, int32(i), pos, "%q", n)
	}
	for _, n := range []string{"b", "nonE", "non", "nonee", "ForkEvenT", "aaaaaaaaZaaaaaaaa", "12345679",
		"1234567812345679", "x\x00z", strings.Repeat("long", 39), "PullRequestReviewCommentEvenT"} {
		_, ok := e.lookup([]byte(n))
		assert.False(t, ok, "%q", n)
	}

	// A repeated name maps to its last position, as the map it replaces did.
	e = newEnumNames([]EnumValue{{Name: "a", Value: 1}, {Name: "b", Value: 2}, {Name: "a", Value: 3}})
	pos, ok := e.lookup([]byte("a"))
	assert.True(t, ok)
	assert.Equal(t, int32(2), pos)

	// Many values (Enum16), against a map.
	r := rand.New(rand.NewPCG(1, 2))
	want := map[string]int32{}
	var many []EnumValue
	for len(many) < 3000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = "ab_\x00Z"[r.IntN(5)]
		}
		if _, dup := want[string(b)]; dup {
			continue
		}
		want[string(b)] = int32(len(many))
		many = append(many, EnumValue{Name: string(b), Value: int16(len(many))})
	}
	e = newEnumNames(many)
	for n, p := range want {
		got, ok := e.lookup([]byte(n))
		require.True(t, ok, "%q", n)
		require.Equal(t, p, got, "%q", n)
	}
	for range 3000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = "ab_\x00Z"[r.IntN(5)]
		}
		p, inMap := want[string(b)]
		got, ok := e.lookup(b)
		require.Equal(t, inMap, ok, "%q", b)
		require.Equal(t, p, got, "%q", b)
	}

	var zero enumNames
	_, ok = zero.lookup([]byte("a"))
	assert.False(t, ok)
}

// parseDateTime19Ref is parseDateTime19 as it was before it read words: the reference.
func parseDateTime19Ref(b []byte, p *dtText) bool {
	if len(b) != 19 || b[4] != '-' || b[7] != '-' || (b[10] != ' ' && b[10] != 'T') || b[13] != ':' || b[16] != ':' {
		return false
	}
	d := func(i int) int { return int(b[i] - '0') }
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if b[i] < '0' || b[i] > '9' {
			return false
		}
	}
	p.y = d(0)*1000 + d(1)*100 + d(2)*10 + d(3)
	p.mo, p.d = d(5)*10+d(6), d(8)*10+d(9)
	p.h, p.mi, p.s = d(11)*10+d(12), d(14)*10+d(15), d(17)*10+d(18)
	return true
}

func checkDateTime19(t *testing.T, s string) {
	t.Helper()
	var got, want dtText
	gotOK, wantOK := parseDateTime19([]byte(s), &got), parseDateTime19Ref([]byte(s), &want)
	require.Equal(t, wantOK, gotOK, "%q", s)
	if wantOK {
		require.Equal(t, want, got, "%q", s)
	}
	if len(s) == 19 {
		checkDateTime19UTC(t, s)
	}
}

// utcDateTime is a DateTime column in UTC, whose appends take the dateTime19UTC path.
var utcDateTime = &Type{Kind: DateTime, TZ: "UTC"}

// checkDateTime19UTC checks dateTime19UTC against the general path (parseDateTimeBasic and
// seconds, then DateTime's range), on a new column and on one that has just converted
// another text (the cache of the last text). It returns whether the fast path took s.
func checkDateTime19UTC(t *testing.T, s string) bool {
	t.Helper()
	var p dtText
	ref := newCol("dt", utcDateTime, Options{})
	wantSec, wantOK := int64(0), parseDateTimeBasic([]byte(s), &p)
	if wantOK {
		wantSec, wantOK = ref.seconds(&p)
	}
	wantOK = wantOK && wantSec >= 0 && wantSec <= maxDT
	c := newCol("dt", utcDateTime, Options{})
	require.True(t, c.loc == time.UTC, "the test column is not in UTC")
	prevs := []string{"", "2020-01-02 03:04:05", s}
	if len(s) == 19 {
		// The same date at other times: only the time is converted (time19).
		prevs = []string{"", "2020-01-02 03:04:05", s[:10] + " 12:34:56", s[:10] + "T00:00:00", s}
	}
	for _, prev := range prevs {
		if prev != "" {
			c.dateTime19UTC([]byte(prev))
		}
		sec, ok := c.dateTime19UTC([]byte(s))
		if ok {
			require.True(t, wantOK, "%q: the fast path took a text the general path refuses", s)
			require.Equal(t, wantSec, sec, "%q after %q", s, prev)
		} else if q := (dtText{}); wantOK && parseDateTime19Ref([]byte(s), &q) && q.y >= 1970 && q.y <= 2105 {
			t.Fatalf("%q: the fast path refused a text of its form and range", s)
		}
		if prev == s {
			return ok
		}
	}
	return false
}

// TestDateTime19UTC checks the fast path of DateTime text in UTC against the general path
// on every day of its range and beyond, at several times of day, and on leap days.
func TestDateTime19UTC(t *testing.T) {
	taken := 0
	for d := time.Date(1969, 12, 30, 0, 0, 0, 0, time.UTC); d.Year() < 2107; d = d.AddDate(0, 0, 1) {
		for _, hms := range []string{"00:00:00", "23:59:59", "12:34:56"} {
			if checkDateTime19UTC(t, d.Format("2006-01-02")+" "+hms) {
				taken++
			}
		}
	}
	// 1970-01-01 to 2105-12-31: 136 years of 365 days and 33 leap days (1972 to 2104, not 2100).
	require.Equal(t, 3*(136*365+33), taken, "days of 1970 to 2105, three times each")
	for _, s := range []string{"2100-02-29 00:00:00", "2000-02-29 00:00:00", "1972-02-29 10:00:00",
		"2021-02-29 00:00:00", "2104-02-29 23:59:59", "2105-12-31 23:59:59", "2106-01-01 00:00:00",
		"1969-12-31 23:59:59", "2020-13-01 00:00:00", "2020-00-10 00:00:00", "2020-04-31 00:00:00",
		"2020-01-00 00:00:00", "2020-01-01 24:00:00", "2020-01-01 00:60:00", "2020-01-01 00:00:60",
		"2020-01-01T00:00:00", "0000-00-00 00:00:00", strings.Repeat("\x00", 19)} {
		checkDateTime19UTC(t, s)
	}
}

func TestParseDateTime19(t *testing.T) {
	for _, s := range []string{"2020-01-02 03:04:05", "2020-01-02T03:04:05", "0000-00-00 00:00:00",
		"9999-99-99 99:99:99", "2020-01-02 03:04:0", "2020-01-02 03:04:05Z", "2020/01/02 03:04:05",
		"2020-01-02 03-04:05", "202a-01-02 03:04:05", "2020-01-02 03:04:5/", "2020-01-02 03:04::5",
		"2020-01-02 0:304:05", "2020-01-02 03:04:05.", ":020-01-02 03:04:05", "2020-01-02x03:04:05"} {
		checkDateTime19(t, s)
	}
	// Every byte position replaced by each byte value around the digits and separators.
	base := []byte("2021-12-31 23:59:58")
	for i := range base {
		for c := range 256 {
			b := append([]byte(nil), base...)
			b[i] = byte(c)
			checkDateTime19(t, string(b))
		}
	}
}

func FuzzParseDateTime19(f *testing.F) {
	f.Add("2020-01-02 03:04:05")
	f.Add("2020-01-02T03:04:0:")
	f.Fuzz(func(t *testing.T, s string) { checkDateTime19(t, s) })
}

// TestDateTimeCache checks that a DateTime column that remembers its last text stages what
// a fresh column stages, for repeated, changed and failing texts.
func TestDateTimeCache(t *testing.T) {
	cols := mustColumns(t, "dt DateTime", "dtz DateTime('Asia/Istanbul')")
	texts := []string{"2020-01-02 03:04:05", "2020-01-02 03:04:05", "1970-01-01 00:00:00", "1970-01-01 00:00:00",
		"2020-01-02 03:04:05", "bad", "2020-01-02 03:04:05", "2020-01-02", "2020-01-02", "1577836800",
		"1577836800", "2106-02-07 06:28:16", "2106-02-07 06:28:16", "2020-01-02T03:04:05", "2020-01-02 03:04:05"}
	for _, opts := range []Options{{}, {DateTimeBestEffort: true}} {
		rows := NewRows(cols, opts)
		for _, s := range texts {
			for i := range cols {
				c := rows.Col(i)
				fresh := NewRows(cols, opts).Col(i)
				errWant := fresh.AppendText([]byte(s))
				errGot := c.AppendText([]byte(s))
				if errWant != nil {
					require.EqualError(t, errGot, errWant.Error(), "%q", s)
					c.AppendDefault()
					continue
				}
				require.NoError(t, errGot, "%q", s)
				require.Equal(t, fresh.i64[0], c.i64[len(c.i64)-1], "%s %q", cols[i].Name, s)
			}
			require.NoError(t, rows.EndRow())
		}
	}
}

// TestDictHash checks LowCardinality dictionaries over values of every length of the
// inline hash (0 to 16 bytes) and beyond, many colliding in their first and last words.
func TestDictHash(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols := mustColumns(t, "lc LowCardinality(String)", "a Array(LowCardinality(Nullable(String)))")
	b, err := NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	r := rand.New(rand.NewPCG(3, 4))
	var want []string
	for batch := range 3 {
		rows := NewRows(cols, Options{})
		var wantBatch []string
		for range 5000 {
			n := r.IntN(40)
			v := []byte(strings.Repeat("q", n))
			if n > 0 {
				v[r.IntN(n)] = "xyz"[r.IntN(3)]
			}
			require.NoError(t, rows.Col(0).AppendText(v))
			el := rows.Col(1).BeginArray()
			if r.IntN(3) == 0 {
				require.NoError(t, el.AppendText(v))
				require.NoError(t, el.AppendNull())
			}
			rows.Col(1).EndArray()
			require.NoError(t, rows.EndRow())
			wantBatch = append(wantBatch, string(v))
		}
		b.Append(rows, nil)
		rec := b.NewRecordBatch()
		got := column(rec.Column(0))
		require.Equal(t, wantBatch, got, "batch %d", batch)
		// The dictionary holds each distinct value once.
		dict := column(rec.Column(0).(*array.Dictionary).Dictionary())
		seen := map[string]bool{}
		for _, v := range dict {
			require.False(t, seen[v], "%q twice in the dictionary", v)
			seen[v] = true
		}
		rec.Release()
		want = append(want, wantBatch...)
	}
	assert.Len(t, want, 15000)
}

// TestResetAllTypes checks that staging after Reset gives what fresh Rows give, for every
// representation, nested ones included, after complete and partial rows.
func TestResetAllTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols := mustColumns(t, "i8 Int8", "i16 Int16", "i32 Int32", "i64 Int64", "u8 UInt8", "u16 UInt16",
		"u32 UInt32", "u64 UInt64", "f32 Float32", "f64 Float64", "b Bool", "s String", "fs FixedString(3)",
		"dec Decimal(9, 2)", "dec2 Decimal(76, 2)", "d Date", "dt DateTime", "e Enum8('a' = 1)",
		"n Nullable(String)", "lc LowCardinality(Nullable(String))", "a Array(Array(Nullable(Int32)))",
		"m Map(String, Array(String))", "t Tuple(a Int8, b Array(String))", "u UUID")
	row := []string{"1", "2", "3", "4", "5", "6", "7", "8", "1.5", "2.5", "true", "str", "ab",
		"1.25", "2.5", "2020-01-02", "2020-01-02 03:04:05", "a", "x", "y", "[[1,NULL],[]]",
		"{'k':['v']}", "(1,['z'])", "61f0c404-5cb3-11e7-907b-a6006ad3dba0"}
	other := []string{"-1", "-2", "-3", "-4", "15", "16", "17", "18", "-1.5", "-2.5", "false", "other", "cd",
		"-1.25", "-2.5", "2021-01-02", "2021-01-02 03:04:05", "a", "xx", "yy", "[[2],[3,4]]",
		"{'k2':['v2','w']}", "(2,['z','zz'])", "00000000-5cb3-11e7-907b-a6006ad3dba0"}
	stage := func(rows *Rows, row []string) {
		for i, v := range row {
			require.NoError(t, rows.Col(i).AppendText([]byte(v)), cols[i].Name)
		}
		require.NoError(t, rows.EndRow())
	}
	fresh := NewRows(cols, Options{})
	stage(fresh, row)
	want := build(t, mem, fresh)

	rows := NewRows(cols, Options{})
	stage(rows, other)
	stage(rows, other)
	// A partial row: some values, an open array with elements.
	require.NoError(t, rows.Col(0).AppendText([]byte("9")))
	el := rows.Col(20).BeginArray()
	el.BeginArray().AppendNull()
	rows.Reset()
	require.Equal(t, 0, rows.Len())
	for i := range cols {
		require.Equal(t, 0, rows.Col(i).Len(), cols[i].Name)
	}
	stage(rows, row)
	assert.Equal(t, want, build(t, mem, rows))
}

func TestEqualShort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := range 40 {
		for range 200 {
			a := make([]byte, n)
			for i := range a {
				a[i] = byte(r.IntN(3))
			}
			b := append([]byte(nil), a...)
			if n > 0 && r.IntN(2) == 0 {
				b[r.IntN(n)] ^= 1
			}
			require.Equal(t, string(a) == string(b), equalShort(a, b), fmt.Sprintf("%x %x", a, b))
		}
	}
	assert.False(t, equalShort([]byte("ab"), []byte("abc")))
}

// TestAppendTextString checks AppendText's copy of String values (words for 4 to 32
// bytes, memmove otherwise) against plain appends: every length from 0 to 70, at every
// amount of spare capacity left in the column's buffer, into String, LowCardinality and
// Nullable columns, from slices of a larger buffer (bytes around a value must not be read
// into it).
func TestAppendTextString(t *testing.T) {
	cols := mustColumns(t, "s String", "lc LowCardinality(String)", "n Nullable(String)")
	src := make([]byte, 200)
	for i := range src {
		src[i] = byte('A' + i%50)
	}
	for _, ci := range []int{0, 1, 2} {
		rows := NewRows(cols, Options{})
		c := rows.Col(ci)
		for room := range 40 {
			for n := range 71 {
				// A buffer of 64 bytes with exactly room bytes of spare capacity.
				rows.Reset()
				c.bin = make([]byte, 0, 64)
				var want []byte
				wantOffs := []int32{0}
				add := func(v []byte) {
					t.Helper()
					require.NoError(t, c.AppendText(v))
					want = append(want, v...)
					wantOffs = append(wantOffs, int32(len(want)))
				}
				for extra := 64 - room; extra > 0; extra -= min(extra, 10) {
					add(src[100 : 100+min(extra, 10)])
				}
				require.Equal(t, room, cap(c.bin)-len(c.bin))
				at := 30 + n%7
				add(src[at : at+n : at+n])
				add(src[at : at+n/2 : at+n/2])
				require.Equal(t, string(want), string(c.bin), "room %d, length %d", room, n)
				require.Equal(t, wantOffs, c.offs, "room %d, length %d", room, n)
				require.Equal(t, len(wantOffs)-1, c.Len())
			}
		}
	}
}

// TestDateTime19Row checks that the DateTime columns of a Rows, which share the last text
// converted (Col.dt19Row), stage what the general path converts: texts that repeat another
// column's, share its date, or differ, in every order, with and without a fast path.
func TestDateTime19Row(t *testing.T) {
	cols := mustColumns(t, "a DateTime", "s String", "b DateTime('UTC')", "c DateTime", "z DateTime('Asia/Istanbul')")
	texts := []string{"2020-01-02 03:04:05", "2020-01-02 03:04:06", "2020-01-02T23:59:59", "2020-01-02 24:00:00",
		"2020-01-02 23:60:00", "2020-01-02 23:00:60", "2020-01-02x03:04:05", "2020-01-02 03:04:0a", "2020-01-02 3:04:05",
		"2020-01-03 03:04:05", "2020-02-29 00:00:00", "2021-02-29 00:00:00", "1970-01-01 00:00:00", "1970-01-01 00:00:01",
		"1970-01-01T00:00:00", "1969-12-31 23:59:59", "2105-12-31 23:59:59", "2106-01-01 00:00:00", "2020-01-02",
		"1577836800", strings.Repeat("\x00", 19), "1970-01-01\x0000:00:00", "1970-01-01 00:00:00\x00"}
	ref := func(c *Col, s string) (int64, bool) {
		var p dtText
		if !parseDateTimeBasic([]byte(s), &p) {
			return 0, false
		}
		if c.loc != time.UTC {
			return 0, false // not compared
		}
		sec, ok := c.seconds(&p)
		return sec, ok && sec >= 0 && sec <= maxDT
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	rows := NewRows(cols, Options{})
	for i := range 20000 {
		row := make([]string, len(cols))
		for j := range row {
			switch k := rnd.IntN(4); {
			case k == 0 && j > 0:
				row[j] = row[j-1] // the previous column's text
			default:
				row[j] = texts[rnd.IntN(len(texts))]
			}
		}
		for j, s := range row {
			c := rows.Col(j)
			err := c.AppendText([]byte(s))
			if c.kind != DateTime {
				require.NoError(t, err)
				continue
			}
			if c.loc != time.UTC {
				if err != nil {
					c.AppendDefault()
				}
				continue
			}
			want, ok := ref(c, s)
			require.Equal(t, ok, err == nil, "row %d column %s: %q: %v", i, c.name, s, err)
			if ok {
				require.Equal(t, want, c.i64[len(c.i64)-1], "row %d column %s: %q", i, c.name, s)
			} else {
				c.AppendDefault()
			}
		}
		require.NoError(t, rows.EndRow())
		if rows.Len() == 512 {
			rows.Reset()
		}
	}
}
