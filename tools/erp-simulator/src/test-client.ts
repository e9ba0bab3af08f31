import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type ErpSimulator, startErpSimulator } from './server.ts';

export const testToken = 'test-erp-token';

/**
 * A simulator on an ephemeral port for the file's tests (started once, its rules and records
 * reset before each test), and a fetch wrapper that sends what the business routes need.
 */
export function useTestSimulator(): {
  sim: () => ErpSimulator;
  send: (path: string, body: unknown, options?: SendOptions) => Promise<Response>;
} {
  let current: ErpSimulator | undefined;
  beforeAll(async () => {
    current = await startErpSimulator({ token: testToken });
  });
  afterAll(() => current?.close());
  beforeEach(() => current?.reset());
  const sim = () => {
    if (!current) throw new Error('the simulator starts in beforeAll');
    return current;
  };
  const send = (path: string, body: unknown, options: SendOptions = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = options.token === undefined ? testToken : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.key !== undefined) headers['idempotency-key'] = options.key;
    return fetch(`${sim().url}${path}`, {
      method: options.method ?? 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  };
  return { sim, send };
}

export interface SendOptions {
  key?: string;
  /** null: no Authorization header. */
  token?: string | null;
  method?: string;
}

export const order = (orderId = 'WEB-1001') => ({
  orderId,
  customerRef: 'C-77',
  lines: [{ lineNo: 1, sku: 'SKU-1', locationId: 'STORE-001', quantity: 2, reservationId: 'R-1' }],
  confirmedAt: '2026-11-22T09:15:00Z',
});

export const soldQuantity = (supplierId = 'SUP-9') => ({
  sku: 'SKU-1',
  supplierId,
  periodStart: '2026-11-22T00:00:00Z',
  periodEnd: '2026-11-23T00:00:00Z',
  sold: 12,
  returned: 1,
});
