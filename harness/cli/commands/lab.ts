/** `lab build`: builds the lab (cargo, std only, offline) so `mirrord-lab` and the layer exist. */
import { Command } from 'commander';
import { execa } from 'execa';
import { join } from 'node:path';
import { LAB_BUILD_DIR, REPO_ROOT } from '../context.ts';
import { EnvironmentError } from '../errors.ts';

export async function buildLab(opts: { quiet?: boolean } = {}): Promise<void> {
  const result = await execa('cargo', ['build', '--release', '--manifest-path', join(REPO_ROOT, 'lab', 'Cargo.toml')], {
    stdio: opts.quiet ? 'pipe' : 'inherit',
    reject: false,
  });
  if (result.failed) {
    const cause = (result as { code?: string }).code === 'ENOENT' ? 'cargo not found: install a Rust toolchain (https://rustup.rs or apt-get install cargo)' : `cargo build failed (exit ${result.exitCode})`;
    throw new EnvironmentError(cause, 'LAB_BUILD');
  }
}

export function labCommand(): Command {
  const lab = new Command('lab').description('the lab: an offline miniature of mirrord (lab/)');
  lab
    .command('build')
    .description('build mirrord-lab and its layer with cargo (std only, works offline)')
    .action(async () => {
      await buildLab();
      process.stdout.write(`built: ${join(LAB_BUILD_DIR, 'mirrord-lab')} and ${join(LAB_BUILD_DIR, 'libmirrord_layer.so')}\n`);
    });
  return lab;
}
