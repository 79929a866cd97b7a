/**
 * The layer's macOS code (lab/layer/src/macos/, sys/macos.rs) as far as this Linux machine can take it:
 * no macOS target is installed and crates.io is out of reach, so it is type-checked, not compiled to
 * code: `MIRRORD_LAB_CHECK_MACOS=1` makes build.rs select it (`layer_os = "macos"`) for a `cargo check`
 * in a target dir of its own. What only a macOS runner can show is listed in the README ("macOS").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/repo.ts';

const LAB = join(REPO_ROOT, 'lab');

describe('the layer on macOS', () => {
  it('type-checks, tests included, with no warning', async () => {
    const r = await execa('cargo', ['check', '--release', '--workspace', '--all-targets', '--manifest-path', join(LAB, 'Cargo.toml'), '--target-dir', join(LAB, 'target', 'macos-check'), '--message-format', 'short'], {
      reject: false,
      env: { MIRRORD_LAB_CHECK_MACOS: '1' },
    });
    const warnings = r.stderr.split('\n').filter((l) => /\b(warning|error)\b/.test(l));
    expect(warnings, r.stderr).toEqual([]);
    expect(r.exitCode, r.stderr).toBe(0);
  }, 300_000);

  it('interposes what mirrord\'s macOS layer hooked of the scenarios\' calls', () => {
    const table = readFileSync(join(LAB, 'layer', 'src', 'macos', 'interpose.rs'), 'utf8');
    const originals = [...table.matchAll(/=> libsystem::(\w+);/g)].map((m) => m[1]);
    expect(originals.sort()).toEqual(['connect', 'execve', 'freeaddrinfo', 'getaddrinfo', 'posix_spawn', 'socket']);
  });
});
