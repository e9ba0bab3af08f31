// dlq list|redrive [--from ISO] [--to ISO] [--key KEY] [--json], against the Kafka of
// DELIVERY_KAFKA_BROKERS (the local stack's: npm run erp:dlq -- list).
import { parseArgs } from 'node:util';
import { errorMessage, InventoryError } from '@inventory/core';
import { createKafka, createProducer, topicNames } from '@inventory/kafka';
import { retryTopicName } from './delivery/deliverer.ts';
import { type DeadLetterFilter, listDeadLetters, redrive } from './dlq.ts';

const usage =
  'usage: dlq <list|redrive> [--from ISO-8601] [--to ISO-8601] [--key KEY] [--json]\n' +
  '  list     what is in the dead-letter topic (dead-lettered in [from, to), with the key)\n' +
  '  redrive  moves the selected dead letters back for delivery (retry stage 1, due now)';

function time(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`--${name}: not an ISO-8601 time: ${value}`);
  return ms;
}

function brokers(): string[] {
  const configured = process.env.DELIVERY_KAFKA_BROKERS;
  if (!configured)
    throw new InventoryError('CONFIG_INVALID', 'DELIVERY_KAFKA_BROKERS: missing required setting');
  return configured.split(',');
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      key: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || (command !== 'list' && command !== 'redrive')) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const filter: DeadLetterFilter = {
    from: time('from', values.from),
    to: time('to', values.to),
    key: values.key,
  };
  const deadLetter = process.env.DELIVERY_DLQ_TOPIC ?? topicNames.deliveryDeadLetter;
  const prefix = process.env.DELIVERY_RETRY_TOPIC_PREFIX ?? 'inventory.erp-delivery.retry-';
  const kafka = createKafka({ clientId: 'erp-delivery-dlq-cli', brokers: brokers() });
  if (command === 'list') {
    const letters = await listDeadLetters(kafka, deadLetter, filter);
    for (const d of letters) {
      const row = {
        time: new Date(d.time).toISOString(),
        key: d.key,
        destination: d.destination,
        reason: d.reason,
        attempts: d.attempts,
        original: d.original,
        at: `${d.partition}@${d.offset}`,
        error: d.lastError,
      };
      console.log(values.json ? JSON.stringify(row) : Object.values(row).join('  '));
    }
    console.error(`${letters.length} dead letter(s) in ${deadLetter}`);
    return 0;
  }
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const moved = await redrive(
      kafka,
      producer,
      { deadLetter, firstRetry: retryTopicName(prefix, 1) },
      filter,
    );
    for (const d of moved)
      console.log(
        values.json
          ? JSON.stringify({ key: d.key, at: `${d.partition}@${d.offset}` })
          : `${d.key}  ${d.partition}@${d.offset}`,
      );
    console.error(`${moved.length} dead letter(s) moved back for delivery`);
    return 0;
  } finally {
    await producer.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`dlq: ${errorMessage(error)}`);
    process.exit(1);
  },
);
