#!/usr/bin/env bash
# Verified streaming throughput and memory: outboard creation, encoding and verified decoding
# of 1 GiB and 4 GiB files, beside b3sum --num-threads 1 (the anchor: plain hashing, which
# outboard creation and decoding must also do) in the same run.
#   bash bench/verified.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/granary-bench}
mkdir -p "$DIR"
dotnet build -c Release bench/Granary.Bench -o artifacts/bench >/dev/null
for mib in 1024 4096; do
  f="$DIR/v$mib.bin"
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -eq $(( mib * 1024 * 1024 )) ] || head -c $(( mib * 1024 * 1024 )) /dev/urandom > "$f"
  cat "$f" > /dev/null
  start=$EPOCHREALTIME
  b3=$(b3sum --num-threads 1 --no-names "$f")
  end=$EPOCHREALTIME
  echo "## $mib MiB"
  awk -v s="$start" -v e="$end" -v n=$(( mib * 1024 * 1024 )) 'BEGIN {printf "%-18s %8.3f s %8.2f GB/s\n", "b3sum (1 thread)", e - s, n / (e - s) / 1e9}'
  out=$(dotnet artifacts/bench/Granary.Bench.dll verified "$f")
  echo "$out"
  echo "$out" | grep -q "root $b3" && echo "root hash equals b3sum's" || { echo "ROOT HASH DIFFERS FROM b3sum" >&2; exit 1; }
done
