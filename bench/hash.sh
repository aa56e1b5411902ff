#!/usr/bin/env bash
# granary hash vs b3sum (the reference BLAKE3) on one file in page cache, as whole processes
# (start-up included), alternating A B A B. Prints medians, throughput and the ratio
# granary/b3sum, the same for the AVX2 path (an AVX2-only anchor and launcher, so that the row is
# measured on AVX-512 machines too), then peak RSS for 1 GiB and 4 GiB inputs.
#   bash bench/hash.sh            (or ./build.sh --target=Bench-Hash, which publishes first)
#   RUNS=9 BENCH_DIR=/tmp/x bash bench/hash.sh
#   SKIP_AVX2=1 bash bench/hash.sh   (no AVX2 rows: no cargo build, no second publish)
set -euo pipefail
cd "$(dirname "$0")/.."
GRANARY=${GRANARY:-artifacts/bin/granary}
B3SUM=${B3SUM:-$(command -v b3sum || true)}
RUNS=${RUNS:-7}
DIR=${BENCH_DIR:-/tmp/granary-bench}
[ -x "$GRANARY" ] || { echo "bench/hash.sh: $GRANARY is missing; run ./build.sh --target=Publish first." >&2; exit 1; }
[ -n "$B3SUM" ] || { echo "bench/hash.sh: b3sum is missing; ./build.sh --target=Setup installs it." >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/hash.sh: /usr/bin/time is missing (Debian package time)." >&2; exit 1; }
mkdir -p "$DIR"

make_file() { # name size-in-MiB
  if [ ! -f "$DIR/$1" ] || [ "$(stat -c %s "$DIR/$1")" -ne $(( $2 * 1024 * 1024 )) ]; then
    head -c $(( $2 * 1024 * 1024 )) /dev/urandom > "$DIR/$1"
  fi
  cat "$DIR/$1" > /dev/null   # into page cache
}

source bench/common.sh

make_file 1g.bin 1024
FILE="$DIR/1g.bin"
BYTES=$(stat -c %s "$FILE")
[ "$("$B3SUM" --no-names "$FILE")" = "$("$GRANARY" hash --no-names "$FILE")" ] || { echo "hashes differ!" >&2; exit 1; }

echo "# granary hash vs b3sum, $(( BYTES / 1024 / 1024 )) MiB in page cache, $RUNS runs each, alternating"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; b3sum $("$B3SUM" --version | cut -d' ' -f2)"
# race ANCHOR_LABEL ANCHOR GRANARY: on 1 and on all cores, RUNS alternating runs of each; medians,
# throughput and the ratio anchor time / granary time.
race() {
  local label=$1 anchor=$2 granary=$3 threads a b ma mb i
  printf "%-10s %12s %12s %12s %12s %8s\n" threads "$label s" "$label GB/s" "granary s" "granary GB/s" ratio
  for threads in 1 "$(nproc)"; do
    a=(); b=()
    for ((i = 0; i < RUNS; i++)); do
      a+=("$(seconds "$anchor" --num-threads "$threads" "$FILE")")
      b+=("$(seconds "$granary" hash --num-threads "$threads" "$FILE")")
    done
    ma=$(printf '%s\n' "${a[@]}" | median)
    mb=$(printf '%s\n' "${b[@]}" | median)
    awk -v t="$threads" -v a="$ma" -v b="$mb" -v n="$BYTES" \
      'BEGIN {printf "%-10s %12.3f %12.2f %12.3f %12.2f %8.2f\n", t, a, n/a/1e9, b, n/b/1e9, a/b}'
  done
}
race b3sum "$B3SUM" "$GRANARY"

# The AVX2 rows (see below).
avx2_rows() {
  local CARGO ANCHOR2 GRANARY2 CRATE
  CARGO=$(command -v ~/.cargo/bin/cargo || command -v cargo || true)
  [ -n "$CARGO" ] || { echo "# AVX2 rows skipped: cargo is missing (./build.sh --target=Bench-Hash installs what they need)."; return; }
  (cd bench/anchors/b3sum-avx2 && "$CARGO" build --release --quiet) \
    || { echo "# AVX2 rows skipped: the anchor did not build (Debian's librust-blake3-dev, librust-memmap2-dev and librust-rayon-dev?)."; return; }
  ANCHOR2=bench/anchors/b3sum-avx2/target/release/b3sum-avx2
  dotnet publish silo/Granary.Cli.Launcher/Granary.Cli.Launcher.csproj -c Release -p:GranaryInstructionSet=x86-64-v3 \
    -o artifacts/bench/granary-avx2 > "$DIR/publish-avx2.log" 2>&1 \
    || { echo "bench/hash.sh: publishing the x86-64-v3 launcher failed; see $DIR/publish-avx2.log." >&2; exit 1; }
  GRANARY2=artifacts/bench/granary-avx2/granary
  cat "$FILE" > /dev/null   # the publish may have pushed it out of page cache
  [ "$("$ANCHOR2" "$FILE")" = "$("$GRANARY2" hash --no-names "$FILE")" ] || { echo "AVX2 hashes differ!" >&2; exit 1; }
  CRATE=$(awk '/^name = "blake3"/ {getline; gsub(/version = |"/, ""); print}' bench/anchors/b3sum-avx2/Cargo.lock)
  echo "# AVX2 only: the blake3 crate $CRATE (b3sum's library) without AVX-512 vs granary for x86-64-v3, $RUNS runs each, alternating"
  race anchor "$ANCHOR2" "$GRANARY2"
}

# The AVX2 path, on this machine whatever its CPU: b3sum's BLAKE3 crate with its AVX-512 kernels
# compiled out (bench/anchors/b3sum-avx2) against the launcher compiled for x86-64-v3 (AVX2, no
# AVX-512). Skipped, with a line saying so, where the CPU has no AVX2, cargo or the anchor's
# crates are missing, or SKIP_AVX2=1.
if ! grep -qw avx2 /proc/cpuinfo; then
  echo "# AVX2 rows skipped: this CPU has no AVX2."
elif [ "${SKIP_AVX2:-0}" = 1 ]; then
  echo "# AVX2 rows skipped: SKIP_AVX2=1."
else
  avx2_rows
fi

# Start-up alone: hashing a 1-byte file.
echo 1 > "$DIR/one"
sa=(); sb=()
for ((i = 0; i < RUNS; i++)); do sa+=("$(seconds "$B3SUM" "$DIR/one")"); sb+=("$(seconds "$GRANARY" hash "$DIR/one")"); done
printf "start-up (1-byte file): b3sum %.3f s, granary %.3f s\n" "$(printf '%s\n' "${sa[@]}" | median)" "$(printf '%s\n' "${sb[@]}" | median)"

# Peak RSS. A memory map counts the mapped page-cache pages as RSS, so the mapped runs grow with
# the file for both tools; --no-mmap shows the process's own memory, which must not grow.
make_file 4g.bin 4096
echo "# peak RSS (KiB)"
printf "%-8s %14s %14s %14s\n" input "b3sum (mmap)" "granary (mmap)" "granary --no-mmap"
for f in 1g.bin 4g.bin; do
  ra=$(/usr/bin/time -f %M "$B3SUM" "$DIR/$f" 2>&1 >/dev/null | tail -1)
  rb=$(/usr/bin/time -f %M "$GRANARY" hash "$DIR/$f" 2>&1 >/dev/null | tail -1)
  rc=$(/usr/bin/time -f %M "$GRANARY" hash --no-mmap "$DIR/$f" 2>&1 >/dev/null | tail -1)
  printf "%-8s %14s %14s %14s\n" "$f" "$ra" "$rb" "$rc"
done
