import { bearerToken, hashToken, RateLimiter } from '@inventory/core';
import { describe, expect, it } from 'vitest';
import { forbiddenLocations, parseTokenFile, TokenStore } from './tokens.ts';

describe('tokens', () => {
  const store = new TokenStore([
    { clientId: 'store-001', tokenSha256: hashToken('secret-1'), locationIds: ['STORE-001'] },
  ]);

  it('knows a client by its token and stores only the hash', () => {
    expect(store.authenticate('secret-1')).toEqual({ clientId: 'store-001', locationIds: ['STORE-001'] });
    expect(store.authenticate('secret-2')).toBeUndefined();
    expect(hashToken('secret-1')).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rotates a client's token without a gap: both are valid while the file lists both", () => {
    const entry = (token: string) => ({
      clientId: 'store-001-tills',
      tokenSha256: hashToken(token),
      locationIds: ['STORE-001'],
    });
    const during = new TokenStore(
      parseTokenFile({ clients: [entry('till-old'), entry('till-new')] }, 'f.json'),
    );
    const client = { clientId: 'store-001-tills', locationIds: ['STORE-001'] };
    expect(during.authenticate('till-old')).toEqual(client);
    expect(during.authenticate('till-new')).toEqual(client);
    const after = new TokenStore(parseTokenFile({ clients: [entry('till-new')] }, 'f.json'));
    expect(after.authenticate('till-old')).toBeUndefined();
    expect(after.authenticate('till-new')).toEqual(client);
  });

  it('names the events of locations a client may not write', () => {
    expect(forbiddenLocations({ clientId: 'c', locationIds: ['A'] }, ['A', 'B', 'A', 'C'])).toEqual([1, 3]);
    expect(forbiddenLocations({ clientId: 'hq', locationIds: ['*'] }, ['A', 'B'])).toEqual([]);
  });

  it('reads only well-formed bearer headers', () => {
    expect(bearerToken('Bearer abc.DEF-123')).toBe('abc.DEF-123');
    expect(bearerToken('bearer abc')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('refuses a malformed token file naming the entry', () => {
    expect(() =>
      parseTokenFile({ clients: [{ clientId: 'x', tokenSha256: 'plain-token', locationIds: [] }] }, 'f.json'),
    ).toThrow(/clients\[0\]/);
    expect(() => parseTokenFile([], 'f.json')).toThrow(/expected \{"clients"/);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds to wait, then refills', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
    now += 500;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
  });
});

describe('RateLimiter by cost (events per second)', () => {
  it('a batch costs one token per event; a refused batch costs nothing and is told when it fits', () => {
    let now = 0;
    const limiter = new RateLimiter(100, 1_000, () => now);
    expect(limiter.take('store-1', 1_000)).toBe(0);
    // Empty bucket: 1 event waits 1 s (at least one second is answered), 250 wait 3 s.
    expect([limiter.take('store-1', 1), limiter.take('store-1', 250)]).toEqual([1, 3]);
    now += 2_000;
    // 200 refilled, the refused takes spent nothing.
    expect([limiter.take('store-1', 201), limiter.take('store-1', 200)]).toEqual([1, 0]);
    expect(limiter.take('store-2', 1_000)).toBe(0);
  });
});
