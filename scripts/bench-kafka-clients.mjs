#!/usr/bin/env node
// `npm run bench:kafka-clients -- [install | guarantees | <benchmark options>]`: installs the
// compared Kafka clients on demand (outside the workspace, per Node version, never part of
// `npm install`), then runs the benchmark (default) or the clients' guarantee tests. The
// local stack must be up (`npm run stack -- up`); nothing is started here.
// Steps and reasons: packages/kafka/bench/README.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureInstalled, root, run } from './bootstrap.mjs';
import { ensureNode24 } from './node24.mjs';

const bench = join(root, 'packages', 'kafka', 'bench');
const systemLibraries = ['libcurl', 'libzstd', 'liblz4', 'libsasl2', 'libssl', 'zlib'];
const aptPackages = 'libcurl4-openssl-dev libzstd-dev liblz4-dev libsasl2-dev libssl-dev zlib1g-dev';

function fail(message) {
  console.error(`[bench:kafka-clients] ${message}`);
  process.exit(1);
}

/**
 * The clients for one Node binary, in .stack/kafka-clients/node<major>: @confluentinc/kafka-javascript
 * builds its addon per Node ABI, offline only against the system's librdkafka dependencies
 * (CKJS_LINKING=dynamic; the static build downloads their sources).
 */
function ensureClients(nodeBinary) {
  const major = spawnSync(nodeBinary, ['-p', 'process.versions.node.split(".")[0]'], {
    encoding: 'utf8',
  }).stdout.trim();
  const tree = join(root, '.stack', 'kafka-clients', `node${major}`);
  const marker = join(tree, 'node_modules', '.package-lock.json');
  const lock = join(bench, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return tree;
  const missing = systemLibraries.filter((lib) => spawnSync('pkg-config', ['--exists', lib]).status !== 0);
  if (missing.length > 0)
    fail(
      `the native client needs ${missing.join(', ')} (pkg-config): sudo apt-get install -y ${aptPackages} pkg-config make g++ python3`,
    );
  console.log(
    `[bench:kafka-clients] installing the clients for Node ${major} into ${tree} (native build, several minutes) ...`,
  );
  mkdirSync(tree, { recursive: true });
  copyFileSync(join(bench, 'package.json'), join(tree, 'package.json'));
  copyFileSync(lock, join(tree, 'package-lock.json'));
  const nodeHome = dirname(dirname(nodeBinary));
  const status = run('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: tree,
    env: {
      ...process.env,
      // node-pre-gyp and node-gyp run on this Node and build against its headers, without a download.
      PATH: `${dirname(nodeBinary)}:${process.env.PATH}`,
      npm_config_nodedir: existsSync(join(nodeHome, 'include', 'node')) ? nodeHome : '/usr',
      CKJS_LINKING: 'dynamic',
    },
  });
  if (status !== 0) fail(`installing the clients for Node ${major} failed (see the output above)`);
  return tree;
}

ensureInstalled();
const [command, ...rest] = process.argv.slice(2);
const node24 = ensureNode24((line) => console.log(line));
const nodes = [process.execPath, ...(process.versions.node.startsWith('24.') ? [] : [node24])];
for (const node of nodes) ensureClients(node);
if (command === 'install') process.exit(0);

// The benchmark's code against the installed clients' own types.
const typecheck = run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(bench, 'tsconfig.json')]);
if (typecheck !== 0) fail('the benchmark does not typecheck against the installed clients');

if (command === 'guarantees') {
  // Every client runs on Node 24 (@platformatic/kafka needs >= 22.22).
  process.exitCode = run(
    node24,
    [
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--config',
      join(bench, 'vitest.config.ts'),
      ...rest,
    ],
    {
      env: { ...process.env, KAFKA_CLIENTS_TREE: join(root, '.stack', 'kafka-clients', 'node24') },
    },
  );
} else {
  const args = command === undefined ? [] : [command, ...rest];
  process.exitCode = run(process.execPath, ['--import', 'tsx', join(bench, 'src', 'run.ts'), ...args], {
    env: { ...process.env, KAFKA_BENCH_NODES: nodes.slice(1).join(',') },
  });
}
