#!/usr/bin/env node
// `npm run stack -- up|down|status|logs|seed|apps`: installs dependencies if needed, then runs
// the stack CLI. `stack run <app> <script> [args]` runs one of an app's CLIs with the app's
// local settings (the launcher table of tools/local-stack).
import { ensureInstalled, run, runTsx } from './bootstrap.mjs';

ensureInstalled();
const [command, ...rest] = process.argv.slice(2);
process.exitCode =
  command === 'run'
    ? run(process.execPath, ['--import', 'tsx', 'tools/local-stack/src/launch.ts', ...rest])
    : runTsx('tools/local-stack/src/cli.ts', process.argv.slice(2));
