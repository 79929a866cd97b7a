#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx mirrord-regress` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
