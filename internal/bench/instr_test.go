package bench

import (
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// decodeLoopEnv, set to a number of messages, makes TestDecodeLoop decode that many (see
// instr.sh, which runs it under valgrind to count instructions).
const decodeLoopEnv = "CHKAFKA_DECODE_LOOP"

// TestDecodeLoop does the engine's decoding work and nothing else: the claims' decoding of
// batches of claimBatch messages into one Rows, and the pipeline's copy of each batch into
// the block with one AppendRange, cycling over the corpus of $CHKAFKA_DECODE_LOOP_SCHEMA
// (default github) in $CHKAFKA_DECODE_LOOP_FORMAT (default JSONEachRow). It is skipped
// unless $CHKAFKA_DECODE_LOOP gives the number of messages: it is a harness for
// instruction counts (instr.sh), not a test.
func TestDecodeLoop(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(decodeLoopEnv))
	if err != nil || n <= 0 {
		t.Skipf("set %s to a number of messages", decodeLoopEnv)
	}
	s := githubSchema
	if os.Getenv(decodeLoopEnv+"_SCHEMA") == queueSchema.name {
		s = queueSchema
	}
	formatName := "JSONEachRow"
	if f := os.Getenv(decodeLoopEnv + "_FORMAT"); f != "" {
		formatName = f
	}
	r := newDecodeRig(t, memory.NewGoAllocator(), s, formatName, nil)
	msgs := r.c.msgs
	for i := 0; i < n; {
		r.rows.Reset()
		for k := 0; k < claimBatch && i < n; k, i = k+1, i+1 {
			if err := r.dec.Decode(r.rows, msgs[i%len(msgs)]); err != nil {
				t.Fatal(err)
			}
		}
		r.b.AppendRange(r.rows, 0, r.rows.Len(), nil)
		if r.b.Len() >= blockRows {
			r.b.NewRecordBatch().Release()
		}
	}
}
