#!/usr/bin/env bash
# 1 GiB from server to client on loopback, over 1 stream and over 8 parallel streams, for:
#   nginx (sendfile) + curl over HTTP/1.1 (TCP)   -- 8 streams = 8 curls fetching 128 MiB ranges
#   Debian's ngtcp2 example server/client (QUIC in C, HTTP/3)  -- 8 streams = 8 URIs, one connection
#   Granary (quinn through the C# transport)   -- 8 streams on one connection
# Runs alternate between tools; prints medians, GB/s, the ratios and Granary's peak RSS.
#   bash bench/quic.sh        (./build.sh --target=Bench-Quic builds and installs the anchors first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/granary-bench}
WORK=$(mktemp -d /tmp/granary-quic-bench.XXXXXX)
BENCH="dotnet artifacts/bench/Granary.Bench.dll"
SIZE=$((1024 * 1024 * 1024))
for tool in nginx curl gtlsserver gtlsclient openssl; do
  command -v $tool >/dev/null || { echo "bench/quic.sh: $tool is missing; ./build.sh --target=Bench-Quic installs the anchors." >&2; exit 1; }
done
[ -f artifacts/bench/Granary.Bench.dll ] || dotnet build -c Release bench/Granary.Bench -o artifacts/bench >/dev/null

mkdir -p "$DIR"
[ -f "$DIR/1g.bin" ] && [ "$(stat -c %s "$DIR/1g.bin")" -eq $SIZE ] || head -c $SIZE /dev/urandom > "$DIR/1g.bin"
for i in 0 1 2 3 4 5 6 7; do   # the same bytes as 8 files, for ngtcp2's 8 URIs
  [ -f "$DIR/part$i" ] || dd if="$DIR/1g.bin" of="$DIR/part$i" bs=1M skip=$((i * 128)) count=128 status=none
done
cat "$DIR/1g.bin" "$DIR"/part* > /dev/null

cleanup() { [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; pkill -f "gtlsserver.*$WORK" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# nginx serving the directory with sendfile.
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 64; }
http {
  access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  server { listen 127.0.0.1:18080; root $DIR; }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"
# ngtcp2's example server with a throwaway certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
gtlsserver -q --no-quic-dump --no-http-dump -d "$DIR" 127.0.0.1 14433 "$WORK/key.pem" "$WORK/cert.pem" > "$WORK/ngtcp2.log" 2>&1 &
sleep 0.5

source bench/common.sh

nginx_fetch() {
  if [ "$1" = 1 ]; then curl -sf -o /dev/null http://127.0.0.1:18080/1g.bin; return; fi
  local share=$((SIZE / 8)) pids=()
  for i in 0 1 2 3 4 5 6 7; do curl -sf -o /dev/null -r $((i * share))-$(((i + 1) * share - 1)) http://127.0.0.1:18080/1g.bin & pids+=($!); done
  wait "${pids[@]}"
}
ngtcp2_fetch() {
  if [ "$1" = 1 ]; then uris=(https://127.0.0.1:14433/1g.bin); else uris=(); for i in 0 1 2 3 4 5 6 7; do uris+=(https://127.0.0.1:14433/part$i); done; fi
  gtlsclient -q --no-quic-dump --no-http-dump --exit-on-all-streams-close 127.0.0.1 14433 "${uris[@]}"
}
GRANARY_LINE=""
granary_fetch() { # streams [payload]
  local port=$((15000 + RANDOM % 2000))
  GRANARY_BENCH_UDP_PAYLOAD=${2:-1200} $BENCH quic-serve "$DIR/1g.bin" $port "$1" > "$WORK/granary-server.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do grep -q '^ready' "$WORK/granary-server.log" && break; sleep 0.05; done
  read -r address node <<< "$(grep '^ready' "$WORK/granary-server.log" | cut -d' ' -f2-)"
  GRANARY_LINE=$(GRANARY_BENCH_UDP_PAYLOAD=${2:-1200} $BENCH quic-fetch "$address" "$node" $SIZE "$1")
  wait $server
  GRANARY_LINE="$GRANARY_LINE; $(grep 'server peak' "$WORK/granary-server.log")"
}
# Granary's time is the client's own, from connect to last byte (see QuicBench.cs): the two .NET
# processes take ~0.2 s each to start, the anchors' clients milliseconds.
granary_timed() { granary_fetch "$@"; echo "$GRANARY_LINE" >> "$WORK/granary-lines"; echo "$GRANARY_LINE" | awk '{print $4}'; }

echo "# 1 GiB server -> client on 127.0.0.1, $RUNS runs each (alternating), medians; $(nproc) cores"
printf "%-28s %8s %10s %8s\n" tool streams seconds GB/s
declare -A result
for streams in 1 8; do
  n=(); q=(); g=(); l=()
  for ((r = 0; r < RUNS; r++)); do
    n+=("$(seconds nginx_fetch $streams)")
    q+=("$(seconds ngtcp2_fetch $streams)")
    g+=("$(granary_timed $streams 1200)")
    l+=("$(granary_timed $streams 1452)")
  done
  for pair in "nginx+curl (HTTP/1.1):n" "ngtcp2 example (HTTP/3):q" "granary (1200 B packets):g" "granary (1452 B, LAN):l"; do
    name=${pair%:*}; var=${pair##*:}
    eval "values=(\"\${$var[@]}\")"
    m=$(printf '%s\n' "${values[@]}" | median)
    result[$var$streams]=$m
    awk -v t="$name" -v s=$streams -v m=$m -v n=$SIZE 'BEGIN {printf "%-28s %8s %10.3f %8.2f\n", t, s, m, n/m/1e9}'
  done
done
echo "# ratios (throughput granary / anchor; 1200-byte packets unless marked)"
for streams in 1 8; do
  awk -v s=$streams -v n=${result[n$streams]} -v q=${result[q$streams]} -v g=${result[g$streams]} -v l=${result[l$streams]} \
    'BEGIN {printf "%s stream(s): granary/ngtcp2 %.2f  granary/nginx %.2f  (1452 B: /ngtcp2 %.2f  /nginx %.2f)\n", s, q/g, n/g, q/l, n/l}'
done
echo "# granary processes (last runs): $(tail -2 "$WORK/granary-lines" | tr '\n' ' ')"
