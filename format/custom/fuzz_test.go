package custom

import (
	"testing"

	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

// FuzzDecode checks that no payload panics, that a failed message leaves the staged rows
// resettable, and that every message that decodes survives an encode/decode round trip,
// with the Quoted rule and delimiters around rows and the message, with and without a
// header, and with the JSON rule.
func FuzzDecode(f *testing.F) {
	tt.Seeds(f)
	good := `<1;'x';NULL;['a',NULL];{'k':1};(1,'x');'2020-01-01 00:00:00.5';'a';0.5;1.25;'abc';'z';true;'61f0c404-5cb3-11e7-907b-a6006ad3dba0';'2020-01-01'>`
	for _, s := range []string{"", "[]", "[" + good + "]", "[" + good + ",\n" + good + "]\n", "[<'key';'s'>,\n<'UInt64';'String'>,\n<1;'x'>]"} {
		f.Add([]byte(s))
	}
	s := format.DefaultSettings()
	s.CustomEscapingRule = "Quoted"
	s.CustomResultBeforeDelimiter = "["
	s.CustomResultAfterDelimiter = "]"
	s.CustomFieldDelimiter = ";"
	s.CustomRowBeforeDelimiter = "<"
	s.CustomRowAfterDelimiter = ">"
	s.CustomRowBetweenDelimiter = ",\n"
	z := tt.NewFuzzer(f, []format.Format{Format{}, Format{WithNames: true, WithTypes: true}}, []bool{true, true},
		tt.FuzzCols, &s, []string{"[" + good + "]", "[<'key'>,\n<'UInt64'>,\n<1>]"})

	// The JSON and CSV rules with the same delimiters.
	js := s
	js.CustomEscapingRule = "JSON"
	jgood := `[<1;"x";null;["a",null];{"k":1};[1,"x"];"2020-01-01 00:00:00.5";"a";0.5;1.25;"abc";"z";true;"61f0c404-5cb3-11e7-907b-a6006ad3dba0";"2020-01-01">]`
	f.Add([]byte(jgood))
	zj := tt.NewFuzzer(f, []format.Format{Format{}}, []bool{true}, tt.FuzzCols, &js, []string{jgood})
	cs := s
	cs.CustomEscapingRule = "CSV"
	cgood := `[<1;x;\N;"['a',NULL]";"{'k':1}";"(1,'x')";2020-01-01 00:00:00.5;a;0.5;1.25;abc;z;true;61f0c404-5cb3-11e7-907b-a6006ad3dba0;2020-01-01>]`
	f.Add([]byte(cgood))
	zc := tt.NewFuzzer(f, []format.Format{Format{}}, []bool{true}, tt.FuzzCols, &cs, []string{cgood})
	f.Fuzz(func(t *testing.T, payload []byte) {
		z.Run(t, payload)
		zj.Run(t, payload)
		zc.Run(t, payload)
	})
}
