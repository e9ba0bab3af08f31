import { describe, expect, it } from 'vitest';
import { waitFor, withTimeout } from './wait.ts';

describe('waitFor', () => {
  it('returns the first truthy value of the probe', async () => {
    let n = 0;
    const value = await waitFor(() => (++n >= 3 ? `done after ${n}` : undefined), {
      description: 'three probes',
      timeoutMs: 2_000,
      intervalMs: 1,
    });
    expect(value).toBe('done after 3');
  });

  it('fails at the deadline naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { description: 'the broker', timeoutMs: 50, intervalMs: 5 },
      ),
    ).rejects.toThrow(/waiting for the broker \(last error: connection refused\)/);
  });

  it('evaluates a description function at the deadline, showing the state reached', async () => {
    let seen = 0;
    await expect(
      waitFor(() => ++seen > 1_000_000, {
        description: () => `many probes (have ${seen})`,
        timeoutMs: 30,
        intervalMs: 5,
      }),
    ).rejects.toThrow(/have [1-9]\d*\)/);
  });
});

describe('withTimeout', () => {
  it('rejects with a retriable TIMEOUT when the promise does not settle in time', async () => {
    const never = new Promise<never>(() => {});
    await expect(withTimeout(never, 10, 'the send')).rejects.toMatchObject({
      code: 'TIMEOUT',
      retriable: true,
    });
  });

  it('passes the result through when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1_000, 'x')).resolves.toBe(42);
  });
});
