import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { productionDurability, topicCatalog, topicConfig } from '@inventory/kafka';
import { repoRoot } from '@inventory/local-stack';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { generatedFiles } from './cli.ts';
import { k8sDir } from './layout.ts';
import { topics } from './strimzi.ts';

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(repoRoot, path)];
  });

describe('the committed deployment is what the code gives', () => {
  const generated = generatedFiles();

  it('every generated file is committed as generated (run `npm run deploy -- generate` after a change)', () => {
    const stale = [...generated].filter(
      ([path, content]) =>
        !existsSync(join(repoRoot, path)) || readFileSync(join(repoRoot, path), 'utf8') !== content,
    );
    expect(stale.map(([path]) => path)).toEqual([]);
  });

  it('deploy/k8s holds nothing else but its README', () => {
    const committed = filesUnder(join(repoRoot, k8sDir)).sort();
    const expected = [...generated.keys()].filter((path) => path.startsWith(`${k8sDir}/`));
    expect(committed).toEqual([...expected, `${k8sDir}/README.md`].sort());
  });

  it('the KafkaTopics are the catalog: names, partitions, configuration with production durability', () => {
    const file = readFileSync(join(repoRoot, k8sDir, 'base/kafka/topics.yaml'), 'utf8');
    const committed = parseAllDocuments(file).map(
      (doc) =>
        doc.toJS() as {
          metadata: { name: string };
          spec: { partitions: number; replicas: number; config: Record<string, string> };
        },
    );
    expect(
      committed.map((t) => [t.metadata.name, t.spec.partitions, t.spec.replicas, t.spec.config]),
    ).toEqual(
      topicCatalog().map((spec) => [spec.name, spec.partitions, 3, topicConfig(spec, productionDurability)]),
    );
    expect(new Set(committed.map((t) => t.spec.config['min.insync.replicas']))).toEqual(new Set(['2']));
  });

  it('a change of the catalog changes the topics (48 partitions for the keyed topics)', () => {
    const wider = topics(topicCatalog({ partitions: 48 })).map(({ topic }) => topic);
    const partitions = (name: string) =>
      (wider.find((t) => t.metadata.name === name)?.spec as { partitions: number } | undefined)?.partitions;
    expect([partitions('inventory.events.v1'), partitions('inventory.locations.v1')]).toEqual([48, 1]);
  });
});
