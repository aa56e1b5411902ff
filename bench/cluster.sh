#!/usr/bin/env bash
# Clusters on this one machine (so 1, 3 and 5 silos share the same 2 cores; scaling here measures
# overhead, not capacity): aggregate upload and download throughput of COUNT x SIZE blobs with
# CLIENTS concurrent clients, against nginx + curl moving the same files with the same
# concurrency (PUT via WebDAV, GET) in the same run; then, with 3 silos, the time to detect a
# silo killed with SIGKILL and to repair the ~1 GiB of replicas it held.
#   bash bench/cluster.sh     (after ./build.sh --target=Publish; postgresql, nginx-light, curl installed)
#   BASELINE=/path/to/an/older/granary bash bench/cluster.sh: the throughput rows also for that build,
#   in the same run (before/after a change on the same machine and day).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-64}
SIZE=${SIZE:-$((8 * 1024 * 1024))}
CLIENTS=${CLIENTS:-8}
GRANARY=$PWD/artifacts/bin/granary
BENCH="dotnet $PWD/artifacts/bench/Granary.Bench.dll"
WORK=$(mktemp -d /tmp/granary-cluster-bench.XXXXXX)
chmod 755 "$WORK"
PORT=15432
[ -x "$GRANARY" ] || { echo "bench/cluster.sh: run ./build.sh --target=Publish first." >&2; exit 1; }
dotnet build -c Release bench/Granary.Bench -o artifacts/bench >/dev/null
source bench/common.sh
PIDS=()
CLUSTER_PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_postgres "$WORK/pg"
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

start_postgres "$WORK/pg" $PORT

# nginx serving and accepting the same files (the anchor).
mkdir -p "$WORK/www/upload" "$WORK/nginx-tmp"
chmod 777 "$WORK/www/upload" "$WORK/nginx-tmp" # nginx workers run unprivileged
cat > "$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 256; }
http {
  access_log off; sendfile on; tcp_nopush on; client_max_body_size 0;
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK; fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  server { listen 127.0.0.1:18082; location / { root $WORK/www; dav_methods PUT; create_full_put_path on; } }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"
mkdir -p "$WORK/files"
for i in $(seq 1 "$COUNT"); do head -c "$SIZE" /dev/urandom > "$WORK/files/$i.bin"; done
start=$EPOCHREALTIME
ls "$WORK/files" | xargs -P "$CLIENTS" -I{} curl -sf -T "$WORK/files/{}" "http://127.0.0.1:18082/upload/{}"
up=$(echo "$EPOCHREALTIME $start" | awk '{print $1 - $2}')
start=$EPOCHREALTIME
ls "$WORK/files" | xargs -P "$CLIENTS" -I{} curl -sf -o /dev/null "http://127.0.0.1:18082/upload/{}"
down=$(echo "$EPOCHREALTIME $start" | awk '{print $1 - $2}')
NGINX_UP=$(awk -v b=$((COUNT * SIZE)) -v t="$up" 'BEGIN {printf "%.3f", b / t / 1e9}')
NGINX_DOWN=$(awk -v b=$((COUNT * SIZE)) -v t="$down" 'BEGIN {printf "%.3f", b / t / 1e9}')

# start_silos N DB R: N silos on database DB, leaving their tickets in TICKETS and pids in SILO_PIDS.
start_silos() {
  local n=$1 db=$2 r=$3
  "${AS_PG[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p $PORT -U granary "$db"
  TICKETS=(); SILO_PIDS=()
  for i in $(seq 1 "$n"); do
    local dir="$WORK/$db-$i"
    mkdir -p "$dir"
    $GRANARY silo run --data "$dir" --listen 127.0.0.1:0 --replicas "$r" \
      --cluster "Host=127.0.0.1;Port=$PORT;Username=granary;Database=$db;Maximum Pool Size=20" > "$dir/out" 2> "$dir/err" &
    SILO_PIDS+=($!); PIDS+=($!)
    for _ in $(seq 600); do grep -q '^ready' "$dir/out" 2>/dev/null && break; sleep 0.05; done
    TICKETS+=("$(sed -n 's/^ready //p' "$dir/out")")
  done
  TOKEN="$WORK/$db-1/admin.token"
  sleep 2 # every silo sees every other before the clock starts
}
stop_silos() { for p in "${SILO_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }

echo "# $COUNT blobs x $((SIZE >> 20)) MiB, $CLIENTS concurrent clients, all on 127.0.0.1, $(nproc) cores; R = min(2, silos)"
printf "%-28s %12s %14s %12s %14s\n" setup "upload GB/s" "vs nginx+curl" "download GB/s" "vs nginx+curl"
printf "%-28s %12s %14s %12s %14s\n" "nginx+curl (anchor)" "$NGINX_UP" "1.00" "$NGINX_DOWN" "1.00"
CURRENT=$GRANARY
for n in 1 3 5; do
  r=$(( n < 2 ? 1 : 2 ))
  for build in ${BASELINE:+baseline} current; do
    GRANARY=$CURRENT; label="granary"
    [ "$build" = baseline ] && { GRANARY=$BASELINE; label="baseline"; }
    start_silos "$n" "tp$n$build" "$r"
    line=$($BENCH cluster-throughput "$TOKEN" "$COUNT" "$SIZE" "$CLIENTS" "${TICKETS[@]}")
    stop_silos
    u=$(sed 's/.*upload_GBps=\([0-9.]*\).*/\1/' <<<"$line"); d=$(sed 's/.*download_GBps=\([0-9.]*\).*/\1/' <<<"$line")
    awk -v n="$n" -v r="$r" -v u="$u" -v d="$d" -v nu="$NGINX_UP" -v nd="$NGINX_DOWN" -v l="$label" \
      'BEGIN {printf "%-28s %12.3f %14.2f %12.3f %14.2f\n", l " " n " silo(s), R=" r, u, u/nu, d, d/nd}'
  done
done
GRANARY=$CURRENT
echo "# upload GB/s counts blob bytes acknowledged; with R=2 the cluster moves and stores twice that."

echo "# small blobs through one silo of 3 (R=2): 2000 x 4 KiB, 32 concurrent clients"
start_silos 3 small 2
# Gets ask the one silo; a blob it does not hold is redirected (307) and fetched from a holder it names.
$BENCH blobs-small "${TICKETS[0]}" "$TOKEN" 2000 32 4096
stop_silos

echo "# failure: 3 silos, R=2; ~1.5 GiB uploaded, then the silo holding ~1 GiB of replicas is killed (SIGKILL)"
start_silos 3 repair 2
$BENCH cluster-repair "$TOKEN" $((1536 * 1024 * 1024)) $((32 * 1024 * 1024)) "${SILO_PIDS[2]}" "${TICKETS[@]}"
stop_silos

echo "# silo start-up (launch to 'ready' on stdout) and resident memory after 5 s idle"
# ms_to_ready DIR ARGS...: starts a silo; milliseconds until it printed 'ready' in READY_MS, its pid in LAST_PID.
ms_to_ready() {
  local dir=$1; shift
  mkdir -p "$dir"
  local t0=$EPOCHREALTIME
  $GRANARY silo run --data "$dir" --listen 127.0.0.1:0 "$@" > "$dir/out" 2> "$dir/err" &
  LAST_PID=$!; PIDS+=($!)
  for _ in $(seq 1200); do grep -q '^ready' "$dir/out" 2>/dev/null && break; sleep 0.01; done
  READY_MS=$(echo "$EPOCHREALTIME $t0" | awk '{printf "%d", ($1 - $2) * 1000}')
}
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
ms_to_ready "$WORK/alone"
sleep 5
printf "%-28s ready %6s ms, idle RSS %5s MiB\n" "silo alone (SQLite)" "$READY_MS" "$(rss_mib "$LAST_PID")"
kill "$LAST_PID"; wait "$LAST_PID" 2>/dev/null || true
"${AS_PG[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p $PORT -U granary startup
for i in 1 2 3; do
  ms_to_ready "$WORK/startup-$i" --cluster "Host=127.0.0.1;Port=$PORT;Username=granary;Database=startup;Maximum Pool Size=20"
  CLUSTER_PIDS+=("$LAST_PID")
  printf "%-28s ready %6s ms\n" "cluster silo $i of 3" "$READY_MS"
done
sleep 5
for p in "${CLUSTER_PIDS[@]}"; do printf "%-28s idle RSS %5s MiB\n" "cluster silo (pid $p)" "$(rss_mib "$p")"; done
for p in "${CLUSTER_PIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
