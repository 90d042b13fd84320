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
