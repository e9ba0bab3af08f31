import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appBuild, builtEntry } from './app-build.ts';

/** An app folder with a package.json (a build script or none) and, if asked, its bundle. */
function appDir(options: { build: boolean; bundled: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'app-build-'));
  const scripts = options.build ? { build: 'node build.mjs' } : {};
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', scripts }));
  if (options.bundled) {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'main.js'), '');
  }
  return dir;
}

describe('builtEntry', () => {
  it('runs source unless the bundle is asked for', () => {
    const dir = appDir({ build: true, bundled: true });
    expect(builtEntry(dir, {})).toBeUndefined();
    expect(builtEntry(dir, { INVENTORY_APP_BUILD: 'src' })).toBeUndefined();
    expect(builtEntry(dir, { INVENTORY_APP_BUILD: 'dist' })).toBe(join(dir, 'dist', 'main.js'));
  });

  it('runs a tool without a build from source, even when bundles are asked for', () => {
    expect(
      builtEntry(appDir({ build: false, bundled: false }), { INVENTORY_APP_BUILD: 'dist' }),
    ).toBeUndefined();
  });

  it('fails by name when the bundle of an app with a build is missing', () => {
    const dir = appDir({ build: true, bundled: false });
    expect(() => builtEntry(dir, { INVENTORY_APP_BUILD: 'dist' })).toThrow(
      `INVENTORY_APP_BUILD=dist: ${join(dir, 'dist', 'main.js')} is missing (run npm run build)`,
    );
  });

  it('refuses a value it does not know, and a setting of its prefix it does not know', () => {
    expect(() => appBuild({ INVENTORY_APP_BUILD: 'release' })).toThrow(/INVENTORY_APP_BUILD/);
    expect(() => appBuild({ INVENTORY_APP_BUILT: 'dist' })).toThrow(/INVENTORY_APP_BUILT: unknown setting/);
  });
});
