import { spawnSync } from 'node:child_process';
import { InventoryError, waitFor } from '@inventory/core';
import { Redis } from 'ioredis';
import { type Component, logFile, pidFile, type StackContext } from '../component.ts';
import { isAlive, readPid, stopDaemon } from '../proc.ts';
import { provisionAcl, startRedisServer } from './redis.ts';

/**
 * A real Redis Cluster beside the single Redis: three primaries and a replica each, six
 * redis-server processes with `cluster-enabled yes`, joined once by `redis-cli --cluster
 * create` (equal slot ranges) and re-forming by themselves from their nodes.conf after a
 * restart. Started only with INVENTORY_STACK_REDIS_CLUSTER=true; the apps and tests use it
 * through REDIS_CLUSTER_URL (a `redis-cluster://` URL).
 *
 * Node i listens on REDIS_CLUSTER_PORT + i, its cluster bus on REDIS_CLUSTER_PORT + 10 + i
 * (set explicitly: the default, port + 10000, would fall among the test apps' ports).
 */
export const clusterNodes = 6;

export const clusterPorts = (ctx: StackContext) =>
  Array.from({ length: clusterNodes }, (_, i) => ctx.settings.REDIS_CLUSTER_PORT + i);

const nodeName = (port: number) => `redis-cluster-${port}`;

/** The administrator's URL of the cluster (its `default` user, on every node). */
export function redisClusterUrl(ctx: StackContext): string {
  const seeds = clusterPorts(ctx)
    .slice(0, 3)
    .map((port) => `127.0.0.1:${port}`)
    .join(',');
  return `redis-cluster://:${encodeURIComponent(ctx.secrets.redisPassword)}@${seeds}`;
}

function nodeClient(ctx: StackContext, port: number): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    password: ctx.secrets.redisPassword,
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
}

async function onNode<T>(ctx: StackContext, port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = nodeClient(ctx, port);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** CLUSTER INFO of one node as a map (cluster_state, cluster_known_nodes, ...). */
const clusterInfo = (ctx: StackContext, port: number) =>
  onNode(ctx, port, async (client) => {
    const text = (await client.cluster('INFO')) as string;
    return new Map(text.split(/\r?\n/).map((line) => line.split(':', 2) as [string, string]));
  });

function startNode(ctx: StackContext, port: number, bus: number): void {
  startRedisServer(ctx, nodeName(port), port, [
    `cluster-port ${bus}`,
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    // A dead primary is failed over about two seconds after it stops answering.
    'cluster-node-timeout 2000',
    `masterauth ${ctx.secrets.redisPassword}`,
  ]);
}

export const redisCluster: Component = {
  name: 'redis-cluster',
  needs: [],
  role: 'read model as a Redis Cluster (3 primaries, 3 replicas)',
  async start(ctx) {
    for (const [i, port] of clusterPorts(ctx).entries()) {
      const pid = readPid(pidFile(ctx, nodeName(port)));
      if (pid === undefined || !isAlive(pid)) startNode(ctx, port, ctx.settings.REDIS_CLUSTER_PORT + 10 + i);
    }
  },
  async healthy(ctx) {
    const states = await Promise.all(
      clusterPorts(ctx).map((port) =>
        onNode(ctx, port, async (client) => (await client.ping()) === 'PONG').catch(() => false),
      ),
    );
    return states.every(Boolean);
  },
  /**
   * Gives every node the ACL users (a cluster does not share them: each node, replicas too,
   * since any may be promoted), then joins the nodes into one cluster the first time; later
   * `up`s find it formed.
   */
  async afterHealthy(ctx) {
    const ports = clusterPorts(ctx);
    for (const port of ports) await onNode(ctx, port, (client) => provisionAcl(ctx, client));
    const first = await clusterInfo(ctx, ports[0] as number);
    if (first.get('cluster_known_nodes') === '1' && first.get('cluster_slots_assigned') === '0') {
      const created = spawnSync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...ports.map((port) => `127.0.0.1:${port}`),
          '--cluster-replicas',
          '1',
          '--cluster-yes',
        ],
        // The password by environment, not argument: `ps` shows arguments.
        {
          encoding: 'utf8',
          env: { ...process.env, REDISCLI_AUTH: ctx.secrets.redisPassword },
          timeout: 60_000,
        },
      );
      if (created.status !== 0)
        throw new InventoryError(
          'STACK_START_FAILED',
          `redis-cli --cluster create failed: ${created.stderr || created.stdout}`,
        );
      ctx.say('redis-cluster: created (3 primaries, 3 replicas, slots in equal ranges)');
    }
    await waitFor(
      async () => {
        const infos = await Promise.all(ports.map((port) => clusterInfo(ctx, port).catch(() => undefined)));
        return infos.every(
          (info) =>
            info?.get('cluster_state') === 'ok' && info.get('cluster_known_nodes') === String(clusterNodes),
        );
      },
      {
        description: 'every cluster node to see all six and the cluster state ok',
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
  },
  async stop(ctx) {
    const outcomes = await Promise.all(
      clusterPorts(ctx).map((port) => stopDaemon(pidFile(ctx, nodeName(port)), 'SIGTERM', 15_000)),
    );
    return outcomes.includes('killed') ? 'killed' : outcomes.includes('stopped') ? 'stopped' : 'not-running';
  },
  logs(ctx) {
    return clusterPorts(ctx).map((port) => logFile(ctx, nodeName(port)));
  },
  /** The first node's pid while every node runs; none when one is down, so `up` starts it again. */
  pid(ctx) {
    const pids = clusterPorts(ctx).map((port) => readPid(pidFile(ctx, nodeName(port))));
    return pids.every((pid) => pid !== undefined && isAlive(pid)) ? pids[0] : undefined;
  },
  endpoint: (ctx) => `redis-cluster://127.0.0.1:${clusterPorts(ctx).join(',')}`,
  /** The ports of the nodes that are down (a running node keeps its own), a node's and its bus'. */
  ports: (ctx) =>
    clusterPorts(ctx).flatMap((port, i) => {
      const pid = readPid(pidFile(ctx, nodeName(port)));
      if (pid !== undefined && isAlive(pid)) return [];
      return [
        { port, setting: `REDIS_CLUSTER_PORT (+${i})` },
        {
          port: ctx.settings.REDIS_CLUSTER_PORT + 10 + i,
          setting: `REDIS_CLUSTER_PORT (+${10 + i}, cluster bus)`,
        },
      ];
    }),
};
