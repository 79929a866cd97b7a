#!/bin/sh
# What `mirrord exec` does once it has an agent (../shared/real-mirrord.md §1, §5), without Kubernetes:
# start `mirrord intproxy` against the agent, read the port it prints, then become the workload with
# the layer preloaded and MIRRORD_CONNECT_TCP pointing at the intproxy. The same for a real release
# and a published lab release. The intproxy detaches (setsid) and stays in the run's PID namespace,
# so the runner sees it, and kills it with everything else.
# Usage: launch.sh CLI LAYER AGENT_ADDR CONFIG DIR -- WORKLOAD...
# Exit 125 with a `mirrord-regress:` line when the chain cannot start: an ERROR, not a verdict.
set -u
cli=$1 layer=$2 agent=$3 config=$4 dir=$5
shift 6
# A command that cannot start is said as a shell says it (127 not found, 126 not runnable), before
# any intproxy is started for a layer that will never come.
cannot() { echo "launch: cannot execute \"$1\": $2" >&2; exit "$3"; }
case $1 in
  */*) [ -e "$1" ] || cannot "$1" 'No such file or directory' 127
       [ -f "$1" ] && [ -x "$1" ] || cannot "$1" 'Permission denied' 126 ;;
  *) command -v -- "$1" > /dev/null 2>&1 || cannot "$1" 'No such file or directory' 127 ;;
esac
out="$dir/intproxy.out"
mkfifo "$out" || { echo "mirrord-regress: cannot make $out" >&2; exit 125; }
MIRRORD_CONNECT_TCP=$agent MIRRORD_CONFIG_FILE=$config MIRRORD_TELEMETRY=false \
  "$cli" intproxy > "$out" 2> "$dir/intproxy.err" < /dev/null &
intproxy=$!
port=
IFS= read -r port < "$out" || port=
rm -f "$out"
case $port in
  '') wait "$intproxy"; rc=$?
      why=$(tail -n 1 "$dir/intproxy.err" 2>/dev/null)
      echo "mirrord-regress: the intproxy exited before printing its port (exit $rc)${why:+: $why}" >&2
      exit 125 ;;
  # mirrord 3.112 prints a bare port; 3.113 and later print 127.0.0.1:PORT.
  *:*) addr=$port ;;
  *) addr=127.0.0.1:$port ;;
esac
LD_PRELOAD=$layer MIRRORD_CONNECT_TCP=$addr MIRRORD_CONFIG_FILE=$config MIRRORD_PROGRESS_MODE=off
export LD_PRELOAD MIRRORD_CONNECT_TCP MIRRORD_CONFIG_FILE MIRRORD_PROGRESS_MODE
exec "$@"
