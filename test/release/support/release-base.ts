/**
 * Stand-ins for a release base: a temp directory laid out `<version>/<asset>` like GitHub's release
 * downloads, and a node:http server on 127.0.0.1 serving it, with the faults a real server has (redirects,
 * a redirect loop, a body cut short, a slow body) at paths a test chooses.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize, relative } from 'node:path';

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Writes `files` (relative `/`-separated path -> bytes) under `root`. */
export function layOut(root: string, files: Record<string, Buffer | string>): void {
  for (const [rel, body] of Object.entries(files)) {
    const path = join(root, ...rel.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  }
}

/** Every file (not directory) below `dir`, relative, sorted: what a failure must not leave behind. */
export function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

export type Fault =
  /** 302 to another path of this server. */
  | { kind: 'redirect'; to: string }
  /** Announce the file's length, send half of it, close the connection. */
  | { kind: 'truncate' }
  /** Send the file in `chunks` pieces, `delayMs` apart. */
  | { kind: 'slow'; chunks: number; delayMs: number };

export interface ReleaseServer {
  url: string;
  /** `GET /3.112.0/mirrord_linux_x86_64`, in order. */
  requests: string[];
  faults: Map<string, Fault>;
  close(): Promise<void>;
}

export async function serveDir(root: string): Promise<ReleaseServer> {
  const requests: string[] = [];
  const faults = new Map<string, Fault>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`${req.method} ${path}`);
    void answer(root, path, faults.get(path), req, res);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(root: string, path: string, fault: Fault | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (fault?.kind === 'redirect') {
    res.writeHead(302, { location: fault.to }).end();
    return;
  }
  const file = normalize(join(root, path));
  let body: Buffer;
  try {
    if (!file.startsWith(root) || !statSync(file).isFile()) throw new Error('not a file');
    body = readFileSync(file);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (fault?.kind === 'truncate') {
    // End the connection (FIN, not RST): the half that was sent arrives, then the stream ends early.
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.end());
    return;
  }
  if (fault?.kind === 'slow') {
    const size = Math.ceil(body.length / fault.chunks);
    for (let at = 0; at < body.length; at += size) {
      if (res.destroyed) return;
      res.write(body.subarray(at, at + size));
      await new Promise((r) => setTimeout(r, fault.delayMs));
    }
  }
  res.end(fault?.kind === 'slow' ? undefined : body);
}

export interface RegistryStandIn {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * Just the OCI distribution endpoints `images pin` uses: `/token` hands out an anonymous token, and
 * `HEAD /v2/<repo>/manifests/<tag>` wants it (else 401 with a Bearer challenge naming `/token`) and
 * answers with Docker-Content-Digest, when asked for an index or manifest media type.
 */
export async function startRegistry(repository: string, tags: Record<string, string>): Promise<RegistryStandIn> {
  const requests: string[] = [];
  const TOKEN = 'stand-in-token';
  let base = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}${req.headers.authorization ? ` (${req.headers.authorization})` : ''}`);
    if (url.pathname === '/token') {
      if (url.searchParams.get('scope') !== `repository:${repository}:pull`) return void res.writeHead(400).end('bad scope');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: TOKEN }));
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!m || m[1] !== repository) return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      const challenge = `Bearer realm="${base}/token",service="stand-in",scope="repository:${repository}:pull"`;
      return void res.writeHead(401, { 'www-authenticate': challenge }).end();
    }
    const accept = String(req.headers.accept ?? '');
    if (!accept.includes('application/vnd.oci.image.index.v1+json') || !accept.includes('application/vnd.docker.distribution.manifest.list.v2+json')) {
      return void res.writeHead(406).end();
    }
    const digest = tags[m[2]!];
    if (!digest) return void res.writeHead(404).end();
    res.writeHead(200, { 'docker-content-digest': digest, 'content-type': 'application/vnd.oci.image.index.v1+json' }).end();
  });
  const port = await listen(server);
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL nothing listens on: bind a port, then let it go. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** Listens on an ephemeral loopback port; resolves with the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
