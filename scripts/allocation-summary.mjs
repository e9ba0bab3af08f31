#!/usr/bin/env node
// `node scripts/allocation-summary.mjs <file.heapprofile> [--top 30]`: what a process
// allocated, from a sampling heap profile written by scripts/allocation-sampling.mjs. Prints
// the total and the functions allocating the most, by their own allocations and with what
// the functions they call allocate, as shares of the total.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' } },
});
if (positionals.length !== 1) {
  console.error('usage: allocation-summary.mjs <file.heapprofile> [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const own = new Map();
const inclusive = new Map();
let total = 0;

const nameOf = ({ functionName, url, lineNumber }) =>
  `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;

// Iterative: a deep stack of calls would overflow a recursive walk.
const pending = [{ node: profile.head, callers: [] }];
while (pending.length > 0) {
  const { node, callers } = pending.pop();
  const name = nameOf(node.callFrame);
  total += node.selfSize;
  own.set(name, (own.get(name) ?? 0) + node.selfSize);
  // A function counted once per stack, however often it recurses.
  const stack = callers.includes(name) ? callers : [...callers, name];
  for (const caller of stack) inclusive.set(caller, (inclusive.get(caller) ?? 0) + node.selfSize);
  for (const child of node.children) pending.push({ node: child, callers: stack });
}

const top = Number(values.top);
const print = (title, sizes) => {
  console.log(`\n${title}`);
  for (const [name, size] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * size) / total).toFixed(1).padStart(6)} %  ${name}`);
};
console.log(`${positionals[0]}: ${(total / 1e6).toFixed(0)} MB allocated (sampled)`);
print('allocated by the function itself', own);
print('allocated by the function and what it calls', inclusive);
