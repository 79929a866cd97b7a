#!/bin/sh
# pid 1 of the cluster's node (a network namespace on the host, or the cluster container): kube-dns
# (dnsmasq, every query logged with the asking pod's address) and the HTTP service behind every
# ClusterIP. The harness gives the node its addresses from outside, as root on the host, then says
# so with STATE/net-ready; this script answers with STATE/ready, or STATE/failed and one line.
# Usage: node-init.sh STATE   (STATE holds cluster-hosts; dns.log and access.log are written there)
set -u
state=$1
here=$(cd "$(dirname "$0")" && pwd)
fail() {
  printf '%s\n' "$*" > "$state/failed.tmp" && mv "$state/failed.tmp" "$state/failed"
  exit 1
}
last() { [ -s "$1" ] && tail -n 1 "$1" || echo "no output"; }

n=0
while [ ! -e "$state/net-ready" ]; do
  n=$((n + 1)); [ "$n" -gt 3000 ] && fail "the harness did not set up the node's network within 30 s"
  sleep 0.01
done

# --local: the cluster domain is answered here or not at all (NXDOMAIN), never forwarded.
# dnsmasq lives in /usr/sbin, which a user's PATH (kept through sudo) may lack.
dnsmasq=${MIRRORD_REGRESS_DNSMASQ:-$(command -v dnsmasq || echo /usr/sbin/dnsmasq)}
"$dnsmasq" --keep-in-foreground --no-resolv --no-hosts \
  --addn-hosts="$state/cluster-hosts" --local=/cluster.local/ \
  --listen-address="$(cat "$state/dns-address")" --bind-interfaces \
  --log-queries=extra --log-facility="$state/dns.log" --user=root --pid-file= \
  > "$state/dnsmasq.out" 2>&1 &
dns=$!
ruby "$here/service.rb" "$state/access.log" 80 > "$state/service.out" 2>&1 &
svc=$!

n=0
until grep -q ' started, version ' "$state/dns.log" 2>/dev/null && grep -q '^service listening' "$state/service.out" 2>/dev/null; do
  kill -0 "$dns" 2>/dev/null || { wait "$dns"; fail "the cluster DNS (dnsmasq) exited $?: $(last "$state/dnsmasq.out")"; }
  kill -0 "$svc" 2>/dev/null || { wait "$svc"; fail "the cluster service exited $?: $(last "$state/service.out")"; }
  n=$((n + 1)); [ "$n" -gt 1000 ] && fail "the cluster DNS and service did not start within 10 s"
  sleep 0.01
done
: > "$state/ready"

# Whichever dies first takes the node down: the harness then sees STATE/failed.
while kill -0 "$dns" 2>/dev/null && kill -0 "$svc" 2>/dev/null; do sleep 0.2; done
kill -0 "$dns" 2>/dev/null || fail "the cluster DNS (dnsmasq) died: $(last "$state/dnsmasq.out")"
fail "the cluster service died: $(last "$state/service.out")"
