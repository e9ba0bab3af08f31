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
    expect(appTargets()).toEqual([
      { service: 'store-ingest', target: '127.0.0.1:19100' },
      { service: 'mq-bridge', target: '127.0.0.1:19130' },
      { service: 'sap-normalizer', target: '127.0.0.1:19140' },
      { service: 'inventory-aggregator', target: '127.0.0.1:19110' },
      { service: 'inventory-query-api', target: '127.0.0.1:19120' },
      { service: 'erp-delivery', target: '127.0.0.1:19170' },
      { service: 'lake-sink', target: '127.0.0.1:19150' },
      { service: 'stock-reconciliation', target: '127.0.0.1:19180' },
      { service: 'console', target: '127.0.0.1:19190' },
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
