import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pendingPatches } from '../../../scripts/patch-dependencies.mjs';
import { productionInstall, workspaceFolders } from '../../../scripts/production-install.mjs';
import { productionPackages } from './dockerfile.ts';

/**
 * The image's install step for real (npm ci against the registry), without Docker: what the
 * Dockerfile's `deps` stage runs, for one app.
 */
describe("an image's production install", () => {
  it('installs exactly its workspace folders and the production packages they need, patched, no dev tools', () => {
    const out = mkdtempSync(join(tmpdir(), 'production-install-'));
    expect(productionInstall('apps/store-ingest', out)).toBe(0);
    const linked = readdirSync(join(out, 'node_modules', '@inventory')).map((name) => `@inventory/${name}`);
    expect(linked.sort()).toEqual(
      workspaceFolders('apps/store-ingest')
        .map((folder) => `@inventory/${folder.split('/').pop()}`)
        .sort(),
    );
    for (const name of productionPackages({ dir: 'apps/store-ingest' } as never))
      expect(existsSync(join(out, 'node_modules', name)), name).toBe(true);
    for (const tool of ['vitest', 'typescript', 'tsx', '@biomejs/biome', '@inventory/testkit'])
      expect(existsSync(join(out, 'node_modules', tool)), tool).toBe(false);
    // Patched as in development, without the repository's postinstall script.
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')).scripts).toBeUndefined();
    expect(pendingPatches(out).map(({ file }) => file)).toEqual([]);
  }, 300_000);
});
