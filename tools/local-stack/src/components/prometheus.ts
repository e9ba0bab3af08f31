import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localApps } from '../apps.ts';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import { repoRoot } from '../config.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';

export const prometheusUrl = (ctx: StackContext): string =>
  `http://127.0.0.1:${ctx.settings.PROMETHEUS_PORT}`;

/** Where tests (and anyone) put file_sd target files of apps they start on ports of their own. */
export const prometheusTargetsDir = (ctx: StackContext): string =>
  join(ctx.settings.dirs.conf, 'prometheus-targets');

export const rulesDir = join(repoRoot, 'deploy', 'prometheus', 'rules');

/** A scrape target of each app of the launcher table that serves the ops routes (/metrics beside /readyz). */
export function appTargets(): { service: string; target: string }[] {
  return localApps
    .filter((app) => new URL(app.ready).pathname === '/readyz')
    .map((app) => ({ service: app.name, target: new URL(app.ready).host }));
}

/**
 * The configuration: every local app, the stack's own Prometheus, and the target files of
 * `prometheusTargetsDir`. A 2 s scrape and rule interval so the console's charts and the
 * tests see a change within seconds; production scrapes less often (deploy/k8s).
 */
export function prometheusConfig(ctx: StackContext): string {
  const apps = appTargets()
    .map(
      ({ service, target }) =>
        `      - targets: ['${target}']\n        labels: { service: '${service}', environment: 'local' }`,
    )
    .join('\n');
  return `# written by the local stack on every start (tools/local-stack/src/components/prometheus.ts)
global:
  scrape_interval: 2s
  scrape_timeout: 1s
  evaluation_interval: 2s
rule_files:
  - '${rulesDir}/*.yml'
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:${ctx.settings.PROMETHEUS_PORT}']
        labels: { service: 'prometheus', environment: 'local' }
  - job_name: inventory-apps
    static_configs:
${apps}
  - job_name: inventory-test-apps
    file_sd_configs:
      - files: ['${prometheusTargetsDir(ctx)}/*.json']
        refresh_interval: 2s
`;
}

export const prometheus: Component = {
  name: 'prometheus',
  needs: [],
  role: 'metrics of every app (Prometheus, rules from deploy/prometheus/rules)',
  async start(ctx) {
    const data = dataDir(ctx, 'prometheus');
    mkdirSync(data, { recursive: true });
    mkdirSync(prometheusTargetsDir(ctx), { recursive: true });
    const config = join(ctx.settings.dirs.conf, 'prometheus.yml');
    writeFileSync(config, prometheusConfig(ctx));
    spawnDaemon({
      command: 'prometheus',
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=2d',
        `--web.listen-address=127.0.0.1:${ctx.settings.PROMETHEUS_PORT}`,
        // Lets the stack (and a developer) reload the rules after editing them: POST /-/reload.
        '--web.enable-lifecycle',
        '--log.level=warn',
      ],
      logFile: logFile(ctx, 'prometheus'),
      pidFile: pidFile(ctx, 'prometheus'),
    });
  },
  async healthy(ctx) {
    const response = await fetch(`${prometheusUrl(ctx)}/-/ready`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  },
  stop: (ctx) => stopDaemon(pidFile(ctx, 'prometheus'), 'SIGTERM', 15_000),
  pid: (ctx) => readPid(pidFile(ctx, 'prometheus')),
  endpoint: (ctx) => prometheusUrl(ctx),
};
