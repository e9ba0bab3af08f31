import type { InventoryEvent } from '@inventory/codec';
import { delay, waitFor } from '@inventory/core';
import { readToEnd } from '@inventory/kafka';
import { redisOf } from '@inventory/service';
import {
  healPartition,
  keysMatching,
  partitionDataCentres,
  processAlive,
  stackEndpoints,
  stackPartPid,
  stackUp,
  stopStackPart,
  testKafka,
} from '@inventory/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerOf,
  buildQuery,
  type DataCentre,
  dataCentres,
  eventsOf,
  expectedOf,
  homed,
  names,
  networkAnswers,
  prefix,
  produceEvents,
  type Site,
  startNetwork,
} from './network.ts';

/**
 * The network view over three data centres (network.ts): every data centre's API answers
 * every sku exactly as the reference fold of all three data centres' events, with each
 * location's home and each part's freshness, through a Redis loss, a data centre's Kafka
 * stopped for a minute, MirrorMaker killed, and a partition between two data centres.
 */

/** Every data centre answers every sku as the reference of all events: waits until it does, then compares. */
async function expectNetworkExact(sites: Site[], events: InventoryEvent[]): Promise<void> {
  const { bySku } = expectedOf(events);
  const skus = [...bySku.keys()].sort();
  const wanted = skus.map((sku) => answerOf(bySku.get(sku) as Map<string, number>));
  for (const site of sites) {
    let last: unknown;
    await waitFor(
      async () => {
        last = await networkAnswers(site, skus);
        return JSON.stringify(last) === JSON.stringify(wanted);
      },
      {
        description: `the network view of ${site.dc} to equal the reference of every data centre`,
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    ).catch(() => {});
    expect(last, `network view in ${site.dc}`).toEqual(wanted);
  }
}

describe('the network view over three data centres', () => {
  const sites: Site[] = [];
  const events: InventoryEvent[] = [];

  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const network = await startNetwork();
    sites.push(...network.sites);
    close = network.close;
  }, 240_000);

  afterAll(() => close());

  it("answers every sku in every data centre from the three data centres' state, exact, each location with its home", async () => {
    const batches = dataCentres.map((dc, i) => eventsOf(dc, 600, 11 + i));
    // One after the other: the first registers the schema, the registry refuses two at once.
    for (const [i, dc] of dataCentres.entries()) await produceEvents(dc, batches[i] as InventoryEvent[]);
    events.push(...batches.flat());
    await expectNetworkExact(sites, events);

    // Each part's freshness: every peer's heartbeats arrive (the stack's mirror beats every second).
    for (const site of sites) {
      const { body } = await site.query.get('/v1/availability/SKU-1');
      expect(
        body.dataCentres.map((d: { dataCentre: string; local: boolean; stale: boolean }) => [
          d.dataCentre,
          d.local,
          d.stale,
        ]),
      ).toEqual([
        [site.dc, true, false],
        ...dataCentres.filter((dc) => dc !== site.dc).map((dc) => [dc, false, false]),
      ]);
      for (const part of body.dataCentres.slice(1)) {
        expect(part.lagMs).toBeGreaterThanOrEqual(0);
        expect(part.lagMs).toBeLessThanOrEqual(3_000);
      }
    }
  });

  it("answers another data centre's location, a region over all three, and the batch route, from the same view", async () => {
    const { bySku } = expectedOf(events);
    const at = bySku.get('SKU-1') as Map<string, number>;
    const dc1 = sites[0] as Site;
    const remote = homed('dc3', 'W-1');
    const one = await dc1.query.get(`/v1/locations/${remote}/availability/SKU-1`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      sku: 'SKU-1',
      locationId: remote,
      onHand: at.get(remote),
      dataCentre: 'dc3',
    });
    const west = await dc1.query.get('/v1/availability/SKU-1?region=west');
    const westOnHand = [...at]
      .filter(([id]) => id.endsWith('S-3') || id.endsWith('W-1'))
      .reduce((s, [, n]) => s + n, 0);
    expect(west.body.onHand).toBe(westOnHand);
    const batch = await (sites[1] as Site).query.get('/v1/availability/SKU-1');
    expect(batch.body.onHand).toBe([...at.values()].reduce((s, n) => s + n, 0));
  });

  it('dead-letters, in one data centre, an event of a location homed in another: its state keeps one writer', async () => {
    const foreign: InventoryEvent = {
      ...(eventsOf('dc2', 1, 7)[0] as InventoryEvent),
      eventId: 'loadgen:misrouted-1',
      type: 'RECEIPT',
      sku: 'SKU-1',
      locationId: homed('dc2', 'S-1'),
      quantity: 5,
    };
    await produceEvents('dc1', [foreign]);
    const codes: string[] = [];
    await waitFor(
      async () => {
        codes.length = 0;
        await readToEnd(
          testKafka(undefined, undefined, 'dc1'),
          names.dlq,
          (message) => {
            codes.push(String(message.headers?.['dlq-error-code']));
          },
          { groupPrefix: 'net-dlq' },
        );
        return codes.length > 0;
      },
      { description: "dc1's dead letter of the misrouted event", timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(codes).toEqual(['FOREIGN_DATA_CENTRE']);
    // Not folded anywhere: every data centre still answers the reference of what was sent home.
    await expectNetworkExact(sites, events);
  });

  it("is exact again after a data centre's Redis lost every key: its aggregator restores its own, the copies are read again", async () => {
    const dc2 = sites[1] as Site;
    const admin = redisOf(stackEndpoints('dc2').REDIS_URL);
    try {
      const keys = await keysMatching(admin, `${prefix}:*`);
      expect(keys.some((k) => k.includes(':peer:dc1:'))).toBe(true);
      expect(keys.some((k) => k.includes(':peer:dc3:'))).toBe(true);
      for (let i = 0; i < keys.length; i += 500) await admin.del(...keys.slice(i, i + 500));
    } finally {
      admin.disconnect();
    }
    // More events meanwhile, in every data centre.
    const more = dataCentres.map((dc, i) =>
      eventsOf(dc, 200, 101 + i).map((e) => ({ ...e, eventId: `${e.eventId}-more` })),
    );
    for (const [i, dc] of dataCentres.entries()) await produceEvents(dc, more[i] as InventoryEvent[]);
    events.push(...more.flat());
    await expectNetworkExact([dc2, ...sites.filter((s) => s !== dc2)], events);
    expect(await dc2.aggregator.metric('aggregator_peer_rewinds_total')).toBeGreaterThanOrEqual(2);
  });

  const partOf = async (site: Site, dc: DataCentre) => {
    const { status, body } = await site.query.get('/v1/availability/SKU-1');
    return status === 200
      ? (body.dataCentres as { dataCentre: string; stale: boolean }[]).find((d) => d.dataCentre === dc)
      : undefined;
  };

  it("keeps answering while a data centre's Kafka is stopped, that part marked stale, and is exact in all three once it is back", async () => {
    const [dc1, dc2] = sites as [Site, Site, Site];
    await stopStackPart('kafka', 60_000, 'dc3');
    const stoppedAt = Date.now();
    try {
      // The others take traffic meanwhile, for the minute the outage lasts: every client of
      // dc3 (its aggregator, its query API, the mirror) retries that long and must go on after.
      for (let round = 0; round === 0 || Date.now() - stoppedAt < 60_000; round++) {
        const during = (['dc1', 'dc2'] as const).map((dc, i) =>
          eventsOf(dc, 50, 201 + 10 * round + i).map((e) => ({
            ...e,
            eventId: `${e.eventId}-during-${round}`,
          })),
        );
        for (const [i, dc] of (['dc1', 'dc2'] as const).entries())
          await produceEvents(dc, during[i] as InventoryEvent[]);
        events.push(...during.flat());
        if (round > 0) await delay(5_000);
      }
      for (const site of [dc1, dc2])
        await waitFor(async () => (await partOf(site, 'dc3'))?.stale === true, {
          description: `${site.dc} to mark dc3's part stale`,
          timeoutMs: 30_000,
          intervalMs: 250,
        });
      // Still exact: their own state and the last of dc3's that arrived.
      await expectNetworkExact([dc1, dc2], events);
      expect((await partOf(dc1, 'dc2'))?.stale).toBe(false);
    } finally {
      const up = stackUp({ dataCentres: 3 });
      expect(up.status, up.stderr).toBe(0);
    }
    const after = eventsOf('dc3', 200, 301).map((e) => ({ ...e, eventId: `${e.eventId}-after` }));
    await produceEvents('dc3', after);
    events.push(...after);
    await expectNetworkExact(sites, events);
    for (const site of [dc1, dc2])
      await waitFor(async () => (await partOf(site, 'dc3'))?.stale === false, {
        description: `${site.dc} to see dc3's heartbeats again`,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
  }, 300_000);

  it('counts nothing twice after MirrorMaker 2 is killed with SIGKILL and started again', async () => {
    const pid = stackPartPid('mirror-maker');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !processAlive(pid), { description: 'the mirror to die', timeoutMs: 10_000 });
    const meanwhile = dataCentres.map((dc, i) =>
      eventsOf(dc, 200, 401 + i).map((e) => ({ ...e, eventId: `${e.eventId}-meanwhile` })),
    );
    for (const [i, dc] of dataCentres.entries()) await produceEvents(dc, meanwhile[i] as InventoryEvent[]);
    events.push(...meanwhile.flat());
    const up = stackUp({ dataCentres: 3 });
    expect(up.status, up.stderr).toBe(0);
    // Copies sent again after the restart are the same versions: nothing moves twice.
    await expectNetworkExact(sites, events);
  });

  it('answers through a partition between dc1 and dc2: each marks the other stale, dc3 sees both, exact in all three once healed', async () => {
    const [dc1, dc2, dc3] = sites as [Site, Site, Site];
    const cut = partitionDataCentres('dc1', 'dc2');
    expect(cut.status, cut.stderr).toBe(0);
    expect(cut.stdout).toContain('mirror-maker: partitioned: dc1 <-/-> dc2');
    const during = dataCentres.map((dc, i) =>
      eventsOf(dc, 150, 501 + i).map((e) => ({ ...e, eventId: `${e.eventId}-partitioned` })),
    );
    const [fromDc1, fromDc2] = during as [InventoryEvent[], InventoryEvent[], InventoryEvent[]];
    try {
      for (const [i, dc] of dataCentres.entries()) await produceEvents(dc, during[i] as InventoryEvent[]);
      // dc3 reaches both: everything.
      await expectNetworkExact([dc3], [...events, ...during.flat()]);
      // dc1 and dc2 each mark the other stale and answer for it with its state from before the cut.
      for (const [site, away] of [
        [dc1, 'dc2'],
        [dc2, 'dc1'],
      ] as const)
        await waitFor(async () => (await partOf(site, away))?.stale === true, {
          description: `${site.dc} to mark ${away}'s part stale`,
          timeoutMs: 30_000,
          intervalMs: 250,
        });
      await expectNetworkExact([dc1], [...events, ...during.flat().filter((e) => !fromDc2.includes(e))]);
      await expectNetworkExact([dc2], [...events, ...during.flat().filter((e) => !fromDc1.includes(e))]);
      // The flows through dc3 are fresh while the cut holds. The cut restarted MirrorMaker, every
      // flow with it, so their heartbeats may still be catching up: waited for, as after a heal.
      const throughDc3 = [
        [dc1, 'dc3'],
        [dc2, 'dc3'],
        [dc3, 'dc1'],
        [dc3, 'dc2'],
      ] as const;
      for (const [site, away] of throughDc3)
        await waitFor(async () => (await partOf(site, away))?.stale === false, {
          description: () => `${site.dc} to see ${away}'s heartbeats while dc1 and dc2 are cut apart`,
          timeoutMs: 60_000,
          intervalMs: 250,
        });
      // And the cut flows are still stale then: the view tells them apart.
      expect(await Promise.all([partOf(dc1, 'dc2'), partOf(dc2, 'dc1')])).toEqual([
        expect.objectContaining({ stale: true }),
        expect.objectContaining({ stale: true }),
      ]);
    } finally {
      const healed = healPartition();
      expect(healed.status, healed.stderr).toBe(0);
      expect(healed.stdout).toContain('mirror-maker: every flow runs');
    }
    events.push(...during.flat());
    await expectNetworkExact(sites, events);
    for (const [site, away] of [
      [dc1, 'dc2'],
      [dc2, 'dc1'],
    ] as const)
      await waitFor(async () => (await partOf(site, away))?.stale === false, {
        description: `${site.dc} to see ${away}'s heartbeats again`,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
  }, 300_000);

  it('decides reservations at a location in its home, asked in any data centre: 200 at once from the three on 50 units, exactly 50 confirmed', async () => {
    const locationId = homed('dc2', 'W-1');
    const sku = 'RES-1';
    const at = Date.now() - 1_000;
    await produceEvents('dc2', [
      {
        ...(eventsOf('dc2', 1, 9)[0] as InventoryEvent),
        eventId: 'loadgen:reservations-count',
        type: 'COUNT',
        sku,
        locationId,
        quantity: 50,
        occurredAt: at,
        recordedAt: at,
      },
    ]);
    for (const site of sites)
      await waitFor(async () => (await site.query.get(`/v1/availability/${sku}`)).body.available === 50, {
        description: `${site.dc} to see the 50 units`,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (sites[i % 3] as Site).query.post('/v1/reservations', {
          reservationId: `net-res-${i}`,
          sku,
          locationId,
          quantity: 1,
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    // Anything but a decision is shown with where it was asked and what it answered.
    expect(
      answers.flatMap((a, i) =>
        a.status === 201 || a.status === 409 ? [] : [[(sites[i % 3] as Site).dc, a.status, a.body]],
      ),
    ).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(150);
    for (const site of sites)
      await waitFor(
        async () => {
          const { body } = await site.query.get(`/v1/availability/${sku}`);
          return body.onHand === 50 && body.reserved === 50 && body.available === 0;
        },
        { description: `${site.dc} to see 50 of 50 reserved`, timeoutMs: 60_000, intervalMs: 250 },
      );
    // A confirmed one released where it was asked, decided in the home (dc2).
    const confirmed = answers.findIndex((a) => a.status === 201);
    const released = await (sites[confirmed % 3] as Site).query.delete(
      `/v1/reservations/net-res-${confirmed}`,
    );
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('RELEASED');
    // The unit it freed, reserved and released through dc1, which is not the home.
    const dc1 = sites[0] as Site;
    const again = await dc1.query.post('/v1/reservations', {
      reservationId: 'net-res-again',
      sku,
      locationId,
      quantity: 1,
    });
    expect(again.status).toBe(201);
    const freed = await dc1.query.delete('/v1/reservations/net-res-again');
    expect(freed.status).toBe(200);
    expect(freed.body.status).toBe('RELEASED');
    // A data centre that does not reach the home refuses, naming it.
    const alone = await buildQuery('dc1', { QUERY_PEERS_FILE: undefined });
    try {
      const refused = await alone.post('/v1/reservations', {
        reservationId: 'net-res-alone',
        sku,
        locationId,
        quantity: 1,
      });
      expect(refused.status).toBe(421);
      expect(refused.body.error.code).toBe('LOCATION_HOMED_ELSEWHERE');
      expect(refused.body.error.message).toBe(
        `location ${locationId} is homed in dc2, which decides its reservations and which this data centre does not reach: reserve through dc2's API`,
      );
    } finally {
      await alone.close();
    }
  });
  it('decides a reservation without a location where the network view has it: asked at home first, then where one location covers it', async () => {
    const sku = 'RES-2';
    const [dc1, dc2, dc3] = sites as [Site, Site, Site];
    const at = Date.now() - 1_000;
    const count = (dc: DataCentre, id: string, quantity: number): InventoryEvent => ({
      ...(eventsOf(dc, 1, 11)[0] as InventoryEvent),
      eventId: `loadgen:anywhere-${dc}-${id}`,
      type: 'COUNT',
      sku,
      locationId: homed(dc, id),
      quantity,
      occurredAt: at,
      recordedAt: at,
    });
    await produceEvents('dc1', [count('dc1', 'S-1', 3)]);
    await produceEvents('dc2', [count('dc2', 'W-1', 8)]);
    await produceEvents('dc3', [count('dc3', 'W-1', 20)]);
    for (const site of sites)
      await waitFor(async () => (await site.query.get(`/v1/availability/${sku}`)).body.available === 31, {
        description: `${site.dc} to see the 31 units of three data centres`,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
    const reserve = (site: Site, reservationId: string, quantity: number) =>
      site.query.post('/v1/reservations', { reservationId, sku, quantity });

    // dc1 holds 3 at its best location: refused there, then dc3 (20 at one place) before dc2 (8).
    const first = await reserve(dc1, 'anywhere-1', 5);
    expect([first.status, first.body.status, first.body.locationId]).toEqual([
      201,
      'CONFIRMED',
      homed('dc3', 'W-1'),
    ]);
    // The same id again: the data centre that holds it answers first, nothing is reserved twice.
    const retried = await reserve(dc1, 'anywhere-1', 5);
    expect([retried.status, retried.body.locationId]).toEqual([201, homed('dc3', 'W-1')]);
    // Asked in dc2 (8 at its best): dc3 again.
    const second = await reserve(dc2, 'anywhere-2', 10);
    expect([second.status, second.body.locationId]).toEqual([201, homed('dc3', 'W-1')]);
    // What dc1 covers itself stays in dc1.
    const local = await reserve(dc1, 'anywhere-3', 2);
    expect([local.status, local.body.locationId]).toEqual([201, homed('dc1', 'S-1')]);
    // No one location anywhere holds 30: refused.
    const none = await reserve(dc3, 'anywhere-4', 30);
    expect([none.status, none.body.error.code]).toEqual([409, 'INSUFFICIENT_STOCK']);
    // Released through dc1, where it was asked: in dc3, where it was decided.
    const released = await dc1.query.delete('/v1/reservations/anywhere-1');
    expect([released.status, released.body.status]).toEqual([200, 'RELEASED']);
    const byLocation = async (site: Site) => {
      const { body } = await site.query.get(`/v1/availability/${sku}`);
      return (body.locations as { locationId: string; reserved: number }[])
        .map((l) => [l.locationId, l.reserved])
        .sort(([a], [b]) => String(a).localeCompare(String(b)));
    };
    const wanted = [
      [homed('dc1', 'S-1'), 2],
      [homed('dc2', 'W-1'), 0],
      [homed('dc3', 'W-1'), 10],
    ].sort(([a], [b]) => String(a).localeCompare(String(b)));
    for (const site of [dc1, dc2, dc3]) {
      let last: unknown;
      await waitFor(
        async () => {
          last = await byLocation(site);
          return JSON.stringify(last) === JSON.stringify(wanted);
        },
        {
          description: `${site.dc} to see 12 reserved where they were decided`,
          timeoutMs: 60_000,
          intervalMs: 250,
        },
      ).catch(() => {});
      expect(last, site.dc).toEqual(wanted);
    }
  });
});
