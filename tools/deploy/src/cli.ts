#!/usr/bin/env node
// `npm run deploy -- generate`: writes deploy/k8s (base and overlays) and the Dockerfile from
// the code; `npm run deploy -- render <overlay dir>` prints what `kubectl apply -k` applies.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '@inventory/local-stack';
import { stringify } from 'yaml';
import { dockerfile, dockerignore } from './dockerfile.ts';
import { render } from './kustomize.ts';
import { k8sFiles } from './layout.ts';

/** Every file the generator writes, by path from the repository's root. */
export function generatedFiles(): Map<string, string> {
  const files = k8sFiles();
  files.set('Dockerfile', dockerfile());
  files.set('.dockerignore', dockerignore());
  return files;
}

const [command, ...args] = process.argv.slice(2);
if (command === 'generate') {
  const files = generatedFiles();
  for (const [path, content] of files) {
    mkdirSync(dirname(join(repoRoot, path)), { recursive: true });
    writeFileSync(join(repoRoot, path), content);
  }
  console.log(`wrote ${files.size} files`);
} else if (command === 'render' && args.length === 1) {
  const rendered = render(join(repoRoot, args[0] as string));
  process.stdout.write(rendered.map((r) => stringify(r.resource, { lineWidth: 0 })).join('---\n'));
} else {
  console.error(
    `usage: npm run deploy -- generate | render <overlay dir>  (got ${[command, ...args].join(' ')})`,
  );
  process.exitCode = 2;
}
