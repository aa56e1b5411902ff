#!/usr/bin/env bash
# The shell twin of Send-Folder.ps1: upload every file under FOLDER, write a b3sum-format manifest.
#   scripts/send-folder.sh FOLDER [MANIFEST] [TTL]      (GRANARY=path-to-granary, default: granary on PATH)
set -euo pipefail
granary() { ${GRANARY:-command granary} "$@"; }
folder=${1:?usage: send-folder.sh FOLDER [MANIFEST] [TTL]}
manifest=${2:-$folder/granary-manifest.b3}
ttl=${3:-7d}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
(cd "$folder" && find . -type f ! -path "./$(basename "$manifest")" -printf '%P\n' | sort) | while IFS= read -r relative; do
  hash=$(granary send "$folder/$relative" --ttl "$ttl" | cut -d' ' -f1)
  printf '%s  %s\n' "$hash" "$relative" >> "$tmp"
done
mv "$tmp" "$manifest"
echo "$(wc -l < "$manifest") files sent; manifest: $manifest"
