import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appAccess, topicSpec } from '@inventory/kafka';
import { repoRoot } from '@inventory/local-stack';
import { describe, expect, it } from 'vitest';
import { type AppDeployment, apps } from './apps.ts';
import { alerts, metricNames } from './monitoring.ts';
import { settingDefaults } from './settings.ts';
import { configMap, deployment, gracePeriodSeconds, lagScaler, settingEntries } from './workloads.ts';

/** The environment of the app's container: its ConfigMap, and a stand-in for each Secret or ConfigMap key. */
function podEnv(app: AppDeployment): Record<string, string> {
  const env: Record<string, string> = { ...(configMap(app).data as Record<string, string>) };
  for (const [name, source] of Object.entries(app.env))
    if (!source.optional) env[`${app.prefix}${name}`] = 'https://placeholder.invalid/';
  return env;
}

describe.each(apps.map((app) => [app.name, app] as const))('%s in Kubernetes', (_name, app) => {
  it('its ConfigMap lists every setting of its schema with a value, or says where it comes from', () => {
    const entries = settingEntries(app);
    expect(entries.map((e) => e.name)).toEqual(Object.keys(app.shape));
    expect(entries.filter((e) => e.origin.startsWith('REQUIRED'))).toEqual([]);
  });

  it("its pod's environment passes its own settings parsing, and each default parses back to itself", () => {
    const parsed = app.parse(podEnv(app)) as Record<string, unknown>;
    const kept = new Set(
      settingEntries(app)
        .filter((e) => e.origin === 'default')
        .map((e) => e.name),
    );
    const defaults = settingDefaults(app.shape).filter((s) => kept.has(s.name));
    expect(defaults.length).toBeGreaterThan(5);
    for (const { name, parsed: value } of defaults)
      expect({ name, value: parsed[name] }).toEqual({ name, value });
  });

  it('its Kafka access covers every topic and group its settings name', () => {
    const access = appAccess[app.name];
    const parsed = app.parse(podEnv(app)) as Record<string, unknown>;
    const named = Object.entries(parsed)
      .filter(([key]) => /_TOPICS?$/.test(key))
      .flatMap(([, value]) => (Array.isArray(value) ? value : [value])) as string[];
    const allowed = new Set([...access.reads, ...access.writes, ...access.inspects]);
    expect(named.filter((topic) => !allowed.has(topic))).toEqual([]);
    const groups = Object.entries(parsed)
      .filter(([key]) => /GROUP_ID$/.test(key))
      .map(([, value]) => value as string);
    expect(groups.filter((group) => !access.groups.some((prefix) => group.startsWith(prefix)))).toEqual([]);
  });

  it('its grace period is longer than its stop deadline', () => {
    const data = configMap(app).data as Record<string, string>;
    const deadlineSeconds = Number(data[`${app.prefix}SHUTDOWN_TIMEOUT_MS`]) / 1000;
    const grace = (deployment(app).spec as { template: { spec: { terminationGracePeriodSeconds: number } } })
      .template.spec.terminationGracePeriodSeconds;
    expect(grace).toBe(gracePeriodSeconds(app));
    expect(grace).toBeGreaterThan(deadlineSeconds + (app.api ? 5 : 0));
  });
});

describe('scaling', () => {
  it('HTTP apps on CPU, consumers on lag, the queue bridge and the nightly job fixed', () => {
    expect(apps.map((a) => [a.name, a.scaling.kind])).toEqual([
      ['store-ingest', 'cpu'],
      ['mq-bridge', 'fixed'],
      ['sap-normalizer', 'lag'],
      ['inventory-aggregator', 'lag'],
      ['inventory-query-api', 'cpu'],
      ['erp-delivery', 'lag'],
      ['stock-reconciliation', 'fixed'],
      ['lake-sink', 'lag'],
    ]);
  });

  it('a consumer scales to at most one replica per partition, on groups and topics it reads', () => {
    for (const app of apps) {
      if (app.scaling.kind !== 'lag') continue;
      const spec = lagScaler(app).spec as { maxReplicaCount: number };
      expect(spec.maxReplicaCount).toBe(
        Math.max(...app.scaling.triggers.map((t) => topicSpec(t.topic).partitions)),
      );
      const access = appAccess[app.name];
      for (const { group, topic } of app.scaling.triggers) {
        expect(access.reads).toContain(topic);
        expect(access.groups.some((prefix) => group.startsWith(prefix))).toBe(true);
      }
    }
  });
});

describe('alerts', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sources(path);
      return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [readFileSync(path, 'utf8')] : [];
    });
  const code = [
    ...apps.flatMap((app) => sources(join(repoRoot, app.dir, 'src'))),
    ...sources(join(repoRoot, 'packages/service/src')),
  ].join('\n');
  /** Strimzi's Kafka Exporter's metric, the one the alerts use that no app exports. */
  const exporter = new Set(['kafka_consumergroup_lag']);

  it('use only metric names the apps export (or the Kafka Exporter)', () => {
    const used = [...new Set(alerts.flatMap((a) => metricNames(a.expr)))].sort();
    expect(used.filter((name) => !exporter.has(name) && !code.includes(`'${name}'`))).toEqual([]);
    expect(used.length).toBeGreaterThanOrEqual(12);
  });

  it('cover consumer lag, dead-letter growth, freshness, 5xx and a failed reconciliation', () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      'InventoryConsumerLagHigh',
      'InventoryAggregatorLagHigh',
      'InventoryDeadLettersGrowing',
      'InventoryReadModelStale',
      'InventoryLakeStale',
      'InventoryHttp5xx',
      'InventoryReconciliationFailed',
      'InventoryReconciliationMissing',
      'InventoryMqBacklog',
    ]);
  });
});
