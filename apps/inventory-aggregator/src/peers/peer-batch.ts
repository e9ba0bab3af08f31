import type { StockLevel } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import { encodeLocation, type KeyLayout, partitionOf } from '@inventory/read-model';

/**
 * What the copies of the other data centres' state become in this one's Redis (peers.lua.ts
 * holds the contract): pure, so every rule of it is tested without a broker.
 */

/** Where MirrorMaker 2's default replication policy puts a data centre's topic in the others. */
export const copyOf = (dataCentre: string, topic: string): string => `${dataCentre}.${topic}`;

/** The topic MirrorMaker 2 writes its heartbeats to in every cluster it targets. */
export const heartbeatsTopic = 'heartbeats';

/** The mirrored topics read here, each with the data centre it comes from. */
export interface PeerTopics {
  stock: Map<string, string>;
  /**
   * `<dc>.heartbeats`: heartbeats MirrorMaker wrote in that data centre, copied here by the
   * same flow as its state, so their times say how current that flow is.
   */
  heartbeats: Map<string, string>;
}

export function peerTopics(peers: readonly string[], stockTopic: string): PeerTopics {
  return {
    stock: new Map(peers.map((dc) => [copyOf(dc, stockTopic), dc])),
    heartbeats: new Map(peers.map((dc) => [copyOf(dc, heartbeatsTopic), dc])),
  };
}

/**
 * Why a decoded copy cannot be applied, if it cannot: its key is not `<locationId>|<sku>`,
 * or it sits in another partition than its sku's (the data centres' partition counts differ,
 * and its keys would land in another slot than the partition's offset).
 */
export function copyProblem(
  key: string | undefined,
  state: StockLevel,
  partition: number,
  partitions: number,
): InventoryError | undefined {
  const expected = `${state.locationId}|${state.sku}`;
  if (key !== expected) return new InventoryError('WRONG_KEY', `key ${key} is not ${expected}`);
  const home = partitionOf(state.sku, partitions);
  if (home !== partition)
    return new InventoryError(
      'WRONG_PARTITION',
      `sku ${state.sku} belongs to partition ${home} of ${partitions}, not ${partition}: the data centres' topics must have the same partition count`,
    );
  return undefined;
}

/** One call of the apply script (peers.lua.ts) for a batch of one mirrored partition. */
export interface PeerWrite {
  keys: string[];
  args: string[];
  /** States sent (the newest version of each location x sku in the batch). */
  states: number;
}

export function peerWrite(
  keys: KeyLayout,
  dataCentre: string,
  partition: number,
  offsets: { expected: number; next: number },
  states: readonly StockLevel[],
): PeerWrite {
  const newest = new Map<string, StockLevel>();
  for (const state of states) {
    const id = `${state.locationId}|${state.sku}`;
    const seen = newest.get(id);
    if (!seen || state.version > seen.version) newest.set(id, state);
  }
  const keyList = [keys.peerOffsets(partition)];
  const keyIndex = new Map<string, number>();
  const args = [dataCentre, String(offsets.expected), String(offsets.next)];
  for (const state of newest.values()) {
    let index = keyIndex.get(state.sku);
    if (index === undefined) {
      keyList.push(keys.peerSku(partition, dataCentre, state.sku));
      index = keyList.length;
      keyIndex.set(state.sku, index);
    }
    args.push(
      String(index),
      state.locationId,
      String(state.version),
      encodeLocation({
        onHand: state.onHand,
        reserved: state.reserved,
        updatedAt: state.updatedAt,
        lastCountAt: state.lastCountAt,
        version: state.version,
        inputOffset: state.inputOffset,
      }),
    );
  }
  return { keys: keyList, args, states: newest.size };
}
