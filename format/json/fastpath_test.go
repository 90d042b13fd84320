package json

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

// Tests of decoder.fastMembers, which reads the members of a row whose keys come in the
// order of earlier rows, written compactly, and their commonest values, without the general
// path. Each decodes messages twice with separate decoders: as given, and spaced out (a
// space after every '{', '[', ',' and ':' outside strings), which is the same JSON but
// never matches a compact key, so that every member takes the general path. Both must give
// the same rows and fail on the same messages.

// fastCols exercise every kind of value fastMembers reads itself and some it leaves to the
// readers. `we"ird` and `back\slash` have names whose raw key text has escapes.
var fastCols = []string{
	"file_time DateTime",
	"event_type Enum8('CommitCommentEvent' = 1, 'IssuesEvent' = 2, 'IssueCommentEvent' = 3, " +
		"'PullRequestReviewEvent' = 4, 'PullRequestReviewCommentEvent' = 5, 'none' = 0, 'x' = 6)",
	"actor_login LowCardinality(String)",
	"comment_id UInt64",
	"number UInt32",
	"small Int8",
	"neg Int64",
	"path String",
	"labels Array(LowCardinality(String))",
	"nested Array(Array(Nullable(Int32)))",
	"ns Nullable(String)",
	"lcn LowCardinality(Nullable(String))",
	"flag Bool",
	"fs FixedString(4)",
	"day Date",
	"dt64 DateTime64(3)",
	"uid UUID",
	"ratio Float64",
	"m Map(String, UInt8)",
	"`we\"ird` String",
	"`back\\\\slash` String",
	"a_column_with_a_rather_long_name String",
}

// spaced returns payload with a space after the '{' that opens a row's object and after
// the ',' and ':' between its members, outside strings. Values are left as they are: a
// String column keeps the raw text of a nested object or array.
func spaced(payload []byte) []byte {
	out := make([]byte, 0, 2*len(payload))
	var stack []byte // open '{' and '['
	objects := 0     // '{' in stack
	inString, escaped := false, false
	for _, c := range payload {
		out = append(out, c)
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{':
			stack = append(stack, c)
			if objects++; objects == 1 {
				out = append(out, ' ')
			}
		case c == '[':
			stack = append(stack, c)
		case c == '}' || c == ']':
			if len(stack) > 0 {
				if stack[len(stack)-1] == '{' {
					objects--
				}
				stack = stack[:len(stack)-1]
			}
		case (c == ',' || c == ':') && objects == 1 && stack[len(stack)-1] == '{':
			out = append(out, ' ')
		}
	}
	return out
}

// fastDiff decodes payloads in order with a decoder of fastCols for the raw and for the
// spaced-out messages, and requires the same outcome for each message and the same rows.
// It returns the number of messages that decoded.
func fastDiff(t testing.TB, s format.Settings, payloads ...string) int {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	raw := newHarness(t, mem, fastCols, s)
	defer raw.Release()
	sp := newHarness(t, mem, fastCols, s)
	defer sp.Release()
	good := 0
	for _, p := range payloads {
		nRaw, errRaw := raw.decode(p)
		nSp, errSp := sp.decode(string(spaced([]byte(p))))
		require.Equal(t, errSp == nil, errRaw == nil, "%q:\nraw: %v\nspaced: %v", p, errRaw, errSp)
		if errRaw != nil {
			// The same failure: the same column, and the same conversion error if any.
			var peRaw, peSp *ParseError
			require.True(t, errors.As(errRaw, &peRaw), "%v", errRaw)
			require.True(t, errors.As(errSp, &peSp), "%v", errSp)
			require.Equal(t, peSp.Key, peRaw.Key, "%q", p)
			require.Equal(t, peSp.Row, peRaw.Row, "%q", p)
			var veRaw, veSp *block.ValueError
			if errors.As(errSp, &veSp) {
				require.True(t, errors.As(errRaw, &veRaw), "%q: %v", p, errRaw)
				require.Equal(t, veSp.Error(), veRaw.Error(), "%q", p)
			}
			continue
		}
		require.Equal(t, nSp, nRaw, "%q", p)
		good++
	}
	recRaw := raw.record()
	defer recRaw.Release()
	recSp := sp.record()
	defer recSp.Release()
	require.Equal(t, recSp.NumRows(), recRaw.NumRows())
	for k := range int(recRaw.NumCols()) {
		require.True(t, array.Equal(recSp.Column(k), recRaw.Column(k)),
			"column %s:\nraw:    %v\nspaced: %v", recRaw.ColumnName(k), recRaw.Column(k), recSp.Column(k))
	}
	return good
}

// fastRow is a compact row with every column, in table order; fields overrides members
// (by name; "" removes one).
func fastRow(fields map[string]string) string {
	members := [][2]string{
		{"file_time", `"2011-02-12 02:00:00"`}, {"event_type", `"IssuesEvent"`}, {"actor_login", `"IgorMinar"`},
		{"comment_id", `"281238"`}, {"number", `0`}, {"small", `-5`}, {"neg", `-12`}, {"path", `""`},
		{"labels", `["bug","help wanted"]`}, {"nested", `[[1,null],[]]`}, {"ns", `null`}, {"lcn", `"v"`},
		{"flag", `true`}, {"fs", `"ab"`}, {"day", `"2020-01-02"`}, {"dt64", `"2020-01-02 03:04:05.123"`},
		{"uid", `"61f0c404-5cb3-11e7-907b-a6006ad3dba0"`}, {"ratio", `0.5`}, {"m", `{"k":1}`},
		{`we\"ird`, `"w"`}, {`back\\slash`, `"b"`}, {"a_column_with_a_rather_long_name", `"long"`},
	}
	var sb strings.Builder
	sb.WriteByte('{')
	first := true
	for _, m := range members {
		v := m[1]
		if o, ok := fields[m[0]]; ok {
			v = o
		}
		if v == "" {
			continue
		}
		if !first {
			sb.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&sb, `"%s":%s`, m[0], v)
	}
	sb.WriteByte('}')
	return sb.String()
}

func TestFastMembers(t *testing.T) {
	base := fastRow(nil)
	cases := []struct {
		name     string
		payloads []string
		good     int
	}{
		{"same order", []string{base, base, base}, 3},
		{"escapes in values", []string{base, fastRow(map[string]string{
			"actor_login": `"a\/b"`, "path": `"tab\there \"q\" \\ \u00e9 \ud83d\ude00 end"`, "fs": `"\u0041b"`,
			"file_time": `"2011-02-12 02:00:0\u0030"`, "event_type": `"Issues\u0045vent"`, "comment_id": `"2\u0038"`,
		})}, 2},
		{"unicode escapes", []string{base, fastRow(map[string]string{"path": `"\u00e9\u4e2d\ud83d\ude00\udc00"`}), base}, 3},
		{"bad surrogate", []string{base, fastRow(map[string]string{"path": `"\ud83dx"`}), base}, 2},
		{"long strings", []string{base, fastRow(map[string]string{
			"path":        `"` + strings.Repeat("0123456789", 30) + `"`,
			"actor_login": `"` + strings.Repeat("x", 63) + `\"` + strings.Repeat("y", 70) + `"`,
			"lcn":         `"` + strings.Repeat("z", 64) + `"`,
		}), base}, 3},
		{"other order", []string{base, `{"number":7,"file_time":"2020-01-01 00:00:00","actor_login":"x"}`, base,
			`{"actor_login":"y","number":8}`, `{"actor_login":"y","number":8}`}, 5},
		{"missing keys", []string{base, fastRow(map[string]string{"actor_login": "", "labels": "", "ratio": ""}), base, `{}`, `{"number":1}`}, 5},
		{"duplicate keys", []string{base, `{"file_time":"2011-02-12 02:00:00","file_time":"2011-02-12 02:00:00"}`,
			`{"file_time":"2011-02-12 02:00:00","event_type":"x","event_type":"x"}`, base}, 2},
		{"unknown key", []string{base, fastRow(map[string]string{"actor_login": "", "path": ""}) + `{"zzz":1}`, base}, 2},
		{"nulls", []string{base, fastRow(map[string]string{"ns": `"s"`, "lcn": `null`, "labels": `null`,
			"nested": `[null,[null]]`, "number": `null`, "path": `null`, "file_time": `null`}), base}, 3},
		{"numbers", []string{base,
			fastRow(map[string]string{"comment_id": `"123456789012345678"`, "number": `4294967295`, "neg": `-9223372036854775808`}),
			fastRow(map[string]string{"comment_id": `"1234567890123456789"`, "number": `"42"`, "small": `127`}),
			fastRow(map[string]string{"comment_id": `"18446744073709551615"`, "number": `007`, "neg": `123456789012345678`}),
			fastRow(map[string]string{"comment_id": `12345678901234567890`, "number": `1e3`, "neg": `1.0`}),
			fastRow(map[string]string{"comment_id": `"-0"`, "number": `"0"`, "small": `"-128"`}),
			fastRow(map[string]string{"number": `true`, "small": `false`}),
			base}, 8},
		{"numbers out of range", []string{base,
			fastRow(map[string]string{"small": `128`}), fastRow(map[string]string{"small": `"300"`}),
			fastRow(map[string]string{"number": `4294967296`}), fastRow(map[string]string{"comment_id": `"18446744073709551616"`}),
			fastRow(map[string]string{"number": `""`}), fastRow(map[string]string{"number": `"1x"`}),
			fastRow(map[string]string{"number": `1x`}), fastRow(map[string]string{"number": `-`}),
			fastRow(map[string]string{"number": `"1`}), base}, 2},
		{"bad values", []string{base,
			fastRow(map[string]string{"event_type": `"NoSuchEvent"`}), fastRow(map[string]string{"event_type": `"issuesEvent"`}),
			fastRow(map[string]string{"file_time": `"2011-02-30 02:00:00"`}), fastRow(map[string]string{"file_time": `"2011-02-12 02:00"`}),
			fastRow(map[string]string{"fs": `"abcde"`}), fastRow(map[string]string{"uid": `"nope"`}),
			fastRow(map[string]string{"flag": `"maybe"`}), fastRow(map[string]string{"day": `"2020-13-01"`}),
			fastRow(map[string]string{"dt64": `"x"`}), fastRow(map[string]string{"event_type": `"Issues\/Event"`}),
			fastRow(map[string]string{"fs": `"ab\/cde"`}),
			fastRow(map[string]string{"path": `"a\/b\u12"`}), base}, 2},
		{"enum by value and text", []string{base, fastRow(map[string]string{"event_type": `5`}),
			fastRow(map[string]string{"event_type": `"5"`}), fastRow(map[string]string{"event_type": `"none"`}),
			fastRow(map[string]string{"event_type": `"PullRequestReviewCommentEvent"`}), base}, 6},
		{"datetime forms", []string{base, fastRow(map[string]string{"file_time": `1297476000`}),
			fastRow(map[string]string{"file_time": `"1297476000"`}), fastRow(map[string]string{"file_time": `"2011-02-12T02:00:00"`}),
			fastRow(map[string]string{"file_time": `"2011-02-12"`}), base, base}, 7},
		{"several rows per message", []string{base + base, base + "\n" + base + ",\n" + base, "[" + base + "," + base + "]", base}, 4},
		{"strings at the end", []string{`{"path":"a"}`, `{"path":"ab"}`, `{"path":"abcdefgh"}`, `{"path":"abc`, `{"path":"abc\`, `{"path":`, `{"path"`, `{"number":1`, `{"number":"1`}, 3},
		{"whitespace", []string{base, strings.ReplaceAll(base, `,"`, `, "`), strings.ReplaceAll(base, `":`, `" :`), base}, 4},
		// The keys match the fast path and the values after them take the readers' path.
		{"whitespace after the colon", []string{base, strings.ReplaceAll(base, `":`, `": `),
			strings.ReplaceAll(base, `":`, "\":\t\n "), base}, 4},
		{"objects and arrays as strings", []string{base, fastRow(map[string]string{"path": `{"a":[1,2]}`, "actor_login": `[1]`}), base}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults()
			s.SkipUnknownFields = false
			require.Equal(t, tc.good, fastDiff(t, s, tc.payloads...))
		})
	}
	t.Run("skip unknown fields", func(t *testing.T) {
		s := defaults()
		s.SkipUnknownFields = true
		require.Equal(t, 4, fastDiff(t, s, base, strings.Replace(base, `{`, `{"zzz":{"a":[1,"}"]},`, 1),
			strings.Replace(base, `"number":0`, `"number":0,"unknown":"x"`, 1), base))
	})
	t.Run("nested json", func(t *testing.T) {
		s := defaults()
		s.ImportNestedJSON = true
		require.Equal(t, 2, fastDiff(t, s, base, base))
	})
}

// FuzzFastMembers compares the fast and the general path on arbitrary payloads, each
// decoded after a good row that teaches the decoder a key order.
func FuzzFastMembers(f *testing.F) {
	base := fastRow(nil)
	f.Add(base)
	f.Add(fastRow(map[string]string{"path": `"a\"b"`, "number": `12`, "comment_id": `"9"`}))
	f.Add(`{"number":7,"file_time":"2020-01-01 00:00:00"}`)
	f.Add(fastRow(map[string]string{"small": `"300"`}))
	f.Add(base + base)
	f.Add(strings.ReplaceAll(base, `":`, `": `))
	f.Fuzz(func(t *testing.T, payload string) {
		s := defaults()
		s.SkipUnknownFields = true
		fastDiff(t, s, base, payload, payload, base)
	})
}

// TestFastStringEnds covers where readFastValue finds a string's end: in its first word,
// in the two words after it, past them, and near the end of the message (fewer than 24
// bytes left), with the closing quote or an escape at every position.
func TestFastStringEnds(t *testing.T) {
	base := fastRow(nil)
	payloads := []string{base}
	good := 1
	for n := range 41 {
		v := strings.Repeat("x", n)
		payloads = append(payloads, fastRow(map[string]string{"path": `"` + v + `"`, "actor_login": `"` + v + `"`}),
			`{"path":"`+v+`"}`, `{"path":"`+v)
		good += 2
		for p := range n {
			e := v[:p] + `\/` + v[p:]
			payloads = append(payloads, fastRow(map[string]string{"path": `"` + e + `"`}), `{"path":"`+e+`"}`)
			good += 2
		}
	}
	s := defaults()
	s.SkipUnknownFields = false
	require.Equal(t, good, fastDiff(t, s, payloads...))
}

// TestFastInts covers readFastValue's integers of every digit count, plain and quoted,
// followed by what may end them and what may not, and near the end of the message.
func TestFastInts(t *testing.T) {
	base := fastRow(nil)
	payloads := []string{base}
	for n := range 21 {
		v, nines := "1234567890123456789012"[:n], strings.Repeat("9", n)
		for _, val := range []string{v, `"` + v + `"`, nines, `"` + nines + `"`, "0" + v, v + "x", `"` + v + `x"`, `"` + v + `}`, v + ".5", "-" + v} {
			payloads = append(payloads, fastRow(map[string]string{"number": val, "comment_id": val, "neg": val}),
				`{"comment_id":`+val+`}`, `{"comment_id":`+val)
		}
	}
	s := defaults()
	s.SkipUnknownFields = false
	fastDiff(t, s, payloads...)
}

// TestFastArrays covers readFastValue's empty arrays and what follows them, next to the
// arrays the reader gets.
func TestFastArrays(t *testing.T) {
	base := fastRow(nil)
	payloads := []string{base}
	for _, val := range []string{`[]`, `[ ]`, `[]]`, `[]x`, `[`, `[]"`, `["a"]`, `[[]]`, `null`, `""`} {
		payloads = append(payloads, fastRow(map[string]string{"labels": val, "nested": val}),
			`{"labels":`+val+`}`, `{"labels":`+val, `{"nested":`+val+`}`)
	}
	s := defaults()
	s.SkipUnknownFields = false
	require.Equal(t, 14, fastDiff(t, s, payloads...))
}
