#!/usr/bin/env bash
# The gossip simulator's scenario table (issue 15): n = 20, 100, 1000 nodes; static 50 ms and
# random 10-100 ms latency; healthy, then after 30 % of the nodes crash at once. Deterministic:
# the same SEED prints the same table. Then gossip over real QUIC: 10 nodes on 127.0.0.1, one
# sender at rising rates: delivery %, broadcasts/s, latency p50/p99.
#   ./build.sh --target=Bench-Gossip
#   SEED=2 bash bench/gossip.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(dotnet build -c Release bench/Granary.Bench -o artifacts/bench 2>&1) || { echo "$build" >&2; exit 1; }
dotnet artifacts/bench/Granary.Bench.dll gossip-sim "${SEED:-1}"
echo
dotnet artifacts/bench/Granary.Bench.dll gossip-net
