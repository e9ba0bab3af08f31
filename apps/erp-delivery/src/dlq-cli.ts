// dlq list|redrive [--from ISO] [--to ISO] [--key KEY] [--json], against the Kafka of the
// ERP delivery's own settings (DELIVERY_KAFKA_*: brokers, TLS, its SCRAM user; the local
// stack's with npm run erp:dlq -- list).
import { parseArgs } from 'node:util';
import { parseSettings } from '@inventory/config';
import { errorMessage } from '@inventory/core';
import { createKafka, createProducer } from '@inventory/kafka';
import { kafkaSecurity, kafkaSettings } from '@inventory/service';
import { shape as appShape } from './config.ts';
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

const prefix = 'DELIVERY_';
const shape = {
  ...kafkaSettings({ clientId: 'erp-delivery-dlq-cli' }),
  DLQ_TOPIC: appShape.DLQ_TOPIC,
  RETRY_TOPIC_PREFIX: appShape.RETRY_TOPIC_PREFIX,
};

/**
 * The delivery's Kafka settings and topic names. Run beside the app (its pod, its env), the
 * app's other settings (the ERP's address and token) are there too: only these are read.
 */
function settings() {
  const own = Object.entries(process.env).filter(
    ([name]) => name.startsWith(prefix) && name.slice(prefix.length) in shape,
  );
  return parseSettings(shape, Object.fromEntries(own), { prefix });
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
  const config = settings();
  const deadLetter = config.DLQ_TOPIC;
  const kafka = createKafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    ...kafkaSecurity(config),
  });
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
      { deadLetter, firstRetry: retryTopicName(config.RETRY_TOPIC_PREFIX, 1) },
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
