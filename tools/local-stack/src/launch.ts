// Runs one app (or one of its CLIs) against the running local stack:
//   tsx tools/local-stack/src/launch.ts <app>[@<dc>] [<script> [args...]]
// Its settings come from the launcher table (apps.ts), each only where the environment does
// not set it already. Launching the app itself also puts its demo data in place first.
// With INVENTORY_APP_BUILD=dist an app that is built (`npm run build`) runs from its bundle,
// as its image runs it; its CLIs, and tools that ship no image, run from source either way.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtEntry } from '@inventory/config';
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
  const dir = join(repoRoot, app.dir);
  const entry = script ? join(dir, script) : (builtEntry(dir) ?? join(dir, app.main));
  // The entry reads its arguments as if it had been started itself.
  process.argv = [process.argv[0] as string, entry, ...(script ? args : (app.args ?? []))];
  await import(pathToFileURL(entry).href);
} catch (error) {
  console.error(`${name ?? 'launch'}: ${describeError(error)}`);
  process.exit(1);
}
