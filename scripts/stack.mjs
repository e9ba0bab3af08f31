#!/usr/bin/env node
// `npm run stack -- up|down|status|logs|seed|apps`: installs dependencies if needed, then runs
// the stack CLI. `stack run <app> <script> [args]` runs one of an app's CLIs with the app's
// local settings (the launcher table of tools/local-stack). Both run on the images' Node 24
// (scripts/node24.mjs), as `npm start` does.
import { ensureInstalled, run } from './bootstrap.mjs';
import { platformNode } from './node24.mjs';

ensureInstalled();
const node = platformNode();
const [command, ...rest] = process.argv.slice(2);
process.exitCode =
  command === 'run'
    ? run(node, ['--import', 'tsx', 'tools/local-stack/src/launch.ts', ...rest])
    : run(node, ['--import', 'tsx', 'tools/local-stack/src/cli.ts', ...process.argv.slice(2)]);
