import { join } from 'node:path';
import { repoRoot } from '@inventory/local-stack';
import { render } from './kustomize.ts';
import { overlayDirs } from './layout.ts';
import { checkWithStrimziModel } from './strimzi-check.ts';

const all = overlayDirs().flatMap((dir) =>
  render(join(repoRoot, dir)).map((r) => ({ ...r, source: `${dir}: ${r.source}` })),
);
const result = checkWithStrimziModel(all, console.log);
const uniq = new Map<string, string>();
for (const p of result.problems) uniq.set(`${p.object} ${p.message}`, p.source);
console.log(result.checked, result.problems.length);
for (const [k, v] of uniq) console.log(k.slice(0, 400), '<-', v);
