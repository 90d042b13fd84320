#!/bin/sh
# Runs every benchmark of chkafka's issue 7 in one go and prints the results with the
# ratios to their baselines, all measured in this run (see BENCHMARKS.md).
#
#   internal/bench/run.sh            # from anywhere in the repository
#
# Environment: BENCH_COUNT (default 3) runs of each benchmark, BENCH_E2E_COUNT (default 5)
# of the end-to-end ones (their wall-clock rates move most with the machine's load),
# BENCH_TIME (default 0.5s) per decode benchmark, BENCH_OUT (default a temporary file) keeps the raw go test output
# (benchstat-compatible).
set -eu
cd "$(dirname "$0")/../.."
count=${BENCH_COUNT:-3}
e2e_count=${BENCH_E2E_COUNT:-5}
btime=${BENCH_TIME:-0.5s}
out=${BENCH_OUT:-$(mktemp -t chkafka-bench.XXXXXX)}
bin=$(mktemp -t chkafka-bench-test.XXXXXX)
trap 'rm -f "$bin"' EXIT

echo "# chkafka benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(go version | cut -d' ' -f3-)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

go test -c -o "$bin" ./internal/bench/
start=$(date +%s)
{
	# Decode: time-based, b.N rows per run, in rounds of one run of each decoder (go test
	# repeats a benchmark -count times in a row, which would put ours and its baseline
	# tens of seconds apart): benchsummary pairs each round's runs.
	for _ in $(seq "$count"); do
		"$bin" -test.run='^$' -test.bench='^BenchmarkDecode$' -test.benchtime="$btime" -test.count=1
	done
	# Broker benchmarks: one op is a whole topic (or corpus), with a new consumer group.
	# End to end in rounds of one run of each client, so that a round's chkafka and raw
	# sarama runs are seconds apart and benchsummary can pair them (each round fills its
	# topics on a new broker).
	for _ in $(seq "$e2e_count"); do
		"$bin" -test.run='^$' -test.bench='^BenchmarkEndToEnd$' -test.benchtime=1x -test.count=1
	done
	"$bin" -test.run='^$' -test.bench='^BenchmarkInsert$' -test.benchtime=1x -test.count="$count"
	# Memory in a process of its own: the corpora of the other benchmarks would stay live
	# and raise the garbage collector's heap goal, hence the peak of the heap.
	"$bin" -test.run='^$' -test.bench='^BenchmarkMemory$' -test.benchtime=1x -test.count="$count"
} 2>&1 | tee "$out"
echo
echo "raw output: $out; wall time $(( $(date +%s) - start ))s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
go run ./internal/bench/cmd/benchsummary < "$out"
