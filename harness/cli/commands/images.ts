/**
 * `images pin` (record a release's sha256s and agent image digest where the network exists), `images fetch`
 * (a verified release into the user's cache) and `images build` (keyed, reused images).
 */
import { Command, Option } from 'commander';
import { RUBY_VERSIONS, ensureImage } from '../../images/catalog.ts';
import { pinRelease } from '../../images/pin.ts';
import { planBuilds } from '../../images/plan.ts';
import { DEFAULT_ASSET, parseArch, type Arch } from '../../subjects/release/assets.ts';
import { fetchRelease } from '../../subjects/release/fetch-release.ts';
import { PINS_FILE, readPins } from '../../subjects/release/pins.ts';
import { formatProgress } from '../../subjects/release/progress.ts';
import type { Strategy } from '../../model/result.ts';
import { abortOnSignals } from '../interrupt.ts';
import { nonEmpty, nonEmptyList, strategy } from '../options.ts';

const RELEASE_BASE_HELP = 'release base, an http(s) URL or a directory laid out <base>/<version>/<asset> (default: $MIRRORD_REGRESS_RELEASE_BASE, else releaseBaseUrl in the pins file)';
const PINS_HELP = 'pins file (default: images/mirrord-versions.json)';
const variantItems = nonEmptyList('--variants', 'guard strategy, e.g. none');
const progressToStderr = (e: Parameters<typeof formatProgress>[0]) => process.stderr.write(`${formatProgress(e)}\n`);

interface PinFlags {
  asset?: string[];
  variants?: Strategy[];
  agentImage?: boolean;
  releaseBase?: string;
  urlBase?: string;
  registry?: string;
  pins?: string;
  force?: boolean;
}

interface FetchFlags {
  releaseBase?: string;
  pins?: string;
  arch?: Arch;
  json?: boolean;
}

export function imagesCommand(): Command {
  const images = new Command('images').description('container images and mirrord releases: Ruby, the lab, released mirrord (pinned, verified)');

  images
    .command('pin')
    .description('download a mirrord release and record the sha256 of each asset and the digest of its agent image in the pins file')
    .argument('<version>', 'mirrord release, e.g. 3.112.0')
    .option('--asset <list>', 'comma-separated assets to pin, e.g. mirrord_linux_x86_64 or mirrord-agent (default: CLI and layer for x86_64 and aarch64, and the agent image)', nonEmptyList('--asset', 'release asset, e.g. mirrord_linux_x86_64'))
    .option('--variants <list>', 'also pin the layer variants of these guard strategies (<base>/variants/<strategy>/<layer>)', (t: string) => variantItems(t).map(strategy))
    .option('--agent-image', 'also pin the agent image digest (the default when --asset is not given)')
    .option('--release-base <url|dir>', RELEASE_BASE_HELP, nonEmpty('--release-base', 'an http(s) URL or a directory'))
    .addOption(new Option('--url-base <url>', 'the same as --release-base (older name)').hideHelp())
    .option('--registry <url>', 'registry base URL for the agent image (default: https:// and the host of its reference, e.g. https://ghcr.io)')
    .option('--pins <file>', `${PINS_HELP}; created when missing`, nonEmpty('--pins', 'a file'))
    .option('--force', 'replace pins that differ from what is served now')
    .action(async (version: string, opts: PinFlags) => {
      const outcome = await pinRelease(version, {
        assets: opts.asset,
        variants: opts.variants,
        agentImage: opts.agentImage,
        releaseBase: opts.releaseBase ?? opts.urlBase,
        registry: opts.registry,
        pinsFile: opts.pins,
        force: opts.force,
        onProgress: progressToStderr,
      });
      for (const pin of outcome.pins) {
        process.stdout.write(`pinned mirrord ${outcome.version} ${pin.what} ${pin.value}${pin.changed ? '' : ' (unchanged)'}\n`);
      }
    });

  images
    .command('fetch')
    .description('fetch a mirrord release into the cache, every file checked against its pin, and print where the files are')
    .argument('<version>', 'mirrord release, e.g. 3.112.0')
    .option('--release-base <url|dir>', RELEASE_BASE_HELP, nonEmpty('--release-base', 'an http(s) URL or a directory'))
    .option('--pins <file>', PINS_HELP, nonEmpty('--pins', 'a file'))
    .option('--arch <arch>', 'x86_64 or aarch64 (default: this machine)', parseArch)
    .option('--json', 'print the paths and their provenance as JSON')
    .action(async (version: string, opts: FetchFlags) => {
      const signals = abortOnSignals();
      let release: Awaited<ReturnType<typeof fetchRelease>>;
      try {
        release = await fetchRelease(version, { releaseBase: opts.releaseBase, pinsFile: opts.pins, arch: opts.arch, onProgress: progressToStderr, signal: signals.signal });
      } catch (e) {
        if (!signals.signal.aborted) throw e;
        // The partial download's temp file is gone; what was verified before stays cached.
        process.stderr.write('interrupted: the file being fetched was not cached\n');
        process.exitCode = 130;
        return;
      } finally {
        signals.dispose();
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(release, null, 2)}\n`);
        return;
      }
      const p = release.provenance;
      const from = (a: typeof p.cli) => (a.from === 'cache' ? 'cached' : `from ${a.source}`);
      process.stdout.write(`cli ${release.cli} (${from(p.cli)})\n`);
      process.stdout.write(`layer ${release.layer} (${from(p.layer)})\n`);
      process.stdout.write(`agent ${release.agent} (${p.agent.image ? `${p.agent.from === 'cache' ? 'cached, ' : ''}${p.agent.asset} in ${p.agent.source}` : from(p.agent)})\n`);
      for (const [s, path] of Object.entries(release.variants)) process.stdout.write(`variant ${s} ${path} (${from(p.variants[s as Strategy]!)})\n`);
    });

  images
    .command('build')
    .description('build the images that are missing; an image whose inputs did not change is reused')
    .option('--only <list>', 'comma-separated: ruby, lab, mirrord (every pinned version), mirrord@VERSION (default: all)', nonEmptyList('--only', 'image kind, e.g. lab'))
    .option('--ruby <list>', `comma-separated Ruby versions (${RUBY_VERSIONS.join(', ')})`, nonEmptyList('--ruby', 'Ruby version, e.g. 3.3'), [...RUBY_VERSIONS])
    .action(async (opts: { only?: string[]; ruby: string[] }) => {
      const plan = planBuilds(opts.only, opts.ruby, readPins(PINS_FILE), DEFAULT_ASSET);
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
