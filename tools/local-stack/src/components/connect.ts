import { join } from 'node:path';
import { connectAccess, connectTopics } from '@inventory/kafka';
import { type Component, logFile, pidFile, type StackContext } from '../component.ts';
import { jarDir } from '../maven.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';
import { jvmBaseOptions, writeLog4j2, writeProperties } from './java.ts';
import { javaClientProperties, kafkaBrokers } from './kafka-security.ts';

export const connectUrl = (ctx: StackContext): string => `http://127.0.0.1:${ctx.settings.CONNECT_PORT}`;

export const connect: Component = {
  name: 'connect',
  needs: ['kafka'],
  jars: ['connect', 'debezium'],
  role: 'Kafka Connect (distributed) with the Debezium PostgreSQL connector',
  async start(ctx) {
    const lib = jarDir(ctx.settings.dirs.lib, 'connect');
    const properties = join(ctx.settings.dirs.conf, 'connect-distributed.properties');
    writeProperties(properties, {
      'bootstrap.servers': kafkaBrokers(ctx),
      // As its own principal, with the ACLs of its access entry (packages/kafka access.ts):
      // the worker, and the producers, consumers and admin clients it makes for connectors.
      ...Object.assign(
        {},
        ...['', 'producer.', 'consumer.', 'admin.'].map((prefix) =>
          javaClientProperties(ctx, connectAccess.principal, prefix),
        ),
      ),
      'group.id': connectAccess.groups[0] as string,
      // Connect's own state lives in Kafka (distributed mode), named like every platform topic.
      'config.storage.topic': connectTopics.configs,
      'offset.storage.topic': connectTopics.offsets,
      'status.storage.topic': connectTopics.status,
      'config.storage.replication.factor': 1,
      'offset.storage.replication.factor': 1,
      'status.storage.replication.factor': 1,
      'offset.storage.partitions': 5,
      'status.storage.partitions': 1,
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': false,
      'value.converter.schemas.enable': false,
      'offset.flush.interval.ms': 1000,
      listeners: `http://127.0.0.1:${ctx.settings.CONNECT_PORT}`,
      'rest.advertised.host.name': '127.0.0.1',
      'rest.advertised.port': ctx.settings.CONNECT_PORT,
      'plugin.path': join(ctx.settings.dirs.lib, 'connect-plugins'),
      // Only the plugin folder is scanned by service loading, which keeps start-up short.
      'plugin.discovery': 'service_load',
      'topic.creation.enable': true,
    });
    spawnDaemon({
      command: 'java',
      args: [
        `-Xmx${ctx.settings.CONNECT_HEAP}`,
        ...jvmBaseOptions,
        `-Dlog4j2.configurationFile=${writeLog4j2(ctx, 'connect')}`,
        '-cp',
        `${lib}/*`,
        'org.apache.kafka.connect.cli.ConnectDistributed',
        properties,
      ],
      logFile: logFile(ctx, 'connect'),
      pidFile: pidFile(ctx, 'connect'),
    });
  },
  async healthy(ctx) {
    // /connectors answers only once the worker has joined its group and read its config topic.
    const response = await fetch(`${connectUrl(ctx)}/connectors`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  },
  stop: (ctx) => stopDaemon(pidFile(ctx, 'connect'), 'SIGTERM', 30_000),
  pid: (ctx) => readPid(pidFile(ctx, 'connect')),
  endpoint: connectUrl,
  ports: (ctx) => [{ port: ctx.settings.CONNECT_PORT, setting: 'CONNECT_PORT' }],
};
