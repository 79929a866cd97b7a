/**
 * Labels on every container the harness starts, and the sweep of leftovers from killed runs.
 * A container is removed only when its owner is provably gone: it was made on this machine (same
 * hostname, boot id and PID namespace, so its pid means what ours do) and that pid is not running
 * with the start time recorded. A container of another host or boot, of a harness in another
 * container, or one without these labels is never touched: an engine can be shared.
 */
import Docker from 'dockerode';
import { ownerGone, ownerRunning, selfOwner, thisMachine, type Machine, type Owner } from '../../process-identity.ts';

export const HARNESS_LABEL = 'mirrord-regress.harness';
export const OWNER_LABEL = 'mirrord-regress.owner';
export const OWNER_START_LABEL = 'mirrord-regress.owner-start';
export const HOST_LABEL = 'mirrord-regress.host';
export const BOOT_LABEL = 'mirrord-regress.boot-id';
export const PIDNS_LABEL = 'mirrord-regress.pid-ns';

/** The labels to put on every container this process starts. */
export function ownerLabels(owner: Owner = selfOwner()): Record<string, string> {
  return {
    [HARNESS_LABEL]: '1',
    [OWNER_LABEL]: String(owner.pid),
    [OWNER_START_LABEL]: owner.start,
    [HOST_LABEL]: owner.host,
    [BOOT_LABEL]: owner.boot,
    [PIDNS_LABEL]: owner.pidns,
  };
}

/** The owner a container's labels record (fields missing when a label is). */
export function ownerFromLabels(labels: Record<string, string | undefined>): Partial<Owner> {
  const pid = Number(labels[OWNER_LABEL]);
  return {
    ...(Number.isInteger(pid) && pid > 0 ? { pid } : {}),
    start: labels[OWNER_START_LABEL],
    host: labels[HOST_LABEL],
    boot: labels[BOOT_LABEL],
    pidns: labels[PIDNS_LABEL],
  };
}

/** Whether the sweep may remove a container with these labels. Pure, given the machine and liveness probe. */
export function shouldSweep(
  labels: Record<string, string | undefined>,
  here: Machine,
  running: (o: Pick<Owner, 'pid' | 'start'>) => boolean,
): boolean {
  if (labels[HARNESS_LABEL] === undefined) return false;
  return ownerGone(ownerFromLabels(labels), here, running);
}

/** Removes harness containers whose harness is provably gone; returns how many. */
export async function sweepContainers(docker: Docker = new Docker()): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [HARNESS_LABEL] } });
  const here = thisMachine();
  let removed = 0;
  for (const info of list) {
    if (!shouldSweep(info.Labels, here, ownerRunning)) continue;
    await docker.getContainer(info.Id).remove({ force: true }).then(() => removed++, () => undefined);
  }
  return removed;
}
