import { InventoryError } from '@inventory/core';

/**
 * Where an app's Redis is. `redis://` and `rediss://` name one server (ioredis parses them);
 * `redis-cluster://` and `rediss-cluster://` name a Redis Cluster by some of its nodes, comma
 * separated (`redis-cluster://user:password@10.0.0.1:6379,10.0.0.2:6379`): the client learns
 * the rest, and the slots, from them. One setting either way, so an app moves to a cluster
 * by its URL alone.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster';
      nodes: { host: string; port: number }[];
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    };

export function parseRedisTarget(url: string): RedisTarget {
  const scheme = /^([a-z-]+):\/\//.exec(url)?.[1];
  if (scheme === 'redis' || scheme === 'rediss') return { kind: 'single', url };
  if (scheme !== 'redis-cluster' && scheme !== 'rediss-cluster')
    throw new InventoryError(
      'CONFIG_INVALID',
      `a Redis URL starts with redis://, rediss://, redis-cluster:// or rediss-cluster://, not ${scheme ? `${scheme}://` : 'nothing of these'}`,
    );
  const rest = url.slice(scheme.length + 3).replace(/\/.*$/, '');
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? rest.slice(0, at) : '';
  const colon = credentials.indexOf(':');
  const decoded = (text: string) => (text === '' ? undefined : decodeURIComponent(text));
  const nodes = (at >= 0 ? rest.slice(at + 1) : rest).split(',').map((node) => {
    const match = /^([^:]+):(\d{1,5})$/.exec(node.trim());
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535)
      throw new InventoryError('CONFIG_INVALID', `a Redis Cluster node is host:port, not "${node}"`);
    return { host: match[1] as string, port };
  });
  return {
    kind: 'cluster',
    nodes,
    username: decoded(colon >= 0 ? credentials.slice(0, colon) : credentials),
    password: colon >= 0 ? decoded(credentials.slice(colon + 1)) : undefined,
    tls: scheme === 'rediss-cluster',
  };
}
