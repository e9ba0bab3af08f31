import { aclRules, adminAclRules, defaultRedisPrefix, redisAclUsers } from '@inventory/read-model';
import { objects } from './apps.ts';
import { appLabels, type Manifest } from './manifest.ts';

/**
 * Redis as a Redis Cluster of three primaries and a replica each: six pods of one StatefulSet
 * with their append-only files on persistent volumes, announced by their stable hostnames
 * (`redis-<n>.redis`, not pod IPs, which change on restart), joined once by a Job. The apps
 * are cluster clients (a `redis-cluster://` URL in the `redis-auth` Secret); every multi-key
 * step stays in one slot by the partition hash tags, which spread the partitions evenly over
 * the primaries (packages/read-model/src/slots.ts). Not an operator's resource: the read
 * model is rebuildable from the compacted topics (fenced, docs/ARCHITECTURE.md), so what a
 * controller would add (backups, failover orchestration) Redis Cluster's own failover and
 * the restore already cover.
 */
export const redisImage = 'redis:7.4.2-bookworm';
export const postgresImage = 'postgres:17.6-bookworm';

/**
 * A store's StatefulSet: `replicas` pods running `container` as uid 999 (the images' own
 * user), each on a volume `data` of `size`, and its Service on the container's one port
 * (headless for a cluster, whose clients address each pod).
 */
function statefulStore(
  name: string,
  container: Record<string, unknown> & { ports: { containerPort: number }[] },
  size: string,
  { volumes = [], replicas = 1 }: { volumes?: unknown[]; replicas?: number } = {},
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
        replicas,
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
      spec: {
        selector: { 'app.kubernetes.io/name': name },
        ports: [{ name, port, targetPort: name }],
        // A cluster's pods find each other by their own names before they are ready.
        ...(replicas > 1 ? { clusterIP: 'None', publishNotReadyAddresses: true } : {}),
      },
    },
  ];
}

/** Three primaries and a replica each. */
export const redisNodes = 6;

/** The environment variable of the redis container holding an app user's password. */
const passwordVariable = (user: string) => `REDIS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;

/**
 * redis-server's arguments: the cluster, persistence and memory, and its ACL users from the
 * read model's table (read-model acl.ts) for the apps' prefix: `default` the administrator
 * (the `password` key of the redis-auth Secret, which replicas and redis-cli use), each app
 * its own user with the `<app>-password` key. Kubernetes puts the passwords in from the
 * container's environment (`$(VAR)`).
 */
export function redisArgs(): string[] {
  return [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    '/data/nodes.conf',
    '--cluster-node-timeout',
    '5000',
    '--cluster-announce-hostname',
    '$(POD_NAME).redis',
    '--cluster-preferred-endpoint-type',
    'hostname',
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
    '--masterauth',
    '$(REDIS_PASSWORD)',
    '--user',
    'default',
    ...adminAclRules({ text: '$(REDIS_PASSWORD)' }),
    ...redisAclUsers(defaultRedisPrefix).flatMap((user) => [
      '--user',
      user.user,
      ...aclRules(user, { text: `$(${passwordVariable(user.user)})` }),
    ]),
  ];
}

export function redis(): Manifest[] {
  const password = { secretKeyRef: { name: objects.redis, key: 'password' } };
  const nodes = Array.from({ length: redisNodes }, (_, i) => `redis-${i}.redis:6379`);
  return [
    ...statefulStore(
      'redis',
      {
        image: redisImage,
        command: ['redis-server'],
        // noeviction: the read model is state, never to be dropped to make room; a full
        // Redis refuses writes (the aggregator retries and alerts) instead.
        args: redisArgs(),
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'REDIS_PASSWORD', valueFrom: password },
          ...redisAclUsers(defaultRedisPrefix).map(({ user }) => ({
            name: passwordVariable(user),
            valueFrom: { secretKeyRef: { name: objects.redis, key: `${user}-password` } },
          })),
          { name: 'REDISCLI_AUTH', valueFrom: password },
        ],
        ports: [{ containerPort: 6379 }],
        readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 5, timeoutSeconds: 3 },
        livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10 },
        // deploy/k8s/README.md, "Sizing": about 6 GB of read model per primary.
        resources: { requests: { cpu: '500m', memory: '8Gi' }, limits: { memory: '8Gi' } },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      '20Gi',
      { replicas: redisNodes },
    ),
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'redis', labels: appLabels('redis', 'store') },
      // One node down at a time: its replica (or primary) carries its slots meanwhile.
      spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } } },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'redis-cluster-create', labels: appLabels('redis', 'store') },
      spec: {
        backoffLimit: 20,
        template: {
          metadata: { labels: appLabels('redis', 'store') },
          spec: {
            restartPolicy: 'OnFailure',
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 999,
              runAsGroup: 999,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'create',
                image: redisImage,
                // Once: a cluster that knows more than one node is left as it is.
                command: [
                  'sh',
                  '-c',
                  [
                    'set -e',
                    `for n in ${nodes.join(' ')}; do until redis-cli -h "\${n%:*}" ping; do sleep 2; done; done`,
                    "known=$(redis-cli -h redis-0.redis cluster info | tr -d '\\r' | sed -n 's/^cluster_known_nodes://p')",
                    'if [ "$known" != 1 ]; then echo "cluster formed ($known nodes)"; exit 0; fi',
                    `redis-cli --cluster create ${nodes.join(' ')} --cluster-replicas 1 --cluster-yes`,
                  ].join('\n'),
                ],
                env: [{ name: 'REDISCLI_AUTH', valueFrom: password }],
                resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
  ];
}

/**
 * PostgreSQL as one StatefulSet primary: the ERP delivery's sold quantities (with their
 * offsets, exactly once) and the reconciliation's job rows, lease and audit. Two small
 * schemas that the apps create themselves; a managed PostgreSQL or a CloudNativePG cluster
 * can replace it by changing the URLs in the Secret alone.
 */
export function postgres(): Manifest[] {
  return statefulStore(
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
    { volumes: [{ name: 'run', emptyDir: {} }] },
  );
}
