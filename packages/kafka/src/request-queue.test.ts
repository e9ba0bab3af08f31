import { waitFor } from '@inventory/core';
import { describe, expect, it } from 'vitest';
import { RequestQueue } from './request-queue.ts';

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const newQueue = (maxInFlightRequests: number | null = 1) =>
  new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'request-queue-test',
    broker: '127.0.0.1:1',
    logger,
  });

function request(correlationId: number, sent: number[]) {
  return {
    entry: { correlationId, apiKey: 3, apiName: 'Metadata', apiVersion: 1, resolve() {}, reject() {} },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}
const response = (correlationId: number) => ({ correlationId, payload: Buffer.alloc(0), size: 0 });

describe("kafkajs' request queue, corrected", () => {
  it('schedules no check once a response leaves nothing pending and nothing throttled', () => {
    const queue = newQueue();
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.fulfillRequest(response(1));
    expect(sent).toEqual([1]);
    // kafkajs as released leaves a timer here (delay -1 - now) that re-arms itself every ms.
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('still sends a request that waited for the one in flight, in order, then stops checking', async () => {
    const queue = newQueue(1);
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    expect(queue.pending).toHaveLength(1);
    queue.fulfillRequest(response(1));
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest(response(2));
    expect(queue.pending).toHaveLength(0);
    // The check scheduled while request 2 waited runs once and is not armed again.
    await waitFor(() => queue.throttleCheckTimeoutId === null, {
      description: 'the last check of the queue',
      timeoutMs: 5_000,
    });
    queue.destroy();
  });

  it('sends a request held by a broker throttle once the throttle ends', async () => {
    const queue = newQueue(null);
    const sent: number[] = [];
    queue.maybeThrottle(50);
    queue.push(request(1, sent));
    expect(sent).toEqual([]);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    await waitFor(() => sent.length === 1, {
      description: 'the throttled request to be sent',
      timeoutMs: 5_000,
    });
    expect(sent).toEqual([1]);
    queue.destroy();
  });
});
