#!/usr/bin/env bash
# Starts a private Docker engine for the real-engine tests (__tests__/e2e/docker-engine.test.ts):
# dockerd as root on its own socket, data and exec roots under $CSG_DOCKER_DIR, vfs storage, no
# iptables and no bridge (containers and builds run with --network none). Prints nothing on stdout;
# exits non-zero when the engine cannot start. Stop it with .ci/docker-down.sh.
set -euo pipefail
dir="${CSG_DOCKER_DIR:-/tmp/csg-docker}"
sock="$dir/docker.sock"
if [ "$(id -u)" != "0" ]; then
  echo "docker-up: not root, so no private dockerd" >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends docker.io >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends docker.io >/dev/null; }
fi
mkdir -p "$dir"
if [ -f "$dir/dockerd.pid" ] && kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null &&
  docker -H "unix://$sock" version >/dev/null 2>&1; then
  exit 0 # already running (a previous run left it): reuse it
fi
setsid dockerd --host "unix://$sock" --data-root "$dir/data" --exec-root "$dir/exec" \
  --pidfile "$dir/dockerd.pid" --storage-driver vfs --iptables=false --bridge=none \
  >"$dir/dockerd.log" 2>&1 </dev/null &
for _ in $(seq 1 120); do
  if docker -H "unix://$sock" version >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "docker-up: dockerd did not answer within 120 s; its log:" >&2
tail -20 "$dir/dockerd.log" >&2
exit 1
