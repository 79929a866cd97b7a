#!/usr/bin/env bash
# Starts a Docker engine when none answers (no systemd here), or stops the one we started.
# Usage: engine.sh start PIDFILE | engine.sh stop PIDFILE
set -euo pipefail
cmd=${1:?usage: engine.sh start|stop PIDFILE}
pidfile=${2:?usage: engine.sh start|stop PIDFILE}
case "$cmd" in
  start)
    if docker info >/dev/null 2>&1; then echo "docker engine already running"; exit 0; fi
    command -v dockerd >/dev/null || { echo "engine.sh: dockerd missing: apt-get install -y docker.io" >&2; exit 2; }
    dockerd --storage-driver overlay2 -H unix:///var/run/docker.sock >/tmp/mirrord-regress-dockerd.log 2>&1 &
    echo $! > "$pidfile"
    for _ in $(seq 1 150); do docker info >/dev/null 2>&1 && { echo "docker engine started (pid $(cat "$pidfile"))"; exit 0; }; sleep 0.2; done
    echo "engine.sh: dockerd did not come up; see /tmp/mirrord-regress-dockerd.log" >&2; exit 1 ;;
  stop)
    [ -f "$pidfile" ] || exit 0
    pid=$(cat "$pidfile"); rm -f "$pidfile"
    kill "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { echo "docker engine stopped"; exit 0; }; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true ;;
  *) echo "usage: engine.sh start|stop PIDFILE" >&2; exit 2 ;;
esac
