import { join } from 'node:path';
import { repoRoot } from '@inventory/local-stack';
import { describe, expect, it } from 'vitest';
import { applyPatch, type Rendered, render } from './kustomize.ts';
import { overlayDirs } from './layout.ts';
import { checkWithStrimziModel } from './strimzi-check.ts';

// Not a test of the local stack: Strimzi's model needs a JVM and Maven, which the integration
// project's machines have. The JVM starts once for every overlay together.
const rendered: Rendered[] = overlayDirs().flatMap((dir) =>
  render(join(repoRoot, dir)).map((r) => ({ ...r, source: `${dir}: ${r.source}` })),
);
const strimziObjects = rendered.filter((r) => r.resource.apiVersion.startsWith('kafka.strimzi.io/'));

describe("every rendered overlay against Strimzi's own API model (io.strimzi:api 1.2.0)", () => {
  it('reads strictly into the model and validates against the CRD schema generated from it', () => {
    const { problems, checked } = checkWithStrimziModel(rendered, (line) => console.log(line));
    expect(problems).toEqual([]);
    // Every Strimzi object and every built-in kind (through fabric8's model) was read; KEDA's
    // and the Prometheus Operator's have no Java model here (render.test.ts checks them).
    const builtIn = rendered.filter((r) =>
      /^(apps\/v1|v1|policy\/v1|autoscaling\/v2)$/.test(r.resource.apiVersion),
    ).length;
    expect(checked).toEqual({ model: strimziObjects.length + builtIn, schema: strimziObjects.length });
    // local: Kafka, 2 node pools, 21 topics, 11 users, Connect, the connector; each DC also
    // MirrorMaker 2, 3 mirror users and the other two data centres' query API users.
    expect(strimziObjects.length).toBe(37 + 3 * 43);
  });

  it('a broken field fails: unknown, of the wrong type, outside its enum, below its minimum', () => {
    const at = (kind: string, name: string) => {
      const found = rendered.find((r) => r.resource.kind === kind && r.resource.metadata.name === name);
      if (!found) throw new Error(`no ${kind}/${name}`);
      return found.resource;
    };
    const broken: Rendered[] = [
      {
        op: 'add' as const,
        kind: 'KafkaTopic',
        name: 'inventory.events.v1',
        path: '/spec/replica',
        value: 3,
      },
      {
        op: 'replace' as const,
        kind: 'KafkaTopic',
        name: 'inventory.stock.v1',
        path: '/spec/partitions',
        value: 0,
      },
      {
        op: 'replace' as const,
        kind: 'KafkaUser',
        name: 'store-ingest',
        path: '/spec/authorization/acls/0/operations/0',
        value: 'Publish',
      },
      {
        op: 'replace' as const,
        kind: 'Kafka',
        name: 'inventory',
        path: '/spec/kafka/listeners/0/type',
        value: 'nodeport-ish',
      },
      {
        op: 'replace' as const,
        kind: 'KafkaNodePool',
        name: 'brokers',
        path: '/spec/replicas',
        value: 'three',
      },
    ].map(({ kind, name, ...operation }) => ({
      source: `broken ${kind}`,
      resource: applyPatch(at(kind, name), [operation]),
    }));
    const { problems } = checkWithStrimziModel(broken);
    const byObject = new Map<string, string[]>();
    for (const p of problems) byObject.set(p.object, [...(byObject.get(p.object) ?? []), p.message]);
    expect([...byObject.keys()].sort()).toEqual([
      'Kafka/inventory',
      'KafkaNodePool/brokers',
      'KafkaTopic/inventory.events.v1',
      'KafkaTopic/inventory.stock.v1',
      'KafkaUser/store-ingest',
    ]);
    expect(byObject.get('KafkaTopic/inventory.events.v1')?.[0]).toMatch(
      /^Unrecognized field "replica" .* \(at \/spec\/replica\)$/,
    );
    expect(byObject.get('KafkaTopic/inventory.stock.v1')).toEqual(['/spec/partitions must be >= 1']);
    expect(byObject.get('KafkaUser/store-ingest')).toEqual([
      '/spec/authorization/acls/0/operations/0 must be equal to one of the allowed values',
    ]);
    expect(byObject.get('Kafka/inventory')).toEqual([
      '/spec/kafka/listeners/0/type must be equal to one of the allowed values',
    ]);
    // The model refuses the type, and so does the schema.
    expect(byObject.get('KafkaNodePool/brokers')).toEqual([
      'Cannot coerce String value ("three") to `int` value (but might if coercion using `CoercionConfig` was enabled) (at /spec/replicas)',
      '/spec/replicas must be integer',
    ]);
  });
});
