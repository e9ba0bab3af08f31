// Runs one app (or one of its CLIs) against the running local stack:
//   tsx tools/local-stack/src/launch.ts <app>[@<dc>] [<script> [args...]]
// Its settings come from the launcher table (apps.ts), each only where the environment does
// not set it already. Launching the app itself also puts its demo data in place first.
// With INVENTORY_APP_BUILD=dist an app that is built (`npm run build`) runs from its bundle,
// as its image runs it; its CLIs, and tools that ship no image, run from source either way.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError } from '@inventory/core';
import { repoRoot } from './apps.ts';
import { parseStackSettings } from './config.ts';
import { dataCentreOfApp, localContextOf, localPlatformApp } from './local-dcs.ts';

const [name, script, ...args] = process.argv.slice(2);
try {
  if (!name) throw new Error('usage: launch <app> [<script> [args...]]');
  // `<app>@<dc>`: an app of another data centre of a three-data-centre stack (local-dcs.ts).
  const settings = parseStackSettings();
  const app = localPlatformApp(settings, name);
  const ctx = localContextOf(settings, dataCentreOfApp(name));
  for (const [key, value] of Object.entries(app.env(ctx))) process.env[key] ??= value;
  if (!script) await app.prepare?.(ctx);
  const built =
    !script &&
    process.env.INVENTORY_APP_BUILD === 'dist' &&
    JSON.parse(readFileSync(join(repoRoot, app.dir, 'package.json'), 'utf8')).scripts?.build !== undefined;
  const entry = join(repoRoot, app.dir, script ?? (built ? 'dist/main.js' : app.main));
  if (built && !existsSync(entry))
    throw new Error(`INVENTORY_APP_BUILD=dist: ${entry} is missing (run npm run build)`);
  // The entry reads its arguments as if it had been started itself.
  process.argv = [process.argv[0] as string, entry, ...(script ? args : (app.args ?? []))];
  await import(pathToFileURL(entry).href);
} catch (error) {
  console.error(`${name ?? 'launch'}: ${describeError(error)}`);
  process.exit(1);
}
