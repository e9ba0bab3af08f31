import { describe, expect, it } from 'vitest';
import { aclRules, adminAclRules, globLiteral, redisAclUser, redisAclUsers } from './acl.ts';
import { KeyLayout } from './keys.ts';

/** Redis' glob (stringmatchlen) for the patterns used here: `*`, `?` and backslash escapes. */
function globMatches(pattern: string, key: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') source += (pattern[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(key);
}

const keys = new KeyLayout('inv', 12);
const partitionKeys = Array.from({ length: 12 }, (_, p) => [
  keys.offset(p),
  keys.sku(p, 'SKU-1'),
  keys.journal(p, 'SKU-1'),
  keys.seen(p, 20_000, 3),
  keys.seenShards(p),
  keys.seenCount(p),
  keys.restore(p),
  keys.outbox(p),
  keys.assortment(p, 'S-1'),
  keys.commandOffset(p),
  keys.clock(p),
  keys.reservation(p, 'r-1'),
  keys.expiry(p),
  keys.peerSku(p, 'dc2', 'SKU-1'),
  keys.peerOffsets(p),
]).flat();
const everyKey = [
  ...partitionKeys,
  keys.reservationSku('r-1'),
  keys.reservationHome('r-1'),
  keys.discontinued(),
  keys.peerClock(),
];

const writable = (user: Parameters<typeof redisAclUser>[1]) =>
  everyKey.filter((key) => redisAclUser('inv', user).readWrite.some((pattern) => globMatches(pattern, key)));
const readable = (user: Parameters<typeof redisAclUser>[1]) =>
  everyKey.filter((key) => {
    const { readWrite, readOnly } = redisAclUser('inv', user);
    return [...readWrite, ...readOnly].some((pattern) => globMatches(pattern, key));
  });

describe('Redis ACL users', () => {
  it('lets each app write exactly the keys keys.ts names it the writer of', () => {
    expect(writable('inventory-aggregator')).toEqual([
      ...partitionKeys,
      'inv:reservation-sku:r-1',
      'inv:peer-clock',
    ]);
    expect(writable('inventory-query-api')).toEqual(['inv:reservation-sku:r-1', 'inv:reservation-home:r-1']);
    expect(writable('stock-reconciliation')).toEqual(['inv:discontinued']);
  });

  it('lets the readers read only what they answer from', () => {
    const ofPartition0 = (key: string) => key.startsWith(`inv:${keys.tag(0)}:`);
    expect(readable('inventory-query-api').filter((k) => ofPartition0(k) || !k.includes('{'))).toEqual([
      keys.sku(0, 'SKU-1'),
      keys.assortment(0, 'S-1'),
      keys.reservation(0, 'r-1'),
      keys.peerSku(0, 'dc2', 'SKU-1'),
      'inv:reservation-sku:r-1',
      'inv:reservation-home:r-1',
      'inv:discontinued',
      'inv:peer-clock',
    ]);
    expect(readable('stock-reconciliation').filter((k) => ofPartition0(k) || !k.includes('{'))).toEqual([
      keys.sku(0, 'SKU-1'),
      keys.journal(0, 'SKU-1'),
      'inv:discontinued',
    ]);
    expect(readable('inventory-aggregator')).not.toContain('inv:discontinued');
  });

  it("matches no other deployment's keys, whatever characters its prefix holds", () => {
    expect(globLiteral('a*b?[c]\\')).toBe('a\\*b\\?\\[c\\]\\\\');
    const [aggregator] = redisAclUsers('t*');
    expect(aggregator?.readWrite.some((p) => globMatches(p, new KeyLayout('t-other', 3).offset(0)))).toBe(
      false,
    );
    expect(aggregator?.readWrite.some((p) => globMatches(p, new KeyLayout('t*', 3).offset(0)))).toBe(true);
  });

  it('renders rules that give the same user however often they are applied', () => {
    const hash = 'ab'.repeat(32);
    expect(aclRules(redisAclUser('inv', 'stock-reconciliation'), { sha256: hash })).toEqual([
      'reset',
      'on',
      `#${hash}`,
      '~inv:discontinued',
      '%R~inv:{p*}:sku:*',
      '%R~inv:{p*}:jrn:*',
      'resetchannels',
      '-@all',
      '+ping',
      '+info',
      '+cluster|slots',
      '+cluster|info',
      '+client|setname',
      '+get',
      '+hget',
      '+hmget',
      '+hgetall',
      '+llen',
      '+zrangebylex',
      '+hset',
      '+hdel',
    ]);
    expect(adminAclRules({ sha256: hash })).toEqual(['reset', 'on', `#${hash}`, '~*', '&*', '+@all']);
    expect(aclRules(redisAclUser('inv', 'inventory-query-api'), { text: '$(PW)' }).slice(0, 4)).toEqual([
      'reset',
      'on',
      '>$(PW)',
      '~inv:reservation-sku:*',
    ]);
  });
});
