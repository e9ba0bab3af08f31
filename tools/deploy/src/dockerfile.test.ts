import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { repoRoot } from '@inventory/local-stack';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../scripts/build-app.mjs';
import { imageNodeVersion } from '../../../scripts/node24.mjs';
import { workspaceFolders } from '../../../scripts/production-install.mjs';
import { type AppDeployment, apps } from './apps.ts';
import {
  buildEntries,
  bundleOf,
  dockerfile,
  imageBuilds,
  productionPackages,
  runtimeCopies,
} from './dockerfile.ts';
import { httpPort } from './workloads.ts';

interface Stage {
  from: string;
  name: string;
  lines: string[];
}

/** The Dockerfile's stages: `FROM <image> AS <name>` and the instructions under it. */
function stages(text: string): Map<string, Stage> {
  const result = new Map<string, Stage>();
  let current: Stage | undefined;
  for (const line of text.split('\n')) {
    const from = /^FROM (\S+) AS (\S+)$/.exec(line);
    if (from) {
      current = { from: from[1] as string, name: from[2] as string, lines: [] };
      result.set(current.name, current);
    } else if (current && line.trim() && !line.startsWith('#')) current.lines.push(line);
  }
  return result;
}

const packageName = (specifier: string) =>
  specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] as string);

const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const parsed = stages(text);
const built = new Map<string, { dir: string; metafile: Metafile }>();

beforeAll(async () => {
  // The built tree as the build stage makes it, in a folder of the test's own.
  const root = mkdtempSync(join(tmpdir(), 'image-build-'));
  for (const app of apps) {
    const dist = join(root, app.dir, 'dist');
    built.set(app.name, {
      dir: dist,
      metafile: await buildApp(join(repoRoot, app.dir), buildEntries(app), dist),
    });
  }
}, 120_000);

describe('the Dockerfile', () => {
  it(`starts from Node ${imageNodeVersion}, the Node npm test runs the tests on`, () => {
    expect(text).toContain(`ARG NODE_IMAGE=node:${imageNodeVersion}-bookworm-slim`);
    expect(text).toBe(dockerfile());
  });

  it("has the build stage, the stage of an app's dependencies and the app's image, the app a build argument", () => {
    expect([...parsed.keys()]).toEqual(['node', 'build', 'deps', 'app']);
    expect(parsed.get('deps')?.lines).toEqual([
      'ARG APP',
      'RUN node scripts/production-install.mjs apps/$APP /production',
    ]);
    // Every app's build command is in the header, with its folder and ops port.
    for (const [i, app] of apps.entries())
      expect(imageBuilds()[i]).toBe(
        `docker build --target app --build-arg APP=${app.dir.split('/').pop()} --build-arg PORT=${httpPort(app)} -t inventory/${app.name}:<version> .`,
      );
    for (const build of imageBuilds()) expect(text).toContain(`#   ${build}`);
  });
});

/** The image stage's lines as the build of one app expands them. */
const imageOf = (app: AppDeployment) =>
  (parsed.get('app') as Stage).lines.map((line) =>
    line.replaceAll('$APP', app.dir.split('/').pop() as string).replaceAll('$PORT', String(httpPort(app))),
  );

describe.each(apps.map((app) => [app.name, app] as const))('the image of %s', (_name, app: AppDeployment) => {
  const image = imageOf(app);

  it("installs its workspace's production dependencies: the workspace folders it needs exist", () => {
    expect(app.dir).toBe(`apps/${app.dir.split('/').pop()}`);
    const folders = workspaceFolders(app.dir);
    expect(folders).toContain(app.dir);
    for (const folder of folders) expect(existsSync(join(repoRoot, folder, 'package.json'))).toBe(true);
  });

  it('copies from the built tree only what exists there, runs as node with a health check on /healthz', () => {
    const fromBuild = image
      .filter((l) => l.startsWith('COPY --from=build '))
      .map((l) => (l.split(' ')[2] as string).replace('/srv/', ''));
    expect(fromBuild).toEqual(
      runtimeCopies.map((path) => path.replace('$APP', app.dir.split('/').pop() as string)),
    );
    const { dir } = built.get(app.name) as { dir: string };
    for (const path of fromBuild)
      expect(existsSync(path === `${app.dir}/dist` ? dir : join(repoRoot, path))).toBe(true);
    expect(image).toContain('USER node');
    expect(image).toContain(`ENV NODE_ENV=production HEALTH_PORT=${httpPort(app)}`);
    expect(image.find((l) => l.startsWith('HEALTHCHECK'))).toContain("process.env.HEALTH_PORT+'/healthz'");
  });

  it('its entry point and every CLI are in dist, and every import the bundles leave is an installed package', () => {
    const { dir, metafile } = built.get(app.name) as { dir: string; metafile: Metafile };
    const entries = buildEntries(app).map(bundleOf);
    expect(image.at(-1)).toBe(`CMD ["node", "--enable-source-maps", "${entries[0]}"]`);
    for (const entry of entries) {
      expect(existsSync(join(dir, '..', entry))).toBe(true);
      expect(existsSync(join(dir, '..', `${entry}.map`))).toBe(true);
    }
    const external = new Set(
      Object.values(metafile.outputs)
        .flatMap((output) => output.imports)
        .filter((i) => i.external && !i.path.startsWith('node:'))
        .map((i) => packageName(i.path)),
    );
    expect([...external].filter((name) => name.startsWith('@inventory/'))).toEqual([]);
    const installed = productionPackages(app);
    expect([...external].filter((name) => !installed.has(name))).toEqual([]);
  });

  it('the files the bundles read beside themselves (the Avro schemas) are in the image', () => {
    const { dir, metafile } = built.get(app.name) as { dir: string; metafile: Metafile };
    // The metafile names outputs relative to the app's folder, esbuild's working directory.
    const outputs = Object.keys(metafile.outputs)
      .filter((file) => file.endsWith('.js'))
      .map((file) => resolve(repoRoot, app.dir, file));
    const read = outputs.flatMap((file) => {
      const code = readFileSync(file, 'utf8');
      const inImage = posix.join(app.dir, 'dist', posix.relative(dir, file));
      return [...code.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)].map((m) =>
        posix.join(posix.dirname(inImage), m[1] as string),
      );
    });
    expect(read.length).toBeGreaterThan(0);
    expect(new Set(read)).toEqual(new Set(['schemas/']));
    expect(read.filter((path) => !runtimeCopies.some((copy) => path.startsWith(copy)))).toEqual([]);
  });

  it("loads its whole module graph from the image's layout (and stops on its missing settings)", () => {
    const { dir } = built.get(app.name) as { dir: string };
    const srv = mkdtempSync(join(tmpdir(), 'image-tree-'));
    mkdirSync(join(srv, app.dir), { recursive: true });
    cpSync(dir, join(srv, app.dir, 'dist'), { recursive: true });
    cpSync(join(repoRoot, app.dir, 'package.json'), join(srv, app.dir, 'package.json'));
    symlinkSync(join(repoRoot, 'schemas'), join(srv, 'schemas'));
    symlinkSync(join(repoRoot, 'node_modules'), join(srv, 'node_modules'));
    const run = spawnSync(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
      cwd: join(srv, app.dir),
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect([run.status, run.stderr.split('\n')[0]?.split(': ').slice(0, 2).join(': ')]).toEqual([
      1,
      `${app.name} failed to start: CONFIG_INVALID`,
    ]);
    expect(dirname(join(srv, app.dir, 'dist', '../../../schemas/'))).toBe(srv);
  }, 60_000);
});
