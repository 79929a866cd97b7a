#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx mirrord-regress` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
// `mirrord-regress --help | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
