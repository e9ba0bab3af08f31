#!/usr/bin/env node
// `npm run build` in an app: its entry points (src/main.ts and its CLIs, named as arguments)
// bundled by esbuild into dist/<name>.js with source maps. The workspace packages
// (@inventory/*, TypeScript sources) are compiled into the bundle; every other package stays
// an import that `npm ci --omit=dev` installs from the lockfile, so native and worker-thread
// packages (DuckDB, pino's transports) load as they were published. Why one bundler and not
// tsc project references: docs/benchmarks.md, "Build".
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

/** Node 20 runs the tests here, Node 24 runs the images: the output must load on both. */
export const nodeTarget = 'node20';

const workspacePackage = /^@inventory\//;

/** Bare imports other than the workspace's own stay imports, resolved from node_modules at run time. */
const thirdPartyExternal = {
  name: 'third-party-external',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) => {
      if (workspacePackage.test(args.path) || args.path.startsWith('node:')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** Bundles `entries` (paths relative to `appDir`) into `outdir`; returns esbuild's metafile. */
export async function buildApp(appDir, entries, outdir = join(appDir, 'dist')) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: appDir,
    entryPoints: Object.fromEntries(entries.map((entry) => [basename(entry).replace(/\.ts$/, ''), entry])),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: nodeTarget,
    sourcemap: true,
    // No shared chunks: every bundle sits in dist/ itself, so that a path its code resolves
    // against its own location (the codec's schemas/, three folders up) is the same for all.
    plugins: [thirdPartyExternal],
    logLevel: 'warning',
    metafile: true,
  });
  return result.metafile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const entries = process.argv.slice(2);
  if (entries.length === 0) {
    console.error('usage: build-app.mjs <entry.ts> [entry.ts ...] (run in the app folder)');
    process.exit(2);
  }
  await buildApp(process.cwd(), entries);
}
