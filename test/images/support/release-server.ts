/** A stand-in for GitHub's release downloads: node:http on 127.0.0.1, serving `/<version>/<asset>` from memory. */
import { createServer } from 'node:http';
import { deadUrl, listen } from '../../release/support/release-base.ts';

export { deadUrl };

export interface ReleaseServer {
  url: string;
  /** Paths requested so far, to prove a build asked for nothing (or for the right thing). */
  requests: string[];
  close: () => Promise<void>;
}

export async function startReleaseServer(files: Record<string, Buffer>): Promise<ReleaseServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
