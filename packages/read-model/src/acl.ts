/**
 * Redis ACL users of the read model, one per app, each allowed the keys of keys.ts it owns
 * (read and write) or reads, and the commands it sends, nothing else. Defined here, beside the
 * key layout it follows, and rendered into `ACL SETUSER` rules by the local stack (on every
 * `up`, on every node of a cluster) and into the Redis StatefulSet of deploy/k8s; tests build
 * clients as any of these users for their own prefix (testkit's testRedisUrlAs).
 *
 * `default` stays the administrator (every key and command, with the admin password and never
 * without one): tools, benchmarks (OBJECT, MEMORY), tests' checks and clean-ups (SCAN, DEL),
 * `redis-cli --cluster` and a replica's sync (masterauth) use it. No app connects as it.
 */
export const redisAppUsers = ['inventory-aggregator', 'inventory-query-api', 'stock-reconciliation'] as const;
export type RedisAppUser = (typeof redisAppUsers)[number];

export interface RedisAclUser {
  user: RedisAppUser;
  /** Key patterns it reads and writes (`~`). */
  readWrite: string[];
  /** Key patterns it only reads (`%R~`). */
  readOnly: string[];
  /** Commands it may run (lower case; `cluster|slots` is one subcommand), on those keys only. */
  commands: string[];
  why: string;
}

/**
 * What every app's client sends besides its own commands: PING (readiness), INFO (ioredis'
 * ready check waits for a server still loading its AOF; refused, it is skipped with a warning),
 * CLUSTER SLOTS and CLUSTER INFO (a cluster client learns the slots and checks the cluster's
 * state), CLIENT SETNAME (a cluster client names its slot-refresh connections). AUTH and HELLO
 * are always allowed; CLIENT SETINFO is not sent (redisOf turns it off: Redis before 7.2 does
 * not know it, so no rule could name it everywhere).
 */
export const clientCommands = ['ping', 'info', 'cluster|slots', 'cluster|info', 'client|setname'];

/** What ReadModelReader sends (reader.ts): the query API and the reconciliation read through it. */
export const readerCommands = ['get', 'hget', 'hmget', 'hgetall', 'llen', 'zrangebylex'];

/**
 * The aggregator's commands: the reader's, its store's own reads and writes (redis-store.ts,
 * restore.ts), WAIT (a step deciding reservations waits for a replica), and its Lua scripts
 * (store/apply.lua.ts: EVALSHA, and EVAL when the server does not know the script yet), whose
 * every `redis.call` is checked against the same list and the same keys
 * (apps/inventory-aggregator/src/store/acl.test.ts keeps the two in step).
 */
const aggregatorCommands = [
  ...readerCommands,
  'mget',
  'exists',
  'lrange',
  'zrangebyscore',
  'set',
  'lrem',
  'wait',
  'evalsha',
  'eval',
  // Called by the scripts only.
  'del',
  'hset',
  'hsetnx',
  'hdel',
  'hincrby',
  'hkeys',
  'rpush',
  'zadd',
  'zrem',
  'expireat',
  'pexpire',
];

/** Escapes Redis glob characters of a prefix, so `*`, `?`, `[` or `\` in it match only themselves. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** The users of a deployment whose keys start with `prefix` (REDIS_PREFIX, the same in every app). */
export function redisAclUsers(prefix: string): RedisAclUser[] {
  const p = globLiteral(prefix);
  // Every key of a partition: `<prefix>:{p<n>.<k>}:...` (keys.ts).
  const partitionKeys = `${p}:{p*}:*`;
  const reservationSku = `${p}:reservation-sku:*`;
  return [
    {
      user: 'inventory-aggregator',
      readWrite: [partitionKeys, reservationSku, `${p}:peer-clock`],
      readOnly: [],
      commands: [...clientCommands, ...aggregatorCommands],
      why: "folds events and decides reservations into every partition's keys; its restore puts back reservation-sku; keeps the other data centres' copies and their heartbeat clock",
    },
    {
      user: 'inventory-query-api',
      readWrite: [reservationSku, `${p}:reservation-home:*`],
      readOnly: [
        `${p}:{p*}:sku:*`,
        `${p}:{p*}:loc:*`,
        `${p}:{p*}:res:*`,
        `${p}:{p*}:peer:*`,
        `${p}:peer-clock`,
        `${p}:discontinued`,
      ],
      // EVALSHA/EVAL: the compare-and-set of reservation-home (query API reservations/home.lua.ts: GET, SET).
      commands: [...clientCommands, ...readerCommands, 'set', 'evalsha', 'eval'],
      why: "reads availability (the other data centres' copies and their clock too), assortments and reservations; claims a reservationId for its sku (SET NX) and notes the data centre deciding it",
    },
    {
      user: 'stock-reconciliation',
      readWrite: [`${p}:discontinued`],
      readOnly: [`${p}:{p*}:sku:*`, `${p}:{p*}:jrn:*`],
      commands: [...clientCommands, ...readerCommands, 'hset', 'hdel'],
      why: "compares the ERP's snapshot with the locations' states and journals; keeps the discontinued skus",
    },
  ];
}

export function redisAclUser(prefix: string, user: RedisAppUser): RedisAclUser {
  return redisAclUsers(prefix).find((u) => u.user === user) as RedisAclUser;
}

/**
 * A user's password in its rules: the hex SHA-256 of it (`#<hash>`, so that the rules never
 * hold the password itself), or the text (`><password>`) where only the text is at hand (a
 * Kubernetes Secret given to redis-server's arguments).
 */
export type AclPassword = { sha256: string } | { text: string };

const passwordRule = (password: AclPassword) =>
  'sha256' in password ? `#${password.sha256}` : `>${password.text}`;

/**
 * The rules of one user as `ACL SETUSER <user> <rules...>` takes them (and an aclfile's or a
 * config's `user <user> <rules...>` line): `reset` first, so that applying them again gives
 * exactly the same user whatever it was before.
 */
export function aclRules(user: RedisAclUser, password: AclPassword): string[] {
  return [
    'reset',
    'on',
    passwordRule(password),
    ...user.readWrite.map((pattern) => `~${pattern}`),
    ...user.readOnly.map((pattern) => `%R~${pattern}`),
    'resetchannels',
    '-@all',
    ...user.commands.map((command) => `+${command}`),
  ];
}

/** The administrator's rules: every key, channel and command, with its password only. */
export function adminAclRules(password: AclPassword): string[] {
  return ['reset', 'on', passwordRule(password), '~*', '&*', '+@all'];
}
