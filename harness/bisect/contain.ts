/**
 * Running a user's build command so that nothing of it outlives the harness. As root the command
 * runs as PID 1 of its own PID namespace, under a parent-death signal: when the harness dies, even
 * by SIGKILL, the kernel kills setpriv/unshare, then the namespace's init, then every process in the
 * namespace (`sleep 300 &` included, which a process group would have let live on under init).
 * Without root (or without unshare) it runs in its own process group: Ctrl-C still stops all of
 * it, but a SIGKILL of the harness can leave it running.
 */
import { execa } from 'execa';

const CONTAIN = ['--pdeathsig', 'KILL', '--', 'unshare', '--pid', '--fork', '--kill-child', '--mount-proc', '--'];

let available: Promise<boolean> | undefined;

/** Whether builds can be tied to the harness's life here (root, setpriv and a PID namespace work). */
export function canContain(): Promise<boolean> {
  available ??= (async () => {
    if (process.getuid?.() !== 0) return false;
    const r = await execa('setpriv', [...CONTAIN, 'true'], { reject: false, timeout: 10_000 });
    return r.exitCode === 0;
  })();
  return available;
}

/** The argv that runs `sh -c command`, contained when possible. */
export async function shellArgv(command: string): Promise<{ file: string; args: string[]; contained: boolean }> {
  if (await canContain()) return { file: 'setpriv', args: [...CONTAIN, 'sh', '-c', command], contained: true };
  return { file: 'sh', args: ['-c', command], contained: false };
}
