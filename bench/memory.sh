#!/usr/bin/env bash
# The silo's resident memory under the load issue 17 bounds (< 256 MiB with 16 concurrent 1 GiB
# transfers), measured alone so that runs can be compared: per run a fresh silo, one 1 GiB send,
# then 8 verified 1 GiB downloads and 8 uploads of 1 GiB at once (Granary.Bench blobs-load); RSS is
# sampled every 0.2 s and split at its peak into anonymous (the .NET heap, QUIC buffers in malloc's
# arenas) and file-backed (ReadyToRun code, libraries), with the .NET heap's own view from the
# silo's Prometheus scrape after the load. blobs.sh's last section measures the same load after
# its other rows; this one has no anchor: the bound is the issue's, not another program's.
#   bash bench/memory.sh   (after ./build.sh --target=Publish; ./build.sh --target=Bench-Memory does both)
#   Exits 1 if any run's peak went over the bound, so it can guard the bound after a change.
#   RUNS=N (default 3)     SILO_ENV="NAME=VALUE ..." runs the silo with more environment (an A/B knob)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/granary-bench}
GRANARY=artifacts/bin/granary
BENCH="dotnet artifacts/bench/Granary.Bench.dll"
SIZE=$((1024 * 1024 * 1024))
[ -x $GRANARY ] || { echo "bench/memory.sh: run ./build.sh --target=Publish first." >&2; exit 1; }
[ -f artifacts/bench/Granary.Bench.dll ] || dotnet build -c Release bench/Granary.Bench -o artifacts/bench >/dev/null
mkdir -p "$DIR"
[ -f "$DIR/1g.bin" ] && [ "$(stat -c %s "$DIR/1g.bin")" -eq $SIZE ] || head -c $SIZE /dev/urandom > "$DIR/1g.bin"

# A failed or interrupted run leaves no silo and no data behind.
cleanup() { [ -z "${SILO:-}" ] || kill "$SILO" 2>/dev/null || true; [ -z "${WORK:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT

echo "# silo peak RSS, 8 downloads + 8 uploads of 1 GiB at once (bound: 262144 KiB = 256 MiB)"
printf '%-4s %12s %12s %12s %14s %12s\n' run "peak KiB" "anon KiB" "file KiB" "GC commit MiB" "LOH MiB"
for run in $(seq "$RUNS"); do
  WORK=$(mktemp -d /tmp/granary-memory-bench.XXXXXX)
  # shellcheck disable=SC2086 # SILO_ENV is a list of NAME=VALUE words
  env ${SILO_ENV:-} $GRANARY silo run --data "$WORK/silo" --listen 127.0.0.1:14670 --metrics 127.0.0.1:14671 > "$WORK/out" 2> "$WORK/err" &
  SILO=$!
  for _ in $(seq 200); do grep -q '^ready' "$WORK/out" 2>/dev/null && break; sleep 0.05; done
  TICKET=$(sed -n 's/^ready //p' "$WORK/out")
  export GRANARY_SILO=$TICKET GRANARY_TOKEN=$(cat "$WORK/silo/admin.token")
  HASH=$($GRANARY send "$DIR/1g.bin" | cut -d' ' -f1)
  ( peak=0
    while kill -0 $SILO 2>/dev/null; do
      read -r rss anon file < <(awk '/^Rss:/ {r=$2} /^Anonymous:/ {a=$2} END {print r, a, r - a}' /proc/$SILO/smaps_rollup 2>/dev/null || echo "0 0 0")
      if [ "${rss:-0}" -gt "$peak" ]; then peak=$rss; echo "$rss $anon $file" > "$WORK/peak"; fi
      sleep 0.2
    done ) &
  SAMPLER=$!
  $BENCH blobs-load "$TICKET" "$WORK/silo/admin.token" "$HASH" "$DIR/1g.bin" 8 > /dev/null
  metrics=$(curl -s 127.0.0.1:14671/metrics)
  committed=$(echo "$metrics" | awk '/^dotnet_gc_last_collection_memory_committed_size_bytes/ {printf "%.1f", $NF / 1048576}')
  loh=$(echo "$metrics" | awk '/^dotnet_gc_last_collection_heap_size_bytes/ && /gc_heap_generation="loh"/ {printf "%.1f", $NF / 1048576}')
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$SILO/status)
  kill $SILO; wait $SILO 2>/dev/null || true; wait $SAMPLER 2>/dev/null || true
  read -r _ anon file < "$WORK/peak"
  printf '%-4s %12s %12s %12s %14s %12s\n' "$run" "$hwm" "$anon" "$file" "$committed" "$loh"
  rm -rf "$WORK"
  [ "$hwm" -le 262144 ] || OVER="$OVER $run"
done
if [ -n "${OVER:-}" ]; then
  echo "bench/memory.sh: over the 262144 KiB (256 MiB) bound in run(s)$OVER" >&2
  exit 1
fi
