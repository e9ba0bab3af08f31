import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@inventory/local-stack';
import { describe, expect, it } from 'vitest';
import { applyPatch, type Rendered, render } from './kustomize.ts';
import { overlayDirs } from './layout.ts';
import type { Manifest } from './manifest.ts';
import { validateModels } from './validate.ts';

const rendered = new Map(overlayDirs().map((dir) => [dir, render(join(repoRoot, dir))]));
const kinds = (objects: Rendered[]) => {
  const counts: Record<string, number> = {};
  for (const { resource } of objects) counts[resource.kind] = (counts[resource.kind] ?? 0) + 1;
  return counts;
};
const find = (objects: Rendered[], kind: string, name: string): Manifest => {
  const found = objects.find((o) => o.resource.kind === kind && o.resource.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found.resource;
};
/** The value at a path of an object (undefined where the path ends). */
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);

describe('every overlay renders and validates', () => {
  const base = {
    Kafka: 1,
    KafkaNodePool: 2,
    KafkaTopic: 21,
    // One per principal of the access table (8 apps, Connect, master data) and KEDA's lag reader.
    KafkaUser: 11,
    KafkaConnect: 1,
    KafkaConnector: 1,
    TriggerAuthentication: 1,
    ConfigMap: 8,
    Deployment: 8,
    Service: 10,
    // One per app and one for the Redis Cluster; the Job that joins its nodes once.
    PodDisruptionBudget: 9,
    Job: 1,
    HorizontalPodAutoscaler: 2,
    ScaledObject: 4,
    StatefulSet: 2,
    ServiceMonitor: 1,
    PodMonitor: 1,
    PrometheusRule: 1,
  };

  it('local: the base, its site and master data (three ConfigMaps more)', () => {
    expect(kinds(rendered.get('deploy/k8s/overlays/local') ?? [])).toEqual({ ...base, ConfigMap: 11 });
  });

  it.each(['dc1', 'dc2', 'dc3'])(
    "production/%s: the base, its site, MirrorMaker 2, three mirror users, the other two query APIs' users and the peers file",
    (dc) => {
      expect(kinds(rendered.get(`deploy/k8s/overlays/production/${dc}`) ?? [])).toEqual({
        ...base,
        ConfigMap: 10,
        KafkaUser: 16,
        KafkaMirrorMaker2: 1,
      });
    },
  );

  it("production/dc2's query API reaches dc1 and dc3 as inventory-query-api-dc2, with their CAs and its passwords there", () => {
    const dc2 = rendered.get('deploy/k8s/overlays/production/dc2') ?? [];
    const settings = at(find(dc2, 'ConfigMap', 'inventory-query-api-settings'), 'data') as Record<
      string,
      string
    >;
    expect([settings.QUERY_DATA_CENTRE, settings.QUERY_PEER_DATA_CENTRES, settings.QUERY_PEERS_FILE]).toEqual(
      ['dc2', 'dc1,dc3', '/etc/inventory/peers/peers.json'],
    );
    const peers = JSON.parse(
      (at(find(dc2, 'ConfigMap', 'inventory-query-api-peers'), 'data') as Record<string, string>)[
        'peers.json'
      ] as string,
    );
    expect(peers).toEqual({
      dataCentres: ['dc1', 'dc3'].map((dc) => ({
        dataCentre: dc,
        brokers: `kafka-mirror.${dc}.retail.example:9094`,
        caFile: `/etc/inventory/peer-${dc}-ca/ca.crt`,
        username: 'inventory-query-api-dc2',
        passwordFile: `/etc/inventory/peer-${dc}-user/password`,
      })),
    });
    const pod = at(find(dc2, 'Deployment', 'inventory-query-api'), 'spec', 'template', 'spec') as {
      volumes: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
      containers: { volumeMounts: { name: string; mountPath: string }[] }[];
    };
    const mountOf = (name: string) => pod.containers[0]?.volumeMounts.find((m) => m.name === name)?.mountPath;
    const sourceOf = (name: string) => {
      const volume = pod.volumes.find((v) => v.name === name);
      return volume?.secret?.secretName ?? volume?.configMap?.name;
    };
    expect(
      ['peers', 'peer-dc1-ca', 'peer-dc1-user', 'peer-dc3-ca', 'peer-dc3-user'].map((v) => [
        v,
        sourceOf(v),
        mountOf(v),
      ]),
    ).toEqual([
      ['peers', 'inventory-query-api-peers', '/etc/inventory/peers'],
      ['peer-dc1-ca', 'dc1-cluster-ca-cert', '/etc/inventory/peer-dc1-ca'],
      ['peer-dc1-user', 'dc1-inventory-query-api-dc2', '/etc/inventory/peer-dc1-user'],
      ['peer-dc3-ca', 'dc3-cluster-ca-cert', '/etc/inventory/peer-dc3-ca'],
      ['peer-dc3-user', 'dc3-inventory-query-api-dc2', '/etc/inventory/peer-dc3-user'],
    ]);
    // dc2's cluster holds the users of dc1's and dc3's query APIs.
    expect(
      dc2
        .filter(
          (o) =>
            o.resource.kind === 'KafkaUser' && o.resource.metadata.name.startsWith('inventory-query-api-'),
        )
        .map((o) => o.resource.metadata.name),
    ).toEqual(['inventory-query-api-dc1', 'inventory-query-api-dc3']);
  });

  it('every built-in, KEDA and Prometheus Operator object is valid against its schema', () => {
    for (const [dir, objects] of rendered)
      expect({ dir, problems: validateModels(objects) }).toEqual({ dir, problems: [] });
  });

  it('the overlays patch what they say: namespace, images, sizes, the mirror listener', () => {
    const local = rendered.get('deploy/k8s/overlays/local') ?? [];
    const dc2 = rendered.get('deploy/k8s/overlays/production/dc2') ?? [];
    expect(new Set([...local, ...dc2].map((o) => o.resource.metadata.namespace))).toEqual(
      new Set(['inventory']),
    );
    const image = (objects: Rendered[]) =>
      at(find(objects, 'Deployment', 'store-ingest'), 'spec', 'template', 'spec', 'containers', 0, 'image');
    expect(image(local)).toBe('localhost:5001/inventory/store-ingest:0.1.0');
    expect(image(dc2)).toBe('registry.retail.example/inventory/store-ingest:0.1.0');
    expect(at(find(local, 'KafkaTopic', 'inventory.events.v1'), 'spec', 'replicas')).toBe(1);
    expect(at(find(dc2, 'KafkaTopic', 'inventory.events.v1'), 'spec', 'replicas')).toBe(3);
    expect(at(find(local, 'KafkaNodePool', 'brokers'), 'spec', 'replicas')).toBe(1);
    expect(at(find(dc2, 'KafkaNodePool', 'brokers'), 'spec', 'replicas')).toBe(3);
    const listeners = (objects: Rendered[]) =>
      (at(find(objects, 'Kafka', 'inventory'), 'spec', 'kafka', 'listeners') as { name: string }[]).map(
        (l) => l.name,
      );
    expect(listeners(dc2)).toEqual(['scram', 'mirror']);
    expect(listeners(local)).toEqual(['scram']);
    const mirrors = at(find(dc2, 'KafkaMirrorMaker2', 'inventory-mirror'), 'spec', 'mirrors') as {
      source: { alias: string; bootstrapServers: string };
      topicsPattern: string;
    }[];
    expect(mirrors.map((m) => [m.source.alias, m.source.bootstrapServers])).toEqual([
      ['dc1', 'kafka-mirror.dc1.retail.example:9094'],
      ['dc3', 'kafka-mirror.dc3.retail.example:9094'],
    ]);
    expect(mirrors[0]?.topicsPattern).toBe(
      'inventory\\.stock\\.v1|inventory\\.availability\\.v1|inventory\\.reservations\\.v1|inventory\\.locations\\.v1',
    );
  });
});

describe('a broken field fails validation', () => {
  const dc1 = rendered.get('deploy/k8s/overlays/production/dc1') ?? [];
  const broken = (kind: string, name: string, path: string, value: unknown): Rendered[] => [
    { source: 'test', resource: applyPatch(find(dc1, kind, name), [{ op: 'replace', path, value }]) },
  ];

  it('a port by name where a number must be', () => {
    expect(
      validateModels(
        broken(
          'Deployment',
          'store-ingest',
          '/spec/template/spec/containers/0/ports/0/containerPort',
          'http',
        ),
      ),
    ).toEqual([
      {
        source: 'test',
        object: 'Deployment/store-ingest',
        message: 'data/spec/template/spec/containers/0/ports/0/containerPort must be integer',
      },
    ]);
  });

  it('a KEDA trigger without its type, an alert with a malformed duration', () => {
    const trigger = validateModels(
      broken('ScaledObject', 'inventory-aggregator', '/spec/triggers/0/type', 7),
    );
    expect(trigger.map((p) => p.message)).toEqual(['data/spec/triggers/0/type must be string']);
    const rule = validateModels(
      broken('PrometheusRule', 'inventory-alerts', '/spec/groups/0/rules/0/for', '10 minutes'),
    );
    expect(rule.map((p) => p.message)).toEqual([
      'data/spec/groups/0/rules/0/for must match pattern "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"',
    ]);
  });

  it('a kind without a schema is a problem, not a pass', () => {
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(validateModels([{ source: 'test', resource: unknown }]).map((p) => p.message)).toEqual([
      'no schema for example.com/v1 Widget',
    ]);
  });
});

describe('the rendering (what kustomize build does for the features deploy/k8s uses)', () => {
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  };
  const config = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: "1"\n';

  it('refuses a field it does not render, instead of skipping it', () => {
    const dir = folder({ 'kustomization.yaml': 'resources: [a.yaml]\nnamePrefix: x-\n', 'a.yaml': config });
    expect(() => render(dir)).toThrow('fields not rendered here: namePrefix');
  });

  it('a patch of a path that does not exist fails, and one that matches nothing fails', () => {
    const missing = folder({
      'kustomization.yaml':
        'resources: [a.yaml]\npatches:\n  - target: {kind: ConfigMap}\n    patch: "- {op: replace, path: /data/y, value: 2}"\n',
      'a.yaml': config,
    });
    expect(() => render(missing)).toThrow('patch path /data/y: y does not exist');
    const none = folder({
      'kustomization.yaml':
        'resources: [a.yaml]\npatches:\n  - target: {kind: Secret}\n    patch: "- {op: remove, path: /data}"\n',
      'a.yaml': config,
    });
    expect(() => render(none)).toThrow('a patch matches no object');
  });

  it('sets the namespace, adds labels, appends with -', () => {
    const dir = folder({
      'kustomization.yaml':
        'namespace: ns\nlabels:\n  - pairs: {team: inventory}\nresources: [a.yaml]\npatches:\n  - target: {version: v1, kind: ConfigMap, name: a}\n    patch: "- {op: add, path: /data/z, value: \'3\'}"\n',
      'a.yaml': config,
    });
    expect(render(dir).map((r) => r.resource)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a', namespace: 'ns', labels: { team: 'inventory' } },
        data: { x: '1', z: '3' },
      },
    ]);
    expect(applyPatch({ list: [1, 2] }, [{ op: 'add', path: '/list/-', value: 3 }])).toEqual({
      list: [1, 2, 3],
    });
  });
});
