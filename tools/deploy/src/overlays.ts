import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { singleBrokerDurability } from '@inventory/kafka';
import { repoRoot } from '@inventory/local-stack';
import { apps, objects } from './apps.ts';
import type { Manifest } from './manifest.ts';
import { redisArgs } from './stores.ts';
import {
  cluster,
  connectCluster,
  connectImage,
  type DataCentre,
  mirrorListenerOf,
  mirrorMaker,
  mirrorUsers,
  peerMounts,
  peerQueryApiSecret,
  peerQueryApiUsers,
  peersFileOf,
  remoteCaSecret,
} from './strimzi.ts';
import { imageName } from './workloads.ts';

export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** A Kustomize JSON 6902 patch: the objects it applies to, and its operations. */
export interface Patch {
  target: { group?: string; version?: string; kind: string; name?: string };
  operations: JsonPatchOperation[];
}

export interface Overlay {
  /** Its folder under deploy/k8s/overlays. */
  dir: string;
  namespace: string;
  /** Registry the images are pushed to (the apps', and Connect's built by Strimzi). */
  registry: string;
  tag: string;
  /** Files of its own, next to its kustomization. */
  files: Record<string, { manifests: Manifest[]; comment: string }>;
  patches: Patch[];
  comment: string;
}

/** The images' tag: the platform's version (every app has the same). */
export const imageTag = (
  JSON.parse(readFileSync(join(repoRoot, 'apps/store-ingest/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/**
 * The retailer's domain: the data centres' mirror listeners and the ERP are named under it.
 * `.example` is reserved for examples: a deployment sets its own here and regenerates.
 */
export const domain = 'retail.example';

export const dataCentres: DataCentre[] = ['dc1', 'dc2', 'dc3'].map((name) => ({
  name,
  mirrorBootstrap: `kafka-mirror.${name}.${domain}`,
}));

const strimzi = (kind: string, name?: string) => ({
  group: 'kafka.strimzi.io',
  version: 'v1',
  kind,
  ...(name ? { name } : {}),
});

const connectImageIn = (registry: string): Patch => ({
  target: strimzi('KafkaConnect', connectCluster),
  operations: [{ op: 'replace', path: '/spec/build/output/image', value: `${registry}/${connectImage}` }],
});

/** The site's settings the apps read: where the ERP is, which environment alerts name. */
function siteConfig(environment: string, erpUrl: string, supplierApiUrl: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: objects.site },
    data: { environment, 'erp-url': erpUrl, 'supplier-api-url': supplierApiUrl },
  };
}

const seed = (file: string) => readFileSync(join(repoRoot, 'deploy/local/seed', file), 'utf8');

/**
 * `local`: one small cluster (kind, minikube, a laptop): one Kafka node of each role, one
 * replica of every topic and app, the demo master data of deploy/local/seed.
 */
function local(): Overlay {
  const registry = 'localhost:5001';
  return {
    dir: 'local',
    namespace: 'inventory',
    registry,
    tag: imageTag,
    comment: 'A small single-node cluster: one replica of everything, the demo master data.',
    files: {
      'site.yaml': {
        comment:
          'The local site: the ERP simulator (npm run erp-sim) on the host of a minikube cluster, and the demo master data.',
        manifests: [
          siteConfig('local', 'http://host.minikube.internal:19160', 'http://host.minikube.internal:19160'),
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: objects.plants },
            data: { 'sap-plants.json': seed('sap-plants.json') },
          },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: objects.suppliers },
            data: { 'suppliers.json': seed('suppliers.json') },
          },
        ],
      },
    },
    patches: [
      {
        target: strimzi('Kafka', cluster),
        operations: [
          ['default.replication.factor', singleBrokerDurability.replicationFactor],
          ['min.insync.replicas', singleBrokerDurability.minInSyncReplicas],
          ['offsets.topic.replication.factor', singleBrokerDurability.replicationFactor],
          ['transaction.state.log.replication.factor', singleBrokerDurability.replicationFactor],
          ['transaction.state.log.min.isr', singleBrokerDurability.minInSyncReplicas],
        ].map(([key, value]) => ({ op: 'replace' as const, path: `/spec/kafka/config/${key}`, value })),
      },
      {
        target: strimzi('KafkaNodePool'),
        operations: [
          { op: 'replace', path: '/spec/replicas', value: 1 },
          { op: 'replace', path: '/spec/storage/volumes/0/size', value: '10Gi' },
          {
            op: 'replace',
            path: '/spec/resources',
            value: { requests: { cpu: '250m', memory: '2Gi' }, limits: { memory: '2Gi' } },
          },
        ],
      },
      // One broker overrides the catalog's durability explicitly (packages/kafka catalog.ts).
      {
        target: strimzi('KafkaTopic'),
        operations: [
          { op: 'replace', path: '/spec/replicas', value: singleBrokerDurability.replicationFactor },
          {
            op: 'replace',
            path: '/spec/config/min.insync.replicas',
            value: String(singleBrokerDurability.minInSyncReplicas),
          },
        ],
      },
      { target: strimzi('KafkaConnect'), operations: [{ op: 'replace', path: '/spec/replicas', value: 1 }] },
      connectImageIn(registry),
      {
        target: { group: 'keda.sh', version: 'v1alpha1', kind: 'ScaledObject' },
        operations: [{ op: 'replace', path: '/spec/minReplicaCount', value: 1 }],
      },
      {
        target: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
        operations: [{ op: 'replace', path: '/spec/minReplicas', value: 1 }],
      },
      {
        target: { group: 'apps', version: 'v1', kind: 'StatefulSet' },
        operations: [
          {
            op: 'replace',
            path: '/spec/volumeClaimTemplates/0/spec/resources/requests/storage',
            value: '2Gi',
          },
        ],
      },
      {
        target: { group: 'apps', version: 'v1', kind: 'StatefulSet', name: 'redis' },
        operations: [
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/resources',
            value: { requests: { cpu: '100m', memory: '1Gi' }, limits: { memory: '1Gi' } },
          },
          {
            op: 'replace',
            path: `/spec/template/spec/containers/0/args/${redisArgs().indexOf('--maxmemory') + 1}`,
            value: '768mb',
          },
        ],
      },
      {
        target: { group: 'apps', version: 'v1', kind: 'Deployment' },
        operations: [
          { op: 'replace', path: '/spec/template/spec/containers/0/resources/requests/cpu', value: '100m' },
        ],
      },
    ],
  };
}

/**
 * `production/<dc>`: one data centre of three, each its own Kubernetes cluster with its own
 * Kafka; its mirror listener for the other two, and its MirrorMaker 2 pulling their state.
 */
function dataCentre(dc: DataCentre): Overlay {
  const registry = `registry.${domain}`;
  const others = dataCentres.filter((other) => other.name !== dc.name);
  return {
    dir: `production/${dc.name}`,
    namespace: 'inventory',
    registry,
    tag: imageTag,
    comment: `Data centre ${dc.name}: the base (sized for production) with its mirror listener and MirrorMaker 2.`,
    files: {
      'site.yaml': {
        comment: `The site of ${dc.name}: the retailer's ERP and supplier API, the environment alerts name.`,
        manifests: [siteConfig(dc.name, `https://erp.${domain}/api`, `https://suppliers.${domain}/api`)],
      },
      'mirror.yaml': {
        comment: `MirrorMaker 2 in ${dc.name}, pulling ${others.map((o) => o.name).join(' and ')}'s compacted state and master data into <dc>.<topic>; the users it and the other data centres' mirrors connect with.`,
        manifests: [mirrorMaker(dc, others), ...mirrorUsers(others)],
      },
      'peers.yaml': {
        comment: `Reservations across data centres: the users ${others.map((o) => o.name).join(' and ')}'s query APIs send ${dc.name}'s reservations here with, and how ${dc.name}'s query API reaches theirs (QUERY_PEERS_FILE).`,
        manifests: [
          ...peerQueryApiUsers(others),
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: peersConfigMap },
            data: { 'peers.json': peersFileOf(dc, others) },
          },
        ],
      },
    },
    patches: [
      {
        target: strimzi('Kafka', cluster),
        operations: [{ op: 'add', path: '/spec/kafka/listeners/-', value: mirrorListenerOf(dc) }],
      },
      connectImageIn(registry),
      ...networkSettings(
        dc.name,
        others.map((o) => o.name),
      ),
      peerConnections(dc, others),
    ],
  };
}

const peersConfigMap = 'inventory-query-api-peers';

/**
 * The query API's way to the other data centres' Kafka: the peers file, and for each other
 * data centre its cluster CA and the password of this data centre's user there, copied into
 * this cluster as `<dc>-cluster-ca-cert` and `<dc>-inventory-query-api-<this dc>`.
 */
function peerConnections(dc: DataCentre, others: DataCentre[]): Patch {
  const volumes = [
    {
      name: 'peers',
      configMap: { name: peersConfigMap, items: [{ key: 'peers.json', path: 'peers.json' }] },
    },
    ...others.flatMap((other) => [
      {
        name: `peer-${other.name}-ca`,
        secret: { secretName: remoteCaSecret(other.name), items: [{ key: 'ca.crt', path: 'ca.crt' }] },
      },
      {
        name: `peer-${other.name}-user`,
        secret: {
          secretName: peerQueryApiSecret(other.name, dc.name),
          items: [{ key: 'password', path: 'password' }],
        },
      },
    ]),
  ];
  const mounts = [
    {
      name: 'peers',
      mountPath: peerMounts.peersFile.slice(0, peerMounts.peersFile.lastIndexOf('/')),
      readOnly: true,
    },
    ...others.flatMap((other) => [
      { name: `peer-${other.name}-ca`, mountPath: peerMounts.ca(other.name), readOnly: true },
      { name: `peer-${other.name}-user`, mountPath: peerMounts.password(other.name), readOnly: true },
    ]),
  ];
  return {
    target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'inventory-query-api' },
    operations: [
      ...volumes.map((value) => ({ op: 'add' as const, path: '/spec/template/spec/volumes/-', value })),
      ...mounts.map((value) => ({
        op: 'add' as const,
        path: '/spec/template/spec/containers/0/volumeMounts/-',
        value,
      })),
    ],
  };
}

/**
 * The data centre's name and its peers in the settings of the apps that keep and answer the
 * network view: the aggregator keeps the peers' copies, the query API answers over all; and
 * the name in the lake sink's, whose files say which data centre wrote them.
 */
function networkSettings(dc: string, peers: string[]): Overlay['patches'] {
  return [
    ...[
      ['inventory-aggregator', 'AGG'],
      ['inventory-query-api', 'QUERY'],
    ].map(([app, prefix]) => ({
      target: { version: 'v1', kind: 'ConfigMap', name: `${app}-settings` },
      operations: [
        { op: 'add' as const, path: `/data/${prefix}_DATA_CENTRE`, value: dc },
        { op: 'add' as const, path: `/data/${prefix}_PEER_DATA_CENTRES`, value: peers.join(',') },
        ...(prefix === 'QUERY'
          ? [{ op: 'add' as const, path: '/data/QUERY_PEERS_FILE', value: peerMounts.peersFile }]
          : []),
      ],
    })),
    {
      target: { version: 'v1', kind: 'ConfigMap', name: 'lake-sink-settings' },
      operations: [{ op: 'add' as const, path: '/data/LAKE_DATA_CENTRE', value: dc }],
    },
  ];
}

export function overlays(): Overlay[] {
  return [local(), ...dataCentres.map(dataCentre)];
}

/** Kustomize's image rewrite of every app: the overlay's registry and the platform's version. */
export function imagesOf(overlay: Overlay) {
  return apps.map((app) => ({
    name: imageName(app),
    newName: `${overlay.registry}/${imageName(app)}`,
    newTag: overlay.tag,
  }));
}
