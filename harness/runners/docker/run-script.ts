/**
 * The wrapper every attempt runs inside the shared container, as the run user: it runs the workload,
 * then records and kills whatever the attempt left behind (the intproxy), found by the attempt's
 * marker in /proc/<pid>/environ. One `docker exec` per attempt, cleanup included.
 */
/** $0 of the wrapper shell: how the watch tells the wrapper from a workload that is itself a shell. */
export const RUN_SCRIPT_NAME = 'mirrord-regress-run';

export const RUN_SCRIPT = `
"$@"
rc=$?
[ -n "$MIRRORD_REGRESS_ENDED" ] && date +%s%3N > "$MIRRORD_REGRESS_ENDED" 2>/dev/null
n=$(( \${MIRRORD_REGRESS_LINGER_MS:-0} / 20 ))
marked() {
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    [ "$p" = "$$" ] && continue
    tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qx "MIRRORD_REGRESS_RUN=$MIRRORD_REGRESS_RUN" && echo "$p"
  done
}
# Our own bookkeeping must not add lines to the workload's stderr: processes vanish mid-scan.
{
  while [ "$n" -gt 0 ] && [ -n "$(marked)" ]; do sleep 0.02; n=$((n - 1)); done
  for p in $(marked); do
    cmd=$(tr '\\0' ' ' < /proc/$p/cmdline) || continue
    printf '%s %s\\n' "$p" "$cmd" >> "$MIRRORD_REGRESS_LEFTOVERS"
    kill -9 "$p"
  done
} 2>/dev/null
exit $rc
`;

/** pid 1 of the shared container: reaps orphans (a killed intproxy) so no zombie piles up. */
export const REAPER = ['ruby', '-e', 'trap(:TERM) { exit }; loop { begin; Process.wait; rescue Errno::ECHILD; sleep 0.2; end }'];
