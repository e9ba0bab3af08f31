import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';
import { z } from 'zod';
import { parseSettings } from './env.ts';

/**
 * Which form of an app a process starts: its TypeScript through tsx (`src`, the default), or
 * with INVENTORY_APP_BUILD=dist the bundle `npm run build` writes, as the app's image runs it.
 * The local stack's launcher and the tests' process helper both ask here, so a benchmark or a
 * test of "the built app" runs the same file the image does.
 */
export function appBuild(env: Record<string, string | undefined> = process.env): 'src' | 'dist' {
  return parseSettings({ BUILD: z.enum(['src', 'dist']).default('src') }, env, { prefix: 'INVENTORY_APP_' })
    .BUILD;
}

/**
 * The bundle an app in `appDir` runs from, or undefined when it runs from source: asked for
 * source, or an app without a build (a tool that ships no image). Asked for the bundle of an
 * app that has a build but was not built, it fails by name instead of running its source.
 */
export function builtEntry(appDir: string, env: Record<string, string | undefined> = process.env) {
  if (appBuild(env) === 'src') return undefined;
  const manifest = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  if (manifest.scripts?.build === undefined) return undefined;
  const entry = join(appDir, 'dist', 'main.js');
  if (!existsSync(entry))
    throw new InventoryError(
      'CONFIG_INVALID',
      `INVENTORY_APP_BUILD=dist: ${entry} is missing (run npm run build)`,
    );
  return entry;
}
