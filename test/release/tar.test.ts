/** The small tar reader, on archives GNU tar writes (ustar, GNU long names, pax), fed in odd-sized chunks. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TarError, withTarFile } from '../../harness/subjects/release/tar.ts';
import { removeTempDirs, tempDir } from './support/fixture.ts';

afterAll(removeTempDirs);

let dir: { path: string; remove: () => void };
const AGENT = Buffer.concat([Buffer.from('#!/bin/sh\n'), Buffer.alloc(70_000, 0x61), Buffer.from('\n')]);
const LONG = `${'deep/'.repeat(30)}mirrord-agent`;

beforeAll(() => {
  dir = tempDir('tar');
  const src = join(dir.path, 'src');
  mkdirSync(join(src, ...LONG.split('/').slice(0, -1)), { recursive: true });
  writeFileSync(join(src, 'before'), 'x'.repeat(1000));
  writeFileSync(join(src, 'mirrord-agent'), AGENT);
  writeFileSync(join(src, LONG), AGENT);
  symlinkSync('/usr/bin/true', join(src, 'link'));
});
afterAll(() => dir.remove());

function tar(format: string, ...names: string[]): Buffer {
  return execFileSync('tar', ['--format', format, '-cf', '-', '-C', join(dir.path, 'src'), ...names]);
}

async function* chunks(b: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let at = 0; at < b.length; at += size) yield b.subarray(at, at + size);
}

const read = (archive: Buffer, name: string) =>
  withTarFile(chunks(archive), name, async (file) => {
    const parts: Buffer[] = [];
    for await (const p of file.body) parts.push(p);
    return { size: file.size, bytes: Buffer.concat(parts) };
  });

describe('withTarFile', () => {
  for (const format of ['ustar', 'gnu', 'pax']) {
    it(`reads the wanted file after another one (${format})`, async () => {
      expect(await read(tar(format, 'before', 'mirrord-agent'), 'mirrord-agent')).toEqual({ size: AGENT.length, bytes: AGENT });
    });
  }

  for (const format of ['gnu', 'pax']) {
    it(`reads a name longer than 100 bytes (${format})`, async () => {
      expect((await read(tar(format, 'before', LONG), LONG)).bytes).toEqual(AGENT);
    });
  }

  it('refuses a symbolic link, a missing name, garbage and a cut archive with one line each', async () => {
    await expect(read(tar('gnu', 'link'), 'link')).rejects.toThrow(new TarError('link is a symbolic link to /usr/bin/true, not a regular file'));
    await expect(read(tar('gnu', 'before'), 'mirrord-agent')).rejects.toThrow(new TarError('the archive has no mirrord-agent'));
    await expect(read(Buffer.alloc(1024, 0x41), 'mirrord-agent')).rejects.toThrow(new TarError('a header checksum does not match (not a tar archive, or damaged)'));
    await expect(read(tar('gnu', 'mirrord-agent').subarray(0, 4096), 'mirrord-agent')).rejects.toThrow(new TarError('the archive ends inside the file'));
  });
});
