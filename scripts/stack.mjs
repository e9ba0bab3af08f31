#!/usr/bin/env node
// `npm run stack -- up|down|status|logs`: installs dependencies if needed, then runs the stack CLI.
import { ensureInstalled, runTsx } from './bootstrap.mjs';

ensureInstalled();
process.exitCode = runTsx('tools/local-stack/src/cli.ts', process.argv.slice(2));
