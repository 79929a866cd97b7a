/**
 * Reading one file of a release from its source (a URL or a path) as a stream of bytes, with every way it
 * can fail as one line naming the URL or path: HTTP status, unreachable server (with the errno), timeout,
 * redirect loop, a body cut short. Nothing is written here; the caller hashes and stores (cache.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequestRaw, type IncomingMessage } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import { EnvironmentError } from '../../cli/errors.ts';
import { errnoReason } from '../../cli/fs-errors.ts';
import type { ReleaseSource } from './base.ts';

export interface DownloadOptions {
  /** Give up when no byte arrives for this long, connecting included. @default 60000 */
  idleTimeoutMs?: number;
  /** Redirects followed before giving up (GitHub redirects once, to its storage host). @default 10 */
  maxRedirects?: number;
  /** Stops the download (Ctrl-C); it then rejects with the signal's reason. @default none */
  signal?: AbortSignal;
}

/** For messages: what is being fetched (`mirrord_linux_x86_64 of mirrord 3.112.0`) and what to check when the server is unreachable. */
export interface Wanted {
  what: string;
  /** @default 'check the network and the release base (--release-base)' */
  unreachableHint?: string;
}

export interface OpenedSource {
  /** The bytes; a body cut short throws a one-line TRUNCATED error. */
  body: AsyncIterable<Buffer>;
  totalBytes?: number;
  /** The URL (after redirects) or the path the bytes come from. */
  where: string;
  /** Frees the connection or file when the caller stops before the end. */
  close(): void;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Why a request failed, with its errno: `connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)`. */
export function networkReason(e: unknown): string {
  const err = e as (Error & { code?: string; errors?: Error[]; cause?: unknown }) | undefined;
  // Happy eyeballs (IPv4 and IPv6) fails with an AggregateError whose own message is empty.
  const message = (err?.message || err?.errors?.[0]?.message || String(e)).replace(/\s+/g, ' ').trim();
  const code = err?.code ?? (err?.errors?.[0] as { code?: string } | undefined)?.code;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** What an aborted download rejects with: the signal's reason when it is an error. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error(`interrupted (${String(signal.reason)})`), { name: 'AbortError' });
}

/** Responses cut off by the idle timeout, with the reason. */
const stalled = new WeakMap<IncomingMessage, Error>();

const timeoutError = (ms: number) => Object.assign(new Error(`no data for ${ms / 1000} s`), { code: 'ETIMEDOUT' });

interface Sent {
  res: IncomingMessage;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface RequestOptions extends DownloadOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
}

/** One request; resolves with the response headers, whatever the status. */
function sendOnce(url: string, opts: RequestOptions, wanted: Wanted): Promise<IncomingMessage> {
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const send = url.startsWith('https:') ? httpsRequestRaw : httpRequestRaw;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    // agent: false: no keep-alive pool, so a finished download holds no socket open.
    const req = send(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false, signal: opts.signal }, (res) => resolve((response = res)));
    req.setTimeout(idleMs, () => {
      const err = timeoutError(idleMs);
      // Once the body flows, the response only says "aborted": remember why it was.
      if (response) stalled.set(response, err);
      req.destroy(err);
    });
    req.on('error', (e) => {
      if (opts.signal?.aborted) return reject(abortReason(opts.signal));
      const hint = wanted.unreachableHint ?? 'check the network and the release base (--release-base)';
      reject(new EnvironmentError(`cannot reach ${url} for ${wanted.what}: ${networkReason(e)}; ${hint}`, 'UNREACHABLE', { cause: e }));
    });
    req.end();
  });
}

// Why by hand: fetch() hides the errno behind "fetch failed" and follows loops until its own limit.
/** Sends `url`, following redirects; a loop or too many redirects is one line listing the chain. */
export async function httpRequest(url: string, opts: RequestOptions, wanted: Wanted): Promise<Sent> {
  const max = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const chain = [url];
  let current = url;
  for (;;) {
    const res = await sendOnce(current, opts, wanted);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return { res, url: current };
    res.resume();
    let next: string;
    try {
      next = new URL(location, current).href;
    } catch {
      throw new EnvironmentError(`cannot download ${wanted.what}: ${current} redirects to an invalid URL "${location}"`, 'BAD_REDIRECT');
    }
    if (!/^https?:/.test(next)) throw new EnvironmentError(`cannot download ${wanted.what}: ${current} redirects to ${next}, which is not http(s)`, 'BAD_REDIRECT');
    if (chain.includes(next)) {
      throw new EnvironmentError(`cannot download ${wanted.what}: ${url} redirects in a loop (${[...chain, next].join(' -> ')})`, 'REDIRECT_LOOP');
    }
    chain.push(next);
    if (chain.length > max + 1) throw new EnvironmentError(`cannot download ${wanted.what}: ${url} redirects more than ${max} times (last to ${next})`, 'TOO_MANY_REDIRECTS');
    current = next;
  }
}

/** The status line as one clause: `HTTP 404 Not Found`. */
export const statusText = (res: IncomingMessage): string => `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim();

const redirectedNote = (asked: string, answered: string) => (asked === answered ? '' : ` (redirected to ${answered})`);

/** Opens `source` for reading; a missing file or an HTTP error is one line. */
export async function openSource(source: ReleaseSource, wanted: Wanted, opts: DownloadOptions = {}): Promise<OpenedSource> {
  opts.signal?.throwIfAborted();
  return source.kind === 'url' ? openUrl(source.url, wanted, opts) : openPath(source.path, wanted, opts.signal);
}

/** A 2xx response's body, counted against its Content-Length. */
async function openUrl(url: string, wanted: Wanted, opts: DownloadOptions): Promise<OpenedSource> {
  const { res, url: answered } = await httpRequest(url, opts, wanted);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    res.resume();
    const where = `${url}${redirectedNote(url, answered)}`;
    if (status === 404 || status === 410) {
      throw new EnvironmentError(`${wanted.what} is missing: ${where} answered ${statusText(res)}; check the version and the release base (--release-base)`, 'ASSET_MISSING');
    }
    throw new EnvironmentError(`cannot download ${wanted.what}: ${where} answered ${statusText(res)}`, 'DOWNLOAD_HTTP');
  }
  const length = Number(res.headers['content-length']);
  const totalBytes = res.headers['content-length'] !== undefined && Number.isSafeInteger(length) ? length : undefined;
  return { body: checkedBody(res, wanted, answered, totalBytes, opts.signal), totalBytes, where: answered, close: () => res.destroy() };
}

// Why count: a server that closes early without an error still sent fewer bytes than it announced.
async function* checkedBody(res: IncomingMessage, wanted: Wanted, url: string, totalBytes: number | undefined, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let bytes = 0;
  const cut = (why: string) =>
    new EnvironmentError(
      `download of ${wanted.what} from ${url} was cut short after ${bytes}${totalBytes !== undefined ? ` of ${totalBytes}` : ''} bytes (${why}); try again`,
      'TRUNCATED',
    );
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      yield chunk;
    }
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    if (signal?.aborted) throw abortReason(signal);
    throw cut(networkReason(stalled.get(res) ?? e));
  }
  if (totalBytes !== undefined && bytes < totalBytes) throw cut('the server closed the connection');
}

/** A file under a directory base, stat'ed first so a missing one is named before anything is read. */
async function openPath(path: string, wanted: Wanted, signal?: AbortSignal): Promise<OpenedSource> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: st.isDirectory() ? 'EISDIR' : 'EINVAL' });
    size = st.size;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') {
      throw new EnvironmentError(`${wanted.what} is missing: there is no ${path}; check the version and the release base (--release-base)`, 'ASSET_MISSING');
    }
    const why = errnoReason(e, { path, action: 'read', option: '--release-base' }) ?? networkReason(e);
    throw new EnvironmentError(`cannot read ${path} for ${wanted.what}: ${why}`, 'ASSET_UNREADABLE', { cause: e });
  }
  const stream = createReadStream(path, { signal });
  async function* body(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      const why = errnoReason(e, { path, action: 'read', option: '--release-base' }) ?? networkReason(e);
      throw new EnvironmentError(`cannot read ${path} for ${wanted.what}: ${why}`, 'ASSET_UNREADABLE', { cause: e });
    }
  }
  return { body: body(), totalBytes: size, where: path, close: () => stream.destroy() };
}
