// What the query API's read of a sku costs in the read model's parsers, on this machine:
//   node --import tsx bench/parse.ts [locations]      (in packages/read-model)
// Prints nanoseconds per stored location (parseLocation) and microseconds per sku of
// `locations` locations as HGETALL answers it (parseStoredSku), the best of five rounds.
import { encodeLocation, parseLocation } from '../src/compact.ts';
import { parseStoredSku } from '../src/reader.ts';

const locations = Number(process.argv[2] ?? 50);
if (!Number.isInteger(locations) || locations < 1)
  throw new Error(`locations: '${process.argv[2]}' is not a count`);
const now = Date.UTC(2026, 11, 7, 9, 30);
const texts = Array.from({ length: 1_000 }, (_, i) =>
  encodeLocation({
    onHand: 10 + (i % 90),
    reserved: i % 3,
    updatedAt: now - i * 1_000,
    lastCountAt: i % 2 === 0 ? null : now - 86_400_000,
    version: 5 + i,
    inputOffset: 1_234_567 + i,
    ...(i % 5 === 0 ? { journalFrom: now - 7 * 86_400_000 } : {}),
  }),
);
const hash: string[] = [];
for (let i = 0; i < locations; i++)
  hash.push(`S-${String(i).padStart(4, '0')}`, texts[i % texts.length] as string);

/** The best of five rounds of `rounds` calls, in nanoseconds a call. */
function best(rounds: number, call: () => number): number {
  let fastest = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) sink += call();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / rounds);
  }
  if (sink === 0) throw new Error('nothing parsed');
  return fastest;
}

let next = 0;
const perLocation = best(1_000_000, () => parseLocation(texts[next++ % texts.length] as string).onHand);
const perSku = best(20_000, () => parseStoredSku('SKU-000001', hash)?.locations.size ?? 0);
console.log(
  JSON.stringify({
    node: process.version,
    nsPerLocation: Math.round(perLocation),
    locations,
    usPerSku: Number((perSku / 1_000).toFixed(1)),
  }),
);
