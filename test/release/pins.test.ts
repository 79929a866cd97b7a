/** The pins file: the checked-in one stays valid and invents no hash; schema 1 is still read; a bad file is one line naming the file and the field. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../harness/cli/errors.ts';
import { LINUX_ASSETS } from '../../harness/subjects/release/assets.ts';
import { formatPins, parsePins, PINS_FILE, readPins, withAssetPin, withImageDigest, withVariantPin } from '../../harness/subjects/release/pins.ts';
import { removeTempDirs, tempDir } from './support/fixture.ts';

afterAll(removeTempDirs);

const HEX = 'f'.repeat(64);

describe('images/mirrord-versions.json', () => {
  it('is schema 2 with the three versions of the bug, every asset and image listed, and keeps its canonical formatting', () => {
    const pins = readPins();
    expect(pins.schema).toBe(2);
    expect(pins.releaseBaseUrl).toBe('https://github.com/metalbear-co/mirrord/releases/download');
    expect(Object.keys(pins.versions)).toEqual(['3.111.0', '3.112.0', '3.112.1']);
    for (const [version, v] of Object.entries(pins.versions)) {
      expect(Object.keys(v.assets)).toEqual([...LINUX_ASSETS]);
      expect(v.agentImage?.ref).toBe(`ghcr.io/metalbear-co/mirrord:${version}`);
    }
    expect(formatPins(pins)).toBe(readFileSync(PINS_FILE, 'utf8'));
  });

  it('pins nothing: this repository was set up where GitHub is unreachable, and no hash is typed in by hand', () => {
    for (const v of Object.values(readPins().versions)) {
      expect(Object.values(v.assets).every((pin) => pin === null)).toBe(true);
      expect(v.agentImage?.digest).toBeNull();
      expect(v.variants).toBeUndefined();
    }
  });
});

describe('parsePins', () => {
  it('reads a schema 1 file as schema 2', () => {
    const v1 = JSON.stringify({ schema: 1, releaseBaseUrl: 'https://m', versions: { '3.112.0': { mirrord_linux_x86_64: HEX, 'libmirrord_layer_linux_x86_64.so': null } } });
    expect(parsePins(v1, 'old.json')).toEqual({
      schema: 2,
      releaseBaseUrl: 'https://m',
      versions: { '3.112.0': { assets: { mirrord_linux_x86_64: HEX, 'libmirrord_layer_linux_x86_64.so': null } } },
    });
  });

  const bad = (data: unknown) => {
    try {
      parsePins(typeof data === 'string' ? data : JSON.stringify(data), 'p.json');
    } catch (e) {
      expect(e).toBeInstanceOf(EnvironmentError);
      expect((e as EnvironmentError).code).toBe('BAD_PINS_FILE');
      return (e as Error).message;
    }
    throw new Error('parsed');
  };
  const v2 = (version: unknown) => ({ schema: 2, releaseBaseUrl: 'u', versions: { '3.112.0': version } });

  it('says which field is wrong and what belongs there, in one line', () => {
    expect(bad(v2({ assets: { mirrord_linux_x86_64: 'sha256:abc' } }))).toBe(
      'p.json is not a valid mirrord pins file: versions["3.112.0"].assets.mirrord_linux_x86_64 is "sha256:abc", expected 64 lowercase hex digits (a sha256) or null',
    );
    expect(bad(v2({ assets: { mirrord_linux_x86_64: 7 } }))).toBe(
      'p.json is not a valid mirrord pins file: versions["3.112.0"].assets.mirrord_linux_x86_64 is 7, expected 64 lowercase hex digits (a sha256) or null',
    );
    expect(bad(v2({ assets: {}, agentImage: { ref: 'ghcr.io/metalbear-co/mirrord:3.112.0', digest: HEX } }))).toBe(
      `p.json is not a valid mirrord pins file: versions["3.112.0"].agentImage.digest is "${HEX}", expected "sha256:" and 64 lowercase hex digits (an image digest) or null`,
    );
    expect(bad(v2({ assets: {}, agentImage: { ref: 'mirrord', digest: null } }))).toBe(
      'p.json is not a valid mirrord pins file: versions["3.112.0"].agentImage.ref is "mirrord", expected an image reference with a tag, like ghcr.io/metalbear-co/mirrord:3.112.0',
    );
    expect(bad(v2({ asets: {} }))).toBe('p.json is not a valid mirrord pins file: versions["3.112.0"] has the unknown field "asets" (known: assets, agentImage, variants)');
    expect(bad(v2({ assets: {}, variants: { strong: {} } }))).toBe('p.json is not a valid mirrord pins file: versions["3.112.0"].variants has the unknown field "strong" (known: none, normal, forget)');
    expect(bad({ schema: 2, releaseBaseUrl: 'u', versions: { latest: { assets: {} } } })).toBe(
      'p.json is not a valid mirrord pins file: versions has the key "latest", expected a mirrord version like 3.112.0',
    );
    expect(bad({ schema: 3, versions: {} })).toBe('p.json is not a valid mirrord pins file: schema is 3, expected 2 (or 1, the old format)');
    expect(bad('{ "schema": 2,')).toMatch(/^p\.json is not a valid mirrord pins file: .*JSON/);
  });

  it('an unreadable file is one line with the errno', () => {
    const missing = join(tempDir('pins').path, 'none.json');
    expect(() => readPins(missing)).toThrow(`cannot read the mirrord pins file ${missing}: no such file or directory (ENOENT); check the path`);
  });
});

describe('formatPins', () => {
  it('writes assets, agentImage, variants in a fixed order and versions in release order, so a pin is a one-line change', () => {
    let pins = parsePins(JSON.stringify({ schema: 2, releaseBaseUrl: 'u', versions: { '3.112.0': { assets: { a: null } } } }), 'p.json');
    pins = withVariantPin(pins, '3.112.0', 'forget', 'l.so', HEX);
    pins = withVariantPin(pins, '3.112.0', 'none', 'l.so', HEX);
    pins = withImageDigest(pins, '3.112.0', 'ghcr.io/metalbear-co/mirrord:3.112.0', `sha256:${HEX}`);
    pins = withAssetPin(pins, '3.111.0', 'a', HEX);
    const text = formatPins(pins);
    expect(Object.keys(JSON.parse(text).versions)).toEqual(['3.111.0', '3.112.0']);
    expect(Object.keys(JSON.parse(text).versions['3.112.0'])).toEqual(['assets', 'agentImage', 'variants']);
    expect(Object.keys(JSON.parse(text).versions['3.112.0'].variants)).toEqual(['none', 'forget']);
    expect(parsePins(text, 'p.json')).toEqual(pins);
    const before = text.split('\n');
    const after = formatPins(withAssetPin(pins, '3.112.0', 'a', 'e'.repeat(64))).split('\n');
    expect(after.length).toBe(before.length);
    expect(after.filter((line, i) => line !== before[i])).toEqual([`        "a": "${'e'.repeat(64)}"`]);
  });
});
