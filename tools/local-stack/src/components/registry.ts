import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import { jarDir } from '../maven.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';

/** The Confluent-compatible API of Apicurio Registry, which @kafkajs/confluent-schema-registry speaks. */
export const registryUrl = (ctx: StackContext): string =>
  `http://127.0.0.1:${ctx.settings.REGISTRY_PORT}/apis/ccompat/v7`;

export const registry: Component = {
  name: 'registry',
  needs: [],
  jars: ['registry'],
  role: 'Avro schema registry (Apicurio, Confluent-compatible API, H2 file storage)',
  async start(ctx) {
    const dir = jarDir(ctx.settings.dirs.lib, 'registry');
    const runner = readdirSync(dir).find((f) => f.endsWith('-runner.jar'));
    mkdirSync(dataDir(ctx, 'registry'), { recursive: true });
    spawnDaemon({
      command: 'java',
      args: [
        `-Xmx${ctx.settings.REGISTRY_HEAP}`,
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Dquarkus.http.host=127.0.0.1',
        `-Dquarkus.http.port=${ctx.settings.REGISTRY_PORT}`,
        // Confluent's default rule; Apicurio's default is NONE. Refuses a schema version that
        // cannot read data written with the previous one.
        '-Dregistry.rules.global.compatibility=BACKWARD',
        '-Dquarkus.log.console.json=false',
        '-jar',
        runner ?? 'apicurio-registry-app-runner.jar',
      ],
      cwd: dir,
      // H2 in file mode under the stack's data folder: schema ids survive a restart of the
      // stack, so records already in Kafka stay decodable.
      env: {
        ...process.env,
        REGISTRY_DATASOURCE_URL: `jdbc:h2:file:${join(dataDir(ctx, 'registry'), 'registry')}`,
      },
      logFile: logFile(ctx, 'registry'),
      pidFile: pidFile(ctx, 'registry'),
    });
  },
  async healthy(ctx) {
    const response = await fetch(`http://127.0.0.1:${ctx.settings.REGISTRY_PORT}/health/ready`, {
      signal: AbortSignal.timeout(2_000),
    });
    return response.ok;
  },
  // Quarkus sometimes needs a second SIGTERM; the stop escalates to SIGKILL after the grace time.
  stop: (ctx) => stopDaemon(pidFile(ctx, 'registry'), 'SIGTERM', 15_000),
  pid: (ctx) => readPid(pidFile(ctx, 'registry')),
  endpoint: registryUrl,
  ports: (ctx) => [{ port: ctx.settings.REGISTRY_PORT, setting: 'REGISTRY_PORT' }],
};
