/** Containers: labelled, removed at the end and on Ctrl-C; leftovers of a killed run swept at the next start. */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { eventually, privateTmp, regress } from '../support/cli.ts';
import { skipDockerTests } from '../images/support/docker-gate.ts';
import { HARNESS_LABEL, OWNER_LABEL } from '../../harness/runners/docker/sweep.ts';

const skip = await skipDockerTests('docker cleanup tests', ['3.1']);
const tmp = privateTmp();
const docker = new Docker();
const MATRIX = ['matrix', '--runner', 'docker', '--rubies', '3.1', '--subjects', 'lab@3.112.0', '--scenarios', 'spawn-then-resolve,spawn-threads', '--jobs', '1'];

async function harnessContainers(owner?: number): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [HARNESS_LABEL] } });
  return list.filter((c) => owner === undefined || c.Labels[OWNER_LABEL] === String(owner)).map((c) => c.Id);
}

describe.skipIf(skip)('docker cleanup', () => {
  afterAll(tmp.dispose);

  it('a finished matrix leaves no container', async () => {
    const child = regress([...MATRIX, '--strategies', 'normal', '--out', join(tmp.dir, 'done')]);
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await harnessContainers(child.pid)).toEqual([]);
  }, 120_000);

  it('SIGINT mid-matrix removes the container; SIGKILL leaves one, swept by the next run', async () => {
    const out = join(tmp.dir, 'kill');
    const results = join(out, 'results.json');
    const child = regress([...MATRIX, '--out', out]);
    await eventually(() => existsSync(results) && JSON.parse(readFileSync(results, 'utf8')).cells.length >= 1, 60_000, 'a finished cell');
    child.kill('SIGKILL');
    await child;
    // The killed run's workload container and its cluster's node.
    expect((await harnessContainers(child.pid)).length).toBe(2);

    const interrupted = regress([...MATRIX, '--resume', '--out', out]);
    // The new run sweeps the dead harness's container, then starts its own; interrupt it then.
    let own: string[] = [];
    const until = Date.now() + 60_000;
    while (Date.now() < until && !((await harnessContainers(child.pid)).length === 0 && (own = await harnessContainers(interrupted.pid)).length === 2)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(own).toHaveLength(2);
    interrupted.kill('SIGINT');
    const r = await interrupted;
    expect(r.exitCode).toBe(130);
    expect(await harnessContainers(child.pid)).toEqual([]);
    expect(await harnessContainers(interrupted.pid)).toEqual([]);
  }, 180_000);

  it('engine missing: one line that says how to start one, exit 2', async () => {
    const r = await regress(['run', '--runner', 'docker', '--subject', 'lab@3.112.1', '--scenario', 'spawn-then-resolve'], { env: { MIRRORD_REGRESS_DOCKER_SOCKET: '/nonexistent/docker.sock' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('mirrord-regress: no Docker engine answers at /nonexistent/docker.sock: start one (`bash images/engine.sh start /tmp/dockerd.pid`, or `dockerd &`)');
  });
});
