// The one kafkajs module reached past its public API (request-queue.ts corrects its timer).
declare module 'kafkajs/src/network/requestQueue/index.js' {
  import type { EventEmitter } from 'node:events';

  export default class RequestQueue extends EventEmitter {
    constructor(options: {
      maxInFlightRequests: number | null;
      requestTimeout: number;
      enforceRequestTimeout: boolean;
      clientId: string;
      broker: string;
      logger: { debug(...args: unknown[]): void; [level: string]: (...args: unknown[]) => void };
      isConnected?: () => boolean;
    });
    pending: unknown[];
    inflight: Map<number, unknown>;
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    scheduleCheckPendingRequests(): void;
    checkPendingRequests(): void;
    maybeThrottle(clientSideThrottleTime: number | null): void;
    push(request: {
      entry: {
        correlationId: number;
        apiKey: number;
        apiName: string;
        apiVersion: number;
        resolve(response: unknown): void;
        reject(error: unknown): void;
      };
      expectResponse: boolean;
      sendRequest: () => void;
      requestTimeout?: number;
    }): void;
    fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
    destroy(): void;
  }
}
