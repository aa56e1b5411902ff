#!/usr/bin/env bash
# One silo, the whole product path: 1 GiB upload and download through `granary send` / `granary get`
# (written to disk, verified; the silo fsyncs uploads) against nginx + curl (PUT via WebDAV, GET),
# in the same run; then 10 000 x 4 KiB blobs with 32 concurrent clients; then the silo's peak RSS
# after 16 concurrent 1 GiB downloads and 16 uploads.
#   ./build.sh --target=Bench-Blobs   (publishes, installs nginx-light and curl, runs this)
#   bash bench/blobs.sh      (after ./build.sh --target=Publish; nginx-light and curl installed)
#   BASELINE=/path/to/an/older/granary bash bench/blobs.sh: the 1 GiB send/get rows and the
#   10 000 x 4 KiB rows also for that build, on its own silo in the same run, with the ratio
#   granary / baseline (before/after a change on the same machine and day, as in bench/cluster.sh).
#   SMALL_ONLY=1: the 4 KiB rows alone, RUNS rounds (with a BASELINE, alternating builds; medians).
set -euo pipefail
[ -z "${BASELINE:-}" ] || BASELINE=$(realpath "$BASELINE") # before the cd below
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/granary-bench}
WORK=$(mktemp -d /tmp/granary-blobs-bench.XXXXXX)
SHM=$(mktemp -d /dev/shm/granary-blobs-bench.XXXXXX)
GRANARY=artifacts/bin/granary
BENCH="dotnet artifacts/bench/Granary.Bench.dll"
SIZE=$((1024 * 1024 * 1024))
[ -x $GRANARY ] || { echo "bench/blobs.sh: run ./build.sh --target=Publish first." >&2; exit 1; }
[ -z "${BASELINE:-}" ] || [ -x "$BASELINE" ] || { echo "bench/blobs.sh: BASELINE=$BASELINE is not an executable granary." >&2; exit 1; }
[ -f artifacts/bench/Granary.Bench.dll ] || dotnet build -c Release bench/Granary.Bench -o artifacts/bench >/dev/null
mkdir -p "$DIR"
if [ -z "${SMALL_ONLY:-}" ]; then
  [ -f "$DIR/1g.bin" ] && [ "$(stat -c %s "$DIR/1g.bin")" -eq $SIZE ] || head -c $SIZE /dev/urandom > "$DIR/1g.bin"
  cat "$DIR/1g.bin" > /dev/null
fi

cleanup() { [ -n "${SILO:-}" ] && kill "$SILO" 2>/dev/null; [ -n "${BSILO:-}" ] && kill "$BSILO" 2>/dev/null; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK" "$SHM"; }
trap cleanup EXIT

mkdir -p "$WORK/upload"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 64; }
http {
  access_log off; sendfile on; tcp_nopush on; client_max_body_size 0;
  client_body_temp_path $WORK/upload-tmp; proxy_temp_path $WORK; fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  server {
    listen 127.0.0.1:18081;
    location /upload/ { root $WORK; dav_methods PUT; create_full_put_path on; }
    location / { root $DIR; }
  }
}
CONF
mkdir -p "$WORK/upload-tmp"
[ -n "${SMALL_ONLY:-}" ] || nginx -c "$WORK/nginx.conf" -p "$WORK"

$GRANARY silo run --data "$WORK/silo" --listen 127.0.0.1:14600 > "$WORK/silo.out" 2> "$WORK/silo.err" &
SILO=$!
for _ in $(seq 200); do grep -q '^ready' "$WORK/silo.out" 2>/dev/null && break; sleep 0.05; done
TICKET=$(sed -n 's/^ready //p' "$WORK/silo.out")
export GRANARY_SILO=$TICKET GRANARY_TOKEN=$(cat "$WORK/silo/admin.token")
if [ -n "${BASELINE:-}" ]; then
  # Up for the whole run, like the current silo: both builds' rows alternate within each round, so
  # both see the same machine (the idle silo of the other build included).
  $BASELINE silo run --data "$WORK/baseline" --listen 127.0.0.1:14601 > "$WORK/baseline.out" 2> "$WORK/baseline.err" &
  BSILO=$!
  for _ in $(seq 200); do grep -q '^ready' "$WORK/baseline.out" 2>/dev/null && break; sleep 0.05; done
  BTICKET=$(sed -n 's/^ready //p' "$WORK/baseline.out")
  [ -n "$BTICKET" ] || { echo "bench/blobs.sh: the BASELINE silo did not start:" >&2; cat "$WORK/baseline.err" >&2; exit 1; }
  BTOKEN=$(cat "$WORK/baseline/admin.token")
fi

source bench/common.sh
if [ -z "${SMALL_ONLY:-}" ]; then
HASH=$($GRANARY send "$DIR/1g.bin" | cut -d' ' -f1)

granary_put() { $GRANARY rm "$HASH" >/dev/null 2>&1 || true; $GRANARY send "$DIR/1g.bin"; }
nginx_put() { curl -sf -T "$DIR/1g.bin" http://127.0.0.1:18081/upload/1g.bin; }
granary_get() { rm -f "$1/g.bin"; $GRANARY get "$TICKET/$HASH" -o "$1/g.bin"; }
nginx_get() { curl -sf -o "$1/n.bin" http://127.0.0.1:18081/1g.bin; }
# The baseline build's CLI against the baseline silo (its own ticket and token).
baseline_put() { GRANARY_SILO=$BTICKET GRANARY_TOKEN=$BTOKEN $BASELINE rm "$HASH" >/dev/null 2>&1 || true; GRANARY_SILO=$BTICKET GRANARY_TOKEN=$BTOKEN $BASELINE send "$DIR/1g.bin"; }
baseline_get() { rm -f "$1/b.bin"; GRANARY_SILO=$BTICKET GRANARY_TOKEN=$BTOKEN $BASELINE get "$BTICKET/$HASH" -o "$1/b.bin"; }
[ -z "${BASELINE:-}" ] || baseline_put > /dev/null # the first get must find the blob, as on the current silo

echo "# 1 GiB through one silo vs nginx+curl on 127.0.0.1, $RUNS runs each alternating, medians, whole processes; $(nproc) cores"
printf "%-36s %10s %8s %8s\n" operation seconds GB/s ratio
row() { # name granary-times nginx-times [baseline-times]
  local g n b=""; g=$(printf '%s\n' $2 | median); n=$(printf '%s\n' $3 | median)
  local base=${4:-}; [ -z "${base// /}" ] || b=$(printf '%s\n' $base | median)
  awk -v t="$1" -v g=$g -v n=$n -v base="$b" -v b=$SIZE 'BEGIN {
    printf "%-36s %10.3f %8.2f\n", "granary " t, g, b/g/1e9
    if (base != "") printf "%-36s %10.3f %8.2f %8.2f\n", "baseline " t, base, b/base/1e9, base/g
    printf "%-36s %10.3f %8.2f %8.2f\n", "nginx+curl " t, n, b/n/1e9, n/g }'
}
# time_baseline COMMAND...: like seconds, but nothing (no column) without a BASELINE.
time_baseline() { [ -z "${BASELINE:-}" ] || seconds "$@"; }
gu=""; nu=""; bu=""; gs=""; ns=""; bs=""; gd=""; nd=""; bd=""
for ((r = 0; r < RUNS; r++)); do
  gu="$gu $(seconds granary_put)"; bu="$bu $(time_baseline baseline_put)"; nu="$nu $(seconds nginx_put)"
  gs="$gs $(seconds granary_get "$SHM")"; bs="$bs $(time_baseline baseline_get "$SHM")"; ns="$ns $(seconds nginx_get "$SHM")"; rm -f "$SHM"/*.bin
  gd="$gd $(seconds granary_get "$WORK")"; bd="$bd $(time_baseline baseline_get "$WORK")"; nd="$nd $(seconds nginx_get "$WORK")"; rm -f "$WORK"/g.bin "$WORK"/b.bin "$WORK"/n.bin
done
row "upload (silo fsyncs, nginx does not)" "$gu" "$nu" "$bu"
row "download into /dev/shm" "$gs" "$ns" "$bs"
row "download into /tmp (disk)" "$gd" "$nd" "$bd"
echo "# (ratio = granary throughput / nginx+curl throughput${BASELINE:+; on baseline rows granary / baseline})"
fi

echo "# 10 000 x 4 KiB blobs, 32 concurrent clients (one connection each)${SMALL_ONLY:+, $RUNS rounds}"
ops() { sed -n "s|^$1: .* = \([0-9.]*\) ops/s.*|\1|p"; } # ops put|get < blobs-small output
rounds=1; [ -z "${SMALL_ONLY:-}" ] || rounds=$RUNS
declare -A gops=() bops=()
for ((r = 0; r < rounds; r++)); do
  if [ -n "${BASELINE:-}" ]; then
    # Baseline first, as in bench/cluster.sh; the same client (this tree's Granary.Bench) for both.
    base_small=$($BENCH blobs-small "$BTICKET" "$WORK/baseline/admin.token" 10000 32 4096)
    sed 's/^/baseline /' <<<"$base_small"
    for op in put get; do bops[$op]="${bops[$op]:-} $(ops $op <<<"$base_small")"; done
  fi
  small=$($BENCH blobs-small "$TICKET" "$WORK/silo/admin.token" 10000 32 4096)
  echo "$small"
  for op in put get; do gops[$op]="${gops[$op]:-} $(ops $op <<<"$small")"; done
done
if [ -n "${BASELINE:-}" ]; then
  for op in put get; do
    g=$(printf '%s\n' ${gops[$op]} | median); b=$(printf '%s\n' ${bops[$op]} | median)
    awk -v op=$op -v g="$g" -v b="$b" -v n=$rounds \
      'BEGIN {printf "%s: granary / baseline ops/s (medians of %d) %s\n", op, n, (g > 0 && b > 0) ? sprintf("%.2f", g / b) : "n/a"}'
  done
fi
[ -z "${SMALL_ONLY:-}" ] || exit 0

# Issue 17 asks for < 256 MiB with 16 concurrent 1 GiB transfers: 8 downloads + 8 uploads first
# (peak so far, which includes the runs above), then 16 + 16.
echo "# silo memory: concurrent verified 1 GiB downloads + uploads of 1 GiB (peak RSS includes everything before)"
$BENCH blobs-load "$TICKET" "$WORK/silo/admin.token" "$HASH" "$DIR/1g.bin" 8
echo "silo peak RSS after 8 + 8 (16 transfers): $(awk '/VmHWM/ {print $2, $3}' /proc/$SILO/status)"
$BENCH blobs-load "$TICKET" "$WORK/silo/admin.token" "$HASH" "$DIR/1g.bin" 16
echo "silo peak RSS after 16 + 16 (32 transfers), the whole run: $(awk '/VmHWM/ {print $2, $3}' /proc/$SILO/status)"
