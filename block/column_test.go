package block

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseColumn(t *testing.T) {
	tests := []struct {
		def, name, typ string
	}{
		{"id UInt64", "id", "UInt64"},
		{"  level   LowCardinality(String)  ", "level", "LowCardinality(String)"},
		{"`my col` String", "my col", "String"},
		{"`e.x` Nullable(Int32)", "e.x", "Nullable(Int32)"},
		{"e.x Int32", "e.x", "Int32"},
		{"`back``tick` Int8", "back`tick", "Int8"},
		{"`esc\\`aped` Int8", "esc`aped", "Int8"},
		{`"quoted" Date`, "quoted", "Date"},
		{"_underscore Int8", "_underscore", "Int8"},
		{"`_key` String", "_key", "String"}, // ParseColumn does not check reserved names
		{"n Int32 NULL", "n", "Nullable(Int32)"},
		{"n LowCardinality(String) NULL", "n", "LowCardinality(Nullable(String))"},
		{"n Int32 NOT NULL", "n", "Int32"},
		{"c String COMMENT 'the comment'", "c", "String"},
		{"c String CODEC(ZSTD(3), LZ4)", "c", "String"},
		{"m Map(String, Array(Nullable(Int32)))", "m", "Map(String, Array(Nullable(Int32)))"},
		{"t Tuple(a Int8, b String)", "t", "Tuple(a Int8, b String)"},
	}
	for _, tt := range tests {
		t.Run(tt.def, func(t *testing.T) {
			c, err := ParseColumn(tt.def)
			require.NoError(t, err)
			assert.Equal(t, tt.name, c.Name)
			assert.Equal(t, tt.typ, c.Type.String())
			again, err := ParseColumn(c.String())
			require.NoError(t, err)
			assert.Equal(t, c, again, "Column.String round-trips")
		})
	}
}

func TestParseColumnExpressions(t *testing.T) {
	for _, def := range []string{
		"a Int32 DEFAULT 5",
		"a Int32 default 5",
		"a DateTime MATERIALIZED now()",
		"a String EPHEMERAL",
		"a String EPHEMERAL 'x'",
		"b String ALIAS toString(a)",
	} {
		t.Run(def, func(t *testing.T) {
			_, err := ParseColumn(def)
			require.ErrorIs(t, err, ErrColumnExpression)
			assert.Contains(t, err.Error(), "KafkaEngine doesn't support DEFAULT/MATERIALIZED/EPHEMERAL expressions for columns")
			assert.Contains(t, err.Error(), "https://clickhouse.com/docs/engines/table-engines/integrations/kafka/#configuration")
		})
	}
}

func TestParseColumnErrors(t *testing.T) {
	tests := map[string]string{
		"":                        "empty column definition",
		"id":                      "expected a type",
		"1abc Int8":               "expected a column name",
		"`unterminated Int8":      "unterminated literal",
		"`` Int8":                 "empty column name",
		"a Foo":                   `unknown type "Foo"`,
		"a Int32 CHECK x > 0":     `unexpected "CHECK"`,
		"a Int32 NOT":             "expected NOT NULL",
		"a Array(Int8) NULL":      "cannot be NULL",
		"a Nullable(Array(Int8))": "cannot be inside Nullable",
		"a Int32, b Int32":        "after the type",
		"a String CODEC(ZSTD":     "unbalanced parentheses",
	}
	for def, want := range tests {
		t.Run(def, func(t *testing.T) {
			_, err := ParseColumn(def)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
			assert.NotErrorIs(t, err, ErrColumnExpression)
		})
	}
}

func TestParseColumns(t *testing.T) {
	cols, err := ParseColumns([]string{"a Int8", "`e.x` String", "b Array(String)"})
	require.NoError(t, err)
	require.Len(t, cols, 3)
	assert.Equal(t, "e.x", cols[1].Name)

	for _, name := range []string{"_topic", "_key", "_offset", "_partition", "_timestamp", "_timestamp_ms",
		"`_headers.name`", "`_headers.value`", "_raw_message", "_error"} {
		_, err := ParseColumns([]string{"a Int8", name + " String"})
		require.ErrorIs(t, err, ErrReservedName, name)
	}
	_, err = ParseColumns([]string{"a Int8", "b String", "a String"})
	require.ErrorContains(t, err, `block: duplicate column name "a"`)
	_, err = ParseColumns([]string{"a Int8", "b String DEFAULT 'x'"})
	require.ErrorIs(t, err, ErrColumnExpression)
	cols, err = ParseColumns(nil)
	require.NoError(t, err)
	assert.Empty(t, cols)
}
