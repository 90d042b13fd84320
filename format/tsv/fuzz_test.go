package tsv

import (
	"testing"

	"github.com/chkafka/chkafka/format"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

// fuzzGood is a row of every column of texttest.FuzzCols.
const fuzzGood = "1\tx\t\\N\t['a',NULL]\t{'k':1}\t(1,'x')\t2020-01-01 00:00:00.5\ta\t0.5\t1.25\tabc\tz\ttrue\t61f0c404-5cb3-11e7-907b-a6006ad3dba0\t2020-01-01\n"

// FuzzDecode checks that no payload panics, that a failed message leaves the staged rows
// resettable, and that every message that decodes survives an encode/decode round trip,
// for TSV, TSVWithNamesAndTypes and TSVRaw (decode only: raw strings may hold tabs).
func FuzzDecode(f *testing.F) {
	tt.Seeds(f)
	for _, s := range []string{"", "\n", "1\t2\n3\t4", "\\N\t\\N", "a\\", fuzzGood, fuzzGood + fuzzGood, "key\ts\nUInt64\tString\n1\tx\n"} {
		f.Add([]byte(s))
	}
	s := format.DefaultSettings()
	z := tt.NewFuzzer(f, []format.Format{Format{}, Format{WithNames: true, WithTypes: true}, Format{Raw: true}}, []bool{true, true, false},
		tt.FuzzCols, &s, []string{fuzzGood, "key\nUInt64\n1\n", fuzzGood})
	f.Fuzz(z.Run)
}
