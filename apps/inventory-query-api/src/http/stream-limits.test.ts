import { ApiError } from '@inventory/service';
import { describe, expect, it } from 'vitest';
import { StreamLimits } from './availability.ts';

const refusal = (take: () => unknown) => {
  try {
    take();
  } catch (error) {
    const e = error as ApiError;
    return [e.status, e.code, e.extra];
  }
  return undefined;
};

describe('change stream caps', () => {
  it('per key 429, in all 503; a stream given back (once, however often released) frees its place', () => {
    const limits = new StreamLimits(2, 3);
    const shop = [limits.take('shop'), limits.take('shop')];
    expect(refusal(() => limits.take('shop'))).toEqual([429, 'TOO_MANY_STREAMS', { limit: 2, scope: 'key' }]);
    const store = limits.take('store');
    expect(refusal(() => limits.take('other'))).toEqual([
      503,
      'STREAMS_EXHAUSTED',
      { limit: 3, scope: 'instance' },
    ]);
    shop[0]?.();
    shop[0]?.();
    expect(limits.open).toBe(2);
    const again = limits.take('shop');
    expect(limits.open).toBe(3);
    for (const release of [again, shop[1], store]) release?.();
    expect(limits.open).toBe(0);
    expect(refusal(() => limits.take('shop'))).toBeUndefined();
    expect(new ApiError('TOO_MANY_STREAMS', 'x').retriable).toBe(true);
  });
});
