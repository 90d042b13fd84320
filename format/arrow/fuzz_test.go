package arrowfmt

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/format/internal/codectest"
)

func fuzzFormat(f *testing.F, fm Format) {
	mem := memory.NewGoAllocator()
	r := codectest.MatrixRecord(f, mem, 0, 1, 2)
	defer r.Release()
	good := encode(f, fm, r, defaults())
	s := defaults()
	s.ArrowCompression = "none"
	plain := encode(f, fm, r, s)
	codectest.Seeds(f, "testdata", good, plain, []byte("ARROW1\x00\x00"), []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	codectest.Fuzz(f, fm, codectest.MatrixCols, defaults(), good)
}

func FuzzDecode(f *testing.F) { fuzzFormat(f, File) }

func FuzzDecodeStream(f *testing.F) { fuzzFormat(f, Stream) }
