// Preloaded into a process (`NODE_OPTIONS=--import=<absolute path>/scripts/cpu-sampling.mjs`, as
// `npm run bench:e2e -- --profile <dir>` does for the apps it starts), samples where it spends
// its CPU with V8's profiler and writes `<name>.<pid>.cpuprofile` into
// INVENTORY_CPU_PROFILE_DIR when it exits; `scripts/cpu-profile-summary.mjs` reads it. Node
// refuses `--cpu-prof` in NODE_OPTIONS; an app started through the local launcher
// (tools/local-stack/src/launch.ts <app>) is named by its app, anything else by its script.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';

const dir = process.env.INVENTORY_CPU_PROFILE_DIR;
if (!dir)
  throw new Error('scripts/cpu-sampling.mjs: INVENTORY_CPU_PROFILE_DIR names no folder for the profile');
// Read now: the launcher replaces process.argv with its app's entry before the app runs.
const [, script = 'node', first] = process.argv;
const name = (basename(script).startsWith('launch.') && first ? first : basename(script)).replace(
  /[^\w.@-]/g,
  '_',
);
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  // An in-process session answers synchronously: the file is written before the process ends.
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    writeFileSync(join(dir, `${name}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
