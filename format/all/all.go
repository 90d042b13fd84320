// Package all registers every built-in format. Import it for its side effect:
//
//	import _ "github.com/chkafka/chkafka/format/all"
package all

import (
	_ "github.com/chkafka/chkafka/format/json" // the JSON family: JSONEachRow, JSONCompact*, JSON, JSONColumns*, JSONAsString, ...
)
