/**
 * What an image is made of, and the key that names it: a sha256 over the Dockerfile, the build args, the
 * labels, and the bytes of every file sent in the context. Same key, same image: the build is skipped.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export interface ContextFile {
  /** Path inside the build context (posix, relative), as the Dockerfile's COPY names it. */
  path: string;
  /** The file on this machine. */
  source: string;
}

export interface BuildInputs {
  /** Path of the Dockerfile inside the context; it must be one of `files`. */
  dockerfile: string;
  args: Record<string, string>;
  labels: Record<string, string>;
  files: ContextFile[];
  /** Facts outside the context that change the result, e.g. the id of a local base image. */
  facts: Record<string, string>;
}

export function inputsKey(inputs: BuildInputs): string {
  const files = [...inputs.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => [f.path, executable(f.source) ? 'x' : '-', sha256(readFileSync(f.source))]);
  const canonical = JSON.stringify({
    dockerfile: inputs.dockerfile,
    args: sorted(inputs.args),
    labels: sorted(inputs.labels),
    facts: sorted(inputs.facts),
    files,
  });
  return sha256(Buffer.from(canonical));
}

// The exec bit survives COPY and decides whether a lab binary runs, so it is an input too.
function executable(path: string): boolean {
  return (statSync(path).mode & 0o111) !== 0;
}

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
