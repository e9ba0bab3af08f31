import { describe, expect, it } from 'vitest';
import { isRetriableStatus, outcomeOfError, outcomeOfResponse } from './outcome.ts';

describe('delivery outcomes', () => {
  it('treats 2xx as delivered, replays included', () => {
    expect(outcomeOfResponse(201, false, '')).toEqual({ kind: 'delivered', status: 201, replayed: false });
    expect(outcomeOfResponse(200, true, '')).toMatchObject({ kind: 'delivered', replayed: true });
  });

  it('retries 408, 425, 429 and 5xx except 501 and 505', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599])
      expect(isRetriableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 413, 422, 501, 505])
      expect(isRetriableStatus(status)).toBe(false);
  });

  it('says why in the message and keeps the status', () => {
    const outcome = outcomeOfResponse(
      422,
      false,
      '{"error":{"code":"invalid","message":"lines[0].quantity"}}',
    );
    expect(outcome).toMatchObject({
      kind: 'failed',
      retriable: false,
      code: 'RECEIVER_REJECTED',
      status: 422,
    });
    expect(outcome.kind === 'failed' && outcome.message).toContain('lines[0].quantity');
  });

  it('retries timeouts and connection errors', () => {
    const timeout = new DOMException('timed out', 'TimeoutError');
    expect(outcomeOfError(timeout, 5000)).toMatchObject({ retriable: true, code: 'RECEIVER_TIMEOUT' });
    const reset = new TypeError('fetch failed', { cause: new Error('socket hang up') });
    const outcome = outcomeOfError(reset, 5000);
    expect(outcome).toMatchObject({ retriable: true, code: 'RECEIVER_UNREACHABLE' });
    expect(outcome.kind === 'failed' && outcome.message).toContain('socket hang up');
  });
});
