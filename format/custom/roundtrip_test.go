package custom

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

func TestRoundTrip(t *testing.T) {
	for _, rule := range []string{"Escaped", "Quoted", "CSV", "JSON"} {
		for _, f := range []Format{{}, {WithNames: true, WithTypes: true}} {
			t.Run(rule+" "+f.Name(), func(t *testing.T) {
				s := prefixed()
				s.CustomEscapingRule = rule
				// Escaped strings (names too) end only at tabs and newlines, as in
				// ClickHouse: keep the TSV delimiters for that rule.
				if rule != "Escaped" {
					s.CustomFieldDelimiter = ";"
					s.CustomRowBeforeDelimiter = "<"
					s.CustomRowAfterDelimiter = ">"
					s.CustomRowBetweenDelimiter = ",\n"
				}
				tt.RoundTrip(t, f, s, tt.RoundTripColumns)
			})
		}
	}
	t.Run("defaults", func(t *testing.T) { tt.RoundTrip(t, Format{WithNames: true}, defaults(), tt.RoundTripColumns) })
}

// The XML rule can only be written: strings escaped for an XML text element.
func TestEncodeXML(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := defaults()
	h := tt.NewHarness(t, mem, Format{}, []string{"s String", "n Nullable(Int8)", "a Array(String)"}, s)
	h.MustDecode("<a & b>\t\\N\t['<x>']\n")
	rec := h.Record()
	h.Release()
	defer rec.Release()
	s.CustomEscapingRule = "XML"
	s.CustomRowBeforeDelimiter = "<row><v>"
	s.CustomFieldDelimiter = "</v><v>"
	s.CustomRowAfterDelimiter = "</v></row>\n"
	enc, err := Format{WithNames: true}.NewEncoder(rec.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, "<row><v>s</v><v>n</v><v>a</v></row>\n<row><v>&lt;a &amp; b></v><v>\\N</v><v>['&lt;x>']</v></row>\n", string(out))
}

// Every rule writes what ClickHouse writes for it.
func TestEncodeRules(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	defs := []string{"i Int64", "s String", "n Nullable(Int8)", "d Date", "f Float64", "a Array(String)", "t Tuple(x Int8, y String)"}
	h := tt.NewHarness(t, mem, Format{}, defs, defaults())
	h.MustDecode("1\tit's \"q\"\t\\N\t2020-01-02\tnan\t['a']\t(1,'b')\n")
	rec := h.Record()
	h.Release()
	defer rec.Release()
	for rule, want := range map[string]string{
		"Escaped": "1\tit\\'s \"q\"\t\\N\t2020-01-02\tnan\t['a']\t(1,'b')\n",
		"Raw":     "1\tit's \"q\"\t\\N\t2020-01-02\tnan\t['a']\t(1,'b')\n",
		"Quoted":  "1\t'it\\'s \"q\"'\tNULL\t'2020-01-02'\tnan\t['a']\t(1,'b')\n",
		"CSV":     "1\t\"it's \"\"q\"\"\"\t\\N\t\"2020-01-02\"\tnan\t\"['a']\"\t\"(1,'b')\"\n",
		"JSON":    "\"1\"\t\"it's \\\"q\\\"\"\tnull\t\"2020-01-02\"\t\"nan\"\t[\"a\"]\t{\"x\":1,\"y\":\"b\"}\n",
	} {
		s := defaults()
		s.CustomEscapingRule = rule
		enc, err := Format{}.NewEncoder(rec.Schema(), &s)
		require.NoError(t, err)
		out, err := enc.Append(nil, rec, 0, 1)
		require.NoError(t, err)
		assert.Equal(t, want, string(out), rule)
	}
	_, err := Format{}.NewEncoder(block.Schema(h.Cols), &format.Settings{CustomEscapingRule: "None"})
	assert.Error(t, err)
	assert.True(t, strings.HasPrefix(Format{}.Name(), "Custom"))
}
