package bench

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// countingAllocator is a Go allocator that tracks the live Arrow bytes and their peak.
// Unlike memory.CheckedAllocator it does not allocate per call (so allocation counts
// stay meaningful) and it remembers the maximum.
type countingAllocator struct {
	mem  memory.Allocator
	live atomic.Int64
	peak atomic.Int64
}

func newCountingAllocator() *countingAllocator {
	return &countingAllocator{mem: memory.NewGoAllocator()}
}

func (a *countingAllocator) add(n int) {
	live := a.live.Add(int64(n))
	for {
		p := a.peak.Load()
		if live <= p || a.peak.CompareAndSwap(p, live) {
			return
		}
	}
}

func (a *countingAllocator) Allocate(size int) []byte {
	b := a.mem.Allocate(size)
	a.add(size)
	return b
}

func (a *countingAllocator) Reallocate(size int, b []byte) []byte {
	old := len(b)
	b = a.mem.Reallocate(size, b)
	a.add(size - old)
	return b
}

func (a *countingAllocator) Free(b []byte) {
	a.add(-len(b))
	a.mem.Free(b)
}

// Live returns the Arrow bytes allocated and not freed.
func (a *countingAllocator) Live() int64 { return a.live.Load() }

// Peak returns the most live bytes seen since the last ResetPeak.
func (a *countingAllocator) Peak() int64 { return a.peak.Load() }

// ResetPeak restarts the peak at the current live bytes.
func (a *countingAllocator) ResetPeak() { a.peak.Store(a.live.Load()) }
