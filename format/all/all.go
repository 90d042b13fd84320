// Package all registers every built-in format. Import it for its side effect:
//
//	import _ "github.com/chkafka/chkafka/format/all"
package all

import (
	_ "github.com/chkafka/chkafka/format/csv"    // CSV, CSVWithNames, CSVWithNamesAndTypes
	_ "github.com/chkafka/chkafka/format/custom" // CustomSeparated*
	_ "github.com/chkafka/chkafka/format/json"   // the JSON family: JSONEachRow, JSONCompact*, JSON, JSONColumns*, JSONAsString, ...
	_ "github.com/chkafka/chkafka/format/lines"  // LineAsString, RawBLOB
	_ "github.com/chkafka/chkafka/format/regexp" // Regexp
	_ "github.com/chkafka/chkafka/format/tskv"   // TSKV
	_ "github.com/chkafka/chkafka/format/tsv"    // TabSeparated (TSV), TabSeparatedRaw, *WithNames, *WithNamesAndTypes
	_ "github.com/chkafka/chkafka/format/values" // Values
)
