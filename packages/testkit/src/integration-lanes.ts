/**
 * Which integration files may run beside another. Most of an integration file's time is
 * waiting on real processes (a consumer group's join, a retry's back-off, an outage that
 * lasts as long as the scenario says), so the files that leave the shared stack as they found
 * it run two at a time (`integration`, vitest.config.ts). The files named here run after
 * them, one at a time with nothing beside them (`integration-alone`): each stops, freezes,
 * kills or wipes a part of the shared stack on purpose, or runs the platform's apps on their
 * fixed ports and consumer groups, and a file beside it would fail for that, not for a fault
 * of its own.
 *
 * `sharedStackFaults` finds what puts a file here; integration-lanes.test.ts checks that every
 * file in which it finds something is named here (or excused below, with the reason).
 */
export const aloneFiles: Readonly<Record<string, string>> = {
  'apps/inventory-query-api/test/network.int.test.ts':
    "stops dc3's broker for a minute, kills MirrorMaker, cuts the flows between dc1 and dc2",
  'apps/mq-bridge/test/guarantees.int.test.ts': 'stops RabbitMQ and the broker mid-stream',
  'apps/inventory-aggregator/test/guarantees.int.test.ts': "wipes the stack's Redis (FLUSHALL)",
  'apps/inventory-aggregator/test/faults.int.test.ts': 'restarts the broker',
  'apps/store-ingest/test/outage.int.test.ts': 'freezes the broker',
  'apps/sap-normalizer/test/cdc.int.test.ts': 'kills Kafka Connect',
  'apps/inventory-query-api/test/cluster-failover.int.test.ts': 'kills a primary of the Redis Cluster',
  'apps/lake-sink/test/s3-faults.int.test.ts': 'stops the object store for 30 s',
  'apps/stock-reconciliation/test/archive.int.test.ts': 'stops the object store',
  'tools/local-stack/src/dcs.int.test.ts': 'kills MirrorMaker',
  'tools/local-stack/src/platform.int.test.ts': "runs the platform's apps on their fixed ports and groups",
  'tools/local-stack/src/platform-dcs.int.test.ts':
    "runs the platform's apps of three data centres on their fixed ports and groups",
  'tools/loadgen/src/network-run.int.test.ts': "runs the platform's apps on their fixed ports and groups",
};

/** Files in which `sharedStackFaults` finds something that does not touch the shared stack. */
export const besideDespite: Readonly<Record<string, string>> = {
  'apps/inventory-query-api/test/reservations-loss.int.test.ts': 'wipes a Redis of its own (PrivateRedis)',
};

const faults: readonly (readonly [RegExp, string])[] = [
  [/\bstopStackPart\(/, 'stops a part of the stack'],
  [/\bstackPartPid\(/, 'signals a process of the stack'],
  [/\bstackUp\(/, 'starts parts of the stack again'],
  [/\b(partitionDataCentres|healPartition)\(/, "cuts or heals MirrorMaker's flows"],
  [/\bstartApps\(/, "runs the platform's apps"],
  [/\.flushall\(/i, 'wipes a Redis'],
];

/** What in a test file's source (and its local helpers') puts it among the files that run alone. */
export function sharedStackFaults(source: string): string[] {
  return faults.filter(([pattern]) => pattern.test(source)).map(([, what]) => what);
}
