/**
 * A bisect session directory made the way `bisect` makes one, with the real search engines and
 * SessionDir, but with simulated probes instead of Ruby runs: 12 commits, the bug from the 8th on
 * (showing in `p` of the runs), one commit that does not build, and a detail line (probes.log) per
 * probe whose evidence may carry text a workload wrote.
 */
import { bisectFlaky } from '../../../harness/bisect/flaky.ts';
import type { ProbeReport } from '../../../harness/bisect/outcome.ts';
import { bisect } from '../../../harness/bisect/search.ts';
import { SessionDir, type SessionResult, type SessionSpec } from '../../../harness/bisect/session.ts';
import { appendProbe } from '../../../harness/bisect/state.ts';
import { mulberry32 } from '../../bisect/mulberry32.ts';

export const COMMITS = Array.from({ length: 12 }, (_, i) => `${(i + 1).toString(16).repeat(2)}${'0123456789abcdef'.repeat(3)}${i.toString().padStart(6, '0')}`.slice(0, 40));
export const CULPRIT = 7;
export const UNBUILDABLE = 5;

export interface SimulatedSession {
  dir: string;
  session: SessionDir;
  result: SessionResult;
}

export interface SimulateOptions {
  flaky: boolean;
  /** How often a bad commit shows the bug. @default 0.6 */
  p?: number;
  /** Text put into one probe's evidence, as a workload's stderr would be. */
  stderr?: string;
  /** Stop (as Ctrl-C would) after this many probes: no result, report as interrupted. */
  stopAfter?: number;
}

export async function simulateSession(dir: string, opts: SimulateOptions): Promise<SimulatedSession> {
  const rng = mulberry32(424242);
  const spec: SessionSpec = {
    scenario: 'spawn-random-thread', strategy: null, good: COMMITS[0]!, bad: COMMITS.at(-1)!, findFix: false, flaky: opts.flaky, confidence: 0.95, repeat: 1,
    source: { kind: 'commits', repo: '/src/lab-src', build: 'cargo build --release', artifacts: null, profile: '3.112.1' },
    candidates: COMMITS,
  };
  const session = new SessionDir(dir);
  session.open();
  session.begin(spec, () => 'a simulated session');
  let probes = 0;
  const probe = async (sha: string): Promise<ProbeReport> => {
    if (opts.stopAfter !== undefined && probes >= opts.stopAfter) throw new Error('stopped');
    probes++;
    const i = COMMITS.indexOf(sha);
    const t = new Date(Date.UTC(2025, 5, 2, 10, 0, probes)).toISOString();
    if (i === UNBUILDABLE) {
      session.logDetail({ candidate: sha, verdict: 'SKIP', summary: 'build failed: error[E0425]: cannot find value `MAX_ENV` in this scope', evidence: [], t });
      return { outcome: 'skip', verdict: null };
    }
    const bug = i >= CULPRIT && (i === COMMITS.length - 1 || rng() < (opts.p ?? 0.6));
    const evidence = bug
      ? ['getaddrinfo bypassed 2x on tid 3 (pid 3) for db.default.svc.cluster.local', `exit code 1; stderr: ${opts.stderr ?? 'getaddrinfo: Temporary failure in name resolution (SocketError)'}`]
      : ['exit code 0', 'hooks: getaddrinfo hooked 3/3 (3 remote), socket hooked 1/1, connect hooked 2/2; 19 exec-hook entries'];
    session.logDetail({ candidate: sha, verdict: bug ? 'BYPASSED' : 'PASS', summary: bug ? 'getaddrinfo bypassed 2x on tid 3 (db.default.svc.cluster.local)' : 'exit 0; getaddrinfo hooked 3/3 (3 remote)', evidence, t });
    return bug ? { outcome: 'bad', verdict: 'BYPASSED' } : { outcome: 'good', verdict: 'PASS' };
  };
  const onRecord = (r: Parameters<typeof appendProbe>[1]) => appendProbe(session.statePath, r);
  const input = { candidates: COMMITS, good: 0, bad: COMMITS.length - 1, probe, onRecord, now: () => new Date(Date.UTC(2025, 5, 2, 10, 0, probes)) };
  try {
    const result = opts.flaky ? await bisectFlaky({ ...input, confidence: spec.confidence }) : await bisect(input);
    const full: SessionResult = { spec, switchedToFlaky: false, result, probes: [...result.probes], details: session.details() };
    session.writeResult(full);
    return { dir, session, result: full };
  } catch (e) {
    if ((e as Error).message !== 'stopped') throw e;
    session.writeReport(spec);
    return { dir, session, result: { spec, switchedToFlaky: false, result: undefined as never, probes: [], details: session.details() } };
  } finally {
    session.close();
  }
}
