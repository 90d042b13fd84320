package csv

import (
	"testing"

	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

// fuzzGood is a row of every column of texttest.FuzzCols.
const fuzzGood = `1,x,\N,"['a',NULL]","{'k':1}","(1,'x')","2020-01-01 00:00:00.5",a,0.5,1.25,abc,z,true,61f0c404-5cb3-11e7-907b-a6006ad3dba0,2020-01-01` + "\n"

// FuzzDecode checks that no payload panics, that a failed message leaves the staged rows
// resettable, and that every message that decodes survives an encode/decode round trip,
// for CSV and CSVWithNamesAndTypes.
func FuzzDecode(f *testing.F) {
	tt.Seeds(f)
	for _, s := range []string{"", "\n", "1,2\r\n3,4", `"a""b",'c'`, fuzzGood, fuzzGood + fuzzGood, "key,s\nUInt64,String\n1,\"x\"\n"} {
		f.Add([]byte(s))
	}
	s := format.DefaultSettings()
	s.CSVAllowSingleQuotes = true
	z := tt.NewFuzzer(f, []format.Format{Format{}, Format{WithNames: true, WithTypes: true}}, []bool{true, true},
		tt.FuzzCols, &s, []string{fuzzGood, "key\nUInt64\n1\n"})
	f.Fuzz(z.Run)
}
