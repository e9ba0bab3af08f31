import { InventoryError } from '@inventory/core';
import { partitionCounts, topicSetting } from '@inventory/kafka';
import type { Admin } from 'kafkajs';
import { type AggregatorConfig, aggregatorSettings, retentionProblem } from './config.ts';

/**
 * What must hold of the topics before the aggregator folds anything:
 * - partition p of the input, the commands and the compacted outputs is one set of skus (one
 *   writer, and the partition a restore of p reads), so their partition counts are equal;
 * - the input keeps its records for the dedup horizon and grace: a restore reads them back.
 * Returns the input's partition count.
 */
export async function checkTopics(admin: Admin, config: AggregatorConfig): Promise<number> {
  const keyed = [
    config.INPUT_TOPIC,
    config.COMMANDS_TOPIC,
    config.STOCK_TOPIC,
    config.AVAILABILITY_TOPIC,
    config.RESERVATIONS_TOPIC,
  ];
  const counts = await partitionCounts(admin, keyed);
  const inputs = counts.get(config.INPUT_TOPIC) ?? 0;
  const unequal = keyed.filter((topic) => counts.get(topic) !== inputs);
  if (inputs === 0 || unequal.length > 0)
    throw new InventoryError(
      'STARTUP_CHECK_FAILED',
      `${unequal.map((t) => `${t} has ${counts.get(t)} partitions`).join(', ')} and ${config.INPUT_TOPIC} ${inputs}: they must be equal (and not 0), as a sku's events, commands and state meet in one partition`,
    );
  const retention = Number(
    (await topicSetting(admin, [config.INPUT_TOPIC], 'retention.ms')).get(config.INPUT_TOPIC) ?? -1,
  );
  const problem = retentionProblem(retention, aggregatorSettings(config).dedup);
  if (problem) throw new InventoryError('STARTUP_CHECK_FAILED', `${config.INPUT_TOPIC} ${problem}`);
  return inputs;
}
