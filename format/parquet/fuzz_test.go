package parquet

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/format/internal/codectest"
)

func FuzzDecode(f *testing.F) {
	mem := memory.NewGoAllocator()
	r := codectest.MatrixRecord(f, mem, 0, 1, 2)
	defer r.Release()
	good := encode(f, r, defaults())
	s := defaults()
	s.ParquetCompression = "none"
	plain := encode(f, r, s)
	codectest.Seeds(f, "testdata", good, plain, []byte("PAR1PAR1"))
	codectest.Fuzz(f, Format{}, codectest.MatrixCols, defaults(), good)
}
