import { describe, expect, it } from 'vitest';
import { InventoryError } from './errors.ts';
import { backoffDelay, retry, scheduledDelay } from './retry.ts';

const policy = { initialMs: 100, maxMs: 1_000, factor: 2, retries: 3 };

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with the whole interval randomised', () => {
    const top = () => 0.999_999;
    expect(backoffDelay(policy, 0, top)).toBe(99);
    expect(backoffDelay(policy, 1, top)).toBe(199);
    expect(backoffDelay(policy, 3, top)).toBe(799);
    expect(backoffDelay(policy, 10, top)).toBe(999);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });
});

describe('retry', () => {
  const noSleep = async () => {};

  it('retries retriable failures and returns the first success', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new InventoryError('KAFKA_UNAVAILABLE', 'down');
        return 'ok';
      },
      { policy, sleep: noSleep, random: () => 0.5, onRetry: (_e, _a, ms) => delays.push(ms) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([50, 100]);
  });

  it('does not retry an error that says a retry cannot help', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new InventoryError('INVALID_REQUEST', 'bad input');
        },
        { policy, sleep: noSleep },
      ),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(calls).toBe(1);
  });

  it('gives up after the configured number of retries with the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new InventoryError('KAFKA_UNAVAILABLE', `attempt ${calls}`);
        },
        { policy, sleep: noSleep },
      ),
    ).rejects.toThrow('attempt 4');
    expect(calls).toBe(4);
  });

  it('follows a schedule of waits, each shortened by at most its jitter', async () => {
    const waits: number[] = [];
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new InventoryError('ERP_UNAVAILABLE', `attempt ${calls}`);
        },
        {
          schedule: { delaysMs: [5_000, 15_000, 45_000], jitter: 0.2 },
          random: () => 1,
          sleep: async (ms) => void waits.push(ms),
        },
      ),
    ).rejects.toThrow('attempt 4');
    expect(waits).toEqual([4_000, 12_000, 36_000]);
    expect(scheduledDelay({ delaysMs: [5_000], jitter: 0.2 }, 0, () => 0)).toBe(5_000);
  });
});
