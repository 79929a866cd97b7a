/** Labels on every container the harness starts, and the sweep of leftovers from killed runs. */
import Docker from 'dockerode';
import { isAlive } from '../../liveness.ts';

export const HARNESS_LABEL = 'mirrord-regress.harness';
export const OWNER_LABEL = 'mirrord-regress.owner';


/** Removes harness containers whose harness process is gone; returns how many. */
export async function sweepContainers(docker: Docker = new Docker()): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [HARNESS_LABEL] } });
  let removed = 0;
  for (const info of list) {
    const owner = Number(info.Labels[OWNER_LABEL]);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue; // a live harness (maybe us)
    await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}
