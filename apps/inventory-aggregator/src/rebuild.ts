import type { StockLevel } from '@inventory/codec';
import { isRetriable } from '@inventory/core';
import { readRanges, readToEnd } from '@inventory/kafka';
import type { AggregatorDeps } from './aggregator.ts';
import type { LocationState, SkuState } from './fold/fold.ts';
import { skuAvailability } from './fold/totals.ts';
import { decodeEvent } from './poison.ts';
import { hashFields } from './store/redis-store.ts';

/**
 * Restores input partitions that Redis has lost (or never had) from inventory.stock.v1:
 * per location x sku the record with the highest version wins (so an out-of-order or
 * duplicated publication cannot roll state back), and the partition resumes after the
 * highest input offset any record reflects. Events after that offset changed no state
 * (duplicates, late deltas, dead letters) and are folded again; to drop the duplicates among
 * them, the eventIds of the dedup horizon are read back from the input topic.
 */
export async function rebuildPartitions(
  deps: AggregatorDeps,
  partitions: number[],
  now: number,
): Promise<void> {
  if (partitions.length === 0) return;
  const { admin, codec, config, kafka, store } = deps;
  const wanted = new Set(partitions);
  const state = new Map<number, Map<string, SkuState>>(partitions.map((p) => [p, new Map()]));
  const highest = new Map<number, number>();
  let undecodable = 0;
  await readToEnd(
    kafka,
    config.STOCK_TOPIC,
    async (message) => {
      if (!message.value) return;
      let level: StockLevel;
      try {
        level = await codec.decode(message.value, 'StockLevel');
      } catch (error) {
        // Skipped and logged as an error rather than refusing to start (which would stop
        // every sku): that location x sku falls back to an older record or to zero until the
        // next reconciliation corrects it.
        if (isRetriable(error)) throw error;
        undecodable++;
        return;
      }
      if (!wanted.has(level.inputPartition)) return;
      const skus = state.get(level.inputPartition) as Map<string, SkuState>;
      const locations = skus.get(level.sku) ?? new Map<string, LocationState>();
      const known = locations.get(level.locationId);
      if (!known || known.version < level.version) {
        // The stock topic carries no count journal: the restored location reads as complete
        // only after updatedAt (fold/journal.ts), so a COUNT older than that is set absolutely
        // and counted as unplaced, never summed against a journal it does not have.
        locations.set(level.locationId, {
          onHand: level.onHand,
          reserved: level.reserved,
          updatedAt: level.updatedAt,
          lastCountAt: level.lastCountAt,
          version: level.version,
          inputOffset: level.inputOffset,
        });
      }
      skus.set(level.sku, locations);
      highest.set(level.inputPartition, Math.max(highest.get(level.inputPartition) ?? -1, level.inputOffset));
    },
    { groupPrefix: `${config.GROUP_ID}-rebuild` },
  );

  if (undecodable > 0)
    deps.logger.error({ undecodable }, 'stock records skipped in the rebuild: they do not decode');
  const offsets = await admin.fetchTopicOffsets(config.INPUT_TOPIC);
  const horizonStart = await admin.fetchTopicOffsetsByTimestamp(
    config.INPUT_TOPIC,
    now - config.DEDUP_HORIZON_MS,
  );
  const next = new Map<number, number>();
  const ranges = new Map<number, { from: number; to: number }>();
  for (const p of partitions) {
    const low = Number(offsets.find((o) => o.partition === p)?.low ?? 0);
    const resume = (highest.get(p) ?? low - 1) + 1;
    next.set(p, Math.max(resume, low));
    const from = Math.max(low, Number(horizonStart.find((o) => o.partition === p)?.offset ?? low));
    ranges.set(p, { from, to: resume });
  }
  const eventIds = new Map<number, string[]>(partitions.map((p) => [p, []]));
  await readRanges(
    kafka,
    config.INPUT_TOPIC,
    ranges,
    async (message, partition) => {
      const decoded = await decodeEvent(codec, message);
      if (decoded.ok) eventIds.get(partition)?.push(decoded.event.eventId);
    },
    { groupPrefix: `${config.GROUP_ID}-dedup` },
  );

  // Reservation records live only in Redis: after a wipe the reserved quantities come back
  // from the stock topic, and commands resume at their end, so that none is decided twice.
  // Reservations held then are released by nobody (see docs/ARCHITECTURE.md).
  const commandEnds = await admin.fetchTopicOffsets(config.COMMANDS_TOPIC);
  for (const p of partitions) {
    const hashes = new Map<string, Record<string, string>>();
    for (const [sku, locations] of state.get(p) ?? new Map<string, SkuState>()) {
      hashes.set(sku, hashFields(locations, skuAvailability(sku, locations, deps.regionOf)));
    }
    const commandsEnd = Number(commandEnds.find((o) => o.partition === p)?.high ?? 0);
    await store.restore(p, next.get(p) ?? 0, hashes, eventIds.get(p) ?? [], commandsEnd);
    deps.logger.warn({ partition: p, nextOffset: next.get(p), skus: hashes.size }, 'partition rebuilt');
  }
}
