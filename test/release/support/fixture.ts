/** A fake mirrord release (a few bytes per file), laid out as a release base, and pins files for it. */
import { join } from 'node:path';
import tmp from 'tmp';
import { formatPins, type PinsFile, type VersionPins } from '../../../harness/subjects/release/pins.ts';
import { writeFileSync } from 'node:fs';
import { layOut, sha256 } from './release-base.ts';

export const VERSION = '3.112.0';
export const CLI = 'mirrord_linux_x86_64';
export const LAYER = 'libmirrord_layer_linux_x86_64.so';
export const AGENT = 'mirrord-agent';

export const BYTES = {
  cli: Buffer.from('#!/bin/sh\necho fake-mirrord "$@"\n'),
  layer: Buffer.from('\x7fELF fake layer 3.112.0 normal\n'),
  agent: Buffer.from('#!/bin/sh\necho fake-agent "$@"\n'),
  none: Buffer.from('\x7fELF fake layer 3.112.0 none\n'),
  forget: Buffer.from('\x7fELF fake layer 3.112.0 forget\n'),
  /** Big enough for several chunks and progress lines. */
  big: Buffer.alloc(3 * 1024 * 1024, 7),
};

/** The release as the lab publishes it: CLI, layer, agent asset, two layer variants. */
export function layOutRelease(root: string, version: string = VERSION): void {
  layOut(root, {
    [`${version}/${CLI}`]: BYTES.cli,
    [`${version}/${LAYER}`]: BYTES.layer,
    [`${version}/${AGENT}`]: BYTES.agent,
    [`variants/none/${LAYER}`]: BYTES.none,
    [`variants/forget/${LAYER}`]: BYTES.forget,
  });
}

/** Pins for the fake release; `over` replaces parts of the version's entry. */
export function versionPins(over: Partial<VersionPins> = {}): VersionPins {
  return {
    assets: { [CLI]: sha256(BYTES.cli), [LAYER]: sha256(BYTES.layer), [AGENT]: sha256(BYTES.agent) },
    ...over,
  };
}

export function writePinsFile(dir: string, versions: Record<string, VersionPins>, name = `pins-${Math.random().toString(36).slice(2)}.json`): string {
  const pins: PinsFile = { schema: 2, releaseBaseUrl: 'http://127.0.0.1:9/never-used', versions };
  const path = join(dir, name);
  writeFileSync(path, formatPins(pins));
  return path;
}

/** Removers of the temp directories this test file made. */
const made: (() => void)[] = [];

/** A temp directory, removed by `remove` or by removeTempDirs (vitest workers do not run exit handlers). */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const d = tmp.dirSync({ prefix: `regress-${prefix}-`, unsafeCleanup: true });
  made.push(() => d.removeCallback());
  return { path: d.name, remove: () => d.removeCallback() };
}

/** Removes every directory tempDir made in this file (call it from afterAll). */
export function removeTempDirs(): void {
  while (made.length) made.pop()!();
}
