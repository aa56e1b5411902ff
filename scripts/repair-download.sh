#!/usr/bin/env bash
# The shell twin of Repair-Download.ps1: check DEST against MANIFEST, fetch again what is missing or damaged.
#   scripts/repair-download.sh MANIFEST DEST            (exit 0 when every file is intact afterwards)
set -euo pipefail
granary() { ${GRANARY:-command granary} "$@"; }
manifest=$(realpath "${1:?usage: repair-download.sh MANIFEST DEST}")
dest=${2:?usage: repair-download.sh MANIFEST DEST}
mkdir -p "$dest"
failed=0
while IFS= read -r line; do
  hash=${line%%  *}; relative=${line#*  }
  if [ -f "$dest/$relative" ] && [ "$(granary hash --no-names "$dest/$relative")" = "$hash" ]; then
    echo "ok        $relative"; continue
  fi
  mkdir -p "$(dirname "$dest/$relative")"
  if granary get "$hash" -o "$dest/$relative" --force > /dev/null; then echo "repaired  $relative"; else echo "FAILED    $relative"; failed=1; fi
done < "$manifest"
(cd "$dest" && granary hash --check --quiet "$manifest") && exit $failed
