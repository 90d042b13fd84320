package block

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// githubColumns is the 25-column schema of the GitHub events tutorial (SEED_EXAMPLES.md §2).
var githubColumns = []string{
	"file_time DateTime",
	"event_type Enum('CommitCommentEvent' = 1, 'CreateEvent' = 2, 'DeleteEvent' = 3, 'ForkEvent' = 4, 'GollumEvent' = 5, 'IssueCommentEvent' = 6, 'IssuesEvent' = 7, 'MemberEvent' = 8, 'PublicEvent' = 9, 'PullRequestEvent' = 10, 'PullRequestReviewCommentEvent' = 11, 'PushEvent' = 12, 'ReleaseEvent' = 13, 'SponsorshipEvent' = 14, 'WatchEvent' = 15, 'GistEvent' = 16, 'FollowEvent' = 17, 'DownloadEvent' = 18, 'PullRequestReviewEvent' = 19, 'ForkApplyEvent' = 20, 'Event' = 21, 'TeamAddEvent' = 22)",
	"actor_login LowCardinality(String)",
	"repo_name LowCardinality(String)",
	"created_at DateTime",
	"updated_at DateTime",
	"action Enum('none' = 0, 'created' = 1, 'added' = 2, 'edited' = 3, 'deleted' = 4, 'opened' = 5, 'closed' = 6, 'reopened' = 7, 'assigned' = 8, 'unassigned' = 9, 'labeled' = 10, 'unlabeled' = 11, 'review_requested' = 12, 'review_request_removed' = 13, 'synchronize' = 14, 'started' = 15, 'published' = 16, 'update' = 17, 'create' = 18, 'fork' = 19, 'merged' = 20)",
	"comment_id UInt64",
	"path String",
	"ref LowCardinality(String)",
	"ref_type Enum('none' = 0, 'branch' = 1, 'tag' = 2, 'repository' = 3, 'unknown' = 4)",
	"creator_user_login LowCardinality(String)",
	"number UInt32",
	"title String",
	"labels Array(LowCardinality(String))",
	"state Enum('none' = 0, 'open' = 1, 'closed' = 2)",
	"assignee LowCardinality(String)",
	"assignees Array(LowCardinality(String))",
	"closed_at DateTime",
	"merged_at DateTime",
	"merge_commit_sha String",
	"requested_reviewers Array(LowCardinality(String))",
	"merged_by LowCardinality(String)",
	"review_comments UInt32",
	"member_login LowCardinality(String)",
}

// canonicalTypes round-trip through ParseType and String unchanged.
var canonicalTypes = []string{
	"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
	"Float32", "Float64", "Bool", "String", "FixedString(1)", "FixedString(16)",
	"Date", "Date32", "DateTime", "DateTime('UTC')", "DateTime('Asia/Istanbul')",
	"DateTime64(0)", "DateTime64(3)", "DateTime64(6)", "DateTime64(9)", "DateTime64(3, 'Asia/Istanbul')",
	"Decimal(1, 0)", "Decimal(9, 2)", "Decimal(18, 4)", "Decimal(38, 10)", "Decimal(40, 3)", "Decimal(76, 76)",
	"UUID",
	"Enum8('a' = 1, 'b' = 2)", "Enum8('neg' = -128, 'pos' = 127)", "Enum16('a' = -1000, 'b' = 1000)",
	`Enum8('it\'s' = 1, 'back\\slash' = 2, '' = 3)`,
	"Nullable(Int32)", "Nullable(String)", "Nullable(Decimal(40, 3))", "Nullable(Enum8('x' = 0))", "Nullable(UUID)",
	"LowCardinality(String)", "LowCardinality(Nullable(String))", "LowCardinality(FixedString(2))",
	"LowCardinality(UInt64)", "LowCardinality(Nullable(Float64))", "LowCardinality(Date)",
	"Array(Int32)", "Array(LowCardinality(String))", "Array(Array(Nullable(String)))", "Array(Tuple(a Int8, b String))",
	"Map(String, Array(Nullable(Int32)))", "Map(LowCardinality(String), UInt64)", "Map(Int32, Map(String, String))",
	"Tuple(a Int8, b String)", "Tuple(Int8, String)", "Tuple(`a b` Int8, `x.y` Nullable(String))",
	"Tuple(a Tuple(b Int8, c Array(String)), d Map(String, Int8))",
}

func TestParseTypeRoundTrip(t *testing.T) {
	for _, s := range canonicalTypes {
		t.Run(s, func(t *testing.T) {
			typ, err := ParseType(s)
			require.NoError(t, err)
			assert.Equal(t, s, typ.String())
			again, err := ParseType(typ.String())
			require.NoError(t, err)
			assert.Equal(t, typ, again)
			require.NoError(t, checkType(typ))
		})
	}
}

func TestParseTypeStructure(t *testing.T) {
	typ, err := ParseType("Map(String, Array(Nullable(Int32)))")
	require.NoError(t, err)
	assert.Equal(t, &Type{Kind: Map, Key: &Type{Kind: String},
		Value: &Type{Kind: Array, Elem: &Type{Kind: Nullable, Elem: &Type{Kind: Int32}}}}, typ)

	typ, err = ParseType("Tuple(a Int8, b String)")
	require.NoError(t, err)
	assert.Equal(t, &Type{Kind: Tuple, Fields: []TupleField{{"a", &Type{Kind: Int8}}, {"b", &Type{Kind: String}}}}, typ)

	typ, err = ParseType("DateTime64(3, 'Asia/Istanbul')")
	require.NoError(t, err)
	assert.Equal(t, &Type{Kind: DateTime64, Precision: 3, TZ: "Asia/Istanbul"}, typ)

	typ, err = ParseType("Decimal(40,3)")
	require.NoError(t, err)
	assert.Equal(t, &Type{Kind: Decimal, Precision: 40, Scale: 3}, typ)

	typ, err = ParseType("LowCardinality(Nullable(String))")
	require.NoError(t, err)
	assert.True(t, typ.IsNullable())
	for s, nullable := range map[string]bool{"Nullable(Int8)": true, "Int8": false, "LowCardinality(String)": false, "Array(Nullable(Int8))": false} {
		typ, err := ParseType(s)
		require.NoError(t, err)
		assert.Equal(t, nullable, typ.IsNullable(), s)
	}
}

func TestParseTypeAliases(t *testing.T) {
	tests := map[string]string{
		"Enum('x' = 1)":                "Enum8('x' = 1)",
		"Enum('a', 'b')":               "Enum8('a' = 1, 'b' = 2)",
		"Enum8('a' = 5, 'b', 'c' = 1)": "Enum8('a' = 5, 'b' = 6, 'c' = 1)",
		"Enum('big' = 1000)":           "Enum16('big' = 1000)",
		"Enum16('small' = 1)":          "Enum16('small' = 1)",
		"Enum8('dq''s' = 1)":           `Enum8('dq\'s' = 1)`,
		"Decimal32(2)":                 "Decimal(9, 2)",
		"Decimal64(4)":                 "Decimal(18, 4)",
		"Decimal128(0)":                "Decimal(38, 0)",
		"Decimal256(20)":               "Decimal(76, 20)",
		"Decimal(10)":                  "Decimal(10, 0)",
		"decimal(10, 2)":               "Decimal(10, 2)",
		"NUMERIC(5,1)":                 "Decimal(5, 1)",
		"BOOLEAN":                      "Bool",
		"bool":                         "Bool",
		"TINYINT":                      "Int8",
		"SMALLINT":                     "Int16",
		"int":                          "Int32",
		"INTEGER":                      "Int32",
		"BIGINT":                       "Int64",
		"FLOAT":                        "Float32",
		"DOUBLE":                       "Float64",
		"VARCHAR(255)":                 "String",
		"text":                         "String",
		"BLOB":                         "String",
		"TIMESTAMP":                    "DateTime",
		" Array ( Int8 ) ":             "Array(Int8)",
		"Map(String,UInt8)":            "Map(String, UInt8)",
		"Tuple(`a` Int8,`b c` String)": "Tuple(a Int8, `b c` String)",
		"Tuple(\"q\" Int8)":            "Tuple(q Int8)",
		"DateTime64(3,'UTC')":          "DateTime64(3, 'UTC')",
		"Nullable(  LowCardinality  )": "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			typ, err := ParseType(in)
			if want == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, typ.String())
		})
	}
}

func TestParseTypeErrors(t *testing.T) {
	tests := map[string]string{
		"":                                       "expected a type",
		"Foo":                                    `unknown type "Foo"`,
		"Int128":                                 `unknown type "Int128"`,
		"IPv4":                                   `unknown type "IPv4"`,
		"int32":                                  `unknown type "int32"`,
		"Int32(":                                 "after the type",
		"Int32 extra":                            "after the type",
		"Array(Int8":                             `expected ')'`,
		"Array()":                                "expected a type",
		"FixedString(0)":                         "FixedString length 0 out of range",
		"FixedString(x)":                         "expected a number",
		"FixedString":                            "expected '('",
		"Decimal(80, 2)":                         "Decimal precision 80 out of range",
		"Decimal(5, 6)":                          "Decimal scale 6 out of range",
		"Decimal(0)":                             "Decimal precision 0 out of range",
		"Decimal32(10)":                          "Decimal32 scale 10 out of range",
		"DateTime64(10)":                         "DateTime64 precision 10 out of range",
		"DateTime64":                             "expected '('",
		"DateTime('Mars/Base')":                  `unknown time zone "Mars/Base"`,
		"DateTime64(3, 'Nowhere/City')":          `unknown time zone "Nowhere/City"`,
		"DateTime(UTC)":                          "quoted literal",
		"Nullable(Array(Int8))":                  "cannot be inside Nullable",
		"Nullable(Map(String, Int8))":            "cannot be inside Nullable",
		"Nullable(Tuple(Int8))":                  "cannot be inside Nullable",
		"Nullable(LowCardinality(String))":       "cannot be inside Nullable",
		"Nullable(Nullable(Int8))":               "cannot be inside Nullable",
		"LowCardinality(Array(String))":          "LowCardinality of Array(String) is not supported",
		"LowCardinality(Enum8('a' = 1))":         "is not supported",
		"LowCardinality(LowCardinality(String))": "is not supported",
		"Enum8('a' = 200)":                       "Enum8 value out of range",
		"Enum16('a' = 40000)":                    "out of range",
		"Enum8('a' = 1, 'a' = 2)":                `duplicate enum name "a"`,
		"Enum8('a' = 1, 'b' = 1)":                "duplicate enum value 1",
		"Enum8()":                                "quoted literal",
		"Enum8('a' = )":                          "expected a number",
		"Enum8('unterminated = 1)":               "unterminated literal",
		"Map(Nullable(String), Int8)":            "Map key type Nullable(String) is not allowed",
		"Map(Array(Int8), Int8)":                 "Map key type",
		"Map(String)":                            "expected ','",
		"Tuple(a Int8, String)":                  "all named or all unnamed",
		"Tuple(a Int8, a String)":                `duplicate tuple element name "a"`,
		"Tuple()":                                "expected a type",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			_, err := ParseType(in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
			assert.True(t, strings.HasPrefix(err.Error(), "block: parse type "), err.Error())
		})
	}
}

func TestGitHubSchemaTypes(t *testing.T) {
	cols, err := ParseColumns(githubColumns)
	require.NoError(t, err)
	require.Len(t, cols, 25)
	for i, c := range cols {
		again, err := ParseColumn(c.String())
		require.NoError(t, err, c.String())
		assert.Equal(t, c, again)
		assert.Equal(t, githubColumns[i][:strings.IndexByte(githubColumns[i], ' ')], c.Name)
	}
	byName := map[string]*Type{}
	for _, c := range cols {
		byName[c.Name] = c.Type
	}
	et := byName["event_type"]
	assert.Equal(t, Enum8, et.Kind)
	require.Len(t, et.Enum, 22)
	assert.Equal(t, EnumValue{"CommitCommentEvent", 1}, et.Enum[0])
	assert.Equal(t, EnumValue{"TeamAddEvent", 22}, et.Enum[21])
	assert.True(t, strings.HasPrefix(et.String(), "Enum8('CommitCommentEvent' = 1, 'CreateEvent' = 2,"))
	assert.Equal(t, Enum8, byName["action"].Kind)
	assert.Len(t, byName["action"].Enum, 21)
	assert.Equal(t, "LowCardinality(String)", byName["actor_login"].String())
	assert.Equal(t, "Array(LowCardinality(String))", byName["labels"].String())
	assert.Equal(t, "DateTime", byName["file_time"].String())
	assert.Equal(t, "UInt64", byName["comment_id"].String())
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "Int8", Int8.String())
	assert.Equal(t, "LowCardinality", LowCardinality.String())
	assert.Equal(t, "Tuple", Tuple.String())
	assert.Equal(t, "Kind(0)", Kind(0).String())
	assert.Equal(t, "Kind(200)", Kind(200).String())
}

func TestCheckType(t *testing.T) {
	require.Error(t, checkType(nil))
	require.Error(t, checkType(&Type{Kind: Array}))
	require.Error(t, checkType(&Type{Kind: FixedString}))
	require.Error(t, checkType(&Type{Kind: Nullable, Elem: &Type{Kind: Array, Elem: &Type{Kind: Int8}}}))
	require.Error(t, checkType(&Type{Kind: DateTime, TZ: "No/Where"}))
	require.NoError(t, checkType(&Type{Kind: DateTime, TZ: "Europe/Paris"}))
}
