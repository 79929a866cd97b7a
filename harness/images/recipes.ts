/**
 * What goes into each image: its Dockerfile, args and files, with context paths that mirror the repository
 * (so `docker build -f images/<kind>/Dockerfile .` from the repo root works by hand too).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { LAB_BUILD_DIR, REPO_ROOT } from '../cli/context.ts';
import { EnvironmentError } from '../cli/errors.ts';
import type { RubyVersion } from './bases.ts';
import type { BuildInputs, ContextFile } from './inputs.ts';

export type ImageKind = 'ruby' | 'lab' | 'mirrord' | 'cluster';

const LAB_FILES = ['mirrord-lab', 'libmirrord_layer.so'];

export function rubyInputs(ruby: RubyVersion, base: { image: string; id?: string }, labels: Record<string, string>): BuildInputs {
  return {
    dockerfile: 'images/ruby/Dockerfile',
    args: { BASE: base.image },
    labels: { ...labels, 'mirrord-regress.kind': 'ruby', 'mirrord-regress.ruby': ruby },
    files: [repoFile('images/ruby/Dockerfile')],
    facts: base.id ? { baseImageId: base.id } : {},
  };
}

export function labInputs(ruby: RubyVersion, rubyImage: string, labels: Record<string, string>): BuildInputs {
  for (const name of LAB_FILES) {
    if (!existsSync(join(LAB_BUILD_DIR, name))) {
      throw new EnvironmentError(`the lab is not built (${join(LAB_BUILD_DIR, name)} missing): run \`npx mirrord-regress lab build\``, 'NO_LAB_BUILD');
    }
  }
  return {
    dockerfile: 'images/lab/Dockerfile',
    args: { RUBY_IMAGE: rubyImage },
    labels: { ...labels, 'mirrord-regress.kind': 'lab', 'mirrord-regress.ruby': ruby },
    files: [
      repoFile('images/lab/Dockerfile'),
      ...LAB_FILES.map((name) => ({ path: `lab/target/release/${name}`, source: join(LAB_BUILD_DIR, name) })),
      ...filesUnder(join(REPO_ROOT, 'scenarios', 'ruby')),
    ],
    facts: {},
  };
}

/** The cluster's node (images/cluster): dnsmasq and Ruby on the base, its two scripts. */
export function clusterInputs(base: { image: string; id?: string }, labels: Record<string, string>): BuildInputs {
  return {
    dockerfile: 'images/cluster/Dockerfile',
    args: { BASE: base.image },
    labels: { ...labels, 'mirrord-regress.kind': 'cluster' },
    files: ['Dockerfile', 'node-init.sh', 'service.rb'].map((f) => repoFile(`images/cluster/${f}`)),
    facts: base.id ? { baseImageId: base.id } : {},
  };
}

export interface MirrordRecipe {
  version: string;
  asset: string;
  releaseBaseUrl: string;
  /** The pins the build checks against; sent as images/mirrord-versions.json whatever its real path. */
  versionsFile: string;
}

export function mirrordInputs(ruby: RubyVersion, rubyImage: string, recipe: MirrordRecipe, labels: Record<string, string>): BuildInputs {
  return {
    dockerfile: 'images/mirrord/Dockerfile',
    args: {
      RUBY_IMAGE: rubyImage,
      MIRRORD_VERSION: recipe.version,
      RELEASE_BASE_URL: recipe.releaseBaseUrl,
      ASSET: recipe.asset,
    },
    labels: { ...labels, 'mirrord-regress.kind': 'mirrord', 'mirrord-regress.ruby': ruby, 'mirrord-regress.mirrord-version': recipe.version },
    files: [
      repoFile('images/mirrord/Dockerfile'),
      repoFile('images/mirrord/fetch-verified.rb'),
      { path: 'images/mirrord-versions.json', source: recipe.versionsFile },
    ],
    facts: {},
  };
}

function repoFile(path: string): ContextFile {
  return { path, source: join(REPO_ROOT, ...path.split('/')) };
}

/** Every regular file below `dir`, at its repository-relative path. */
function filesUnder(dir: string): ContextFile[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const source = join(entry.parentPath, entry.name);
      return { path: relative(REPO_ROOT, source).split(sep).join('/'), source };
    });
}
