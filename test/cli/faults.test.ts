/**
 * Bad input and file-system faults through the real CLI: each gives exit 2 (130 on Ctrl-C) and
 * one line on stderr naming the path or option and what to do, no stack trace, nothing
 * half-written (no temp file, no lock, no directory the run created and left empty), no stage
 * left in TMPDIR and no process left running. Faults that appear mid-run may follow progress
 * lines; the fault is then the last line and the only `mirrord-regress:` one.
 *
 * FAULTS is also the table in the report (input | exit | message).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync, type ResultPromise } from 'execa';
import tmp from 'tmp';
import { BIN, eventually, processesMentioning } from '../support/cli.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { skipLabTests } from '../support/requirements.ts';
import { bindToItself, canMount, fillUp, makeReadOnly, mountTinyTmpfs, unmount, unmountAll } from '../support/mounts.ts';
import { upstreamMatrix } from '../fixtures/results.ts';
import { parseResultsFile, toResultsJson } from '../../harness/reports/json.ts';

const LOCK = '.mirrord-regress.lock';
const OWNER = '.mirrord-regress.owner';
const NOBODY = '65534';
/** Small and fast: two cells of the lab release without exec hooks. */
const SMALL = ['matrix', '--subjects', 'lab@3.111.0', '--scenarios', 'spawn-then-resolve', '--jobs', '1'];
/** A fast cell, then one that sleeps until its timeout: time to break the disk in between. */
const TWO_PHASE = ['matrix', '--subjects', 'lab@3.112.1', '--scenarios', 'spawn-via-shell,fixture-sleep-forever', '--timeout', '4000', '--jobs', '1'];
/** One cell that runs until interrupted. */
const FOREVER = ['matrix', '--subjects', 'lab@3.112.1', '--scenarios', 'fixture-sleep-forever', '--timeout', '120000'];
const RELEASES = ['bisect', '--scenario', 'spawn-then-resolve', '--good', '3.111.0', '--bad', '3.112.0'];

let base = '';
let tmpdirForRuns = '';
let removeBase = () => {};

function run(argv: string[], opts: { env?: Record<string, string>; asNobody?: boolean } = {}): ResultPromise<{ reject: false }> {
  // TSX_DISABLE_CACHE: tsx itself would crash on an unusable TMPDIR before the harness could say so (see the report).
  const env = { TMPDIR: tmpdirForRuns, ...opts.env };
  // A bounded wait: a retry loop (mkdir under /proc used to spin) fails the case instead of hanging it.
  const common = { reject: false, cwd: base, env, timeout: 90_000 } as const;
  if (opts.asNobody) return execa('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN, ...argv], common) as never;
  return execa(process.execPath, [BIN, ...argv], common) as never;
}

/** Every file under `dir` (mount points included), relative. */
function tree(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

function writeResults(path: string, text = toResultsJson(upstreamMatrix({}))): string {
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  return path;
}

const readCells = (path: string): number => parseResultsFile(readFileSync(path, 'utf8'), path).cells.length;

async function tinyRepo(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execa('git', ['-C', dir, ...args], { env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  await git('init', '-q');
  for (const n of [1, 2, 3]) {
    writeFileSync(join(dir, 'NOTES'), `change ${n}\n`);
    await git('add', '-A');
    await git('commit', '-q', '-m', `c${n}`);
  }
}

const sessionSpec = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ scenario: 'spawn-then-resolve', strategy: null, good: '3.111.0', bad: '3.112.0', findFix: false, flaky: false, confidence: 0.99, repeat: 1, source: { kind: 'releases', subjectKind: 'lab' }, candidates: ['3.111.0', '3.112.0', '3.112.1'], ...over });

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('valid JSON');
}

function parseError(text: string, source: string): string {
  try {
    parseResultsFile(text, source);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('valid results');
}

/** A matrix run that holds `out` until interrupted; resolves once it owns the lock. */
async function holder(out: string): Promise<{ child: ResultPromise<{ reject: false }>; pid: number; since: string }> {
  const child = run([...FOREVER, '--out', out]);
  const owner = await eventually(() => existsSync(join(out, OWNER)) && JSON.parse(readFileSync(join(out, OWNER), 'utf8')), 20_000, 'the holder to own the lock');
  return { child, pid: owner.pid, since: owner.since };
}

interface Fault {
  /** How the input reads in the report's table (paths by role). */
  input: string;
  argv: (d: string) => string[];
  exit: 2 | 130;
  /** The last (and, unless midRun, only) stderr line. */
  line: (d: string) => string;
  setup?: (d: string) => void | Promise<void>;
  /** Runs while the CLI runs (break the disk after the first cell, press Ctrl-C...). */
  during?: (d: string, child: ResultPromise<{ reject: false }>) => Promise<void>;
  /** Nothing half-written, nothing taken: the fault's own checks. */
  after?: (d: string) => void;
  teardown?: (d: string) => Promise<void> | void;
  midRun?: boolean;
  /** root: mounts or another user; lab: runs real cells (root, Ruby, the lab build). */
  needs?: 'root' | 'lab' | 'root+lab';
  env?: (d: string) => Record<string, string>;
  asNobody?: boolean;
  /** The disk turned read-only under the run: its lock cannot be removed (the next run takes it over). */
  lockStays?: boolean;
  /** Another run holds the directory until teardown: its lock is checked after. */
  heldByAnother?: boolean;
}

const holders = new Map<string, Awaited<ReturnType<typeof holder>>>();
const p = (line: string) => `mirrord-regress: ${line}`;

export const FAULTS: Fault[] = [
  // Numbers: plain decimal digits within stated limits.
  ...(
    [
      ['--repeat', '1e3', 'must be a whole number from 1 to 1000 in plain digits, got "1e3"'],
      ['--repeat', ' 2', 'must be a whole number from 1 to 1000 in plain digits, got " 2"'],
      ['--repeat', '2.0', 'must be a whole number from 1 to 1000 in plain digits, got "2.0"'],
      ['--repeat', '0', 'must be a whole number from 1 to 1000, got 0'],
      ['--repeat', '1001', 'must be a whole number from 1 to 1000, got 1001'],
      ['--jobs', '0x10', 'must be a whole number from 1 to 64 in plain digits, got "0x10"'],
      ['--jobs', '', 'must be a whole number from 1 to 64 in plain digits, got ""'],
      ['--jobs', '65', 'must be a whole number from 1 to 64, got 65'],
      ['--timeout', '1e3', 'must be a whole number from 1000 to 3600000 in plain digits, got "1e3"'],
      ['--timeout', '500', 'must be a whole number from 1000 to 3600000, got 500'],
    ] as const
  ).map(([opt, value, msg]): Fault => ({ input: `matrix ${opt} '${value}'`, argv: () => ['matrix', opt, value], exit: 2, line: () => p(`${opt} ${msg}`) })),
  { input: "bisect --repeat 1e3 (releases)", argv: (d) => [...RELEASES, '--repeat', '1e3', '--out', join(d, 's')], exit: 2, line: () => p('--repeat must be a whole number from 1 to 1000 in plain digits, got "1e3"'), after: (d) => expect(existsSync(join(d, 's'))).toBe(false) },
  { input: 'bisect --confidence 1', argv: (d) => [...RELEASES, '--confidence', '1', '--out', join(d, 's')], exit: 2, line: () => p('--confidence must be between 0 and 1 as a plain decimal (e.g. 0.99), got "1"') },
  // Empty values never silently change the run.
  { input: "matrix --strategies ''", argv: () => ['matrix', '--strategies', ''], exit: 2, line: () => p('--strategies is empty: give at least one strategy (none, normal, forget)') },
  { input: "matrix --subjects ''", argv: () => ['matrix', '--subjects', ''], exit: 2, line: () => p('--subjects is empty: give at least one subject, e.g. lab@3.112.0') },
  { input: "matrix --scenarios ''", argv: () => ['matrix', '--scenarios', ''], exit: 2, line: () => p('--scenarios is empty: give at least one scenario id, e.g. spawn-then-resolve') },
  { input: "matrix --shard ''", argv: () => ['matrix', '--shard', ''], exit: 2, line: () => p('malformed --shard "": expected i/n with 1 <= i <= n, e.g. 2/4') },
  { input: "matrix --rubies ''", argv: () => ['matrix', '--rubies', ''], exit: 2, line: () => p('--rubies is empty: give at least one Ruby version, e.g. 3.3') },
  { input: "matrix --out ''", argv: () => ['matrix', '--out', ''], exit: 2, line: () => p('--out is empty: give a directory') },
  { input: "matrix --ruby ''", argv: () => ['matrix', '--ruby', ''], exit: 2, line: () => p('--ruby is empty: give the path of a Ruby') },
  { input: 'matrix --strategies normal,,forget', argv: () => ['matrix', '--strategies', 'normal,,forget'], exit: 2, line: () => p('--strategies "normal,,forget" has an empty item: separate items with single commas') },
  { input: 'matrix --subjects lab@3.111.0,lab@3.111.0', argv: () => ['matrix', '--subjects', 'lab@3.111.0,lab@3.111.0'], exit: 2, line: () => p('--subjects names "lab@3.111.0" twice') },
  { input: "report merge R --out ''", argv: (d) => ['report', 'merge', join(d, 'r.json'), '--out', ''], exit: 2, line: () => p('--out is empty: give a directory') },

  // The path given is not a directory that can be written.
  { input: 'matrix --out FILE', setup: (d) => writeFileSync(join(d, 'file'), 'mine\n'), argv: (d) => [...SMALL, '--out', join(d, 'file')], exit: 2, line: (d) => p(`cannot create ${join(d, 'file')} (--out): it is a file, not a directory (EEXIST); choose another --out`), after: (d) => expect(readFileSync(join(d, 'file'), 'utf8')).toBe('mine\n') },
  { input: 'matrix --out FILE/sub', setup: (d) => writeFileSync(join(d, 'file'), 'mine\n'), argv: (d) => [...SMALL, '--out', join(d, 'file', 'sub')], exit: 2, line: (d) => p(`cannot create ${join(d, 'file', 'sub')} (--out): ${join(d, 'file')} is a file, not a directory (ENOTDIR); choose another --out`) },
  { input: 'matrix --out /proc/x (no retry loop)', argv: () => [...SMALL, '--out', '/proc/mirrord-regress-x'], exit: 2, line: () => p('cannot create /proc/mirrord-regress-x (--out): this file system does not allow creating files here (ENOENT); choose another --out on a normal disk') },
  { input: 'matrix --out NEW/out with a missing parent chain (created, then removed again on a fault)', setup: (d) => writeFileSync(join(d, 'file'), ''), argv: (d) => [...SMALL, '--out', join(d, 'a', 'b', 'out'), '--ruby', join(d, 'file')], exit: 2, line: (d) => p(`Ruby not found or not runnable (${join(d, 'file')}): install it with \`apt-get install -y ruby\`, or pass --ruby PATH`), after: (d) => expect(existsSync(join(d, 'a'))).toBe(false) },
  { input: 'matrix --out RO/out (read-only file system)', needs: 'root', setup: (d) => { mkdirSync(join(d, 'ro')); bindToItself(join(d, 'ro')); makeReadOnly(join(d, 'ro')); }, argv: (d) => [...SMALL, '--out', join(d, 'ro', 'out')], exit: 2, line: (d) => p(`cannot create ${join(d, 'ro', 'out')} (--out): read-only file system (EROFS); choose another --out on a writable file system`), teardown: (d) => unmount(join(d, 'ro')) },
  { input: 'matrix --out FULL/out (tmpfs with no space left)', needs: 'root', setup: (d) => { mkdirSync(join(d, 'full')); mountTinyTmpfs(join(d, 'full'), 64); fillUp(join(d, 'full', 'filler'), 0); }, argv: (d) => [...SMALL, '--out', join(d, 'full', 'out')], exit: 2, line: (d) => p(`cannot write ${join(d, 'full', 'out', OWNER)} (--out): no space left on device (ENOSPC); free some space there, or choose another --out`), after: (d) => expect(tree(join(d, 'full'))).toEqual(['filler']), teardown: (d) => unmount(join(d, 'full')) },
  { input: 'report merge R --out DIR, run as nobody (permission denied)', needs: 'root', asNobody: true, setup: (d) => { chmodSync(d, 0o755); mkdirSync(join(d, 'root-only'), { mode: 0o755 }); }, argv: (d) => ['report', 'merge', join(d, 'r.json'), '--out', join(d, 'root-only', 'out')], exit: 2, line: (d) => p(`cannot create ${join(d, 'root-only', 'out')} (--out): permission denied (EACCES); choose another --out, or one you may write to`) },
  { input: 'report merge R --out FILE', setup: (d) => writeFileSync(join(d, 'file'), ''), argv: (d) => ['report', 'merge', join(d, 'r.json'), '--out', join(d, 'file')], exit: 2, line: (d) => p(`cannot create ${join(d, 'file')} (--out): it is a file, not a directory (EEXIST); choose another --out`) },
  { input: 'report merge R --out /proc/x', argv: (d) => ['report', 'merge', join(d, 'r.json'), '--out', '/proc/mirrord-regress-x'], exit: 2, line: () => p('cannot create /proc/mirrord-regress-x (--out): this file system does not allow creating files here (ENOENT); choose another --out on a normal disk') },
  {
    input: 'report merge R --out RO (earlier reports kept)', needs: 'root',
    setup: (d) => { mkdirSync(join(d, 'ro')); for (const f of ['results.json', 'junit.xml', 'summary.md']) writeFileSync(join(d, 'ro', f), 'earlier\n'); bindToItself(join(d, 'ro')); makeReadOnly(join(d, 'ro')); },
    argv: (d) => ['report', 'merge', join(d, 'r.json'), '--out', join(d, 'ro')], exit: 2,
    line: (d) => p(`cannot write ${join(d, 'ro')} (--out): read-only file system (EROFS); choose another --out on a writable file system`),
    after: (d) => expect(readFileSync(join(d, 'ro', 'junit.xml'), 'utf8')).toBe('earlier\n'), teardown: (d) => unmount(join(d, 'ro')),
  },
  {
    input: 'report merge R --out FULL (disk full while writing; earlier reports kept)', needs: 'root',
    setup: (d) => { mkdirSync(join(d, 'full')); mountTinyTmpfs(join(d, 'full'), 64); for (const f of ['results.json', 'junit.xml', 'summary.md']) writeFileSync(join(d, 'full', f), 'earlier\n'); fillUp(join(d, 'full', 'filler'), 4); },
    argv: (d) => ['report', 'merge', join(d, 'r.json'), '--out', join(d, 'full')], exit: 2,
    line: (d) => p(`cannot write ${join(d, 'full', 'results.json')} (--out): no space left on device (ENOSPC); free some space there, or choose another --out`),
    after: (d) => {
      for (const f of ['results.json', 'junit.xml', 'summary.md']) expect(readFileSync(join(d, 'full', f), 'utf8')).toBe('earlier\n');
      expect(tree(join(d, 'full'))).toEqual(['filler', 'junit.xml', 'results.json', 'summary.md']);
    },
    teardown: (d) => unmount(join(d, 'full')),
  },
  { input: 'report merge MISSING --out X', argv: (d) => ['report', 'merge', join(d, 'missing.json'), '--out', join(d, 'x')], exit: 2, line: (d) => p(`cannot read ${join(d, 'missing.json')}: no such file or directory (ENOENT); check the path`), after: (d) => expect(existsSync(join(d, 'x'))).toBe(false) },
  { input: 'report merge TRUNCATED --out X', setup: (d) => writeResults(join(d, 'cut.json'), toResultsJson(upstreamMatrix({})).slice(0, 200)), argv: (d) => ['report', 'merge', join(d, 'cut.json'), '--out', join(d, 'x')], exit: 2, line: (d) => p(parseError(toResultsJson(upstreamMatrix({})).slice(0, 200), join(d, 'cut.json'))), after: (d) => expect(existsSync(join(d, 'x'))).toBe(false) },

  // Damaged state files on resume.
  { input: 'matrix --resume --out D (results.json truncated)', setup: (d) => { mkdirSync(join(d, 'out')); writeFileSync(join(d, 'out', 'results.json'), '{"schema": "mirrord-regress/res'); }, argv: (d) => [...SMALL, '--resume', '--out', join(d, 'out')], exit: 2, line: (d) => p(`cannot resume: ${parseError('{"schema": "mirrord-regress/res', join(d, 'out', 'results.json'))}; remove it to start over, or choose another --out`), after: (d) => expect(tree(join(d, 'out'))).toEqual(['results.json']) },
  { input: 'matrix --resume --out D (results.json empty)', setup: (d) => { mkdirSync(join(d, 'out')); writeFileSync(join(d, 'out', 'results.json'), ''); }, argv: (d) => [...SMALL, '--resume', '--out', join(d, 'out')], exit: 2, line: (d) => p(`cannot resume: ${parseError('', join(d, 'out', 'results.json'))}; remove it to start over, or choose another --out`) },
  { input: 'bisect --resume --out D (session.json empty)', setup: (d) => { mkdirSync(join(d, 's')); writeFileSync(join(d, 's', 'session.json'), ''); }, argv: (d) => ['bisect', '--resume', '--out', join(d, 's')], exit: 2, line: (d) => p(`cannot resume: ${join(d, 's', 'session.json')} is empty (the session was killed while starting?); remove ${join(d, 's')} to start over`), after: (d) => expect(tree(join(d, 's'))).toEqual(['session.json']) },
  { input: 'bisect --resume --out D (session.json truncated)', setup: (d) => { mkdirSync(join(d, 's')); writeFileSync(join(d, 's', 'session.json'), sessionSpec().slice(0, 40)); }, argv: (d) => ['bisect', '--resume', '--out', join(d, 's')], exit: 2, line: (d) => p(`cannot resume: ${join(d, 's', 'session.json')} is not valid JSON (${jsonError(sessionSpec().slice(0, 40))}): it is truncated or damaged; remove ${join(d, 's')} to start over`) },
  { input: 'bisect --resume --out D (session.json of something else)', setup: (d) => { mkdirSync(join(d, 's')); writeFileSync(join(d, 's', 'session.json'), sessionSpec({ repeat: 0 })); }, argv: (d) => ['bisect', '--resume', '--out', join(d, 's')], exit: 2, line: (d) => p(`cannot resume: ${join(d, 's', 'session.json')} is not a bisect session: "repeat" is not a positive integer; remove ${join(d, 's')} to start over`) },
  { input: 'bisect --resume --out D (probes.jsonl damaged mid-file)', setup: (d) => { mkdirSync(join(d, 's')); writeFileSync(join(d, 's', 'session.json'), sessionSpec()); writeFileSync(join(d, 's', 'probes.jsonl'), '{oops\n{"candidate":"3.111.0","outcome":"good","verdict":"PASS","attempt":1,"t":""}\n'); }, argv: (d) => ['bisect', '--resume', '--out', join(d, 's')], exit: 2, line: (d) => p(`${join(d, 's', 'probes.jsonl')}:1: not JSON; the bisect state file is damaged beyond a torn last line: remove that line to resume without it, or start a new session`) },
  { input: 'bisect --resume --out EMPTY (nothing to resume)', setup: (d) => mkdirSync(join(d, 's')), argv: (d) => ['bisect', '--resume', '--out', join(d, 's')], exit: 2, line: (d) => p(`nothing to resume in ${join(d, 's')} (no session.json)`), after: (d) => expect(tree(join(d, 's'))).toEqual([]) },
  { input: 'bisect --out FILE', setup: (d) => writeFileSync(join(d, 'file'), ''), argv: (d) => [...RELEASES, '--out', join(d, 'file')], exit: 2, line: (d) => p(`cannot create ${join(d, 'file')} (--out): it is a file, not a directory (EEXIST); choose another --out`), after: (d) => expect(existsSync(join(d, 'bisect-out'))).toBe(false) },
  {
    input: 'bisect --git REPO --build FAILING (fails at the known-good endpoint: no session left)', needs: 'lab',
    setup: (d) => tinyRepo(join(d, 'repo')),
    argv: (d) => ['bisect', '--git', join(d, 'repo'), '--build', 'echo cannot build this >&2; exit 3', '--good', 'HEAD~2', '--bad', 'HEAD', '--scenario', 'spawn-then-resolve', '--out', join(d, 'session')],
    exit: 2, midRun: true,
    line: (d) => p(`known-good ${gitHead(join(d, 'repo'), 'HEAD~2')} could not be probed (skip), so the range cannot be checked: build failed: cannot build this`),
    after: (d) => expect(existsSync(join(d, 'session'))).toBe(false),
  },
  { input: 'TMPDIR=FILE matrix ...', env: (d) => ({ TMPDIR: join(d, 'tmpfile'), TSX_DISABLE_CACHE: '1' }), setup: (d) => writeFileSync(join(d, 'tmpfile'), ''), argv: (d) => [...SMALL, '--out', join(d, 'out')], exit: 2, line: (d) => p(`cannot read ${join(d, 'tmpfile')} (TMPDIR): it, or a directory on its path, is a file (ENOTDIR); choose another TMPDIR`), after: (d) => expect(existsSync(join(d, 'out'))).toBe(false) },

  // Faults that appear after the first cell: the last complete results.json stays.
  {
    input: 'matrix --out MNT/out, MNT turned read-only after the first cell', needs: 'root+lab', midRun: true, lockStays: true,
    setup: (d) => { mkdirSync(join(d, 'mnt')); bindToItself(join(d, 'mnt')); },
    argv: (d) => [...TWO_PHASE, '--out', join(d, 'mnt', 'out')],
    during: async (d) => {
      const results = join(d, 'mnt', 'out', 'results.json');
      await eventually(() => existsSync(results) && readCells(results) >= 1, 30_000, 'the first cell');
      makeReadOnly(join(d, 'mnt'));
    },
    exit: 2,
    line: (d) => p(`cannot write ${join(d, 'mnt', 'out', 'results.json')} (--out): read-only file system (EROFS); choose another --out on a writable file system`),
    after: (d) => expect(readCells(join(d, 'mnt', 'out', 'results.json'))).toBe(1),
    teardown: (d) => unmount(join(d, 'mnt')),
  },
  {
    input: 'matrix --out FULL/out, disk full after the first cell', needs: 'root+lab', midRun: true,
    setup: (d) => { mkdirSync(join(d, 'full')); mountTinyTmpfs(join(d, 'full'), 64); fillUp(join(d, 'full', 'filler'), 16); },
    argv: (d) => [...TWO_PHASE, '--out', join(d, 'full', 'out')],
    exit: 2,
    line: (d) => p(`cannot write ${join(d, 'full', 'out', 'results.json')} (--out): no space left on device (ENOSPC); free some space there, or choose another --out`),
    after: (d) => {
      // The last write that fit is complete (or none fit at all): never half a file.
      const results = join(d, 'full', 'out', 'results.json');
      if (existsSync(results)) expect(readCells(results)).toBe(1);
      expect(tree(join(d, 'full')).filter((f) => f !== 'filler' && f !== 'out' && f !== 'out/results.json')).toEqual([]);
    },
    teardown: (d) => unmount(join(d, 'full')),
  },

  // One run per directory; Ctrl-C releases everything.
  {
    input: 'matrix --out D while another matrix runs on D', needs: 'lab', heldByAnother: true,
    setup: async (d) => void holders.set(d, await holder(join(d, 'out'))),
    argv: (d) => [...SMALL, '--out', join(d, 'out')], exit: 2,
    line: (d) => p(`${join(d, 'out')} is in use by another matrix run (pid ${holders.get(d)!.pid}, since ${holders.get(d)!.since}): wait for it to finish, or choose another --out`),
    teardown: async (d) => { holders.get(d)!.child.kill('SIGINT'); expect((await holders.get(d)!.child).exitCode).toBe(130); expect(existsSync(join(d, 'out'))).toBe(false); },
  },
  {
    input: 'bisect --out D while a matrix runs on D', needs: 'lab', heldByAnother: true,
    setup: async (d) => void holders.set(d, await holder(join(d, 'out'))),
    argv: (d) => [...RELEASES, '--out', join(d, 'out')], exit: 2,
    line: (d) => p(`${join(d, 'out')} is in use by another matrix run (pid ${holders.get(d)!.pid}, since ${holders.get(d)!.since}): wait for it to finish, or choose another --out`),
    after: (d) => expect(existsSync(join(d, 'out', 'session.json'))).toBe(false),
    teardown: async (d) => { holders.get(d)!.child.kill('SIGINT'); await holders.get(d)!.child; },
  },
  {
    input: 'matrix ... then Ctrl-C before the first cell finished', needs: 'lab', midRun: true,
    argv: (d) => [...FOREVER, '--out', join(d, 'out')],
    during: async (d, child) => {
      // The workload itself (the cluster's service is a Ruby program too).
      await eventually(() => existsSync(join(d, 'out', OWNER)) && processesMentioning(tmpdirForRuns).some((l) => /sleep_forever\.rb/.test(l)), 20_000, 'the workload to start');
      child.kill('SIGINT');
    },
    exit: 130,
    line: () => 'interrupted before the first cell finished: nothing was recorded',
    after: (d) => expect(existsSync(join(d, 'out'))).toBe(false),
  },
];

function gitHead(repo: string, ref: string): string {
  return execaSync('git', ['-C', repo, 'rev-parse', ref]).stdout.trim();
}

/** Temp files, stale owner claims and lock files: what a clean exit never leaves. */
const debris = (dir: string): string[] => tree(dir).filter((f) => /\.tmp$|\.stale$/.test(f) || f.endsWith(LOCK) || f.endsWith(OWNER));
const stagesIn = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('mirrord-regress-'));

describe('faults through the CLI', () => {
  beforeAll(() => {
    // Short: the lab's Unix socket paths under TMPDIR must stay within 107 bytes.
    const t = tmp.dirSync({ prefix: 'rf', mode: 0o755, unsafeCleanup: true });
    base = t.name;
    removeBase = t.removeCallback;
    // Sticky and world-writable: the nobody case needs its own tsx cache in it.
    tmpdirForRuns = join(base, 't');
    mkdirSync(tmpdirForRuns);
    chmodSync(tmpdirForRuns, 0o1777);
  });
  afterEach(() => unmountAll());
  afterAll(() => {
    unmountAll();
    removeBase();
  });

  it.for(FAULTS.map((f, i) => ({ ...f, i })))('$input', { timeout: 120_000 }, async (f, ctx) => {
    const needsRoot = f.needs?.startsWith('root') ?? false;
    const needsLab = f.needs?.endsWith('lab') ?? false;
    if ((needsRoot && !canMount) || (needsLab && skipLabTests)) ctx.skip();
    const d = join(base, `case-${f.i}`);
    mkdirSync(d);
    chmodSync(d, 0o755);
    writeResults(join(d, 'r.json'));
    const before = new Set(tree(d));
    await f.setup?.(d);
    try {
      const child = run(f.argv(d), { env: f.env?.(d), asNobody: f.asNobody });
      await f.during?.(d, child);
      const r = await child;
      const lines = r.stderr.trim().split('\n');
      expect(r.exitCode, r.stderr).toBe(f.exit);
      expect(lines.at(-1)).toBe(f.line(d));
      if (!f.midRun) expect(lines).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith('mirrord-regress:'))).toHaveLength(f.exit === 130 ? 0 : 1);
      expect(r.stderr).not.toMatch(/^\s+at |Error:/m);
      if (!f.lockStays && !f.heldByAnother) expect(debris(d)).toEqual([]);
      f.after?.(d);
      // A fault before anything was written leaves the case directory as the setup made it.
      if (!f.midRun && !f.setup) expect(tree(d).filter((x) => !before.has(x))).toEqual([]);
    } finally {
      await f.teardown?.(d);
    }
    if (!f.lockStays) expect(debris(d)).toEqual([]);
    await eventually(() => processesMentioning(tmpdirForRuns).length === 0, 3000, 'every process of the run to be gone');
    expect(stagesIn(tmpdirForRuns)).toEqual([]);
  });
});
