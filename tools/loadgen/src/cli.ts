// npm run loadgen -- [--profile small|large] [--events N] [--duration S] [--rate N] [--seed N] [--senders N]
//   [--batch N] [--processes N] [--p99-goal-ms N] [--target ingest|kafka] [--ingest URL --token T] [--topic T (kafka)] [--query URL --key K] [--aggregator-metrics URL]
//   [--report DIR] [--drain-timeout-ms N] [--dcs 3 [--dc-port-step N] [--probe-interval-ms N]]
// Defaults point at `npm start` on this machine (development tokens). Prints "exact" or the
// differences and exits 1 on any difference; writes report.json and report.html.
// With --dcs 3 (against `npm start -- --dcs 3`): each event to its location's home data
// centre's ingest (the others' at --ingest's port plus N x --dc-port-step), every data
// centre's query API compared with the ground truth, the replication delay and each data
// centre's time to convergence reported (network-run.ts); writes report.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '@inventory/core';
import { createKafka, topicNames } from '@inventory/kafka';
import { stackEndpoints, stackHome, stackKafkaOptions } from '@inventory/testkit';
import { kafkaTarget } from './kafka-target.ts';
import { runNetworkLoad } from './network-run.ts';
import { htmlReport } from './report.ts';
import { runLoad } from './run.ts';
import { profiles } from './workload.ts';

const credentials = JSON.parse(
  readFileSync(new URL('../../../deploy/local/dev-credentials.json', import.meta.url), 'utf8'),
) as { storeIngest: { clientId: string; token: string }[]; queryApi: { keyId: string; key: string }[] };
const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'small' },
    events: { type: 'string' },
    rate: { type: 'string', default: '0' },
    duration: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    senders: { type: 'string', default: '8' },
    processes: { type: 'string', default: '1' },
    batch: { type: 'string', default: '500' },
    prefix: { type: 'string' },
    target: { type: 'string', default: 'ingest' },
    ingest: { type: 'string', default: 'http://127.0.0.1:19100' },
    topic: { type: 'string', default: topicNames.events },
    token: {
      type: 'string',
      default: credentials.storeIngest.find((c) => c.clientId === 'central-replay')?.token,
    },
    query: { type: 'string', default: 'http://127.0.0.1:19120' },
    key: { type: 'string', default: credentials.queryApi.find((k) => k.keyId === 'webshop')?.key },
    'aggregator-metrics': { type: 'string', default: 'http://127.0.0.1:19110/metrics' },
    report: { type: 'string', default: 'loadgen-report' },
    'drain-timeout-ms': { type: 'string', default: '300000' },
    /** The freshness goal drawn on the report's chart: the platform's target, p99 under 1 s. */
    'p99-goal-ms': { type: 'string', default: '1000' },
    dcs: { type: 'string', default: '1' },
    'dc-port-step': { type: 'string', default: '1000' },
    'probe-interval-ms': { type: 'string', default: '500' },
  },
});
const profile = profiles[values.profile as string];
if (!profile) {
  console.error(`--profile must be one of ${Object.keys(profiles).join(', ')}`);
  process.exit(2);
}
const number = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${value}`);
    process.exit(2);
  }
  return n;
};
if (values.dcs !== '1' && values.dcs !== '3') {
  console.error(`--dcs must be 1 or 3, got ${values.dcs}`);
  process.exit(2);
}
if (values.dcs === '3') {
  const step = number('dc-port-step', values['dc-port-step']);
  const at = (url: string, n: number) => {
    const shifted = new URL(url);
    shifted.port = String(Number(shifted.port) + step * n);
    return shifted.origin;
  };
  try {
    const report = await runNetworkLoad({
      sites: ['dc1', 'dc2', 'dc3'].map((dataCentre, n) => ({
        dataCentre,
        ingestUrl: at(values.ingest as string, n),
        queryUrl: at(values.query as string, n),
      })),
      token: values.token as string,
      queryKey: values.key as string,
      profile,
      seed: number('seed', values.seed),
      prefix: values.prefix ?? `LG${Date.now().toString(36).toUpperCase()}`,
      events: number('events', values.events ?? String(profile.events)),
      ratePerSecond: number('rate', values.rate),
      senders: Math.max(1, number('senders', values.senders)),
      batchSize: Math.max(1, Math.min(1000, number('batch', values.batch))),
      probeIntervalMs: Math.max(50, number('probe-interval-ms', values['probe-interval-ms'])),
      drainTimeoutMs: number('drain-timeout-ms', values['drain-timeout-ms']),
      onProgress: (line) => process.stderr.write(`\r${line}   `),
    });
    process.stderr.write('\n');
    mkdirSync(values.report as string, { recursive: true });
    writeFileSync(join(values.report as string, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    const { convergence, ...summary } = report;
    console.log(JSON.stringify(summary));
    for (const c of convergence)
      console.log(
        `${c.dataCentre}: ${c.exact ? 'exact' : `${c.differences.length} differences`} ${c.seconds.toFixed(1)} s after the last event (${c.locationsCompared} locations x skus, ${c.skusCompared} skus)`,
      );
    for (const c of convergence.filter((x) => !x.exact))
      for (const d of c.differences) console.log(`  ${c.dataCentre} ${d}`);
    console.log(report.exact ? 'exact in every data centre' : 'not exact');
    process.exit(report.exact ? 0 : 1);
  } catch (error) {
    console.error(`loadgen: ${errorMessage(error)}`);
    process.exit(1);
  }
}
if (values.target !== 'ingest' && values.target !== 'kafka') {
  console.error('--target must be ingest or kafka');
  process.exit(2);
}
const kafka =
  values.target === 'kafka'
    ? await kafkaTarget(
        createKafka({ clientId: 'loadgen', ...stackKafkaOptions() }),
        values.topic as string,
        stackEndpoints().SCHEMA_REGISTRY_URL,
      )
    : undefined;
try {
  const report = await runLoad({
    target: kafka?.target ?? { kind: 'ingest', url: values.ingest as string, token: values.token as string },
    profile,
    seed: number('seed', values.seed),
    prefix: values.prefix ?? `LG${Date.now().toString(36).toUpperCase()}`,
    events: number('events', values.events ?? String(profile.events)),
    ratePerSecond: number('rate', values.rate),
    durationSeconds: number('duration', values.duration),
    queryUrl: values.query as string,
    queryKey: values.key as string,
    aggregatorMetricsUrl: values['aggregator-metrics'],
    senders: Math.max(1, number('senders', values.senders)),
    processes: Math.max(1, number('processes', values.processes)),
    stackHome: stackHome(),
    batchSize: Math.max(1, number('batch', values.batch)),
    drainTimeoutMs: number('drain-timeout-ms', values['drain-timeout-ms']),
    onProgress: (line) => process.stderr.write(`\r${line}   `),
  });
  process.stderr.write('\n');
  await kafka?.close();
  mkdirSync(values.report as string, { recursive: true });
  writeFileSync(join(values.report as string, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    join(values.report as string, 'report.html'),
    htmlReport(report, { p99GoalMs: number('p99-goal-ms', values['p99-goal-ms'] as string) }),
  );
  const { timeline: _timeline, differences, cpu, ...summary } = report;
  console.log(JSON.stringify(summary));
  if (cpu) {
    console.log(
      `CPU per event: platform ${cpu.platform.microsPerEvent} us (${cpu.platform.cpuSeconds} s), load generator ${cpu.loadgen.microsPerEvent} us (${cpu.loadgen.cpuSeconds} s)`,
    );
    for (const part of cpu.parts)
      console.log(
        `  ${part.part.padEnd(22)} ${String(part.microsPerEvent).padStart(8)} us/event ${String(part.cpuSeconds).padStart(9)} s`,
      );
  }
  if (report.exact) console.log('exact');
  else {
    console.log(`${differences.length} differences${differences.length === 100 ? ' (first 100)' : ''}:`);
    for (const d of differences) console.log(`  ${d}`);
  }
  console.log(`report: ${join(values.report as string, 'report.html')}`);
  process.exit(report.exact ? 0 : 1);
} catch (error) {
  console.error(`loadgen: ${errorMessage(error)}`);
  process.exit(1);
}
