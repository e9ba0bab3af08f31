import { partitionTag } from './slots.ts';

/**
 * Redis key layout of the read model. Every key of an input partition carries the partition's
 * hash tag `{p<n>.<k>}` (slots.ts: partition n of N lands in the n-th N-th of the slot space,
 * so partitions spread evenly over a cluster's primaries), so that one partition's keys share
 * a Redis Cluster slot and the atomic apply script can touch them together. Below, `{p<n>}`
 * stands for that tag. Readers find a sku's partition with Kafka's murmur2
 * partitioner over the topic's partition count, exactly as producers key it.
 *
 * Each key has one writer, named after the key (the aggregator's writes all go through its
 * apply script, store/apply.lua.ts, except the restore's own; readers go through
 * ReadModelReader):
 *
 *   <prefix>:{p<n>}:offset              next offset of inventory.events.v1 partition n to apply
 *                                       [aggregator: apply]
 *   <prefix>:{p<n>}:sku:<sku>           hash: "<locationId>" -> the location's compact text (about 30
 *                                       bytes, compact.ts), "#" -> the network total's (by region)
 *                                       [aggregator: apply, restore]
 *   <prefix>:{p<n>}:jrn:<sku>           hash: "<locationId>" -> the location's count journal, entries
 *                                       appended and pruned from the front, never rewritten whole
 *                                       (about 12 bytes an entry) [aggregator: apply, restore]
 *   <prefix>:{p<n>}:seen:<day>:<shard>  hash: dedup fingerprints (fields, value '') of the eventIds
 *                                       applied whose occurredAt falls on that UTC day, one of the
 *                                       day's shards (small hashes stay listpack-encoded: ~12 bytes
 *                                       per eventId); expires when no event of the day can come
 *                                       again [aggregator: apply, restore]
 *   <prefix>:{p<n>}:seenshards          hash: day -> how many shards that day's fingerprints use
 *                                       [aggregator: apply, restore]
 *   <prefix>:{p<n>}:seencount           hash: day -> how many fingerprints that day holds (the next
 *                                       day's shard count is sized from it) [aggregator: apply]
 *   <prefix>:{p<n>}:restore             the restore lease of a partition being rebuilt (token)
 *                                       [aggregator: restore]
 *   <prefix>:{p<n>}:outbox              list of output batches written to Redis, not yet to Kafka
 *                                       [aggregator: apply appends, its publisher trims]
 *   <prefix>:{p<n>}:loc:<locationId>    sorted set (all scores 0, so ordered by sku) of the skus of
 *                                       partition n held at that location: a store's assortment,
 *                                       paged with ZRANGE BYLEX and merged over the partitions
 *                                       [aggregator: apply, restore]
 *   <prefix>:{p<n>}:cmdoffset           next offset of inventory.reservation-commands.v1 partition n
 *                                       [aggregator: apply]
 *   <prefix>:{p<n>}:clock               the partition's reservation clock (newest command issuedAt)
 *                                       [aggregator: apply]
 *   <prefix>:{p<n>}:res:<reservationId> a reservation (JSON); terminal ones expire after the retention
 *                                       [aggregator: apply, restore]
 *   <prefix>:{p<n>}:expiry              sorted set of confirmed reservationIds by expiresAt
 *                                       [aggregator: apply, restore]
 *   <prefix>:reservation-sku:<id>       the sku a reservationId was first used for (SET NX: ids are
 *                                       unique across skus, and release and commit, which name only
 *                                       the id, find the sku's partition) [query API: reserve; the
 *                                       aggregator's restore puts back what a lost Redis forgot]
 *   <prefix>:reservation-home:<id>      the data centre that decides a reservationId, when it is not this
 *                                       one (its location is homed elsewhere): release and commit go
 *                                       there [query API: reserve]
 *   <prefix>:discontinued               hash: sku -> ISO time since when the ERP calls it discontinued
 *                                       (master data, not stock state) [reconciliation job]
 *
 * With several data centres, the state of the others' locations, as their inventory.stock.v1
 * arrives here through MirrorMaker 2 (`<dc>.inventory.stock.v1`): absolute and versioned, so a
 * copy applied twice or late changes nothing (peers.lua.ts in the aggregator):
 *
 *   <prefix>:{p<n>}:peer:<dc>:<sku>     hash: "<locationId>" -> the location's compact text (compact.ts,
 *                                       without a journal) in data centre <dc>, the highest version
 *                                       seen [aggregator: peers]
 *   <prefix>:{p<n>}:peeroffsets         hash: "<dc>" -> next offset of `<dc>.inventory.stock.v1`
 *                                       partition n to apply [aggregator: peers]
 *   <prefix>:peer-clock                 hash: "<dc>" -> the newest MirrorMaker heartbeat time
 *                                       (epoch ms) that arrived from <dc>: how fresh its part is
 *                                       [aggregator: peers]
 */
/** The prefix of every key when REDIS_PREFIX is not set (the same in every app of a deployment). */
export const defaultRedisPrefix = 'inv';

export class KeyLayout {
  private readonly tags: string[];

  constructor(
    readonly prefix: string,
    /** The input topic's partition count, which places each partition's tag (slots.ts). */
    readonly partitions: number,
  ) {
    this.tags = Array.from({ length: partitions }, (_, p) => `{${partitionTag(p, partitions)}}`);
  }

  /** The hash tag, with its braces, of a partition's keys. */
  tag(partition: number): string {
    const tag = this.tags[partition];
    if (tag === undefined)
      throw new RangeError(`partition ${partition} is outside 0..${this.partitions - 1}`);
    return tag;
  }

  offset(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:offset`;
  }

  sku(partition: number, sku: string): string {
    return `${this.prefix}:${this.tag(partition)}:sku:${sku}`;
  }

  journal(partition: number, sku: string): string {
    return `${this.prefix}:${this.tag(partition)}:jrn:${sku}`;
  }

  seen(partition: number, day: number, shard: number): string {
    return `${this.prefix}:${this.tag(partition)}:seen:${day}:${shard}`;
  }

  seenShards(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:seenshards`;
  }

  seenCount(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:seencount`;
  }

  restore(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:restore`;
  }

  outbox(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:outbox`;
  }

  assortment(partition: number, locationId: string): string {
    return `${this.prefix}:${this.tag(partition)}:loc:${locationId}`;
  }

  commandOffset(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:cmdoffset`;
  }

  clock(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:clock`;
  }

  reservation(partition: number, reservationId: string): string {
    return `${this.prefix}:${this.tag(partition)}:res:${reservationId}`;
  }

  expiry(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:expiry`;
  }

  reservationSku(reservationId: string): string {
    return `${this.prefix}:reservation-sku:${reservationId}`;
  }

  reservationHome(reservationId: string): string {
    return `${this.prefix}:reservation-home:${reservationId}`;
  }

  discontinued(): string {
    return `${this.prefix}:discontinued`;
  }

  peerSku(partition: number, dataCentre: string, sku: string): string {
    return `${this.prefix}:${this.tag(partition)}:peer:${dataCentre}:${sku}`;
  }

  peerOffsets(partition: number): string {
    return `${this.prefix}:${this.tag(partition)}:peeroffsets`;
  }

  peerClock(): string {
    return `${this.prefix}:peer-clock`;
  }
}

/** A location's field in its sku's hashes: the locationId itself (a code never holds '#'). */
export const locationField = (locationId: string) => locationId;
export const totalField = '#';
