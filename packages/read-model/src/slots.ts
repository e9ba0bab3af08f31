/**
 * Where a partition's keys live in a Redis Cluster. All keys of one input partition share a
 * hash tag (one slot: the apply script touches them atomically), so a partition is the unit
 * a cluster places. Tags named `p<n>` hash to arbitrary slots: 12 of them fell 3/3/6 on 3
 * primaries. Instead, partition p of N gets the tag `p<n>.<k>` with the smallest k whose slot
 * lies in the p-th N-th of the slot space, [p * 16384 / N, (p + 1) * 16384 / N).
 *
 * The rule: with slots split into equal ranges (what `redis-cli --cluster create` and
 * `--cluster rebalance` do), every primary holds the same number of partitions whenever the
 * partition count is a multiple of the primary count (12 partitions: 4 each on 3 primaries,
 * 3 each on 4, 2 each on 6). A partition's slot never changes with the number of primaries:
 * resharding moves whole partitions.
 */
export const clusterSlots = 16_384;

/** CRC16-CCITT (XModem), the checksum Redis Cluster keys slots by. */
function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The cluster slot of a key, honouring a `{hash tag}` as Redis does. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % clusterSlots;
  }
  return crc16(key) % clusterSlots;
}

/** The hash tag (without braces) of partition `partition` of `partitions`. */
export function partitionTag(partition: number, partitions: number): string {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > clusterSlots)
    throw new RangeError(`partition count must be an integer from 1 to ${clusterSlots}, not ${partitions}`);
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitions)
    throw new RangeError(`partition ${partition} is outside 0..${partitions - 1}`);
  const low = Math.floor((partition * clusterSlots) / partitions);
  const high = Math.floor(((partition + 1) * clusterSlots) / partitions);
  // About `partitions` tries on average: a range holds 1/partitions of the slots.
  for (let k = 0; ; k++) {
    const tag = `p${partition}.${k}`;
    const slot = crc16(tag) % clusterSlots;
    if (slot >= low && slot < high) return tag;
  }
}
