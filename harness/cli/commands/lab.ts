/**
 * `lab build`: builds the lab (cargo, std only, offline): `mirrord-lab`, `mirrord-agent` and the layer.
 * `lab publish`: writes that build as mirrord releases (a release base a local server can serve).
 */
import { Command } from 'commander';
import { execa } from 'execa';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { publishLab } from '../../subjects/lab-publish.ts';
import { labLayerFile } from '../../subjects/lab.ts';
import { LAB_BUILD_DIR, REPO_ROOT } from '../context.ts';
import { EnvironmentError } from '../errors.ts';
import * as parse from '../options.ts';

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
      process.stdout.write(`built: ${['mirrord-lab', 'mirrord-agent', labLayerFile()].map((f) => join(LAB_BUILD_DIR, f)).join(', ')}\n`);
    });
  lab
    .command('publish')
    .description('write the lab as mirrord releases: DIR/<version>/<asset>, DIR/variants/<strategy>/<layer>, DIR/pins.json')
    .requiredOption('--out <dir>', 'where to write them (a release base for --release-base, with its pins for --pins)', parse.nonEmpty('--out', 'a directory'))
    .option('--lab-build <dir>', 'the lab build to publish (default: lab/target/release)', parse.nonEmpty('--lab-build', 'a directory'))
    .addHelpText('after', `
Each of 3.111.0, 3.112.0 and 3.112.1 gets mirrord_linux_<arch> (the lab CLI), libmirrord_layer_linux_<arch>.so
and mirrord-agent, stamped with the release they are; 3.112.0's layer for the strategies none and forget goes
to variants/<strategy>/. Serve the directory (e.g. \`python3 -m http.server -d DIR\`) and run:
  npx mirrord-regress run --subject mirrord@3.112.0 --release-base http://127.0.0.1:8000 --pins DIR/pins.json --scenario spawn-then-resolve`)
    .action((opts: { out: string; labBuild?: string }) => {
      const published = publishLab(opts.labBuild ? resolve(opts.labBuild) : LAB_BUILD_DIR, resolve(opts.out));
      process.stdout.write(`published ${Object.keys(published.files).length} files to ${published.dir}; pins: ${published.pinsFile}\n`);
    });
  return lab;
}
