import { waitFor } from '@inventory/core';
import { platformEvent } from '@inventory/domain';
import { useWorld } from '@inventory/inventory-aggregator-test';
import { appReady, hostileCorpusTests, stackEndpoints, testRedisUrl } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import { startQueryProcess } from '../support.ts';
import { queryCorpus } from './corpus.ts';

const opsToken = 'hostile-ops-token';

/**
 * The query API's hostile-input corpus against its real process (src/main.ts) over a test
 * world: every case gets exactly its answer (4xx), no answer carries an internal address or a
 * stack, and afterwards the process still answers /healthz and reads, its memory grown by
 * less than the bound. Its change streams are capped at 20 per key and 30 in all.
 */
describe('inventory-query-api hostile-input corpus', () => {
  const folded = useWorld({
    partitions: 3,
    events: (world) => [
      platformEvent('LOADGEN', `${world.prefix}-stock`, {
        type: 'COUNT',
        sku: 'SKU-A',
        locationId: 'S-1',
        quantity: 7,
        occurredAt: Date.now() - 60_000,
      }),
    ],
  });
  let port = 0;
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const get = (path: string, key = 'shop-key') =>
    fetch(url(path), { headers: { authorization: `Bearer ${key}` } });
  const openStreams = async () => {
    const text = await (await get('/metrics', opsToken)).text();
    return Number(/^query_sse_streams_open (\d+)$/m.exec(text)?.[1]);
  };
  const streamsGivenBack = () =>
    waitFor(async () => (await openStreams()) === 0, {
      description: 'the closed streams to be given back',
      timeoutMs: 10_000,
      intervalMs: 50,
    });

  hostileCorpusTests({
    app: 'inventory-query-api',
    corpus: queryCorpus,
    start: async () => {
      const app = startQueryProcess(folded.world, {
        QUERY_LOG_LEVEL: 'warn',
        QUERY_SSE_MAX_STREAMS_PER_KEY: '20',
        QUERY_SSE_MAX_STREAMS: '30',
        QUERY_HTTP_HEADERS_TIMEOUT_MS: '1500',
        QUERY_HTTP_REQUEST_TIMEOUT_MS: '3000',
        QUERY_HTTP_OPS_TOKEN: opsToken,
      });
      await appReady(app);
      port = app.port;
      // redis://[user:password@]host:port or redis-cluster://[...@]host:port,host:port
      const redisUrl = testRedisUrl();
      const redisPassword = /:\/\/[^:@/]*:([^@]+)@/.exec(redisUrl)?.[1];
      const redisHosts = redisUrl.replace(/^[a-z-]+:\/\/([^@]*@)?/, '').split(/[,/]/)[0] ?? '';
      const { KAFKA_BROKERS, KAFKA_SASL_PASSWORD } = stackEndpoints();
      const forbidden = [
        KAFKA_BROKERS,
        ...(KAFKA_SASL_PASSWORD ? [KAFKA_SASL_PASSWORD] : []),
        redisHosts,
        ...(redisPassword ? [redisPassword] : []),
        'shop-key',
        opsToken,
      ];
      return { app, target: { port: app.port, authorization: 'Bearer shop-key', forbidden } };
    },
    stillServes: async () => {
      const read = await get('/v1/availability/SKU-A');
      expect([read.status, ((await read.json()) as { onHand: number }).onHand]).toEqual([200, 7]);
    },
    // A flood's held streams are given back before the next case.
    afterCase: async (c) => {
      if (c.flood) await streamsGivenBack();
    },
    more: () => {
      it('change streams beyond the instance cap: 503 STREAMS_EXHAUSTED; beyond a key cap: 429 TOO_MANY_STREAMS', async () => {
        // Responses held with their aborts: undici cancels the body of a response that is collected.
        const held: { abort: AbortController; response: Response }[] = [];
        const open = async (key: string) => {
          const abort = new AbortController();
          const response = await fetch(url('/v1/availability/changes?sku=SKU-A'), {
            headers: { authorization: `Bearer ${key}` },
            signal: abort.signal,
          });
          if (response.status === 200) held.push({ abort, response });
          return response;
        };
        try {
          for (let i = 0; i < 20; i++) expect((await open('shop-key')).status).toBe(200);
          for (let i = 0; i < 10; i++) expect((await open('store-key')).status).toBe(200);
          const full = await open('store-key');
          expect([
            full.status,
            full.headers.get('retry-after'),
            ((await full.json()) as { error: unknown }).error,
          ]).toEqual([
            503,
            '5',
            {
              code: 'STREAMS_EXHAUSTED',
              message:
                'this instance serves 30 change streams, the most it holds; retry (another instance may take it)',
              retriable: true,
              details: [],
              limit: 30,
              scope: 'instance',
            },
          ]);
          const perKey = await open('shop-key');
          expect([perKey.status, ((await perKey.json()) as { error: { code: string } }).error.code]).toEqual([
            429,
            'TOO_MANY_STREAMS',
          ]);
          expect(await openStreams()).toBe(30);
        } finally {
          for (const { abort } of held) abort.abort();
        }
        await streamsGivenBack();
      });
    },
  });
});
