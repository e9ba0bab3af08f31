import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StackContext } from '../component.ts';
import { parseStackSettings } from '../config.ts';
import { appTargets, prometheusConfig, rulesDir } from './prometheus.ts';

/** promtool comes with Debian's prometheus package, which the stack installs (prereqs.ts). */
function promtool(args: string[]): { status: number | null; out: string } {
  const result = spawnSync('promtool', args, { cwd: dirname(rulesDir), encoding: 'utf8' });
  if (result.error)
    throw new Error(
      `promtool is missing (${result.error.message}): apt-get install -y prometheus, or let \`npm test\` install it as root`,
    );
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('the platform rules (deploy/prometheus/rules)', () => {
  const ruleFiles = readdirSync(rulesDir);

  it('are valid for promtool', () => {
    expect(ruleFiles).toEqual(['inventory-alerts.yml', 'inventory-recording.yml']);
    const checked = promtool(['check', 'rules', ...ruleFiles.map((f) => join(rulesDir, f))]);
    expect(checked.status, checked.out).toBe(0);
  });

  it('record and alert as their tests expect (promtool test rules)', () => {
    const tested = promtool(['test', 'rules', 'rules-test.yml']);
    expect(tested.status, tested.out).toBe(0);
    expect(tested.out).toContain('SUCCESS');
  });
});

describe('the local Prometheus configuration', () => {
  const home = mkdtempSync(join(tmpdir(), 'prometheus-config-'));
  const settings = parseStackSettings({
    INVENTORY_STACK_HOME: home,
    INVENTORY_STACK_PROMETHEUS_PORT: '29990',
  });
  const ctx = { settings } as StackContext;

  it('scrapes every app that serves the ops routes, by its ops port', () => {
    expect(appTargets(settings)).toEqual(
      [
        ['store-ingest', '127.0.0.1:19100'],
        ['mq-bridge', '127.0.0.1:19130'],
        ['sap-normalizer', '127.0.0.1:19140'],
        ['inventory-aggregator', '127.0.0.1:19110'],
        ['inventory-query-api', '127.0.0.1:19120'],
        ['erp-delivery', '127.0.0.1:19170'],
        ['lake-sink', '127.0.0.1:19150'],
        ['stock-reconciliation', '127.0.0.1:19180'],
        ['console', '127.0.0.1:19190'],
      ].map(([service, target]) => ({ service, dataCentre: 'dc1', target })),
    );
  });

  it("with three data centres, also each other data centre's ingest, aggregator and query API, on its ports", () => {
    const three = parseStackSettings({ INVENTORY_STACK_HOME: home, INVENTORY_STACK_DCS: '3' });
    expect(appTargets(three).filter((t) => t.dataCentre !== 'dc1')).toEqual([
      { service: 'store-ingest', dataCentre: 'dc2', target: '127.0.0.1:20100' },
      { service: 'inventory-aggregator', dataCentre: 'dc2', target: '127.0.0.1:20110' },
      { service: 'inventory-query-api', dataCentre: 'dc2', target: '127.0.0.1:20120' },
      { service: 'store-ingest', dataCentre: 'dc3', target: '127.0.0.1:21100' },
      { service: 'inventory-aggregator', dataCentre: 'dc3', target: '127.0.0.1:21110' },
      { service: 'inventory-query-api', dataCentre: 'dc3', target: '127.0.0.1:21120' },
    ]);
  });

  it('is valid for promtool, with the rules, its own port and the target files of tests', () => {
    const config = prometheusConfig(ctx);
    expect(config).toContain("- targets: ['127.0.0.1:29990']");
    expect(config).toContain(`files: ['${home}/conf/prometheus-targets/*.json']`);
    expect(config).toContain(`- '${rulesDir}/*.yml'`);
    const file = join(settings.dirs.conf, 'prometheus.yml');
    mkdirSync(settings.dirs.conf, { recursive: true });
    writeFileSync(file, config);
    const checked = promtool(['check', 'config', file]);
    expect(checked.status, checked.out).toBe(0);
  });
});
