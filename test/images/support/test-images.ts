/**
 * Every image and container a test makes carries TEST_LABELS, so afterAll removes exactly those. The run id
 * is an input too, so concurrent test runs (two `npm test`s on one engine) never share or delete each
 * other's images.
 */
import type Docker from 'dockerode';

export const TEST_LABEL = 'mirrord-regress.test';
const RUN_LABEL = 'mirrord-regress.test-run';
const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
export const TEST_LABELS = { [TEST_LABEL]: '1', [RUN_LABEL]: RUN_ID };

/** Leftovers of interrupted runs: anything test-labelled older than this is nobody's any more. */
const STALE_AFTER_S = 6 * 3600;

/** This run's containers and images. */
export async function removeThisRunsImages(docker: Docker): Promise<void> {
  await removeLabelled(docker, `${RUN_LABEL}=${RUN_ID}`, () => true);
}

export async function removeStaleTestImages(docker: Docker): Promise<void> {
  const cutoff = Date.now() / 1000 - STALE_AFTER_S;
  await removeLabelled(docker, `${TEST_LABEL}=1`, (created) => created < cutoff);
}

/**
 * Images built FROM a labelled image inherit its labels, so the filter also catches the layers a failed
 * build leaves behind; children go before parents.
 */
async function removeLabelled(docker: Docker, label: string, pick: (createdS: number) => boolean): Promise<void> {
  const filters = { label: [label] };
  for (const c of await docker.listContainers({ all: true, filters })) {
    if (pick(c.Created)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  }
  const images = (await docker.listImages({ all: true, filters })).filter((i) => pick(i.Created));
  const ids = new Set(images.map((i) => i.Id));
  const parent = new Map(images.map((i) => [i.Id, i.ParentId]));
  const depth = (id: string): number => {
    const p = parent.get(id);
    return p && ids.has(p) ? 1 + depth(p) : 0;
  };
  for (const id of [...ids].sort((a, b) => depth(b) - depth(a))) {
    await docker.getImage(id).remove({ force: true }).catch(() => {});
  }
}
