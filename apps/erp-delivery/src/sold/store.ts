import type { SoldQuantity } from '@inventory/codec';
import { dedupDay, type InventoryEvent } from '@inventory/domain';
import type pg from 'pg';
import { periodOf, type SoldIncrement } from './period.ts';

/**
 * The summarizer's state in PostgreSQL: open and closed periods, and per input partition
 * the next offset to apply. Sums and offset change in one transaction, so every event is
 * counted exactly once whatever crashes, redeliveries or rebalances happen; Kafka's committed
 * offset is only a hint for where fetching resumes.
 */
export class SoldStore {
  private readonly periods: string;
  private readonly offsets: string;
  private readonly applied: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {
    this.periods = `${schema}.sold_periods`;
    this.offsets = `${schema}.summarizer_offsets`;
    this.applied = `${schema}.sold_applied`;
  }

  async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE SCHEMA IF NOT EXISTS ${this.schema};
      CREATE TABLE IF NOT EXISTS ${this.periods} (
        period_start timestamptz NOT NULL,
        sku text NOT NULL,
        supplier_id text NOT NULL,
        period_end timestamptz NOT NULL,
        sold bigint NOT NULL,
        returned bigint NOT NULL,
        events integer NOT NULL,
        closed_at timestamptz,
        published_at timestamptz,
        PRIMARY KEY (period_start, sku, supplier_id)
      );
      CREATE INDEX IF NOT EXISTS sold_periods_open ON ${this.periods} (period_end) WHERE closed_at IS NULL;
      CREATE INDEX IF NOT EXISTS sold_periods_unpublished ON ${this.periods} (period_start)
        WHERE closed_at IS NOT NULL AND published_at IS NULL;
      CREATE TABLE IF NOT EXISTS ${this.offsets} (
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (topic, partition)
      );
      CREATE TABLE IF NOT EXISTS ${this.applied} (
        day integer NOT NULL,
        event_id text NOT NULL,
        PRIMARY KEY (day, event_id)
      );`);
  }

  /**
   * Forgets the eventIds of days past the dedup horizon and its grace: no event of those
   * days is summed any more (the aggregator's contract, @inventory/domain).
   */
  async forgetBefore(day: number): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.applied} WHERE day < $1`, [day]);
    return rowCount ?? 0;
  }

  /**
   * Applies one batch of a partition: `candidates` gets the offset already applied (records
   * below it are repeats and must be left out) and returns the sales and returns of the rest;
   * those whose eventId was summed before (a client's retry, a redelivery) are dropped by the
   * sold_applied table, in the same transaction, and `sum` turns the others into increments.
   */
  async apply(
    topic: string,
    partition: number,
    nextOffset: number,
    now: number,
    periodMs: number,
    candidates: (appliedUpTo: number) => InventoryEvent[],
    sum: (events: InventoryEvent[]) => SoldIncrement[],
  ): Promise<{ increments: number; duplicates: number; summed: InventoryEvent[] }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${this.offsets} (topic, partition, next_offset) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`,
        [topic, partition],
      );
      const { rows } = await client.query<{ next_offset: string }>(
        `SELECT next_offset FROM ${this.offsets} WHERE topic = $1 AND partition = $2 FOR UPDATE`,
        [topic, partition],
      );
      const appliedUpTo = Number(rows[0]?.next_offset ?? 0);
      if (nextOffset <= appliedUpTo) {
        await client.query('ROLLBACK');
        return { increments: 0, duplicates: 0, summed: [] };
      }
      const events = candidates(appliedUpTo);
      const fresh = await this.firstSeen(client, events);
      const increments = sum(fresh);
      const refused = await this.upsert(client, increments);
      // A period closed between our time check and our write (another instance's closer):
      // the increment goes to the period open now, like any other late sale.
      if (refused.length > 0) {
        const open = periodOf(now, periodMs);
        const again = await this.upsert(
          client,
          refused.map((i) => ({ ...i, periodStart: open.start, periodEnd: open.end })),
        );
        if (again.length > 0) throw new Error('the open period is closed: the clock went backwards');
      }
      await client.query(`UPDATE ${this.offsets} SET next_offset = $3 WHERE topic = $1 AND partition = $2`, [
        topic,
        partition,
        nextOffset,
      ]);
      await client.query('COMMIT');
      return { increments: increments.length, duplicates: events.length - fresh.length, summed: fresh };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** The events whose eventId is new (inserted now), in their order; repeats in the batch count once. */
  private async firstSeen(client: pg.PoolClient, events: InventoryEvent[]): Promise<InventoryEvent[]> {
    if (events.length === 0) return [];
    const unique = new Map<string, InventoryEvent>();
    for (const event of events) if (!unique.has(event.eventId)) unique.set(event.eventId, event);
    const list = [...unique.values()];
    const { rows } = await client.query<{ event_id: string }>(
      `INSERT INTO ${this.applied} (day, event_id)
       SELECT * FROM unnest($1::int[], $2::text[])
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [list.map((e) => dedupDay(e.occurredAt)), list.map((e) => e.eventId)],
    );
    const inserted = new Set(rows.map((r) => r.event_id));
    return list.filter((e) => inserted.has(e.eventId));
  }

  /** One statement for the whole batch; returns the increments whose period was closed. */
  private async upsert(client: pg.PoolClient, increments: SoldIncrement[]): Promise<SoldIncrement[]> {
    if (increments.length === 0) return [];
    const column = <K extends keyof SoldIncrement>(key: K) => increments.map((i) => i[key]);
    const { rows } = await client.query<{ period_ms: string; sku: string; supplier_id: string }>(
      `INSERT INTO ${this.periods} AS s (period_start, sku, supplier_id, period_end, sold, returned, events)
       SELECT timestamptz 'epoch' + p * interval '1 millisecond', k, sup,
              timestamptz 'epoch' + e * interval '1 millisecond', so, re, ev
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::int[])
         AS t(p, k, sup, e, so, re, ev)
       ON CONFLICT (period_start, sku, supplier_id) DO UPDATE
         SET sold = s.sold + EXCLUDED.sold, returned = s.returned + EXCLUDED.returned, events = s.events + EXCLUDED.events
         WHERE s.closed_at IS NULL
       RETURNING round(extract(epoch FROM period_start) * 1000)::bigint AS period_ms, sku, supplier_id`,
      [
        column('periodStart'),
        column('sku'),
        column('supplierId'),
        column('periodEnd'),
        column('sold'),
        column('returned'),
        column('events'),
      ],
    );
    // Compared as whole milliseconds: a Date from a float timestamp could be off by one and
    // make a written increment look refused, which would count it twice.
    const written = new Set(rows.map((r) => `${r.period_ms}|${r.sku}|${r.supplier_id}`));
    return increments.filter((i) => !written.has(`${i.periodStart}|${i.sku}|${i.supplierId}`));
  }

  /**
   * Closes the periods ended more than the grace ago, then hands closed, unpublished ones to
   * `publish` and marks them published after it returned. A crash in between publishes them
   * again, identical, under the same key. SKIP LOCKED keeps two instances from sending the same.
   */
  async closeAndPublish(
    closeBefore: number,
    publish: (summaries: SoldQuantity[]) => Promise<void>,
    limit = 5_000,
  ): Promise<number> {
    await this.pool.query(
      `UPDATE ${this.periods} SET closed_at = now()
       WHERE closed_at IS NULL AND period_end <= timestamptz 'epoch' + $1 * interval '1 millisecond'`,
      [closeBefore],
    );
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        period_start: Date;
        sku: string;
        supplier_id: string;
        period_end: Date;
        sold: string;
        returned: string;
        events: number;
      }>(
        `SELECT period_start, sku, supplier_id, period_end, sold, returned, events FROM ${this.periods}
         WHERE closed_at IS NOT NULL AND published_at IS NULL
         ORDER BY period_start, sku, supplier_id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length > 0) {
        await publish(
          rows.map((r) => ({
            sku: r.sku,
            supplierId: r.supplier_id,
            periodStart: r.period_start.getTime(),
            periodEnd: r.period_end.getTime(),
            sold: Number(r.sold),
            returned: Number(r.returned),
            events: r.events,
          })),
        );
        await client.query(
          `UPDATE ${this.periods} SET published_at = now()
           WHERE (period_start, sku, supplier_id) IN (SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[]))`,
          [rows.map((r) => r.period_start), rows.map((r) => r.sku), rows.map((r) => r.supplier_id)],
        );
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
