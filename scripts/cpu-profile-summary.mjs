#!/usr/bin/env node
// `node scripts/cpu-profile-summary.mjs <file.cpuprofile|dir> [--top 25] [--from <seconds>]`:
// where a process spent its CPU, from a V8 CPU profile (`node --cpu-prof`,
// scripts/cpu-sampling.mjs). Prints self time by origin (the platform's packages and apps,
// each dependency in node_modules, Node's internals, garbage collection, idle) and the
// functions with the most self time, as shares of the busy time. A directory means its newest
// .cpuprofile. --from leaves out the samples of the profile's first seconds: an app profiled
// through a whole benchmark spends them loading its modules, not under the load.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, from: { type: 'string', default: '0' } },
});
if (positionals.length !== 1) {
  console.error('usage: cpu-profile-summary.mjs <file.cpuprofile|dir> [--top N] [--from <seconds>]');
  process.exit(2);
}

function newestProfile(path) {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) throw new Error(`no .cpuprofile in ${path}`);
  return files[0];
}

const file = newestProfile(positionals[0]);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const root = process.cwd();

/** Where a function comes from: an app or package of the platform, a dependency, or Node. */
function originOf(url, functionName) {
  if (functionName === '(garbage collector)') return '(garbage collection)';
  if (functionName === '(idle)' || functionName === '(program)') return functionName;
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (dependency) return dependency[1];
  const own = /(apps|packages|tools)\/([^/]+)\//.exec(relative(root, path));
  return own ? `${own[1]}/${own[2]}` : path;
}

// Self time per node: the samples that ended in it, times their interval.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicros = new Map();
const fromMicros = Number(values.from) * 1e6;
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at < fromMicros) continue;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
}
const byOrigin = new Map();
const byFunction = new Map();
let idle = 0;
let total = 0;
for (const [id, micros] of selfMicros) {
  const { callFrame } = byId.get(id);
  const origin = originOf(callFrame.url, callFrame.functionName);
  total += micros;
  if (origin === '(idle)') {
    idle += micros;
    continue;
  }
  byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + micros);
  const where = callFrame.url
    ? `${relative(root, callFrame.url.replace(/^file:\/\//, ''))}:${callFrame.lineNumber + 1}`
    : '';
  const key = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(key, { origin, micros: (byFunction.get(key)?.micros ?? 0) + micros });
}
const busy = total - idle;
const pct = (micros) => `${((micros / busy) * 100).toFixed(1).padStart(5)} %`;
const seconds = (micros) => `${(micros / 1e6).toFixed(2).padStart(7)} s`;

console.log(
  `${relative(root, file)}: ${seconds(total)} profiled${fromMicros > 0 ? ` after its first ${values.from} s` : ''}, ${seconds(busy)} busy (${((busy / total) * 100).toFixed(0)} %)`,
);
console.log('\nself time by origin (share of busy time)');
for (const [origin, micros] of [...byOrigin].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`  ${pct(micros)}  ${seconds(micros)}  ${origin}`);
console.log(`\ntop ${values.top} functions by self time`);
for (const [name, { origin, micros }] of [...byFunction]
  .sort((a, b) => b[1].micros - a[1].micros)
  .slice(0, Number(values.top)))
  console.log(`  ${pct(micros)}  ${name}  [${origin}]`);
