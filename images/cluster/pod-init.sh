#!/bin/sh
# pid 1 of an agent's pod (its own network, mount and PID namespaces): waits until the harness has
# wired the pod's network (POD/net-ready), takes the cluster's resolver as its own, as a pod's
# /etc/resolv.conf points at kube-dns, and becomes the agent.
# Usage: pod-init.sh POD RESOLV_CONF -- AGENT [ARGS...]
set -u
pod=$1 resolv=$2
shift 3
n=0
while [ ! -e "$pod/net-ready" ]; do
  n=$((n + 1)); [ "$n" -gt 1000 ] && { echo "mirrord-regress: the pod's network was not set up within 10 s" >&2; exit 125; }
  sleep 0.01
done
mount --bind "$resolv" /etc/resolv.conf || { echo "mirrord-regress: cannot give the pod the cluster's resolver" >&2; exit 125; }
exec "$@"
