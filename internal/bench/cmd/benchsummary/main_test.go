package main

import (
	"math"
	"testing"
)

func TestFitLine(t *testing.T) {
	slope, c, ok := fitLine([]float64{1, 2, 4}, []float64{5, 7, 11}) // y = 2x + 3
	if !ok || math.Abs(slope-2) > 1e-9 || math.Abs(c-3) > 1e-9 {
		t.Fatalf("got %v × x + %v (%v), want 2 × x + 3", slope, c, ok)
	}
	slope, c, ok = fitLine([]float64{1, 2, 3}, []float64{1, 3, 2}) // least squares: 0.5x + 1
	if !ok || math.Abs(slope-0.5) > 1e-9 || math.Abs(c-1) > 1e-9 {
		t.Fatalf("got %v × x + %v (%v), want 0.5 × x + 1", slope, c, ok)
	}
	if _, _, ok := fitLine([]float64{2, 2}, []float64{1, 3}); ok {
		t.Fatal("a line through one x")
	}
	if _, _, ok := fitLine([]float64{2}, []float64{1}); ok {
		t.Fatal("a line through one point")
	}
}

func TestPairedRatio(t *testing.T) {
	res := results{
		"ours": {"rows/s": {50, 90, 70}},
		"base": {"rows/s": {100, 100, 80}},
	}
	m, lo, hi, ok := res.pairedRatio("ours", "base") // 0.5, 0.9, 0.875
	if !ok || m != 0.875 || lo != 0.5 || hi != 0.9 {
		t.Fatalf("got %v (%v–%v, %v), want 0.875 (0.5–0.9)", m, lo, hi, ok)
	}
	res["base"]["rows/s"] = res["base"]["rows/s"][:2]
	if _, _, _, ok := res.pairedRatio("ours", "base"); ok {
		t.Fatal("paired 3 results with 2")
	}
	if got, want := res.pairedCell("ours", []string{"base"}, 0.7), "0.70× ✅"; got != want {
		t.Fatalf("unpaired cell %q, want the ratio of the medians %q", got, want)
	}

	// Two baselines: each round's faster one.
	res = results{
		"ours":  {"rows/s": {60, 90, 70}},
		"base1": {"rows/s": {100, 50, 80}},
		"base2": {"rows/s": {50, 100, 100}},
	}
	m, lo, hi, ok = res.pairedRatio("ours", "base1", "base2") // 0.6, 0.9, 0.7
	if !ok || m != 0.7 || lo != 0.6 || hi != 0.9 {
		t.Fatalf("got %v (%v–%v, %v), want 0.7 (0.6–0.9)", m, lo, hi, ok)
	}
	if got, want := res.pairedCell("ours", []string{"base1", "base2"}, 0.8), "0.70× ❌ (0.60–0.90)"; got != want {
		t.Fatalf("paired cell %q, want %q", got, want)
	}
}
