/** The real images/mirrord-versions.json stays valid, and no hash in it was made up. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatVersionsFile, parseVersionsFile, readVersionsFile, VERSIONS_FILE } from '../../harness/images/versions-file.ts';

describe('images/mirrord-versions.json', () => {
  it('is schema 1 with the three versions of the bug and keeps its canonical formatting', () => {
    const file = readVersionsFile();
    expect(file.schema).toBe(1);
    expect(file.releaseBaseUrl).toBe('https://github.com/metalbear-co/mirrord/releases/download');
    expect(Object.keys(file.versions)).toEqual(expect.arrayContaining(['3.111.0', '3.112.0', '3.112.1']));
    expect(formatVersionsFile(file)).toBe(readFileSync(VERSIONS_FILE, 'utf8'));
  });

  it('rejects a pin that is not a sha256', () => {
    const text = JSON.stringify({ schema: 1, releaseBaseUrl: 'x', versions: { '1.0.0': { a: 'sha256:abc' } } });
    expect(() => parseVersionsFile(text, 'v.json')).toThrow(/must be null or 64 lowercase hex digits/);
  });
});
