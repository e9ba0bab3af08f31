import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mirrorAccess, mirroredTopics, mirrorTestTopicPrefix } from '@inventory/kafka';
import { type Component, logFile, pidFile, type StackContext } from '../component.ts';
import { dcName, otherDcs } from '../dcs.ts';
import { jarDir } from '../maven.ts';
import { describeCuts, mirrorFlows, readCuts } from '../partition.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';
import { loadSecrets } from '../secrets.ts';
import { jvmBaseOptions, writeLog4j2, writeProperties } from './java.ts';
import { javaClientProperties, kafkaBrokers, kafkaPrincipals } from './kafka-security.ts';

/** Every data centre's stack as MirrorMaker reaches it: its brokers, its CA, its mirror user's password. */
function sites(ctx: StackContext): { dc: string; ctx: StackContext }[] {
  return [
    { dc: dcName(1), ctx },
    ...otherDcs(ctx.settings).map((settings, i) => ({
      dc: dcName(i + 2),
      ctx: { settings, secrets: loadSecrets(settings.HOME, kafkaPrincipals()), say: ctx.say },
    })),
  ];
}

/** Where this start's log begins: health is read from what this process wrote. */
let logStart = 0;

/**
 * MirrorMaker 2 in dedicated mode, one process for the six flows between dc1, dc2 and dc3:
 * each data centre's mirrored topics (packages/kafka access.ts) into the others as
 * `<source>.<topic>`, with heartbeats, offset syncs (kept in the target, where the mirror
 * writes anyway) and checkpoints. As the `mirror-maker` user of each cluster, over TLS with
 * that cluster's own CA.
 */
export const mirrorMaker: Component = {
  name: 'mirror-maker',
  needs: ['kafka'],
  jars: ['connect'],
  role: 'MirrorMaker 2 (dedicated mode) between the data centres',
  async start(ctx) {
    const all = sites(ctx);
    const properties = join(ctx.settings.dirs.conf, 'mirror-maker.properties');
    const flows = mirrorFlows(
      all.map((s) => s.dc),
      readCuts(ctx.settings.dirs.run),
    );
    writeProperties(properties, {
      clusters: all.map((s) => s.dc).join(','),
      ...Object.assign(
        {},
        ...all.map((s) => ({
          [`${s.dc}.bootstrap.servers`]: kafkaBrokers(s.ctx),
          ...javaClientProperties(s.ctx, mirrorAccess.principal, `${s.dc}.`),
          // One process serves every herder: a member that left (its target cluster away for
          // longer than the poll timeout) is this process again, and its connectors are given
          // back after two seconds instead of Connect's default five minutes. Not 0: a delay
          // of 0 schedules no rebalance, and what was lost would wait for one by chance. A
          // worker setting, so per target cluster: the top level does not reach the herders.
          [`${s.dc}.scheduled.rebalance.max.delay.ms`]: 2_000,
        })),
      ),
      ...Object.fromEntries(flows.running.map((flow) => [`${flow}.enabled`, 'true'])),
      // A cut flow (partition.ts) runs nothing: no copies and no heartbeats, as if the two
      // data centres could not reach each other.
      ...Object.assign(
        {},
        ...flows.cut.map((flow) => ({
          [`${flow}.enabled`]: 'false',
          [`${flow}.emit.heartbeats.enabled`]: 'false',
        })),
      ),
      // The catalog's mirrored topics, and tests' and benchmarks' own (`inventory.test-mirror-*`).
      topics: [...mirroredTopics(), `${mirrorTestTopicPrefix}*`]
        .map((name) => name.replace(/\./g, '\\.').replace(/\*$/, '.*'))
        .join('|'),
      // One broker per data centre here; a cluster of three takes its default.
      'replication.factor': 1,
      'checkpoints.topic.replication.factor': 1,
      'heartbeats.topic.replication.factor': 1,
      'offset-syncs.topic.replication.factor': 1,
      'offset.storage.replication.factor': 1,
      'status.storage.replication.factor': 1,
      'config.storage.replication.factor': 1,
      'offset-syncs.topic.location': 'target',
      // The copies are created with the source's configuration (compacted stays compacted);
      // keeping them in step later would need AlterConfigs, and ACLs are the access table's.
      'sync.topic.configs.enabled': false,
      'sync.topic.acls.enabled': false,
      'refresh.topics.interval.seconds': 5,
      'refresh.groups.interval.seconds': 30,
      // Checkpoints for the platform's groups only: tests and tools make hundreds of groups of
      // their own, and translating each one's offsets every few seconds is work for nothing.
      groups: 'inventory-.*',
      // Every second: the query API's freshness of another data centre's part is this fine.
      'emit.heartbeats.interval.seconds': 1,
      'emit.checkpoints.interval.seconds': 5,
    });
    logStart = existsSync(logFile(ctx, 'mirror-maker')) ? statSync(logFile(ctx, 'mirror-maker')).size : 0;
    spawnDaemon({
      command: 'java',
      args: [
        `-Xmx${ctx.settings.MIRROR_HEAP}`,
        ...jvmBaseOptions,
        `-Dlog4j2.configurationFile=${writeLog4j2(ctx, 'mirror-maker')}`,
        '-cp',
        `${jarDir(ctx.settings.dirs.lib, 'connect')}/*`,
        'org.apache.kafka.connect.mirror.MirrorMaker',
        properties,
      ],
      logFile: logFile(ctx, 'mirror-maker'),
      pidFile: pidFile(ctx, 'mirror-maker'),
    });
  },
  // Dedicated mode serves no REST API: it is up once it says all its herders started.
  async healthy(ctx) {
    const log = logFile(ctx, 'mirror-maker');
    if (!existsSync(log)) return false;
    return readFileSync(log).subarray(logStart).toString('utf8').includes('Kafka MirrorMaker started');
  },
  stop: (ctx) => stopDaemon(pidFile(ctx, 'mirror-maker'), 'SIGTERM', 30_000),
  pid: (ctx) => readPid(pidFile(ctx, 'mirror-maker')),
  endpoint: (ctx) => {
    const cuts = readCuts(ctx.settings.dirs.run);
    return `${sites(ctx)
      .map((s) => `${s.dc} ${kafkaBrokers(s.ctx)}`)
      .join(', ')}${cuts.length > 0 ? `; partitioned: ${describeCuts(cuts)}` : ''}`;
  },
};
