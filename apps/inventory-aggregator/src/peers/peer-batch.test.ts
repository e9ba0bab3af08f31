import { type StockLevel, sampleStockLevel } from '@inventory/codec';
import { KeyLayout, parseLocation, partitionOf } from '@inventory/read-model';
import { describe, expect, it } from 'vitest';
import { copyProblem, peerTopics, peerWrite } from './peer-batch.ts';

const keys = new KeyLayout('inv', 12);
const state = (sku: string, locationId: string, version: number, onHand: number): StockLevel => ({
  ...sampleStockLevel,
  sku,
  locationId,
  version,
  onHand,
  reserved: 1,
  available: onHand - 1,
  updatedAt: 1_700_000_000_000 + version,
  lastCountAt: null,
  inputOffset: 40 + version,
});

describe("the other data centres' copies", () => {
  it('reads each peer where MirrorMaker 2 puts its state and its heartbeats', () => {
    const topics = peerTopics(['dc2', 'dc3'], 'inventory.stock.v1');
    expect([...topics.stock]).toEqual([
      ['dc2.inventory.stock.v1', 'dc2'],
      ['dc3.inventory.stock.v1', 'dc3'],
    ]);
    expect([...topics.heartbeats]).toEqual([
      ['dc2.heartbeats', 'dc2'],
      ['dc3.heartbeats', 'dc3'],
    ]);
  });

  it("sends the newest version of each location x sku of a batch, to its sku's copy in the partition's slot", () => {
    const p = partitionOf('A', 12);
    const write = peerWrite(keys, 'dc2', p, { expected: 7, next: 11 }, [
      state('A', 'S-1', 3, 10),
      state('A', 'S-2', 1, 4),
      state('A', 'S-1', 5, 8),
      state('A', 'S-1', 4, 9),
    ]);
    expect(write.states).toBe(2);
    expect(write.keys).toEqual([keys.peerOffsets(p), keys.peerSku(p, 'dc2', 'A')]);
    expect(write.args.slice(0, 3)).toEqual(['dc2', '7', '11']);
    const sent = [];
    for (let i = 3; i < write.args.length; i += 4) sent.push(write.args.slice(i, i + 4));
    expect(sent.map(([index, location, version]) => [index, location, version])).toEqual([
      ['2', 'S-1', '5'],
      ['2', 'S-2', '1'],
    ]);
    expect(parseLocation(sent[0]?.[3] as string)).toEqual({
      onHand: 8,
      reserved: 1,
      updatedAt: 1_700_000_000_005,
      lastCountAt: null,
      version: 5,
      inputOffset: 45,
    });
  });

  it('refuses a copy whose key is not its location and sku, or which sits outside its sku partition', () => {
    const a = state('A', 'S-1', 1, 1);
    const p = partitionOf('A', 12);
    expect(copyProblem('S-1|A', a, p, 12)).toBeUndefined();
    expect(copyProblem('S-2|A', a, p, 12)?.code).toBe('WRONG_KEY');
    expect(copyProblem(undefined, a, p, 12)?.message).toBe('key undefined is not S-1|A');
    const other = copyProblem('S-1|A', a, (p + 1) % 12, 12);
    expect(other?.code).toBe('WRONG_PARTITION');
    expect(other?.message).toBe(
      `sku A belongs to partition ${p} of 12, not ${(p + 1) % 12}: the data centres' topics must have the same partition count`,
    );
  });
});
