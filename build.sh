#!/usr/bin/env bash
# Cake bootstrapper: restores the pinned Cake tool (.config/dotnet-tools.json), then runs build.cake.
#   ./build.sh --target=Run    set up, build and run the main job
#   ./build.sh --target=Test   set up, build and run every test
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK (dotnet) is not on PATH; this project needs .NET SDK 10." >&2
  exit 1
fi
dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
