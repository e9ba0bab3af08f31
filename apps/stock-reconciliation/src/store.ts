import type pg from 'pg';

export type JobStatus = 'running' | 'completed' | 'failed' | 'refused';

export interface JobRow {
  id: number;
  trigger: string;
  status: JobStatus;
  startedAt: Date;
  finishedAt: Date | null;
  skusProcessed: number;
  itemsProcessed: number;
  itemsChanged: number;
  itemsInvalid: number;
  itemsDeferred: number;
  discontinuedMarked: number;
  apiLatencyMs: number | null;
  apiAttempts: number;
  snapshotAsOf: Date | null;
  archivePath: string | null;
  error: string | null;
}

export interface JobResult {
  status: JobStatus;
  skusProcessed?: number;
  itemsProcessed?: number;
  itemsChanged?: number;
  itemsInvalid?: number;
  itemsDeferred?: number;
  discontinuedMarked?: number;
  apiLatencyMs?: number;
  apiAttempts?: number;
  snapshotAsOf?: number;
  archivePath?: string;
  error?: string;
}

export interface Correction {
  sku: string;
  locationId: string;
  erpQty: number;
  platformOnHand: number;
  platformAsOf: number;
  eventId: string;
}

const leaseName = 'erp-inventory-sync';

/** Job records, the lease that keeps runs from overlapping, and the audit trail, in PostgreSQL. */
export class ReconciliationStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  private t(name: string): string {
    return `${this.schema}.${name}`;
  }

  async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE SCHEMA IF NOT EXISTS ${this.schema};
      CREATE TABLE IF NOT EXISTS ${this.t('jobs')} (
        id bigserial PRIMARY KEY,
        trigger text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        skus_processed integer NOT NULL DEFAULT 0,
        items_processed integer NOT NULL DEFAULT 0,
        items_changed integer NOT NULL DEFAULT 0,
        items_invalid integer NOT NULL DEFAULT 0,
        items_deferred integer NOT NULL DEFAULT 0,
        discontinued_marked integer NOT NULL DEFAULT 0,
        api_latency_ms integer,
        api_attempts integer NOT NULL DEFAULT 0,
        snapshot_as_of timestamptz,
        archive_path text,
        error text
      );
      CREATE TABLE IF NOT EXISTS ${this.t('lease')} (
        name text PRIMARY KEY,
        job_id bigint NOT NULL,
        holder text NOT NULL,
        acquired_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${this.t('changes')} (
        job_id bigint NOT NULL,
        sku text NOT NULL,
        location_id text NOT NULL,
        erp_qty bigint NOT NULL,
        platform_on_hand bigint NOT NULL,
        platform_as_of bigint NOT NULL,
        event_id text NOT NULL,
        PRIMARY KEY (job_id, sku, location_id)
      );
      CREATE TABLE IF NOT EXISTS ${this.t('sku_status')} (
        sku text PRIMARY KEY,
        discontinued boolean NOT NULL,
        discontinued_at timestamptz,
        updated_at timestamptz NOT NULL,
        job_id bigint NOT NULL
      );`);
  }

  async createJob(trigger: string): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO ${this.t('jobs')} (trigger, status) VALUES ($1, 'running') RETURNING id`,
      [trigger],
    );
    return Number(rows[0]?.id);
  }

  /**
   * Takes the lease for `ttlMs` unless a live one is held; returns the holder's job id when
   * refused. An expired lease (a run that crashed or hung past its timeout) is taken over,
   * and its job, still marked running, is recorded as abandoned.
   */
  async acquireLease(jobId: number, holder: string, ttlMs: number): Promise<{ heldBy: number } | undefined> {
    const { rows } = await this.pool.query<{ job_id: string }>(
      `INSERT INTO ${this.t('lease')} AS l (name, job_id, holder, acquired_at, expires_at)
       VALUES ($1, $2, $3, now(), now() + $4 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET job_id = EXCLUDED.job_id, holder = EXCLUDED.holder,
         acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
       WHERE l.expires_at < now()
       RETURNING job_id`,
      [leaseName, jobId, holder, ttlMs],
    );
    if (rows.length === 0) {
      const held = await this.pool.query<{ job_id: string }>(
        `SELECT job_id FROM ${this.t('lease')} WHERE name = $1`,
        [leaseName],
      );
      return { heldBy: Number(held.rows[0]?.job_id ?? 0) };
    }
    await this.pool.query(
      `UPDATE ${this.t('jobs')} SET status = 'failed', finished_at = now(),
         error = 'abandoned: its lease expired without the job finishing'
       WHERE status = 'running' AND id < $1`,
      [jobId],
    );
    return undefined;
  }

  async releaseLease(jobId: number): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t('lease')} WHERE name = $1 AND job_id = $2`, [
      leaseName,
      jobId,
    ]);
  }

  async finishJob(jobId: number, result: JobResult): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.t('jobs')} SET status = $2, finished_at = now(),
         skus_processed = $3, items_processed = $4, items_changed = $5, items_invalid = $6, items_deferred = $7,
         discontinued_marked = $8, api_latency_ms = $9, api_attempts = $10,
         snapshot_as_of = to_timestamp($11 / 1000.0), archive_path = $12, error = $13
       WHERE id = $1`,
      [
        jobId,
        result.status,
        result.skusProcessed ?? 0,
        result.itemsProcessed ?? 0,
        result.itemsChanged ?? 0,
        result.itemsInvalid ?? 0,
        result.itemsDeferred ?? 0,
        result.discontinuedMarked ?? 0,
        result.apiLatencyMs ?? null,
        result.apiAttempts ?? 0,
        result.snapshotAsOf ?? null,
        result.archivePath ?? null,
        result.error ?? null,
      ],
    );
  }

  async recordChanges(jobId: number, changes: Correction[]): Promise<void> {
    for (let i = 0; i < changes.length; i += 5_000) {
      const chunk = changes.slice(i, i + 5_000);
      const column = <K extends keyof Correction>(key: K) => chunk.map((c) => c[key]);
      await this.pool.query(
        `INSERT INTO ${this.t('changes')} (job_id, sku, location_id, erp_qty, platform_on_hand, platform_as_of, event_id)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[])
         ON CONFLICT DO NOTHING`,
        [
          jobId,
          column('sku'),
          column('locationId'),
          column('erpQty'),
          column('platformOnHand'),
          column('platformAsOf'),
          column('eventId'),
        ],
      );
    }
  }

  /**
   * A sku is discontinued while the ERP says so for any of its locations; discontinued_at is
   * when it was first seen so (kept across runs). Returns how many skus were newly marked.
   */
  async markDiscontinued(
    jobId: number,
    discontinued: Set<string>,
    seen: Set<string>,
  ): Promise<{ newly: number; since: Map<string, Date> }> {
    const skus = [...seen];
    const flags = skus.map((sku) => discontinued.has(sku));
    const { rows } = await this.pool.query<{ sku: string; newly: boolean; discontinued_at: Date | null }>(
      `INSERT INTO ${this.t('sku_status')} AS s (sku, discontinued, discontinued_at, updated_at, job_id)
       SELECT sku, flag, CASE WHEN flag THEN now() END, now(), $1 FROM unnest($2::text[], $3::boolean[]) AS t(sku, flag)
       ON CONFLICT (sku) DO UPDATE SET discontinued = EXCLUDED.discontinued,
         discontinued_at = CASE WHEN EXCLUDED.discontinued THEN COALESCE(s.discontinued_at, now()) END,
         updated_at = now(), job_id = EXCLUDED.job_id
       RETURNING sku, discontinued_at, discontinued AND discontinued_at = now() AS newly`,
      [jobId, skus, flags],
    );
    const since = new Map<string, Date>();
    for (const r of rows) if (r.discontinued_at) since.set(r.sku, r.discontinued_at);
    return { newly: rows.filter((r) => r.newly).length, since };
  }

  async recentJobs(limit = 20): Promise<JobRow[]> {
    const { rows } = await this.pool.query(
      `SELECT id, trigger, status, started_at, finished_at, skus_processed, items_processed, items_changed,
              items_invalid, items_deferred, discontinued_marked, api_latency_ms, api_attempts, snapshot_as_of,
              archive_path, error
       FROM ${this.t('jobs')} ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      trigger: r.trigger,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      skusProcessed: r.skus_processed,
      itemsProcessed: r.items_processed,
      itemsChanged: r.items_changed,
      itemsInvalid: r.items_invalid,
      itemsDeferred: r.items_deferred,
      discontinuedMarked: r.discontinued_marked,
      apiLatencyMs: r.api_latency_ms,
      apiAttempts: r.api_attempts,
      snapshotAsOf: r.snapshot_as_of,
      archivePath: r.archive_path,
      error: r.error,
    }));
  }

  async changes(jobId: number): Promise<Correction[]> {
    const { rows } = await this.pool.query(
      `SELECT sku, location_id, erp_qty, platform_on_hand, platform_as_of, event_id FROM ${this.t('changes')}
       WHERE job_id = $1 ORDER BY sku, location_id`,
      [jobId],
    );
    return rows.map((r) => ({
      sku: r.sku,
      locationId: r.location_id,
      erpQty: Number(r.erp_qty),
      platformOnHand: Number(r.platform_on_hand),
      platformAsOf: Number(r.platform_as_of),
      eventId: r.event_id,
    }));
  }
}
