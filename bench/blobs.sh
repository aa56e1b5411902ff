#!/usr/bin/env bash
# One silo, the whole product path: 1 GiB upload and download through `granary send` / `granary get`
# (written to disk, verified; the silo fsyncs uploads) against nginx + curl (PUT via WebDAV, GET),
# in the same run; then 10 000 x 4 KiB blobs with 32 concurrent clients; then the silo's peak RSS
# after 16 concurrent 1 GiB downloads and 16 uploads.
#   bash bench/blobs.sh      (after ./build.sh --target=Publish; nginx-light and curl installed)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/granary-bench}
WORK=$(mktemp -d /tmp/granary-blobs-bench.XXXXXX)
SHM=$(mktemp -d /dev/shm/granary-blobs-bench.XXXXXX)
GRANARY=artifacts/bin/granary
BENCH="dotnet artifacts/bench/Granary.Bench.dll"
SIZE=$((1024 * 1024 * 1024))
[ -x $GRANARY ] || { echo "bench/blobs.sh: run ./build.sh --target=Publish first." >&2; exit 1; }
[ -f artifacts/bench/Granary.Bench.dll ] || dotnet build -c Release bench/Granary.Bench -o artifacts/bench >/dev/null
mkdir -p "$DIR"
[ -f "$DIR/1g.bin" ] && [ "$(stat -c %s "$DIR/1g.bin")" -eq $SIZE ] || head -c $SIZE /dev/urandom > "$DIR/1g.bin"
cat "$DIR/1g.bin" > /dev/null

cleanup() { [ -n "${SILO:-}" ] && kill "$SILO" 2>/dev/null; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK" "$SHM"; }
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
nginx -c "$WORK/nginx.conf" -p "$WORK"

$GRANARY silo run --data "$WORK/silo" --listen 127.0.0.1:14600 > "$WORK/silo.out" 2> "$WORK/silo.err" &
SILO=$!
for _ in $(seq 200); do grep -q '^ready' "$WORK/silo.out" 2>/dev/null && break; sleep 0.05; done
TICKET=$(sed -n 's/^ready //p' "$WORK/silo.out")
export GRANARY_SILO=$TICKET GRANARY_TOKEN=$(cat "$WORK/silo/admin.token")

source bench/common.sh
HASH=$($GRANARY send "$DIR/1g.bin" | cut -d' ' -f1)

granary_put() { $GRANARY rm "$HASH" >/dev/null 2>&1 || true; $GRANARY send "$DIR/1g.bin"; }
nginx_put() { curl -sf -T "$DIR/1g.bin" http://127.0.0.1:18081/upload/1g.bin; }
granary_get() { rm -f "$1/g.bin"; $GRANARY get "$TICKET/$HASH" -o "$1/g.bin"; }
nginx_get() { curl -sf -o "$1/n.bin" http://127.0.0.1:18081/1g.bin; }

echo "# 1 GiB through one silo vs nginx+curl on 127.0.0.1, $RUNS runs each alternating, medians, whole processes; $(nproc) cores"
printf "%-36s %10s %8s %8s\n" operation seconds GB/s ratio
row() { # name granary-times nginx-times
  local g n; g=$(printf '%s\n' $2 | median); n=$(printf '%s\n' $3 | median)
  awk -v t="$1" -v g=$g -v n=$n -v b=$SIZE 'BEGIN {printf "%-36s %10.3f %8.2f\n%-36s %10.3f %8.2f %8.2f\n", "granary " t, g, b/g/1e9, "nginx+curl " t, n, b/n/1e9, n/g}'
}
gu=""; nu=""; gs=""; ns=""; gd=""; nd=""
for ((r = 0; r < RUNS; r++)); do
  gu="$gu $(seconds granary_put)"; nu="$nu $(seconds nginx_put)"
  gs="$gs $(seconds granary_get "$SHM")"; ns="$ns $(seconds nginx_get "$SHM")"; rm -f "$SHM"/*.bin
  gd="$gd $(seconds granary_get "$WORK")"; nd="$nd $(seconds nginx_get "$WORK")"; rm -f "$WORK"/g.bin "$WORK"/n.bin
done
row "upload (silo fsyncs, nginx does not)" "$gu" "$nu"
row "download into /dev/shm" "$gs" "$ns"
row "download into /tmp (disk)" "$gd" "$nd"
echo "# (ratio = granary throughput / nginx+curl throughput)"

echo "# 10 000 x 4 KiB blobs, 32 concurrent clients (one connection each)"
$BENCH blobs-small "$TICKET" "$WORK/silo/admin.token" 10000 32 4096

echo "# silo memory: 16 concurrent verified 1 GiB downloads + 16 uploads of 1 GiB"
$BENCH blobs-load "$TICKET" "$WORK/silo/admin.token" "$HASH" "$DIR/1g.bin" 16
echo "silo peak RSS over the whole run: $(awk '/VmHWM/ {print $2, $3}' /proc/$SILO/status)"
