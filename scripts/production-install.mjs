#!/usr/bin/env node
// The production dependencies of one app, as its image holds them:
//   node scripts/production-install.mjs <app folder, e.g. apps/store-ingest> <output folder>
// copies the root package.json (without its scripts) and lockfile and the package.json of every workspace folder
// the app depends on (itself and the @inventory packages, from the lockfile) into the
// output folder, then runs `npm ci --omit=dev --workspace <app>` there: the app's
// third-party dependencies at the lockfile's versions, without dev dependencies and without
// the other apps', patched as in development (patch-dependencies.mjs). The Dockerfile's
// `deps` stage runs it; a test runs it too.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { patchDependencies } from './patch-dependencies.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The lockfile's packages by path. */
export const lockfilePackages = (from = root) =>
  JSON.parse(readFileSync(join(from, 'package-lock.json'), 'utf8')).packages;

/**
 * The workspace folders an app needs at install time (itself and the @inventory packages it
 * depends on, without dev dependencies), from the lockfile: `npm ci --workspace` links them.
 */
export function workspaceFolders(appDir, packages = lockfilePackages()) {
  const folders = new Set();
  const visit = (folder) => {
    if (folders.has(folder)) return;
    folders.add(folder);
    for (const name of Object.keys(packages[folder]?.dependencies ?? {})) {
      const link = packages[`node_modules/${name}`];
      if (link?.link && link.resolved) visit(link.resolved);
    }
  };
  visit(appDir);
  return [...folders].sort();
}

/**
 * Installs the app's production dependencies into `out` (see above); returns npm's exit code.
 */
export function productionInstall(appDir, out, from = root) {
  mkdirSync(out, { recursive: true });
  copyFileSync(join(from, 'package-lock.json'), join(out, 'package-lock.json'));
  // Without the root's scripts (its postinstall runs a script of the repository, not copied
  // here): the patches are applied below, to what this install put in place.
  const { scripts: _scripts, ...manifest } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const folder of workspaceFolders(appDir, lockfilePackages(from))) {
    mkdirSync(join(out, folder), { recursive: true });
    copyFileSync(join(from, folder, 'package.json'), join(out, folder, 'package.json'));
  }
  const npm = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--workspace', appDir], {
    cwd: out,
    stdio: 'inherit',
  });
  if (npm.status !== 0) return npm.status ?? 1;
  patchDependencies(out);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [appDir, out] = process.argv.slice(2);
  if (!appDir || !out) {
    console.error('usage: production-install.mjs <app folder> <output folder>');
    process.exit(2);
  }
  process.exit(productionInstall(appDir, resolve(out)));
}
