// Plain Node (no dependencies), so it runs on a fresh clone before `npm install`.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { patchDependencies } from './patch-dependencies.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Node.js >= 20.19 is required, this is ${process.version}`);
    process.exit(1);
  }
}

/**
 * Runs `npm install` (from the lockfile) when node_modules is missing or older than package-lock.json, so both
 * `npm start` and `npm test` work on a fresh clone with nothing installed; then makes sure the
 * installed dependencies carry their patches (an install from before a patch was added too).
 */
export function ensureInstalled() {
  checkNode();
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
  if (fresh) {
    patchDependencies(root);
    return;
  }
  // `npm install`, not `npm ci`: the lockfile lacks the optional per-platform binaries of
  // other platforms (biome, rollup, esbuild) when the registry in use does not serve them,
  // and `npm ci` refuses such a lockfile while `npm install` installs exactly what it pins.
  console.log('[bootstrap] installing npm dependencies (npm install) ...');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[bootstrap] npm install failed');
    process.exit(result.status ?? 1);
  }
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? (result.signal ? 128 : 1);
}

export function runTsx(script, args, options = {}) {
  return run(join(root, 'node_modules', '.bin', 'tsx'), [join(root, script), ...args], options);
}
