/** The Ruby axis: which Debian suite carries which Ruby, and which base image a build starts from. */
import type Docker from 'dockerode';

export const RUBY_VERSIONS = ['3.1', '3.3'] as const;
export type RubyVersion = (typeof RUBY_VERSIONS)[number];

export interface RubyBase {
  suite: string;
  /** Imported here by images/base/make-base-image.sh: no registry needed. */
  local: string;
  /** The Dockerfile's default, pulled where a registry is reachable. */
  public: string;
}

export const rubyBases: Readonly<Record<RubyVersion, RubyBase>> = {
  '3.1': { suite: 'bookworm', local: 'local/debian:bookworm', public: 'debian:bookworm' },
  '3.3': { suite: 'trixie', local: 'local/debian:trixie', public: 'debian:trixie' },
};

export interface ResolvedBase {
  image: string;
  /** The image id when the base is on this engine; it keys the Ruby image (a re-import rebuilds it). */
  id?: string;
}

/** The local import when it exists, else the public image (whatever copy of it the engine has, if any). */
export async function resolveBase(docker: Docker, ruby: RubyVersion): Promise<ResolvedBase> {
  const base = rubyBases[ruby];
  for (const image of [base.local, base.public]) {
    const id = await imageId(docker, image);
    if (id) return { image, id };
  }
  return { image: base.public };
}

export async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch {
    return undefined;
  }
}
