// Command benchsummary reads the output of chkafka's benchmarks (go test -bench on
// ./internal/bench, several -count runs allowed) on stdin and prints Markdown tables of
// the medians with the ratios of issue 7's targets, every ratio computed from the same
// input: ours / baseline on rows per second, so higher is better.
//
//	go test -run='^$' -bench=. ./internal/bench/ | go run ./internal/bench/cmd/benchsummary
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// results maps a benchmark name (without the GOMAXPROCS suffix) to its unit → values.
type results map[string]map[string][]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader) (results, []string, error) {
	res := results{}
	var order []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		if res[name] == nil {
			res[name] = map[string][]float64{}
			order = append(order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			res[name][f[i+1]] = append(res[name][f[i+1]], v)
		}
	}
	return res, order, sc.Err()
}

// get returns the median of name's unit and whether it exists.
func (r results) get(name, unit string) (float64, bool) {
	vs := r[name][unit]
	if len(vs) == 0 {
		return 0, false
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

func (r results) runs(name string) int { return len(r[name]["ns/op"]) }

// cell formats name's unit, "–" if absent.
func (r results) cell(name, unit string, format func(float64) string) string {
	v, ok := r.get(name, unit)
	if !ok {
		return "–"
	}
	return format(v)
}

// ratio formats ours/base rows/s with a verdict against target (0: none). With several
// bases, the fastest one is the baseline.
func (r results) ratio(ours string, bases []string, target float64, atMost bool) string {
	a, ok := r.get(ours, "rows/s")
	var b float64
	for _, base := range bases {
		if v, ok := r.get(base, "rows/s"); ok {
			b = max(b, v)
		}
	}
	if !ok || b == 0 {
		return "–"
	}
	return verdict(a/b, target, atMost)
}

// pairedRatio is the ratio of ours to its baseline: the median over the rounds of ours'
// rows/s over the baseline's, the i-th result of ours paired with the i-th of each base
// (the faster base of the round when there are several), with the lowest and highest
// round. run.sh runs ours and its baselines a few seconds apart in each round, so a
// change in the machine's speed between rounds moves both sides of a ratio. ok is false
// unless every base has as many results as ours.
func (r results) pairedRatio(ours string, bases ...string) (median, lo, hi float64, ok bool) {
	a := r[ours]["rows/s"]
	if len(a) == 0 {
		return 0, 0, 0, false
	}
	ratios := make([]float64, len(a))
	for i := range a {
		var b float64
		for _, base := range bases {
			vs := r[base]["rows/s"]
			if len(vs) != len(a) {
				return 0, 0, 0, false
			}
			b = max(b, vs[i])
		}
		if b == 0 {
			return 0, 0, 0, false
		}
		ratios[i] = a[i] / b
	}
	slices.Sort(ratios)
	n := len(ratios)
	median = ratios[n/2]
	if n%2 == 0 {
		median = (ratios[n/2-1] + ratios[n/2]) / 2
	}
	return median, ratios[0], ratios[n-1], true
}

// pairedCell formats pairedRatio with a verdict against target (0: none) and the range of
// the rounds; without pairs it falls back to the ratio of the medians.
func (r results) pairedCell(ours string, bases []string, target float64) string {
	m, lo, hi, ok := r.pairedRatio(ours, bases...)
	if !ok {
		return r.ratio(ours, bases, target, false)
	}
	return fmt.Sprintf("%s (%.2f–%.2f)", verdict(m, target, false), lo, hi)
}

func verdict(v, target float64, atMost bool) string {
	s := fmt.Sprintf("%.2f×", v)
	switch {
	case target == 0:
	case (!atMost && v >= target) || (atMost && v <= target):
		s += " ✅"
	default:
		s += " ❌"
	}
	return s
}

func rate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func mb(v float64) string   { return fmt.Sprintf("%.1f", v/(1<<20)) }
func f1(v float64) string   { return fmt.Sprintf("%.1f", v) }
func f4(v float64) string   { return fmt.Sprintf("%.4f", v) }
func nsop(v float64) string { return fmt.Sprintf("%.0f", v) }

var (
	schemas       = []string{"queue", "github"}
	decodeFormats = []string{"JSONEachRow", "JSONEachRow+virtual", "CSV", "TSV", "RowBinary", "Avro", "AvroConfluent", "arrow-json", "arrow-json-msg", "arrow-csv"}
	e2eTopics     = []string{"queue-1m", "github-200k"}
	memTopics     = []string{"queue-1m/block-16k", "queue-1m/block-64k", "queue-1m/block-128k", "queue-5m/block-64k"}
	fitTopics     = memTopics[:3] // the line peak = slope × block + constant is fitted through these
)

func main() {
	res, order, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchsummary:", err)
		os.Exit(1)
	}
	if len(res) == 0 {
		fmt.Fprintln(os.Stderr, "benchsummary: no benchmark results on stdin")
		os.Exit(1)
	}
	w := os.Stdout
	runs := 0
	for _, n := range order {
		runs = max(runs, res.runs(n))
	}
	fmt.Fprintf(w, "Medians of up to %d runs; ratios are ours / baseline in rows/s (higher is better), from this run.\n\n", runs)

	fmt.Fprintln(w, "### Decode: payloads → Arrow record batches (one row per message, 64k-row blocks)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| schema | format | ns/row | rows/s | MB/s | allocs/row | vs arrow-json | vs arrow-csv |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range schemas {
		for _, f := range decodeFormats {
			name := "Decode/" + s + "/" + f
			if res[name] == nil {
				continue
			}
			vsJSON, vsCSV := "", ""
			arrowJSON := []string{"Decode/" + s + "/arrow-json", "Decode/" + s + "/arrow-json-msg"}
			switch f {
			case "JSONEachRow":
				vsJSON = res.pairedCell(name, arrowJSON, 2)
			case "JSONEachRow+virtual":
				vsJSON = res.pairedCell(name, arrowJSON, 0)
			case "CSV":
				vsCSV = res.pairedCell(name, []string{"Decode/" + s + "/arrow-csv"}, 1.5)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", s, f,
				res.cell(name, "ns/op", nsop), res.cell(name, "rows/s", rate), res.cell(name, "MB/s", f1),
				res.cell(name, "allocs/row", f4), vsJSON, vsCSV)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Targets: JSONEachRow ≥ 2× arrow-go's JSON decoding (the faster of arrow-json and arrow-json-msg in each round), CSV ≥ 1.5× arrow-csv; allocs/row ≈ 0 for JSONEachRow, CSV, TSV, RowBinary (the block's own buffers amortised). The ratios are the median over the rounds of each round's ratio (run.sh runs every decoder once per round, seconds apart), with the lowest and highest round in brackets; the other columns are medians.")
	fmt.Fprintln(w)

	fmt.Fprintln(w, "### End to end: broker → Table → discarding sink, to the last commit")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| topic | client | rows/s | MB/s | client CPU ns/row | broker CPU ns/row | / raw sarama |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|")
	for _, t := range e2eTopics {
		base := "EndToEnd/" + t + "/sarama"
		for _, c := range []string{"chkafka", "chkafka-2x", "sarama"} {
			name := "EndToEnd/" + t + "/" + c
			if res[name] == nil {
				continue
			}
			ratio := ""
			switch c {
			case "chkafka":
				ratio = res.pairedCell(name, []string{base}, 0.7)
			case "chkafka-2x":
				ratio = res.pairedCell(name, []string{base}, 0)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", t, c,
				res.cell(name, "rows/s", rate), res.cell(name, "MB/s", f1),
				res.cell(name, "cpu-ns/row", nsop), res.cell(name, "broker-cpu-ns/row", nsop), ratio)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Target: chkafka ≥ 0.7× raw sarama. \"/ raw sarama\" is the median over the rounds of each round's ratio (run.sh runs a round's clients seconds apart), with the lowest and highest round in brackets; the other columns are medians. chkafka-2x: kafka_num_consumers = 2, kafka_thread_per_consumer = 1.")
	fmt.Fprintln(w)

	fmt.Fprintln(w, "### Insert: Arrow rows → acknowledged messages")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| schema | chkafka rows/s | sarama-sync rows/s | sarama-async rows/s | chkafka / sync | chkafka / async |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, s := range schemas {
		ours := "Insert/" + s + "/chkafka"
		if res[ours] == nil {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", s,
			res.cell(ours, "rows/s", rate), res.cell("Insert/"+s+"/sarama-sync", "rows/s", rate),
			res.cell("Insert/"+s+"/sarama-async", "rows/s", rate),
			res.ratio(ours, []string{"Insert/" + s + "/sarama-sync"}, 0, false),
			res.ratio(ours, []string{"Insert/" + s + "/sarama-async"}, 0, false))
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "### Memory: ingesting with 16k- to 128k-row blocks (MB = MiB)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| topic / kafka_max_block_size | rows/s | block rows | block MB | peak Arrow MB | peak Arrow / block | peak heap MB | peak heap / block | peak live heap MB |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, t := range memTopics {
		name := "Memory/" + t
		if res[name] == nil {
			continue
		}
		arrowRatio := res.cell(name, "peak-arrow/block", func(v float64) string { return verdict(v, 4, true) })
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", t,
			res.cell(name, "rows/s", rate), res.cell(name, "block-rows", nsop), res.cell(name, "block-B", mb), res.cell(name, "peak-arrow-B", mb), arrowRatio,
			res.cell(name, "peak-heap-B", mb), res.cell(name, "peak-heap/block", func(v float64) string { return fmt.Sprintf("%.2f×", v) }),
			res.cell(name, "peak-live-B", mb))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Target: peak ≤ 4× one block's Arrow size plus a constant, the same for 1M and 5M messages. \"block\" is the largest block delivered (the engine cuts after a poll batch, so up to twice kafka_max_block_size rows). Heap figures are above the heap before the run (the broker runs in another process); \"peak heap / block\" includes the constant (sarama's buffers), so the bound applies to the fitted slope below.")
	for _, m := range []struct{ unit, what string }{{"peak-live-B", "live heap"}, {"peak-heap-B", "heap objects"}, {"peak-arrow-B", "Arrow"}} {
		var xs, ys []float64
		for _, t := range fitTopics {
			x, ok0 := res.get("Memory/"+t, "block-B")
			y, ok1 := res.get("Memory/"+t, m.unit)
			if ok0 && ok1 {
				xs, ys = append(xs, x), append(ys, y)
			}
		}
		slope, constant, ok := fitLine(xs, ys)
		if !ok {
			continue
		}
		fmt.Fprintf(w, "\nPeak %s = %s × block + %s MB (least squares through the medians of the %d block sizes of queue-1m).",
			m.what, verdict(slope, 4, true), mb(constant), len(xs))
	}
	fmt.Fprintln(w)

	var other []string
	for _, n := range order {
		if !strings.HasPrefix(n, "Decode/") && !strings.HasPrefix(n, "EndToEnd/") &&
			!strings.HasPrefix(n, "Insert/") && !strings.HasPrefix(n, "Memory/") {
			other = append(other, n)
		}
	}
	if len(other) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "### Other benchmarks")
		fmt.Fprintln(w)
		for _, n := range other {
			fmt.Fprintf(w, "- %s: %s ns/op, %s rows/s\n", n, res.cell(n, "ns/op", nsop), res.cell(n, "rows/s", rate))
		}
	}
}

// fitLine returns the least-squares line y = slope × x + constant through the points; false
// with fewer than two distinct x.
func fitLine(xs, ys []float64) (slope, constant float64, ok bool) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i, x := range xs {
		sx, sy, sxx, sxy = sx+x, sy+ys[i], sxx+x*x, sxy+x*ys[i]
	}
	d := n*sxx - sx*sx
	if len(xs) < 2 || d == 0 {
		return 0, 0, false
	}
	slope = (n*sxy - sx*sy) / d
	return slope, (sy - slope*sx) / n, true
}
