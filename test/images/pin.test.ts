/** `images pin` against a local release server: the right hash lands in a temp copy of the versions file. */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../../harness/cli/errors.ts';
import { pinMirrord } from '../../harness/images/pin.ts';
import { readVersionsFile, VERSIONS_FILE } from '../../harness/images/versions-file.ts';
import { deadUrl, startReleaseServer, type ReleaseServer } from './support/release-server.ts';

const ASSET = 'mirrord_linux_x86_64';
const BODY = Buffer.from('#!/bin/sh\necho fake-mirrord "$@"\n');
const SHA = createHash('sha256').update(BODY).digest('hex');

let server: ReleaseServer;
let dir: string;
let versionsFile: string;

beforeAll(async () => {
  server = await startReleaseServer({ [`/3.112.0/${ASSET}`]: BODY, [`/3.113.0/${ASSET}`]: BODY });
  dir = mkdtempSync(join(tmpdir(), 'regress-pin-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each test starts from a fresh copy of the real file; the real one is never written.
function freshCopy(): string {
  versionsFile = join(dir, `versions-${Math.random().toString(36).slice(2)}.json`);
  copyFileSync(VERSIONS_FILE, versionsFile);
  return versionsFile;
}

describe('images pin', () => {
  it('writes the sha256 of the served asset, changing only that line', async () => {
    const file = freshCopy();
    const before = readFileSync(file, 'utf8');
    const pin = await pinMirrord({ version: '3.112.0', urlBase: server.url, versionsFile: file });
    expect(pin).toMatchObject({ version: '3.112.0', asset: ASSET, sha256: SHA, bytes: BODY.length, changed: true });
    expect(server.requests).toContain(`/3.112.0/${ASSET}`);
    expect(readVersionsFile(file).versions['3.112.0']![ASSET]).toBe(SHA);
    const changed = diffLines(before, readFileSync(file, 'utf8'));
    expect(changed).toEqual([[`      "${ASSET}": null`, `      "${ASSET}": "${SHA}"`]]);
  });

  it('pinning the same hash again changes nothing; a different hash needs --force', async () => {
    const file = freshCopy();
    await pinMirrord({ version: '3.112.0', urlBase: server.url, versionsFile: file });
    expect((await pinMirrord({ version: '3.112.0', urlBase: server.url, versionsFile: file })).changed).toBe(false);
    const other = await startReleaseServer({ [`/3.112.0/${ASSET}`]: Buffer.from('a re-uploaded asset') });
    try {
      const err = await pinMirrord({ version: '3.112.0', urlBase: other.url, versionsFile: file }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EnvironmentError);
      expect((err as EnvironmentError).code).toBe('PIN_CHANGED');
      expect(readVersionsFile(file).versions['3.112.0']![ASSET]).toBe(SHA);
      await pinMirrord({ version: '3.112.0', urlBase: other.url, versionsFile: file, force: true });
      expect(readVersionsFile(file).versions['3.112.0']![ASSET]).not.toBe(SHA);
    } finally {
      await other.close();
    }
  });

  it('adds a version the file did not list, in release order', async () => {
    const file = freshCopy();
    await pinMirrord({ version: '3.113.0', urlBase: server.url, versionsFile: file });
    expect(Object.keys(readVersionsFile(file).versions)).toEqual(['3.111.0', '3.112.0', '3.112.1', '3.113.0']);
  });

  it('a server that is down is one line naming the URL and the reason, and the file is untouched', async () => {
    const file = freshCopy();
    const url = await deadUrl();
    const err = await pinMirrord({ version: '3.112.0', urlBase: url, versionsFile: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`cannot download ${url}/3.112.0/${ASSET}`);
    expect(message).toMatch(/ECONNREFUSED/);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(VERSIONS_FILE, 'utf8'));
  });

  it('an HTTP error is one line with the status', async () => {
    const err = await pinMirrord({ version: '9.9.9', urlBase: server.url, versionsFile: freshCopy() }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`download of ${server.url}/9.9.9/${ASSET} failed: HTTP 404 Not Found`);
  });

  it('rejects a malformed version or URL before any download', async () => {
    const before = server.requests.length;
    await expect(pinMirrord({ version: 'latest', urlBase: server.url, versionsFile: freshCopy() })).rejects.toBeInstanceOf(UsageError);
    await expect(pinMirrord({ version: '3.112.0', urlBase: 'ftp://x', versionsFile: freshCopy() })).rejects.toBeInstanceOf(UsageError);
    expect(server.requests.length).toBe(before);
  });
});

function diffLines(a: string, b: string): [string, string][] {
  const la = a.split('\n');
  const lb = b.split('\n');
  expect(lb.length).toBe(la.length);
  return la.flatMap((line, i) => (line === lb[i] ? [] : [[line, lb[i]!] as [string, string]]));
}
