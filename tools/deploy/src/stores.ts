import { objects } from './apps.ts';
import { appLabels, type Manifest } from './manifest.ts';

/**
 * Redis as one StatefulSet primary with its append-only file on a persistent volume. Not
 * cluster mode: every app opens one connection to one endpoint (`new Redis(url)`), which a
 * Redis Cluster would answer with MOVED; and not an operator's resource, which adds a
 * controller for what is, here, a rebuildable cache: the aggregator restores the read model
 * from the compacted topics after a loss (fenced, docs/ARCHITECTURE.md), so an outage costs
 * the restore's time, not data. Keys are already hash-tagged per partition, so moving to a
 * cluster is a change of the clients alone (deploy/k8s/README.md, "Sizing").
 */
export const redisImage = 'redis:7.4.2-bookworm';
export const postgresImage = 'postgres:17.6-bookworm';

/**
 * A single primary: a StatefulSet of one pod running `container` as uid 999 (the images' own
 * user) on a volume `data` of `size`, and its Service on the container's one port.
 */
function singlePrimary(
  name: string,
  container: Record<string, unknown> & { ports: { containerPort: number }[] },
  size: string,
  volumes: unknown[] = [],
): Manifest[] {
  const labels = appLabels(name, 'store');
  const port = container.ports[0]?.containerPort as number;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, labels },
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 999,
              runAsGroup: 999,
              fsGroup: 999,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name,
                ...container,
                ports: [{ name, containerPort: port }],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
            ...(volumes.length > 0 ? { volumes } : {}),
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels },
      spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name, port, targetPort: name }] },
    },
  ];
}

export function redis(): Manifest[] {
  const password = { secretKeyRef: { name: objects.redis, key: 'password' } };
  return singlePrimary(
    'redis',
    {
      image: redisImage,
      command: ['redis-server'],
      // noeviction: the read model is state, never to be dropped to make room; a full
      // Redis refuses writes (the aggregator retries and alerts) instead.
      args: [
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--maxmemory',
        '6gb',
        '--maxmemory-policy',
        'noeviction',
        '--dir',
        '/data',
        '--requirepass',
        '$(REDIS_PASSWORD)',
      ],
      env: [
        { name: 'REDIS_PASSWORD', valueFrom: password },
        { name: 'REDISCLI_AUTH', valueFrom: password },
      ],
      ports: [{ containerPort: 6379 }],
      readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 5, timeoutSeconds: 3 },
      livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10 },
      // deploy/k8s/README.md, "Sizing": about 6 GB of read model for 5 M events a day.
      resources: { requests: { cpu: '500m', memory: '8Gi' }, limits: { memory: '8Gi' } },
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    },
    '20Gi',
  );
}

/**
 * PostgreSQL as one StatefulSet primary: the ERP delivery's sold quantities (with their
 * offsets, exactly once) and the reconciliation's job rows, lease and audit. Two small
 * schemas that the apps create themselves; a managed PostgreSQL or a CloudNativePG cluster
 * can replace it by changing the URLs in the Secret alone.
 */
export function postgres(): Manifest[] {
  return singlePrimary(
    'postgres',
    {
      image: postgresImage,
      env: [
        { name: 'POSTGRES_DB', value: 'inventory' },
        {
          name: 'POSTGRES_PASSWORD',
          valueFrom: { secretKeyRef: { name: objects.postgres, key: 'password' } },
        },
        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      ],
      ports: [{ containerPort: 5432 }],
      readinessProbe: {
        exec: { command: ['pg_isready', '-U', 'postgres', '-d', 'inventory'] },
        periodSeconds: 5,
        timeoutSeconds: 3,
      },
      livenessProbe: { tcpSocket: { port: 'postgres' }, periodSeconds: 10 },
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
      volumeMounts: [
        { name: 'data', mountPath: '/var/lib/postgresql/data' },
        { name: 'run', mountPath: '/var/run/postgresql' },
      ],
    },
    '50Gi',
    [{ name: 'run', emptyDir: {} }],
  );
}
