#!/usr/bin/env bash
# Stops the private Docker engine .ci/docker-up.sh started, by its pid file.
set -uo pipefail
dir="${CSG_DOCKER_DIR:-/tmp/csg-docker}"
pid="$(cat "$dir/dockerd.pid" 2>/dev/null || true)"
[ -n "$pid" ] || exit 0
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 30); do
  kill -0 "$pid" 2>/dev/null || exit 0
  sleep 1
done
kill -9 "$pid" 2>/dev/null || true
