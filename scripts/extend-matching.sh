#!/usr/bin/env bash
# The shell twin of Update-ExpiryByPattern.ps1: extend the blobs in MANIFEST whose path matches PATTERN (a shell glob).
#   scripts/extend-matching.sh MANIFEST 'reports/2026-*' 90d
set -euo pipefail
granary() { ${GRANARY:-command granary} "$@"; }
manifest=${1:?usage: extend-matching.sh MANIFEST PATTERN TTL}
pattern=${2:?usage: extend-matching.sh MANIFEST PATTERN TTL}
ttl=${3:?usage: extend-matching.sh MANIFEST PATTERN TTL}
count=0
while IFS= read -r line; do
  hash=${line%%  *}; relative=${line#*  }
  # shellcheck disable=SC2053 # the pattern is meant to glob
  if [[ $relative == $pattern ]]; then granary extend "$hash" --ttl "$ttl" > /dev/null; echo "extended  $relative"; count=$((count + 1)); fi
done < "$manifest"
echo "$count blobs extended"
