#!/usr/bin/env bash
# Proves docker/ on this machine: the Granary image, docker/compose.yaml and a 3-silo cluster on
# PostgreSQL in containers, with one silo killed. Run by ./build.sh --target=Test-Docker (after
# Publish: the image is made from artifacts/bin), as root. Prints one summary line; exits non-zero
# on any failure.
#
# This machine reaches Debian's archive but no image registry, and runs no dockerd, so the script:
#   1. starts its own dockerd (data in $GRANARY_DOCKER_ROOT, socket/pidfile/logs in
#      artifacts/docker/), with --iptables=false --ip-forward=false: it changes no firewall rule or
#      sysctl of the host (others' tests share it); containers reach each other and the host, not
#      the outside, which this test does not need;
#   2. makes two base images with debootstrap (bookworm, minbase) from the mirror named in the
#      machine's own apt sources + `docker import`: one with the CLI's run-time packages (so the
#      Dockerfile's apt step has nothing to fetch), one with postgresql. The rootfs tarballs are
#      cached in artifacts/docker/cache and the images in the data-root, so a second run is quick;
#   3. builds the Granary image with docker/Dockerfile --target runtime-prebuilt (there is no .NET
#      SDK image here) and a stand-in postgres image (docker/test-postgres);
#   4. runs docker/compose.yaml with docker-compose 1.29 (the images, subnet, ports and env file
#      overridden through its variables), uploads blobs through the silos with the host's
#      artifacts/bin/granary, kills one silo, waits for the cluster to repair, and checks every
#      acknowledged blob byte for byte and the survivors' health.
# Cleanup (always, also on failure or Ctrl-C): compose down with its volumes, dockerd stopped,
# docker0 removed if this script created it. The logs stay in artifacts/docker/logs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/artifacts/docker
RUN=$WORK/run
CACHE=$WORK/cache
LOGS=$WORK/logs
DATA_ROOT=${GRANARY_DOCKER_ROOT:-/var/lib/granary-docker}
# Short on purpose: containerd puts sockets below it (a unix socket path has at most 108 bytes).
EXEC_ROOT=${GRANARY_DOCKER_EXEC_ROOT:-/run/granary-docker}
GRANARY=$ROOT/artifacts/bin/granary
SUITE=bookworm
# Subnets of this test's own bridges (default bridge for builds, and the compose network).
BIP=${GRANARY_TEST_BIP:-10.77.12.1/24}
NET=${GRANARY_TEST_NET:-10.77.13}
# Host ports the silos' QUIC ports are published on (127.0.0.1 only), unlikely to be taken.
PORTS=(24433 24434 24435)
BLOBS=${GRANARY_TEST_BLOBS:-20}
PROJECT=granarytest
# docker.io's own client (20.10, like the daemon): a newer client elsewhere on PATH may insist on buildx.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker
export DOCKER_HOST=unix://$RUN/docker.sock
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
# compose reads these for ${...} in docker/compose.yaml; set here, not in a .env beside it.
export GRANARY_IMAGE=granary-test/granary:latest
export GRANARY_NET=$NET GRANARY_PUBLISH_ADDRESS=127.0.0.1
export GRANARY_SILO1_PORT=${PORTS[0]} GRANARY_SILO2_PORT=${PORTS[1]} GRANARY_SILO3_PORT=${PORTS[2]}
export GRANARY_ENV_FILE=$RUN/cluster.env

T0=$EPOCHREALTIME
say() { printf '[test-docker %6.1fs] %s\n' "$(elapsed "$T0")" "$*"; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
fail() { say "FAILED: $*" >&2; exit 1; }
compose() { docker-compose -p "$PROJECT" -f "$ROOT/docker/compose.yaml" "$@"; }

[ "$(id -u)" = 0 ] || fail "must run as root (it starts dockerd): sudo ./build.sh --target=Test-Docker"
for tool in dockerd docker-compose debootstrap; do
  command -v "$tool" >/dev/null || fail "$tool is missing (./build.sh --target=Test-Docker installs docker.io, docker-compose, debootstrap)"
done
[ -x "$GRANARY" ] || fail "$GRANARY is missing: ./build.sh --target=Publish first"
mkdir -p "$RUN" "$CACHE" "$LOGS" "$DATA_ROOT"
rm -f "$LOGS"/*.log

# ----------------------------------------------------------------------------------------------
# dockerd, and the cleanup that stops it
DOCKERD_PID=
CREATED_DOCKER0=
TMP=$(mktemp -d "$WORK/tmp.XXXXXX")
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$DOCKERD_PID" ]; then
    if [ "$rc" != 0 ]; then
      compose ps >"$LOGS/compose-ps.log" 2>&1
      say "logs of the containers: $LOGS/compose.log (dockerd: $LOGS/dockerd.log)" >&2
    fi
    compose logs --no-color --timestamps >"$LOGS/compose.log" 2>&1
    "$DOCKER" logs --timestamps granarytest-alone >"$LOGS/alone.log" 2>&1
    "$DOCKER" rm -f --volumes granarytest-alone >/dev/null 2>&1
    compose down --volumes --remove-orphans --timeout 20 >>"$LOGS/compose-down.log" 2>&1
    kill -TERM "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$DOCKERD_PID" 2>/dev/null
    wait "$DOCKERD_PID" 2>/dev/null
  fi
  [ -n "$CREATED_DOCKER0" ] && ip link del docker0 2>/dev/null
  rm -rf "$TMP" "$RUN/cluster.env"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A dockerd left over by a killed earlier run would hold the data-root: stop it first.
if [ -s "$RUN/dockerd.pid" ] && kill -0 "$(cat "$RUN/dockerd.pid")" 2>/dev/null; then
  say "stopping a dockerd left by an earlier run (pid $(cat "$RUN/dockerd.pid"))"
  kill -TERM "$(cat "$RUN/dockerd.pid")"
  for _ in $(seq 60); do kill -0 "$(cat "$RUN/dockerd.pid")" 2>/dev/null || break; sleep 0.5; done
fi
rm -f "$RUN/docker.sock" "$RUN/dockerd.pid"
ip link show docker0 >/dev/null 2>&1 || CREATED_DOCKER0=1
dockerd --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" --pidfile "$RUN/dockerd.pid" \
  -H "$DOCKER_HOST" --bip "$BIP" --iptables=false --ip-forward=false --ip-masq=false \
  >"$LOGS/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 60); do
  "$DOCKER" version >/dev/null 2>&1 && break
  kill -0 "$DOCKERD_PID" 2>/dev/null || fail "dockerd exited at start: see $LOGS/dockerd.log"
  sleep 0.5
done
"$DOCKER" version >/dev/null 2>&1 || fail "dockerd did not answer within 30 s: see $LOGS/dockerd.log"
say "dockerd $("$DOCKER" version -f '{{.Server.Version}}') up (data-root $DATA_ROOT)"

# ----------------------------------------------------------------------------------------------
# Base images: debootstrap + docker import, cached

# The Debian mirror this machine's apt uses for $SUITE (deb822 .sources or one-line .list files):
# no package host is written into the repository.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
      { uris = ""; suites = ""; types = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
          if ($i ~ /^Suites:/) { suites = $i; sub(/^Suites:[ \t]*/, "", suites) }
          if ($i ~ /^Types:/) { types = $i; sub(/^Types:[ \t]*/, "", types) }
          if ($i ~ /^Enabled:/) { enabled = $i; sub(/^Enabled:[ \t]*/, "", enabled) }
        }
        if ((" " types " ") ~ / deb / && (" " suites " ") ~ (" " s " ") && enabled != "no") { split(uris, u, " "); print u[1]; exit } }' "$f"
  done
}

# base_image TAG PACKAGES: an image of Debian $SUITE (minbase) plus PACKAGES (comma-separated).
base_image() {
  local tag=$1 include=$2 key tarball rootfs mirror
  key=$(printf '%s %s' "$SUITE" "$include" | sha256sum | cut -c1-12)
  tarball=$CACHE/$SUITE-minbase-$key.tar
  if "$DOCKER" image inspect "$tag-$key" >/dev/null 2>&1; then
    "$DOCKER" tag "$tag-$key" "$tag"
    return
  fi
  if [ ! -s "$tarball" ]; then
    mirror=$(apt_mirror | head -n 1)
    [ -n "$mirror" ] || fail "no '$SUITE' source in /etc/apt/sources.list{,.d/*}: cannot tell debootstrap where Debian's archive is"
    say "debootstrap $SUITE minbase + $include (mirror from this machine's apt sources; cached in $tarball)"
    rootfs=$TMP/rootfs-$key
    nice debootstrap --variant=minbase --include="$include" "$SUITE" "$rootfs" "$mirror" >"$LOGS/debootstrap-$key.log" 2>&1 \
      || fail "debootstrap failed: see $LOGS/debootstrap-$key.log"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"
  fi
  "$DOCKER" import "$tarball" "$tag-$key" >/dev/null
  "$DOCKER" tag "$tag-$key" "$tag"
  say "imported $tag ($(du -h "$tarball" | cut -f1) rootfs)"
}

t=$EPOCHREALTIME
# What docker/Dockerfile's runtime-base would otherwise apt-get (RUNTIME_PACKAGES; the rest is in minbase).
base_image granary-test/debian:$SUITE ca-certificates,libssl3
base_image granary-test/debian-postgresql:$SUITE postgresql
T_BASE=$(elapsed "$t")

# ----------------------------------------------------------------------------------------------
# Images
t=$EPOCHREALTIME
# Only docker/ and artifacts/bin as the context (the legacy builder would otherwise send the
# whole checkout, gigabytes of bin/obj folders).
tar -C "$ROOT" -cf - docker artifacts/bin \
  | "$DOCKER" build -q -f docker/Dockerfile --target runtime-prebuilt \
      --build-arg BASE_IMAGE=granary-test/debian:$SUITE -t "$GRANARY_IMAGE" - >"$LOGS/build-granary.log" 2>&1 \
  || { cat "$LOGS/build-granary.log" >&2; fail "docker build of docker/Dockerfile failed"; }
tar -C "$ROOT/docker/test-postgres" -cf - . \
  | "$DOCKER" build -q --build-arg BASE_IMAGE=granary-test/debian-postgresql:$SUITE -t granary-test/postgres:local - >"$LOGS/build-postgres.log" 2>&1 \
  || { cat "$LOGS/build-postgres.log" >&2; fail "docker build of docker/test-postgres failed"; }
export POSTGRES_IMAGE=granary-test/postgres:local
T_IMAGES=$(elapsed "$t")
say "images built in ${T_IMAGES}s: $GRANARY_IMAGE $("$DOCKER" image inspect -f '{{.Size}}' "$GRANARY_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')"

# The image's defaults, checked statically (compose overrides the entrypoint, not these).
[ "$("$DOCKER" image inspect -f '{{json .Config.Entrypoint}}' "$GRANARY_IMAGE")" = '["granary"]' ] || fail "ENTRYPOINT is not [\"granary\"]"
[ "$("$DOCKER" image inspect -f '{{.Config.User}}' "$GRANARY_IMAGE")" = granary ] || fail "the image does not run as the user granary"
"$DOCKER" run --rm "$GRANARY_IMAGE" --version >"$LOGS/version.log" 2>&1 || fail "granary --version fails in the image: $(cat "$LOGS/version.log")"

# ----------------------------------------------------------------------------------------------
# The cluster, from docker/compose.yaml
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
cat >"$RUN/cluster.env" <<EOF
POSTGRES_USER=granary
POSTGRES_PASSWORD=$password
POSTGRES_DB=granary
GRANARY_CLUSTER=Host=db;Port=5432;Username=granary;Password=$password;Database=granary
EOF
chmod 0600 "$RUN/cluster.env"
compose config -q || fail "docker-compose cannot read docker/compose.yaml"
t=$EPOCHREALTIME
compose down --volumes --remove-orphans >/dev/null 2>&1 || true  # what a killed earlier run left
compose up -d --no-build >"$LOGS/compose-up.log" 2>&1 || { cat "$LOGS/compose-up.log" >&2; fail "docker-compose up failed"; }
# And one silo alone with the image's own defaults (CMD: --listen 0.0.0.0:4433, HEALTHCHECK).
"$DOCKER" rm -f granarytest-alone >/dev/null 2>&1 || true
ALONE=$("$DOCKER" run -d --name granarytest-alone --network none "$GRANARY_IMAGE") || fail "the image does not start with its defaults"

SILOS=(silo1 silo2 silo3)
declare -A ID TICKET
for s in "${SILOS[@]}"; do ID[$s]=$(compose ps -q "$s"); done
health() { "$DOCKER" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1"; }
deadline=$((SECONDS + 240))
while :; do
  ready=0
  for s in "${SILOS[@]}"; do
    [ "$(health "${ID[$s]}")" = healthy ] && ready=$((ready + 1))
    # A silo that keeps exiting (bad arguments, no database) will not get healthy: say why now.
    if [ "$("$DOCKER" inspect -f '{{.RestartCount}}' "${ID[$s]}")" -ge 2 ]; then
      fail "$s keeps exiting; its last output: $("$DOCKER" logs --tail 15 "${ID[$s]}" 2>&1)"
    fi
  done
  alone=$(health "$ALONE")
  [ "$ready" = 3 ] && [ "$alone" = healthy ] && break
  [ $SECONDS -lt $deadline ] || fail "only $ready of 3 silos became healthy within 240 s (the silo alone: $alone; $("$DOCKER" logs --tail 10 "$ALONE" 2>&1))"
  sleep 2
done
T_UP=$(elapsed "$t")
for s in "${SILOS[@]}"; do
  TICKET[$s]=$("$DOCKER" exec "${ID[$s]}" cat /data/silo.ticket)
  case "${TICKET[$s]}" in *"@$NET."*":4433") ;; *) fail "$s advertises ${TICKET[$s]}, not its container address" ;; esac
done
GRANARY_TOKEN=$("$DOCKER" exec "${ID[silo1]}" cat /data/admin.token)
export GRANARY_TOKEN
say "3 silos (and the silo alone) healthy in ${T_UP}s: ${TICKET[silo1]} ${TICKET[silo2]} ${TICKET[silo3]}"

status() { "$GRANARY" cluster status --silo "$1" 2>&1; }
status "${TICKET[silo1]}" >"$LOGS/status-start.log" || fail "cluster status failed: $(cat "$LOGS/status-start.log")"
grep -q '^3 serving silos' "$LOGS/status-start.log" || fail "the cluster does not count 3 serving silos: $(cat "$LOGS/status-start.log")"
# The published port (docker-proxy, UDP) reaches silo1 as well.
node1=${TICKET[silo1]#granary:}; node1=${node1%%@*}
status "granary:$node1@127.0.0.1:${PORTS[0]}" >"$LOGS/status-published.log" || fail "silo1 is not reachable on its published port 127.0.0.1:${PORTS[0]}/udp: $(cat "$LOGS/status-published.log")"

# ----------------------------------------------------------------------------------------------
# Blobs through all three silos
mkdir -p "$TMP/in" "$TMP/out"
declare -a HASH
bytes=0
retries=0
t=$EPOCHREALTIME
for i in $(seq 1 "$BLOBS"); do
  size=$(( (RANDOM * 32768 + RANDOM) % (4 * 1024 * 1024) + 1 ))
  head -c "$size" /dev/urandom >"$TMP/in/$i"
  bytes=$((bytes + size))
  s=${SILOS[$(( (i - 1) % 3 ))]}
  # Exit 3 is "try again" (the CLI's contract: nothing was acknowledged); counted, at most 5 times.
  for try in 1 2 3 4 5 6; do
    rc=0; out=$("$GRANARY" send "$TMP/in/$i" --to "${TICKET[$s]}" --ttl 1h 2>"$TMP/err") || rc=$?
    [ "$rc" = 3 ] && [ "$try" -lt 6 ] || break
    retries=$((retries + 1)); say "send of blob $i: try again ($(cat "$TMP/err"))"; sleep 2
  done
  [ "$rc" = 0 ] || fail "send of blob $i through $s failed (exit $rc): $(cat "$TMP/err")"
  read -r HASH[$i] blob_ticket <<<"$out"
  "$GRANARY" get "$blob_ticket" -o "$TMP/out/$i" >/dev/null 2>"$TMP/err" || fail "get of blob $i ($blob_ticket) failed: $(cat "$TMP/err")"
  cmp -s "$TMP/in/$i" "$TMP/out/$i" || fail "blob $i came back different"
done
T_BLOBS=$(elapsed "$t")
say "$BLOBS blobs ($((bytes / 1024)) KiB) sent and read back identical in ${T_BLOBS}s ($retries sends retried)"

# ----------------------------------------------------------------------------------------------
# Kill silo2: no restart (the policy would bring it back), SIGKILL, then wait until the cluster
# has declared it dead and every blob is again on 2 silos (the survivors each hold all of them).
victim=silo2
victim_node=${TICKET[$victim]#granary:}; victim_node=${victim_node%%@*}
"$DOCKER" update --restart=no "${ID[$victim]}" >/dev/null
"$DOCKER" kill "${ID[$victim]}" >/dev/null
t=$EPOCHREALTIME
T_DEAD=
deadline=$((SECONDS + 240))
while :; do
  st=$(status "${TICKET[silo1]}") || st=$(status "${TICKET[silo3]}") || st=""
  printf '%s\n' "$st" >"$LOGS/status-repair.log"
  if [ -z "$T_DEAD" ] && awk -v n="$victim_node" '$1 == n && $3 == "Dead" { found = 1 } END { exit !found }' <<<"$st" \
      && ! awk -v n="$victim_node" '$1 == n && $3 != "Dead" { found = 1 } END { exit !found }' <<<"$st"; then
    T_DEAD=$(elapsed "$t")
    say "$victim declared dead after ${T_DEAD}s"
  fi
  if [ -n "$T_DEAD" ] && awk -v want=$((2 * BLOBS)) '
      $3 == "Active" { active++; blobs += $4; if ($6 != "0") backlog = 1 }
      END { exit !(active == 2 && blobs == want && !backlog) }' <<<"$st"; then
    break
  fi
  [ $SECONDS -lt $deadline ] || fail "no repair within 240 s of killing $victim; last status: $st"
  sleep 2
done
T_REPAIR=$(elapsed "$t")
say "repaired ${T_REPAIR}s after the kill: the 2 survivors hold $((2 * BLOBS)) copies, backlog 0"

lost=0
for i in $(seq 1 "$BLOBS"); do
  rm -f "$TMP/out/$i"
  s=${SILOS[$(( i % 2 == 0 ? 0 : 2 ))]}  # silo1 and silo3 in turn
  if ! "$GRANARY" get "${HASH[$i]}" --from "${TICKET[$s]}" -o "$TMP/out/$i" >/dev/null 2>"$TMP/err" || ! cmp -s "$TMP/in/$i" "$TMP/out/$i"; then
    say "blob $i (${HASH[$i]}) lost or different after the kill: $(cat "$TMP/err")" >&2
    lost=$((lost + 1))
  fi
done
[ "$lost" = 0 ] || fail "$lost of $BLOBS acknowledged blobs lost after killing $victim"

for s in silo1 silo3; do
  h=$(health "${ID[$s]}")
  [ "$h" = healthy ] || fail "survivor $s is $h, not healthy"
done

say "OK"
echo "docker: OK - image built and healthy alone, 3 silos on PostgreSQL healthy in ${T_UP}s, $BLOBS blobs ($((bytes / 1024)) KiB) round-tripped ($retries retried sends), $victim killed: dead after ${T_DEAD}s, repaired after ${T_REPAIR}s, $BLOBS/$BLOBS intact via survivors, survivors healthy; total $(elapsed "$T0")s (base images ${T_BASE}s, image builds ${T_IMAGES}s)"
