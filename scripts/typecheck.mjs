#!/usr/bin/env node
// `npm run typecheck`: the whole repository in a few TypeScript programs instead of one per
// workspace. Every workspace exports its TypeScript sources, so each workspace's own program
// checked the shared packages again: 33 programs took 227 s on two cores, these take under a
// minute. The root tsconfig.json holds every file of the Node side under the shared strict
// settings; a program of its own is kept where a file needs other settings (the console's
// browser code and its tests, with the DOM) and for each app that augments fastify's types
// (its request fields must not be checked against another app's). A workspace's own
// `typecheck` script still checks it alone.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './bootstrap.mjs';

const programs = [
  'tsconfig.json',
  'apps/store-ingest/tsconfig.json',
  'apps/inventory-query-api/tsconfig.json',
  'tools/erp-simulator/tsconfig.json',
  'apps/console/tsconfig.web.json',
  'apps/console/test/tsconfig.json',
];

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let failed = 0;
for (const program of programs) {
  const began = Date.now();
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', program], {
    cwd: root,
    stdio: 'inherit',
  });
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  if (result.status === 0) console.log(`[typecheck] ${program}: clean in ${seconds} s`);
  else {
    failed++;
    console.error(`[typecheck] ${program}: errors above (${seconds} s)`);
  }
}
process.exit(failed === 0 ? 0 : 1);
