#!/usr/bin/env bash
# What a resumed `granary get` costs: re-verifying PATH.partial against the blob's hash tree
# before trusting it. One silo on 127.0.0.1, a 1 GiB blob; whole processes, medians of RUNS:
#   fresh        get with no partial file
#   resume-all   the whole blob recorded in PATH.partial: re-verify 1 GiB, fetch the last block
#   resume-flip  the same with one byte flipped at offset 100: narrow it down, refetch 1 MiB
# The anchor is b3sum hashing the same 1 GiB (re-verifying is hashing); the ratio printed is
# b3sum time / (resume-all - its fetch-nothing floor), i.e. the verify speed against b3sum's.
#   bash bench/resume.sh            (needs artifacts/bin/granary: ./build.sh --target=Publish)
set -euo pipefail
cd "$(dirname "$0")/.."
GRANARY=${GRANARY:-$PWD/artifacts/bin/granary}
B3SUM=${B3SUM:-$(command -v b3sum || true)}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/granary-bench-resume}
[ -x "$GRANARY" ] || { echo "bench/resume.sh: $GRANARY is missing; run ./build.sh --target=Publish first." >&2; exit 1; }
[ -n "$B3SUM" ] || { echo "bench/resume.sh: b3sum is missing; ./build.sh --target=Setup installs it." >&2; exit 1; }
source bench/common.sh
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR"
head -c $((1 << 30)) /dev/urandom > big.bin

"$GRANARY" silo run --data .granary --listen 127.0.0.1:0 > silo.out 2> silo.err &
SILO=$!
trap 'kill $SILO 2>/dev/null || true; wait $SILO 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready ' silo.out 2>/dev/null && break; sleep 0.1; done
HASH=$("$GRANARY" send big.bin | cut -d' ' -f1)

prepare() { # kind: fresh | all | flip
  rm -f out.bin out.bin.partial out.bin.partial.state
  [ "$1" = fresh ] && return
  cp big.bin out.bin.partial
  [ "$1" = flip ] && printf '\xff' | dd of=out.bin.partial bs=1 seek=100 conv=notrunc status=none
  printf '%s %s' "$HASH" $((1 << 30)) > out.bin.partial.state
  cat out.bin.partial > /dev/null
}

run() { # kind
  for _ in $(seq "$RUNS"); do
    prepare "$1"
    seconds "$GRANARY" get "$HASH" -o out.bin
    [ "$("$B3SUM" --no-names out.bin)" = "$HASH" ] || { echo "bench/resume.sh: $1 produced a wrong file!" >&2; exit 1; }
  done | median
}

cat big.bin > /dev/null
anchor=$(for _ in $(seq "$RUNS"); do seconds "$B3SUM" --num-threads 1 big.bin; done | median)
fresh=$(run fresh)
all=$(run all)
flip=$(run flip)
start=$(for _ in $(seq "$RUNS"); do seconds "$GRANARY" info "$HASH"; done | median)
echo "1 GiB, $(nproc) cores, $(grep -o -m1 'avx512f\|avx2' /proc/cpuinfo | tail -1)"
echo "b3sum --num-threads 1 (anchor)  ${anchor} s"
echo "get, fresh                      ${fresh} s"
echo "get, resume, all recorded       ${all} s"
echo "get, resume, one byte flipped   ${flip} s"
echo "granary info (start-up floor)   ${start} s"
awk -v a="$anchor" -v r="$all" -v s="$start" 'BEGIN { printf "verify speed vs b3sum 1 thread: %.2fx\n", a / (r - s) }'
