#!/usr/bin/env bash
# Where a cluster upload's time goes: COUNT x SIZE blobs uploaded by CLIENTS clients to 1 silo (the
# anchor) and to 3 silos with R=2, ROUNDS times on the same silos (round 1 is cold: the silos JIT as
# they go; later rounds store new blobs on warm silos), printing per round the upload time, the
# ratio to 1 silo's same round, the CPU seconds each silo and PostgreSQL spent in the upload phase,
# and at the end the replica copies the cluster made and their rates (from the silos' logs).
#   bash bench/cluster-upload.sh      (after ./build.sh --target=Publish; postgresql installed)
#   ROUNDS=3 COUNT=32 SIZE=8388608 CLIENTS=8; then SMALL_ROUNDS=3 rounds of SMALL_COUNT=2000 x 4 KiB PUTs
#   by 32 clients through the first silo (SMALL=0 skips them); BENCH_PLACE=0 sends every upload to the client's own silo
#   instead of where it belongs (BlobUploader), for A/B runs; PERF=1 also records the last 3-silo round with perf
#   (with DOTNET_PerfMapEnabled=1 for .NET symbols) into /tmp/perf-cluster-upload.data.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-32}; SIZE=${SIZE:-$((8 * 1024 * 1024))}; CLIENTS=${CLIENTS:-8}; ROUNDS=${ROUNDS:-3}; SMALL_COUNT=${SMALL_COUNT:-2000}; SMALL_ROUNDS=${SMALL_ROUNDS:-3}
GRANARY=$PWD/artifacts/bin/granary
BENCH="dotnet $PWD/artifacts/bench/Granary.Bench.dll"
[ -x "$GRANARY" ] || { echo "bench/cluster-upload.sh: run ./build.sh --target=Publish first." >&2; exit 1; }
WORK=$(mktemp -d /tmp/granary-upload-bench.XXXXXX); chmod 755 "$WORK"
PORT=15439
dotnet build -c Release bench/Granary.Bench -o artifacts/bench >/dev/null
source bench/common.sh
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_postgres "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT
start_postgres "$WORK/pg" $PORT
PG_PID=$(head -1 "$WORK/pg/postmaster.pid")

cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }  # user + system seconds of one process
pg_cpu() { local t=0 c; for p in $(pgrep -P "$PG_PID") "$PG_PID"; do c=$(cpu "$p" 2>/dev/null) && t=$(awk -v a="$t" -v b="$c" 'BEGIN {print a + b}'); done; echo "$t"; }

declare -A ALONE
echo "# $COUNT blobs x $((SIZE >> 20)) MiB per round, $CLIENTS clients, all on 127.0.0.1, $(nproc) cores; $(grep -o -m1 'avx512f\|avx2' /proc/cpuinfo | tail -1)"
printf "%-22s %6s %10s %8s  %s\n" setup round "upload s" "vs 1" "CPU s in the upload phase (each silo; postgres)"
for n in 1 3; do
  r=$(( n < 2 ? 1 : 2 )); db=up$n
  "${AS_PG[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p $PORT -U granary "$db"
  TICKETS=(); SP=()
  for i in $(seq 1 $n); do
    dir=$WORK/$db-$i; mkdir -p "$dir"
    $GRANARY silo run --data "$dir" --listen 127.0.0.1:0 --replicas $r \
      --cluster "Host=127.0.0.1;Port=$PORT;Username=granary;Database=$db;Maximum Pool Size=20" > "$dir/out" 2> "$dir/err" &
    SP+=($!); PIDS+=($!)
    for _ in $(seq 600); do grep -q '^ready' "$dir/out" 2>/dev/null && break; sleep 0.05; done
    TICKETS+=("$(sed -n 's/^ready //p' "$dir/out")")
  done
  sleep 2 # every silo sees every other
  for round in $(seq "$ROUNDS"); do
    before=(); for p in "${SP[@]}"; do before+=("$(cpu "$p")"); done; pg0=$(pg_cpu)
    PERFPID=
    if [ -n "${PERF:-}" ] && [ "$n" = 3 ] && [ "$round" = "$ROUNDS" ]; then
      perf record -F 999 -g -p "$(IFS=,; echo "${SP[*]}")" -o /tmp/perf-cluster-upload.data 2>/dev/null & PERFPID=$!
      sleep 0.5
    fi
    # The bench says "# uploaded in S s" on stderr when the upload phase ends: CPU is read then.
    while IFS= read -r line; do
      [[ $line == "# uploaded in "* ]] || continue
      used=""; i=0; for p in "${SP[@]}"; do used="$used $(awk -v a="$(cpu "$p")" -v b="${before[$i]}" 'BEGIN {printf "%.2f", a - b}')"; i=$((i + 1)); done
      pg=$(awk -v a="$(pg_cpu)" -v b="$pg0" 'BEGIN {printf "%.2f", a - b}')
      [ -n "$PERFPID" ] && kill -INT "$PERFPID"
      up=$(awk '{print $4}' <<<"$line")
      [ "$n" = 1 ] && ALONE[$round]=$up
      ratio=$(awk -v a="${ALONE[$round]}" -v b="$up" 'BEGIN {printf "%.2f", a / b}')
      printf "%-22s %6s %10s %8s  %s; %s\n" "$n silo(s), R=$r" "$round" "$up" "$ratio" "$used" "$pg"
    done < <(BENCH_SEED=$round $BENCH cluster-throughput "$WORK/$db-1/admin.token" "$COUNT" "$SIZE" "$CLIENTS" "${TICKETS[@]}" 2>&1 >/dev/null)
  done
  if [ "$n" = 3 ]; then
    cat "$WORK/$db"-*/out "$WORK/$db"-*/err | grep -o 'Fetched [^:]*: [0-9]* bytes in [0-9.]* s ([0-9]* MB/s)' | tr -d '(' |
      awk '{print $8, $6}' | sort -n | awk -v blobs=$((COUNT * ROUNDS)) '{n++; s += $2; r[n] = $1} END {
        printf "# replica copies: %d for %d blobs (R=2 needs %d); per copy %.2f s on average, %s MB/s median (min %s, max %s)\n",
          n, blobs, blobs, s / n, r[int((n + 1) / 2)], r[1], r[n] }'
  fi
  if [ "${SMALL:-1}" = 1 ]; then
    # Small PUTs through the first silo, new blobs (seed) on silos warmed by the rounds above;
    # SMALL_ROUNDS rounds, since the first still JITs.
    for sr in $(seq "$SMALL_ROUNDS"); do
      small=$($BENCH blobs-small "${TICKETS[0]}" "$WORK/$db-1/admin.token" "$SMALL_COUNT" 32 4096 "$((100 * sr + n))" | grep '^put:')
      printf "%-22s %6s  %s\n" "$n silo(s), R=$r" "small$sr" "$small"
    done
  fi
  for p in "${SP[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
done
