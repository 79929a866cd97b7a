/** `images pin` (record a release's sha256 where the network exists) and `images build` (keyed, reused images). */
import { Command } from 'commander';
import { RUBY_VERSIONS, ensureImage } from '../../images/catalog.ts';
import { DEFAULT_ASSET, pinMirrord } from '../../images/pin.ts';
import { planBuilds } from '../../images/plan.ts';
import { readVersionsFile, VERSIONS_FILE } from '../../images/versions-file.ts';
import { nonEmptyList } from '../options.ts';

export function imagesCommand(): Command {
  const images = new Command('images').description('container images: Ruby, the lab, released mirrord CLIs (Docker)');

  images
    .command('pin')
    .description('download a mirrord release asset and record its sha256 in images/mirrord-versions.json')
    .argument('<version>', 'mirrord release, e.g. 3.112.0')
    .option('--asset <name>', 'release asset', DEFAULT_ASSET)
    .option('--url-base <url>', 'release download base (default: releaseBaseUrl in the versions file)')
    .option('--force', 'replace a pin that differs from the download')
    .action(async (version: string, opts: { asset: string; urlBase?: string; force?: boolean }) => {
      const pin = await pinMirrord({ version, asset: opts.asset, urlBase: opts.urlBase, force: opts.force });
      process.stdout.write(`pinned mirrord ${pin.version} ${pin.asset} sha256:${pin.sha256}${pin.changed ? '' : ' (unchanged)'}\n`);
    });

  images
    .command('build')
    .description('build the images that are missing; an image whose inputs did not change is reused')
    .option('--only <list>', 'comma-separated: ruby, lab, mirrord (every pinned version), mirrord@VERSION (default: all)', nonEmptyList('--only', 'image kind, e.g. lab'))
    .option('--ruby <list>', `comma-separated Ruby versions (${RUBY_VERSIONS.join(', ')})`, nonEmptyList('--ruby', 'Ruby version, e.g. 3.3'), [...RUBY_VERSIONS])
    .action(async (opts: { only?: string[]; ruby: string[] }) => {
      const plan = planBuilds(opts.only, opts.ruby, readVersionsFile(VERSIONS_FILE), DEFAULT_ASSET);
      for (const note of plan.skipped) process.stderr.write(`skipped ${note}\n`);
      for (const request of plan.requests) {
        // Build steps go to stderr as they happen; stdout keeps one result line per image.
        const image = await ensureImage(request, { onOutput: (text) => process.stderr.write(text) });
        const what = request.version ? `${request.kind}@${request.version}` : request.kind;
        const status = image.built ? `built in ${image.seconds.toFixed(1)} s` : 'up to date';
        process.stdout.write(`${what} on Ruby ${request.ruby}: ${status} (${image.tag})\n`);
      }
    });

  return images;
}
