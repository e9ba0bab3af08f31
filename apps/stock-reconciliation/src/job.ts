import { hostname } from 'node:os';
import type { AvroCodec, InventoryEvent } from '@inventory/codec';
import { errorMessage, InventoryError, type Logger } from '@inventory/core';
import { sendBounded } from '@inventory/kafka';
import type { Bucket } from '@inventory/object-store';
import type { ReadModelReader, RedisClient } from '@inventory/read-model';
import type { Producer } from 'kafkajs';
import type { Alert } from './alerts.ts';
import { applyRetention, archivePayload } from './archive.ts';
import type { ReconciliationConfig } from './config.ts';
import { fetchInventory } from './erp-client.ts';
import type { ReconciliationMetrics } from './metrics.ts';
import { correctionEvent, decide } from './plan.ts';
import { readPlatformState } from './platform.ts';
import { parseSnapshot } from './snapshot.ts';
import type { Correction, JobResult, ReconciliationStore } from './store.ts';

export interface JobDeps {
  config: ReconciliationConfig;
  store: ReconciliationStore;
  redis: RedisClient;
  producer: Producer;
  codec: AvroCodec;
  /** The read model (it knows the events topic's partitions: where each sku is kept). */
  reader: ReadModelReader;
  erpToken: string;
  alert: Alert;
  archive: Bucket;
  metrics: ReconciliationMetrics;
  logger: Logger;
  /** The clock the archive is named and kept by (Date.now; tests move it). */
  now?: () => number;
}

export interface JobOutcome extends JobResult {
  jobId: number;
  /** Milliseconds per step of a run that got that far (for logs and the benchmark). */
  phases?: Record<string, number>;
}

const invalidLogged = 100;

/**
 * One reconciliation run. Order matters: the lease before anything else (two runs would
 * publish competing corrections), the archive before any correction (the audit must show
 * what the corrections came from), corrections through the canonical stream (the
 * aggregator stays the only writer of state), the job row last with the outcome.
 */
export async function runReconciliation(deps: JobDeps, trigger: 'schedule' | 'manual'): Promise<JobOutcome> {
  const { config, store, logger, alert, metrics } = deps;
  const jobId = await store.createJob(trigger);
  const log = logger.child({ jobId });
  const refusal = await store.acquireLease(
    jobId,
    `${hostname()}:${process.pid}`,
    config.JOB_TIMEOUT_MS + 60_000,
  );
  if (refusal) {
    const error = `refused: job ${refusal.heldBy} holds the lease and is still running`;
    await store.finishJob(jobId, { status: 'refused', error });
    metrics.runs.inc({ status: 'refused' });
    await alert('overlap', `job ${jobId} (${trigger}) did not start: job ${refusal.heldBy} is still running`);
    return { jobId, status: 'refused', error };
  }
  const started = Date.now();
  const abort = new AbortController();
  const timeout = setTimeout(
    () =>
      abort.abort(new InventoryError('JOB_TIMEOUT', `the job ran longer than ${config.JOB_TIMEOUT_MS} ms`)),
    config.JOB_TIMEOUT_MS,
  );
  const longRunning = setTimeout(
    () =>
      void alert(
        'long-running',
        `job ${jobId} has been running for more than ${Math.round(config.ALERT_DURATION_MS / 60_000)} min`,
      ),
    config.ALERT_DURATION_MS,
  );
  const progress: JobResult = { status: 'running' };
  try {
    const result = await Promise.race([
      reconcile(deps, jobId, progress, abort.signal, log),
      new Promise<never>((_, reject) =>
        abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true }),
      ),
    ]);
    await store.finishJob(jobId, result);
    metrics.runs.inc({ status: 'completed' });
    metrics.changed.set(result.itemsChanged ?? 0);
    log.info({ ...result, durationMs: Date.now() - started }, 'reconciliation completed');
    if ((result.itemsChanged ?? 0) > config.ALERT_CHANGED_ITEMS) {
      await alert(
        'many-changes',
        `job ${jobId} corrected ${result.itemsChanged} items (more than ${config.ALERT_CHANGED_ITEMS})`,
      );
    }
    return { jobId, ...result };
  } catch (error) {
    abort.abort();
    const message = errorMessage(error);
    await store.finishJob(jobId, { ...progress, status: 'failed', error: message });
    metrics.runs.inc({ status: 'failed' });
    log.error({ err: message }, 'reconciliation failed');
    await alert('failed', `job ${jobId} failed: ${message}`);
    return { jobId, ...progress, status: 'failed', error: message };
  } finally {
    clearTimeout(timeout);
    clearTimeout(longRunning);
    metrics.duration.observe((Date.now() - started) / 1000);
    await store.releaseLease(jobId);
  }
}

/**
 * The query API answers `discontinued` from the read model's master-data hash: set for the
 * skus the ERP calls discontinued, removed for the skus of this snapshot it no longer does.
 */
async function publishDiscontinued(
  deps: JobDeps,
  skus: Set<string>,
  since: Map<string, Date>,
): Promise<void> {
  const key = deps.reader.keys.discontinued();
  const gone = [...skus].filter((sku) => !since.has(sku));
  const pipeline = deps.redis.pipeline();
  for (let i = 0; i < gone.length; i += 1_000) pipeline.hdel(key, ...gone.slice(i, i + 1_000));
  const set = [...since].map(([sku, at]) => [sku, at.toISOString()] as const);
  for (let i = 0; i < set.length; i += 1_000) pipeline.hset(key, Object.fromEntries(set.slice(i, i + 1_000)));
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
}

async function reconcile(
  deps: JobDeps,
  jobId: number,
  progress: JobResult,
  signal: AbortSignal,
  log: Logger,
): Promise<JobResult & { phases: Record<string, number> }> {
  const { config, store, codec, producer } = deps;
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => {
    const now = Date.now();
    phases[name] = now - mark;
    mark = now;
  };
  const fetched = await fetchInventory({
    url: config.ERP_URL,
    token: deps.erpToken,
    timeoutMs: config.ERP_TIMEOUT_MS,
    retryDelaysMs: config.ERP_RETRY_DELAYS_MS,
    signal,
    onRetry: (attempt, waitMs, error) => {
      progress.apiAttempts = attempt;
      log.warn({ attempt, waitMs, err: errorMessage(error) }, 'GET /inventory failed; retrying');
    },
  });
  Object.assign(progress, { apiAttempts: fetched.attempts, apiLatencyMs: fetched.latencyMs });
  phase('fetch');
  const archivedAt = (deps.now ?? Date.now)();
  progress.archivePath = await archivePayload(deps.archive, archivedAt, fetched.payload, {
    retries: config.ARCHIVE_RETRIES,
    initialDelayMs: config.ARCHIVE_RETRY_INITIAL_MS,
    signal,
    log,
  });
  phase('archive');
  // Retention never fails a run: what it could not delete now is past retention next time too.
  await applyRetention(deps.archive, archivedAt, config.ARCHIVE_RETENTION_DAYS).then(
    ({ rule, deleted }) => {
      deps.metrics.archivesDeleted.inc(deleted.length);
      if (deleted.length > 0)
        log.info({ deleted: deleted.length, lifecycleRule: rule }, 'archives past retention deleted');
    },
    (error) =>
      log.error(
        { err: errorMessage(error) },
        'archives past retention could not be deleted; retried next run',
      ),
  );
  phase('retention');
  const snapshot = parseSnapshot(fetched.payload, fetched.fetchedAt);
  phase('parse');
  progress.snapshotAsOf = snapshot.asOf;
  progress.itemsInvalid = snapshot.invalid.length;
  for (const bad of snapshot.invalid.slice(0, invalidLogged)) {
    log.warn({ index: bad.index, reason: bad.reason, record: bad.record }, 'invalid snapshot record skipped');
  }
  if (snapshot.invalid.length > invalidLogged)
    log.warn({ more: snapshot.invalid.length - invalidLogged }, 'more invalid records skipped (not logged)');

  const states = await readPlatformState(deps.reader, snapshot.items);
  phase('read');
  const now = Date.now();
  const corrections: Correction[] = [];
  const events: InventoryEvent[] = [];
  let deferred = 0;
  snapshot.items.forEach((item, i) => {
    const stored = states[i];
    const decision = decide(item, stored, snapshot.asOf);
    if (decision.kind === 'deferred') deferred++;
    if (decision.kind !== 'correct') return;
    const event = correctionEvent(jobId, item, snapshot.asOf, now);
    events.push(event);
    corrections.push({
      sku: item.sku,
      locationId: item.locationId,
      erpQty: item.qty,
      platformOnHand: stored?.onHand ?? 0,
      platformAsOf: decision.platformAsOf,
      eventId: event.eventId,
    });
  });
  // The audit row of a correction exists before the correction does.
  await store.recordChanges(jobId, corrections);
  phase('audit');
  for (let i = 0; i < events.length; i += 2_000) {
    if (signal.aborted) throw signal.reason;
    const chunk = events.slice(i, i + 2_000);
    const values = await codec.encodeAll(`${config.EVENTS_TOPIC}-value`, 'InventoryEvent', chunk);
    await sendBounded(producer, [
      {
        topic: config.EVENTS_TOPIC,
        messages: chunk.map((e, j) => ({ key: e.sku, value: values[j] as Buffer })),
      },
    ]);
  }
  phase('publish');
  const skus = new Set(snapshot.items.map((item) => item.sku));
  const discontinued = new Set(snapshot.items.filter((item) => item.discontinued).map((item) => item.sku));
  const marked = await store.markDiscontinued(jobId, discontinued, skus);
  await publishDiscontinued(deps, skus, marked.since);
  const discontinuedMarked = marked.newly;
  phase('discontinued');
  return {
    phases,
    ...progress,
    status: 'completed',
    skusProcessed: skus.size,
    itemsProcessed: snapshot.items.length,
    itemsChanged: corrections.length,
    itemsDeferred: deferred,
    discontinuedMarked,
  };
}
