package bench

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"testing"
	"time"
)

// BenchmarkMemory ingests the 1M- and 5M-message queue topics (JSONEachRow) through a
// table into a discarding sink, as BenchmarkEndToEnd, with kafka_max_block_size 16k, 64k
// and 128k for 1M messages and 64k for 5M, and reports:
//
//   - block-B: the largest block's Arrow buffers (what one block costs), block-rows the
//     most rows in a block;
//   - peak-arrow-B: the peak of live Arrow bytes of the table's allocator, and
//     peak-arrow/block;
//   - peak-heap-B: the peak, over samples every 2 ms, of the Go heap's object bytes
//     (runtime/metrics /memory/classes/heap/objects:bytes: live and not yet swept)
//     above the heap measured before the run, and peak-heap/block;
//   - peak-live-B: the peak live heap as marked by the garbage collector
//     (/gc/heap/live:bytes) above the one before the run.
//
// The bound is "peak ≤ 4× one block plus a constant": the line fitted through the
// three block sizes of the 1M topic gives the slope (peak per block byte) and the constant
// (benchsummary computes both). The
// broker runs in another process, so the heap holds only the client side. Topic size
// must not show: the 5M row's peaks are those of the 1M row with the same block size.
func BenchmarkMemory(b *testing.B) {
	for _, c := range []struct {
		t     *dataTopic
		block int
	}{{queue1M, 1 << 14}, {queue1M, 1 << 16}, {queue1M, 1 << 17}, {queue5M, 1 << 16}} {
		b.Run(fmt.Sprintf("%s/block-%dk", c.t.name, c.block>>10), func(b *testing.B) {
			t := c.t
			t.fill(b)
			b.SetBytes(t.bytes)
			b.ReportAllocs()
			b.ResetTimer()
			b.StopTimer()
			var total span
			var peakArrow, peakHeap, peakLive, block, blockRows int64
			for range b.N {
				mem := newCountingAllocator()
				s := newHeapSampler()
				res, err := ingest(b, t, mem, s.sample, 1, c.block)
				if err != nil {
					b.Fatal(err)
				}
				if mem.Live() != 0 {
					b.Errorf("%d Arrow bytes still allocated after the run", mem.Live())
				}
				total.add(res.span)
				peakArrow = max(peakArrow, mem.Peak())
				peakHeap = max(peakHeap, s.peakObjects-s.baseObjects)
				peakLive = max(peakLive, s.peakLive-s.baseLive)
				block = max(block, res.maxBlock)
				blockRows = max(blockRows, res.maxRows)
			}
			total.report(b, t.n*b.N)
			b.ReportMetric(float64(block), "block-B")
			b.ReportMetric(float64(blockRows), "block-rows")
			b.ReportMetric(float64(peakArrow), "peak-arrow-B")
			b.ReportMetric(float64(peakArrow)/float64(block), "peak-arrow/block")
			b.ReportMetric(float64(peakHeap), "peak-heap-B")
			b.ReportMetric(float64(peakHeap)/float64(block), "peak-heap/block")
			b.ReportMetric(float64(peakLive), "peak-live-B")
		})
	}
}

// heapSampler records the peak of the heap's object bytes and of the live heap.
type heapSampler struct {
	samples               []metrics.Sample
	baseObjects, baseLive int64
	peakObjects, peakLive int64
	lastProfile           time.Time
}

const (
	metricObjects = "/memory/classes/heap/objects:bytes"
	metricLive    = "/gc/heap/live:bytes"
)

func newHeapSampler() *heapSampler {
	s := &heapSampler{samples: []metrics.Sample{{Name: metricObjects}, {Name: metricLive}}}
	runtime.GC()
	debug.FreeOSMemory()
	s.baseObjects, s.baseLive = s.read()
	s.peakObjects, s.peakLive = s.baseObjects, s.baseLive
	return s
}

func (s *heapSampler) read() (objects, live int64) {
	metrics.Read(s.samples)
	return int64(s.samples[0].Value.Uint64()), int64(s.samples[1].Value.Uint64())
}

func (s *heapSampler) sample() {
	objects, live := s.read()
	s.peakObjects = max(s.peakObjects, objects)
	if live > s.peakLive {
		s.peakLive = live
		s.profile()
	}
}

// heapProfileEnv names a file to which BenchmarkMemory writes a heap profile at each new
// peak of the live heap (at most every 200ms): its inuse_space shows what the peak
// holds (go tool pprof -sample_index=inuse_space -top).
const heapProfileEnv = "CHKAFKA_BENCH_HEAPPROFILE"

func (s *heapSampler) profile() {
	path := os.Getenv(heapProfileEnv)
	if path == "" || time.Since(s.lastProfile) < 200*time.Millisecond {
		return
	}
	s.lastProfile = time.Now()
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}
