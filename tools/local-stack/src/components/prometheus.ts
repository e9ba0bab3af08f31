import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import { repoRoot, type StackSettings } from '../config.ts';
import { dataCentreOfApp, localPlatform } from '../local-dcs.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';

export const prometheusUrl = (ctx: StackContext): string =>
  `http://127.0.0.1:${ctx.settings.PROMETHEUS_PORT}`;

/** Where tests (and anyone) put file_sd target files of apps they start on ports of their own. */
export const prometheusTargetsDir = (ctx: StackContext): string =>
  join(ctx.settings.dirs.conf, 'prometheus-targets');

export const rulesDir = join(repoRoot, 'deploy', 'prometheus', 'rules');

/**
 * A scrape target of each app of the local platform that serves the ops routes (/metrics
 * beside /readyz), with the data centre it runs in (every data centre's with --dcs 3).
 */
export function appTargets(
  settings: StackSettings,
): { service: string; dataCentre: string; target: string }[] {
  return localPlatform(settings)
    .filter((app) => new URL(app.ready).pathname === '/readyz')
    .map((app) => ({
      service: app.name.split('@')[0] as string,
      dataCentre: dataCentreOfApp(app.name),
      target: new URL(app.ready).host,
    }));
}

/**
 * The configuration: every local app, the stack's own Prometheus, and the target files of
 * `prometheusTargetsDir`. A 2 s scrape and rule interval so the console's charts and the
 * tests see a change within seconds; production scrapes less often (deploy/k8s).
 */
export function prometheusConfig(ctx: StackContext): string {
  const apps = appTargets(ctx.settings)
    .map(
      ({ service, dataCentre, target }) =>
        `      - targets: ['${target}']\n        labels: { service: '${service}', data_centre: '${dataCentre}', environment: 'local' }`,
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
  ports: (ctx) => [{ port: ctx.settings.PROMETHEUS_PORT, setting: 'PROMETHEUS_PORT' }],
};
