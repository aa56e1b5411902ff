#!/usr/bin/env bash
# Transfer channels between two independent silos (issue 14), on the published binary, in one run:
# a 1 GiB pull channel from silo B into silo A (`granary transfer pull --wait`, start to Completed)
# against the anchor `granary get` of the same blob from B (into /dev/shm and into a file on the
# same disk as A's store), RUNS runs each alternating, medians and ratios channel / get; then
# 100 pull channels of 64 KiB blobs started at once (bench/Granary.Bench transfer-small), the time
# until all are Completed and the channel events per second on the receiving side.
#   ./build.sh --target=Bench-Transfer   (publishes, runs this)
#   bash bench/transfer.sh               (after ./build.sh --target=Publish)
#   RUNS=5 SMALL=200 bash bench/transfer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SMALL=${SMALL:-100}            # concurrent small channels (one grant names at most 256 hashes)
SMALL_SIZE=${SMALL_SIZE:-65536}
CLIENTS=${CLIENTS:-8}          # connections to A the small channels are started and followed over
DIR=${BENCH_DIR:-/tmp/granary-bench}
GRANARY=$PWD/artifacts/bin/granary
BENCH="dotnet $PWD/artifacts/bench/Granary.Bench.dll"
SIZE=$((1024 * 1024 * 1024))
[ -x "$GRANARY" ] || { echo "bench/transfer.sh: run ./build.sh --target=Publish first." >&2; exit 1; }
[ "$SMALL" -le 256 ] || { echo "bench/transfer.sh: SMALL=$SMALL: one grant names at most 256 hashes." >&2; exit 1; }
build=$(dotnet build -c Release bench/Granary.Bench -o artifacts/bench 2>&1) || { echo "$build" >&2; exit 1; }
WORK=$(mktemp -d /tmp/granary-transfer-bench.XXXXXX)
SHM=$(mktemp -d /dev/shm/granary-transfer-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK" "$SHM"
}
trap cleanup EXIT

mkdir -p "$DIR"
[ -f "$DIR/1g.bin" ] && [ "$(stat -c %s "$DIR/1g.bin")" -eq $SIZE ] || head -c $SIZE /dev/urandom > "$DIR/1g.bin"
cat "$DIR/1g.bin" > /dev/null

# start_silo NAME PORT: a silo alone with its data in $WORK/NAME; its ticket in TICKET.
start_silo() {
  local dir="$WORK/$1"
  mkdir -p "$dir"
  $GRANARY silo run --data "$dir" --listen "127.0.0.1:$2" > "$dir.out" 2> "$dir.err" &
  PIDS+=($!)
  for _ in $(seq 600); do grep -q '^ready' "$dir.out" 2>/dev/null && break; sleep 0.05; done
  TICKET=$(sed -n 's/^ready //p' "$dir.out")
  [ -n "$TICKET" ] || { echo "bench/transfer.sh: silo $1 did not start:" >&2; cat "$dir.err" >&2; exit 1; }
}
start_silo a 14620; TA=$TICKET; KA=$(cat "$WORK/a/admin.token"); PID_A=${PIDS[-1]}
start_silo b 14621; TB=$TICKET; KB=$(cat "$WORK/b/admin.token"); PID_B=${PIDS[-1]}
on_a() { GRANARY_SILO=$TA GRANARY_TOKEN=$KA "$@"; }
on_b() { GRANARY_SILO=$TB GRANARY_TOKEN=$KB "$@"; }

source bench/common.sh
HASH=$(on_b $GRANARY send "$DIR/1g.bin" | cut -d' ' -f1)
# One grant for every 1 GiB channel: the quota bounds each channel, not the grant's total.
on_b $GRANARY grant "$HASH" --peer "$TA" --pull --quota 2GiB -o "$WORK/grant-1g.txt" 2>/dev/null

get_shm() { rm -f "$SHM/g.bin"; on_b $GRANARY get "$TB/$HASH" -o "$SHM/g.bin"; }
get_disk() { rm -f "$WORK/g.bin"; on_b $GRANARY get "$TB/$HASH" -o "$WORK/g.bin"; }
channel() { on_a $GRANARY transfer pull "$HASH" --from "$TB" --grant "$WORK/grant-1g.txt" --wait; }
channel_ok() { # the last run's channel must have completed and A must hold the blob
  on_a $GRANARY transfer list | awk -v h="$HASH" '$NF == h {print $4; exit}' | grep -qx Completed \
    || { echo "bench/transfer.sh: the 1 GiB channel did not complete:" >&2; on_a $GRANARY transfer list >&2; exit 1; }
}

echo "# 1 GiB from silo B to silo A on 127.0.0.1 (two silos alone), $RUNS runs each alternating, medians, whole CLI processes; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
gs=""; gd=""; ch=""
for ((r = 0; r < RUNS; r++)); do
  gs="$gs $(seconds get_shm)"; rm -f "$SHM/g.bin"
  gd="$gd $(seconds get_disk)"; rm -f "$WORK/g.bin"
  on_a $GRANARY rm "$HASH" > /dev/null 2>&1 || true # each channel moves the whole blob
  ch="$ch $(seconds channel)"; channel_ok
done
printf "%-44s %10s %8s %10s\n" operation seconds GB/s "runs"
row() { awk -v t="$1" -v s="$(printf '%s\n' $2 | median)" -v runs="$2" -v b=$SIZE 'BEGIN {printf "%-44s %10.3f %8.3f %s\n", t, s, b/s/1e9, runs}'; }
row "granary get from B into /dev/shm (anchor)" "$gs"
row "granary get from B into a file (/tmp)" "$gd"
row "transfer pull B -> A, start to Completed" "$ch"
awk -v c="$(printf '%s\n' $ch | median)" -v s="$(printf '%s\n' $gs | median)" -v d="$(printf '%s\n' $gd | median)" \
  'BEGIN {printf "# ratio channel / get (throughput): %.2f vs get into /dev/shm, %.2f vs get into a file (target >= 0.9)\n", s/c, d/c}'
echo "# peak RSS: silo A $(awk '/VmHWM/ {print $2, $3}' /proc/$PID_A/status), silo B $(awk '/VmHWM/ {print $2, $3}' /proc/$PID_B/status)"

echo "# $SMALL pull channels of $((SMALL_SIZE >> 10)) KiB blobs (distinct), started at once over $CLIENTS connections to A, each followed to its end"
mkdir -p "$WORK/small"
for i in $(seq 1 "$SMALL"); do head -c "$SMALL_SIZE" /dev/urandom > "$WORK/small/$i.bin"; done
ls "$WORK/small"/*.bin | GRANARY_SILO=$TB GRANARY_TOKEN=$KB xargs -P 4 -n 1 $GRANARY send | cut -d' ' -f1 > "$WORK/small.hashes"
[ "$(wc -l < "$WORK/small.hashes")" -eq "$SMALL" ] || { echo "bench/transfer.sh: not every small blob reached B." >&2; exit 1; }
on_b $GRANARY grant $(cat "$WORK/small.hashes") --peer "$TA" --pull --quota 1GiB -o "$WORK/grant-small.txt" 2>/dev/null
$BENCH transfer-small "$TA" "$WORK/a/admin.token" "$TB" "$WORK/grant-small.txt" "$WORK/small.hashes" "$CLIENTS"
