#!/bin/sh
# Counts the instructions and branch mispredictions per message of the engine's decoding
# work (TestDecodeLoop: decode into Rows, copy into the block) under valgrind's cachegrind.
# Unlike times on a shared machine, the counts repeat to a fraction of a percent, so two
# versions of a decoder can be compared exactly (the mispredictions are cachegrind's simple
# model of a predictor, a guide only). Needs valgrind (apt-get install valgrind); takes
# about a minute.
#
#   internal/bench/instr.sh [format [schema]]      # default: JSONEachRow github
#
# It runs the loop twice, for 1 and for N+1 messages, and divides the difference by N, so
# the setup (corpus generation) cancels out; GOGC=off and GOMAXPROCS=1 keep the garbage
# collector and idle threads out of the counts. INSTR_FUNCS=1 also lists the functions.
set -eu
cd "$(dirname "$0")/../.."
format=${1:-JSONEachRow}
schema=${2:-github}
n=100000
bin=$(mktemp -t chkafka-instr.XXXXXX)
out=$(mktemp -d -t chkafka-instr-out.XXXXXX)
trap 'rm -rf "$bin" "$out"' EXIT
go test -c -o "$bin" ./internal/bench/
for m in 1 $((n + 1)); do
	GOGC=off GOMAXPROCS=1 CHKAFKA_DECODE_LOOP=$m CHKAFKA_DECODE_LOOP_FORMAT=$format CHKAFKA_DECODE_LOOP_SCHEMA=$schema \
		valgrind --tool=cachegrind --branch-sim=yes --cache-sim=no --cachegrind-out-file="$out/cg.$m" \
		"$bin" -test.run='^TestDecodeLoop$' >"$out/log.$m" 2>&1 || { cat "$out/log.$m"; exit 1; }
done
count() { # event file: the program total of an event of a cachegrind log
	sed -n "s/.*$1: *\([0-9,]*\).*/\1/p" "$2" | head -1 | tr -d ,
}
i1=$(count 'I *refs' "$out/log.1"); i2=$(count 'I *refs' "$out/log.$((n + 1))")
b1=$(count 'Mispredicts' "$out/log.1"); b2=$(count 'Mispredicts' "$out/log.$((n + 1))")
awk -v f="$format" -v s="$schema" -v n="$n" -v i="$((i2 - i1))" -v b="$((b2 - b1))" \
	'BEGIN { printf "%s %s: %.0f instructions and %.1f mispredicted branches per message (%d messages, cachegrind)\n", f, s, i / n, b / n, n }'
if [ "${INSTR_FUNCS:-}" != "" ]; then
	cg_diff "$out/cg.1" "$out/cg.$((n + 1))" >"$out/diff"
	cg_annotate --show=Ir,Bcm --show-percs=no "$out/diff" | sed -n '/file:function/,/^$/p' | head -40
fi
