/**
 * A layer that loses its intproxy mid-run does what mirrord's `graceful_exit!` does: it says so (one stderr
 * line and a `fatal` event) and SIGKILLs its own process (lab/layer/src/session.rs `die`). The workload
 * kills the intproxy itself (same user, same PID namespace), then looks up a cluster name again.
 * Perl keeps SIGPIPE's default action and Python ignores it: both must end the same way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { disposeLabStage, runUnderLab, type LabRun } from '../support/lab-run.ts';
import { skipLabTests } from '../support/requirements.ts';

const DB = 'db.default.svc.cluster.local';

const PERL = `
$| = 1;
my @a = gethostbyname("${DB}");
print "first ", scalar(@a), "\\n";
open my $fh, '<', $ENV{MIRRORD_LAB_EVENTS} or die;
my ($proxy) = map { /"event":"listening","pid":(\\d+)/ ? $1 : () } <$fh>;
kill 'KILL', $proxy or die "kill $proxy: $!";
select(undef, undef, undef, 0.3);
my @b = gethostbyname("${DB}");
print "second ", scalar(@b), "\\n";
`;

const PYTHON = `
import os, re, signal, socket, time
print("first", socket.gethostbyname("${DB}"), flush=True)
proxy = int(re.search(r'"event":"listening","pid":(\\d+)', open(os.environ["MIRRORD_LAB_EVENTS"]).read()).group(1))
os.kill(proxy, signal.SIGKILL)
time.sleep(0.3)
print("second", socket.gethostbyname("${DB}"), flush=True)
`;

function expectKilledByItsLayer(run: LabRun, hook: string) {
  expect(run.observation.stdoutTail).toMatch(/^first /m);
  expect(run.observation.stdoutTail).not.toMatch(/^second/m);
  expect(run.observation.timedOut).toBe(false);
  expect(run.observation.signal).toBe('SIGKILL');
  expect(run.observation.exitCode).toBeNull();
  const layer = run.events.filter((e) => e.src === 'layer');
  const fatal = layer.filter((e) => e.event === 'fatal');
  expect(fatal).toHaveLength(1);
  expect(fatal[0]).toMatchObject({ hook: 'session', error: 'lost the intproxy session: the intproxy closed the connection' });
  // The same process had resolved remotely through that session before it broke.
  const before = layer.filter((e) => e.pid === fatal[0]!.pid && e.hook === hook && e.t_ns < fatal[0]!.t_ns);
  expect(before).toMatchObject([{ name: DB, remote: true, bypassed: false }]);
  expect(run.observation.stderrTail).toMatch(new RegExp(`mirrord-lab layer \\(pid ${fatal[0]!.pid}\\): lost the intproxy session`));
}

describe.skipIf(skipLabTests)('the layer loses its intproxy', () => {
  afterAll(disposeLabStage);

  it('perl (default SIGPIPE): fatal event, then SIGKILL, not a silent SIGPIPE death', async () => {
    const run = await runUnderLab('3.112.1', { argv: ['/usr/bin/perl', '-e', PERL] });
    // The second lookup is not logged as a hook event: the session broke before it had an answer.
    expectKilledByItsLayer(run, 'gethostbyname_r');
  });

  it('python3 (SIGPIPE ignored): the same', async () => {
    const run = await runUnderLab('3.112.1', { argv: ['/usr/bin/python3', '-c', PYTHON] });
    expectKilledByItsLayer(run, 'getaddrinfo');
  });
});
