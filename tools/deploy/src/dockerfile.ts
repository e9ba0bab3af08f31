import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@inventory/local-stack';
import { imageNodeVersion } from '../../../scripts/node24.mjs';
import { type AppDeployment, apps } from './apps.ts';
import { httpPort } from './workloads.ts';

/** The images' base: Node.js 24 (LTS), the version `npm test` also runs the tests on (scripts/node24.mjs). */
export const nodeImage = `node:${imageNodeVersion}-bookworm-slim`;

interface LockEntry {
  name?: string;
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const lockfile = () =>
  (
    JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    }
  ).packages;

/** The entry points an app's build bundles (its package.json `build` script's arguments). */
export function buildEntries(app: AppDeployment): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, app.dir, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const build = pkg.scripts.build ?? '';
  const match = /build-app\.mjs (.+)$/.exec(build);
  if (!match?.[1]) throw new Error(`${app.dir}/package.json: no build script of scripts/build-app.mjs`);
  return match[1].split(/\s+/);
}

/** dist/<name>.js of each entry (src/auth/hash-token.ts: dist/hash-token.js). */
export const bundleOf = (entry: string) => `dist/${entry.split('/').pop()?.replace(/\.ts$/, '.js')}`;

/**
 * The workspace folders an app needs at install time (itself and the @inventory packages it
 * depends on, without dev dependencies), from the lockfile: `npm ci --workspace` links them.
 */
export function workspaceFolders(app: AppDeployment, packages = lockfile()): string[] {
  const folders = new Set<string>();
  const visit = (folder: string) => {
    if (folders.has(folder)) return;
    folders.add(folder);
    for (const name of Object.keys(packages[folder]?.dependencies ?? {})) {
      const link = packages[`node_modules/${name}`];
      if (link?.link && link.resolved) visit(link.resolved);
    }
  };
  visit(app.dir);
  return [...folders].sort();
}

/**
 * The third-party packages `npm ci --omit=dev --workspace <app>` installs: what the app's
 * workspace folders depend on, and what those depend on, resolved as Node resolves them in
 * the lockfile's tree.
 */
export function productionPackages(app: AppDeployment, packages = lockfile()): Set<string> {
  const installed = new Set<string>();
  const resolve = (from: string, name: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (packages[candidate]) return candidate;
      const cut = base.lastIndexOf('/node_modules/');
      if (base === '') return undefined;
      base = cut >= 0 ? base.slice(0, cut) : '';
    }
  };
  const visit = (path: string) => {
    const entry = packages[path];
    if (!entry) return;
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    const wanted = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((peer) => !optionalPeers[peer]?.optional),
    ];
    for (const name of wanted) {
      const found = resolve(path.startsWith('node_modules/') ? path : '', name);
      if (!found || installed.has(found)) continue;
      const target = packages[found];
      if (target?.link) continue;
      installed.add(found);
      visit(found);
    }
  };
  for (const folder of workspaceFolders(app, packages)) visit(folder);
  return new Set(
    [...installed].map((path) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  );
}

/** What the final stage of an app copies from the build stage, besides node_modules. */
export function runtimeCopies(app: AppDeployment): string[] {
  // The codec reads the Avro schemas at run time from <repo>/schemas, three folders above its module.
  return ['schemas', `${app.dir}/package.json`, `${app.dir}/dist`];
}

const healthcheck = (app: AppDeployment) =>
  `fetch('http://127.0.0.1:'+(process.env.${app.prefix}HTTP_PORT||${httpPort(app)})+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;

function appStages(app: AppDeployment): string {
  const folders = workspaceFolders(app);
  const entries = buildEntries(app);
  return [
    `# ${app.name}: production dependencies of its workspace only, from the workspace lockfile.`,
    `FROM node AS ${app.name}-deps`,
    'COPY package.json package-lock.json ./',
    ...folders.map((folder) => `COPY ${folder}/package.json ${folder}/`),
    `RUN npm ci --omit=dev --no-audit --no-fund --workspace ${app.dir}`,
    '',
    `FROM node AS ${app.name}`,
    `COPY --from=${app.name}-deps /srv/node_modules node_modules`,
    ...runtimeCopies(app).map((path) => `COPY --from=build /srv/${path} ${path}`),
    `WORKDIR /srv/${app.dir}`,
    // Here and not in the shared stage: `npm ci` in the build stage would skip dev dependencies.
    'ENV NODE_ENV=production',
    'USER node',
    `EXPOSE ${httpPort(app)}`,
    `HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD ["node", "-e", ${JSON.stringify(healthcheck(app))}]`,
    `CMD ["node", "--enable-source-maps", "${bundleOf(entries[0] as string)}"]`,
    '',
  ].join('\n');
}

/** The one Dockerfile: a build stage compiling every app, then two stages per app (its dependencies, its image). */
export function dockerfile(): string {
  return [
    '# syntax=docker/dockerfile:1',
    '# Generated by `npm run deploy -- generate` (tools/deploy/src/dockerfile.ts); edit the generator, not this file.',
    '# One image per app, built by target:  docker build --target store-ingest -t inventory/store-ingest:<version> .',
    '# Each runs `node dist/main.js` (its other entries, the CLIs, are next to it in dist/) as the',
    '# unprivileged user `node`, with production dependencies only.',
    `ARG NODE_IMAGE=${nodeImage}`,
    '',
    'FROM $NODE_IMAGE AS node',
    'WORKDIR /srv',
    '',
    '# The whole workspace with its dev dependencies, compiled (npm run build: dist/ of every app).',
    'FROM node AS build',
    'COPY . .',
    'RUN npm ci --no-audit --no-fund && npm run build',
    '',
    ...apps.map(appStages),
  ].join('\n');
}

/** What the build context leaves out: installed and generated files, local state, secrets. */
export function dockerignore(): string {
  return [
    '# Generated by `npm run deploy -- generate` (tools/deploy/src/dockerfile.ts).',
    '.git',
    '**/node_modules',
    '**/dist',
    '**/.turbo',
    '.stack',
    'coverage',
    'loadgen-report',
    '**/*.log',
    '.env',
    '.env.*',
    '',
  ].join('\n');
}
