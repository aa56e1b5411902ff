#!/usr/bin/env bash
# The shell twin of Get-ClusterHealth.ps1: prints the silos and a verdict; exit 0 healthy, 1 not.
#   scripts/cluster-health.sh
set -euo pipefail
granary() { ${GRANARY:-command granary} "$@"; }
status=$(granary cluster status)
echo "$status"
replicas=$(sed -n '1s/.* \([0-9]*\) copies per blob.*/\1/p' <<< "$status")
active=$(awk 'NR > 2 && $3 == "Active"' <<< "$status" | wc -l)
silent=$(grep -c '(did not answer' <<< "$status" || true)
backlog=$(awk 'NR > 2 && ($3 == "Active" || $3 == "Draining" || $3 == "ShuttingDown") && $6 != "-" {s += $6} END {print s + 0}' <<< "$status")
# Down: a node listed only as Dead (a restarted silo keeps its node id and is listed again, not Dead).
down=$(awk 'NR > 2 { if ($3 == "Dead") dead[$1] = 1; else back[$1] = 1 } END { n = 0; for (k in dead) if (!(k in back)) n++; print n }' <<< "$status")
problems=()
[ "$active" -ge "$replicas" ] || problems+=("only $active active silos for $replicas copies")
[ "$silent" -eq 0 ] || problems+=("$silent silos did not answer")
[ "$down" -eq 0 ] || problems+=("$down silos down")
[ "$backlog" -eq 0 ] || problems+=("$backlog blobs below $replicas copies")
if [ ${#problems[@]} -eq 0 ]; then echo "HEALTHY: $active active silos, $replicas copies per blob"; exit 0; fi
printf 'UNHEALTHY: %s\n' "${problems[@]}"; exit 1
