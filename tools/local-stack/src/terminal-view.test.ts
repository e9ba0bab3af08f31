import { describe, expect, it } from 'vitest';
import { formatRate, prettyLogLine, statusLine, vectorSum } from '../../../scripts/terminal-view.mjs';

// The clock column is local time: fixed here so the expected lines are exact.
process.env.TZ = 'UTC';
const at = Date.UTC(2026, 11, 4, 22, 35, 40, 102);

describe("an app's log line for a person", () => {
  const kafkaError = JSON.stringify({
    level: 50,
    time: at,
    pid: 9261,
    hostname: 'vm',
    name: 'inventory-aggregator',
    kafka: 'Connection',
    broker: '127.0.0.1:19092',
    error: 'The group coordinator is not available',
    msg: 'Response GroupCoordinator(key: 10, version: 2)',
  });

  it('shows time, app, level, message and the context, without the fields every line has', () => {
    expect(prettyLogLine('inventory-aggregator', kafkaError)).toBe(
      '22:35:40 inventory-aggregator ERROR Response GroupCoordinator(key: 10, version: 2)  kafka=Connection broker=127.0.0.1:19092 error=The group coordinator is not available',
    );
  });

  it("appends an error's type and message, and objects as JSON", () => {
    const line = JSON.stringify({
      level: 40,
      time: at,
      msg: 'delivery retried',
      err: { type: 'ErpError', message: 'ERP answered 503', stack: 'ErpError: ...' },
      attempt: 2,
      order: { id: 'PO-1' },
    });
    expect(prettyLogLine('erp-delivery', line)).toBe(
      '22:35:40 erp-delivery WARN  delivery retried: ErpError ERP answered 503  attempt=2 order={"id":"PO-1"}',
    );
  });

  it('leaves out lines below the level asked for, and shows them when asked', () => {
    const info = JSON.stringify({ level: 30, time: at, msg: 'started', url: 'http://127.0.0.1:19100' });
    expect(prettyLogLine('store-ingest', info)).toBeUndefined();
    expect(prettyLogLine('store-ingest', info, { minLevel: 30 })).toBe(
      '22:35:40 store-ingest INFO  started  url=http://127.0.0.1:19100',
    );
  });

  it('colours the level only when asked (a terminal)', () => {
    expect(prettyLogLine('inventory-aggregator', kafkaError, { color: true })).toContain(
      '\x1b[31mERROR\x1b[0m',
    );
    expect(prettyLogLine('inventory-aggregator', kafkaError)).not.toContain('\x1b');
  });

  it('shows a line that is not JSON as it is, at the level its words give it, stamped now', () => {
    expect(
      prettyLogLine('lake-sink', '(node:9264) TimeoutNegativeWarning: -1 is a negative number.  ', {
        now: at,
      }),
    ).toBe('22:35:40 lake-sink WARN  (node:9264) TimeoutNegativeWarning: -1 is a negative number.');
    expect(prettyLogLine('mq-bridge', 'TypeError: x is not a function', { now: at })).toBe(
      '22:35:40 mq-bridge ERROR TypeError: x is not a function',
    );
    expect(prettyLogLine('mq-bridge', '    at main (file:///app/src/main.ts:3:1)', { now: at })).toBe(
      '22:35:40 mq-bridge ERROR     at main (file:///app/src/main.ts:3:1)',
    );
    expect(
      prettyLogLine(
        'inventory-query-api',
        'inventory-query-api failed to start: CONFIG_INVALID: QUERY_BOGUS',
        {
          now: at,
        },
      ),
    ).toBe(
      '22:35:40 inventory-query-api ERROR inventory-query-api failed to start: CONFIG_INVALID: QUERY_BOGUS',
    );
    // A tool's own plain output is information, not a warning.
    const listening = 'erp-simulator listening on http://127.0.0.1:19160';
    expect(prettyLogLine('erp-simulator', listening, { now: at })).toBeUndefined();
    expect(prettyLogLine('erp-simulator', listening, { now: at, minLevel: 30 })).toBe(
      `22:35:40 erp-simulator INFO  ${listening}`,
    );
    expect(prettyLogLine('lake-sink', '   ')).toBeUndefined();
  });

  it('cuts a very long line', () => {
    const long = JSON.stringify({ level: 50, time: at, msg: 'x'.repeat(1000) });
    const pretty = prettyLogLine('console', long) as string;
    expect(pretty).toHaveLength(400);
    expect(pretty.endsWith('…')).toBe(true);
  });
});

describe('the status line', () => {
  const apps = [
    { name: 'store-ingest', state: 'ready' },
    { name: 'inventory-aggregator', state: 'ready' },
    { name: 'lake-sink', state: 'exited 1' },
  ];

  it('counts the ready apps, names the others, and shows the flow and the warnings', () => {
    expect(statusLine({ apps, flow: { in: 1234.5, applied: 98.76, lag: 3.2 }, warnings: 2, now: at })).toBe(
      '22:35:40 2/3 apps ready (lake-sink exited 1) · in 1.2k ev/s · applied 98.8 ev/s · lag 3 · 2 warnings',
    );
  });

  it('shows dashes where Prometheus has no value yet, and nothing of the flow without Prometheus', () => {
    const ready = apps.slice(0, 2);
    expect(statusLine({ apps: ready, flow: {}, now: at })).toBe(
      '22:35:40 2/2 apps ready · in - ev/s · applied - ev/s · lag -',
    );
    expect(statusLine({ apps: ready, now: at, warnings: 1 })).toBe('22:35:40 2/2 apps ready · 1 warning');
  });

  it('never grows wider than the terminal', () => {
    const line = statusLine({ apps, flow: { in: 0, applied: 0, lag: 0 }, now: at, width: 30 });
    expect(line).toBe('22:35:40 2/3 apps ready (lake…');
    expect(line).toHaveLength(30);
  });
});

describe('figures', () => {
  it('formats rates short', () => {
    expect([0, 0.04, 8.55, 120.4, 3456, undefined].map(formatRate)).toEqual([
      '0',
      '0.0',
      '8.6',
      '120',
      '3.5k',
      '-',
    ]);
  });

  it('sums a Prometheus vector, undefined when it holds no series', () => {
    const body = {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { source: 'stores' }, value: [1, '10.5'] },
          { metric: { source: 'sap' }, value: [1, '2'] },
        ],
      },
    };
    expect(vectorSum(body)).toBe(12.5);
    expect(vectorSum({ status: 'success', data: { resultType: 'vector', result: [] } })).toBeUndefined();
    expect(vectorSum({ status: 'error' })).toBeUndefined();
    expect(vectorSum(undefined)).toBeUndefined();
  });
});
