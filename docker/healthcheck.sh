#!/bin/bash
# The image's HEALTHCHECK: exit 0 when the silo's readiness endpoint answers 200.
# bash's /dev/tcp instead of curl keeps the image small (bash is essential in Debian).
# The port is the one given to --metrics: GRANARY_METRICS_PORT (default 9464) must match it.
set -u
port="${GRANARY_METRICS_PORT:-9464}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
# The endpoints answer only requests whose Host names the metrics port (RequireHost("*:PORT")).
printf 'GET /healthz/ready HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$port" >&3
IFS= read -r -t 4 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "not ready: ${status%$'\r'}"; exit 1 ;;
esac
