/**
 * An image's digest from its registry, without Docker (OCI distribution API): HEAD the manifest with the
 * index and manifest media types accepted; a 401 with a Bearer challenge is answered with an anonymous
 * token from the realm it names (for ghcr.io: https://ghcr.io/token?scope=repository:<repo>:pull).
 * The digest is the Docker-Content-Digest header, else the sha256 of the manifest's bytes.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EnvironmentError, UsageError } from '../../cli/errors.ts';
import { httpRequest, statusText, type DownloadOptions } from './download.ts';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface ImageName {
  /** `ghcr.io` */
  host: string;
  /** `metalbear-co/mirrord` */
  repository: string;
  tag: string;
}

/** `host/repository:tag`; a reference without a registry host is refused (Docker Hub's defaults are not guessed). */
export function parseImageRef(ref: string): ImageName {
  const m = /^([^/]+)\/(.+):([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(ref);
  if (!m || !/[.:]|^localhost$/.test(m[1]!)) throw new UsageError(`image reference must look like ghcr.io/metalbear-co/mirrord:3.112.0, got "${ref}"`, 'BAD_IMAGE_REF');
  return { host: m[1]!, repository: m[2]!, tag: m[3]! };
}

export interface DigestOptions extends DownloadOptions {
  /** The registry's base URL, to ask a mirror or a stand-in. @default https://<host of the reference> */
  registry?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `Bearer realm="...",service="...",scope="..."` -> its parameters. */
function bearerChallenge(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params.realm ? params : undefined;
}

/** Small bodies only (tokens, manifests). */
async function readBody(res: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

// Why the challenge and not a fixed token URL: a mirror (or a test's stand-in) names its own realm.
/** An anonymous pull token from the challenge's realm. */
async function anonymousToken(challenge: Record<string, string>, name: ImageName, opts: DigestOptions, what: string): Promise<string> {
  const url = new URL(challenge.realm!);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', challenge.scope ?? `repository:${name.repository}:pull`);
  const wanted = { what: `a pull token for ${what}`, unreachableHint: 'check the network and --registry' };
  const { res } = await httpRequest(url.href, opts, wanted);
  if (res.statusCode !== 200) {
    res.resume();
    throw new EnvironmentError(`cannot get a pull token for ${what}: ${url.href} answered ${statusText(res)}`, 'REGISTRY_TOKEN');
  }
  const body = await readBody(res);
  let token: unknown;
  try {
    const json = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
    token = json.token ?? json.access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') throw new EnvironmentError(`cannot get a pull token for ${what}: ${url.href} answered without a token`, 'REGISTRY_TOKEN');
  return token;
}

/** The digest `ref` points to now (for a multi-platform image, its index's). */
export async function imageDigest(ref: string, opts: DigestOptions = {}): Promise<{ digest: string; url: string }> {
  const name = parseImageRef(ref);
  const registry = (opts.registry ?? `https://${name.host}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(registry)) throw new UsageError(`--registry must be an http(s) URL, got "${registry}"`, 'BAD_REGISTRY');
  const url = `${registry}/v2/${name.repository}/manifests/${encodeURIComponent(name.tag)}`;
  const what = `the agent image ${ref}`;
  const wanted = { what, unreachableHint: 'check the network and --registry' };
  const ask = (method: 'HEAD' | 'GET', token?: string) =>
    httpRequest(url, { ...opts, method, headers: { Accept: MANIFEST_TYPES.join(', '), ...(token ? { Authorization: `Bearer ${token}` } : {}) } }, wanted);

  let { res } = await ask('HEAD');
  let token: string | undefined;
  if (res.statusCode === 401) {
    res.resume();
    const challenge = bearerChallenge(res.headers['www-authenticate']);
    if (!challenge) throw new EnvironmentError(`cannot read ${what}: ${url} wants credentials (HTTP 401) and offers no anonymous token`, 'REGISTRY_AUTH');
    token = await anonymousToken(challenge, name, opts, what);
    ({ res } = await ask('HEAD', token));
  }
  if (res.statusCode !== 200) {
    res.resume();
    const hint = res.statusCode === 404 ? ': is the version released, and is the image on this registry?' : '';
    throw new EnvironmentError(`cannot read ${what}: ${url} answered ${statusText(res)}${hint}`, res.statusCode === 404 ? 'IMAGE_MISSING' : 'REGISTRY_HTTP');
  }
  res.resume();
  let digest = String(res.headers['docker-content-digest'] ?? '');
  if (!digest) {
    // Some registries send the digest only with the body: hash the manifest exactly as served.
    ({ res } = await ask('GET', token));
    if (res.statusCode !== 200) {
      res.resume();
      throw new EnvironmentError(`cannot read ${what}: ${url} answered ${statusText(res)}`, 'REGISTRY_HTTP');
    }
    digest = `sha256:${createHash('sha256').update(await readBody(res)).digest('hex')}`;
  }
  if (!DIGEST.test(digest)) throw new EnvironmentError(`cannot read ${what}: ${url} sent the digest "${digest}", expected sha256:<64 hex digits>`, 'REGISTRY_DIGEST');
  return { digest, url };
}
