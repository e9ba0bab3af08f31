import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Bucket,
  bucketNames,
  buckets,
  createS3Client,
  endpointSettings,
  type S3Client,
} from '@inventory/object-store';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import { jarDir } from '../maven.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';
import { jvmBaseOptions } from './java.ts';

export const s3Endpoint = (ctx: StackContext): string => `http://127.0.0.1:${ctx.settings.S3_PORT}`;

function stackS3Client(ctx: StackContext): S3Client {
  return createS3Client(
    endpointSettings(
      s3Endpoint(ctx),
      { accessKeyId: ctx.secrets.s3AccessKeyId, secretAccessKey: ctx.secrets.s3SecretAccessKey },
      1,
    ),
  );
}

/** S3Proxy's settings: the key pair (so the file is 0600), the folder it serves as buckets. */
function writeProperties(ctx: StackContext): string {
  const file = join(ctx.settings.dirs.conf, 's3proxy.properties');
  mkdirSync(dataDir(ctx, 's3'), { recursive: true });
  writeFileSync(
    file,
    [
      '# written by the local stack on every start',
      `s3proxy.endpoint=${s3Endpoint(ctx)}`,
      // Signature V4 as AWS requires today, V2 for older clients.
      's3proxy.authorization=aws-v2-or-v4',
      `s3proxy.identity=${ctx.secrets.s3AccessKeyId}`,
      `s3proxy.credential=${ctx.secrets.s3SecretAccessKey}`,
      // Each bucket a folder, each object a file under it (renamed into place when complete).
      'jclouds.provider=filesystem-nio2',
      `jclouds.filesystem.basedir=${dataDir(ctx, 's3')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

/** Logback for S3Proxy: its own lines at INFO, the libraries' at WARN, to stdout (its log file). */
function writeLogback(ctx: StackContext): string {
  const file = join(ctx.settings.dirs.conf, 's3proxy-logback.xml');
  writeFileSync(
    file,
    `<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>[%d] %level %msg \\(%logger{0}\\)%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="OUT"/></root>
  <logger name="org.gaul.s3proxy" level="INFO"/>
</configuration>
`,
  );
  return file;
}

export const s3: Component = {
  name: 's3',
  needs: [],
  jars: ['s3proxy'],
  role: 'object storage, S3 API (S3Proxy, filesystem backend): the lake and the ERP archive',
  async start(ctx) {
    const lib = jarDir(ctx.settings.dirs.lib, 's3proxy');
    spawnDaemon({
      command: 'java',
      args: [
        `-Xmx${ctx.settings.S3_HEAP}`,
        ...jvmBaseOptions,
        `-Dlogback.configurationFile=${writeLogback(ctx)}`,
        '-cp',
        `${lib}/*`,
        'org.gaul.s3proxy.Main',
        '--properties',
        writeProperties(ctx),
      ],
      logFile: logFile(ctx, 's3'),
      pidFile: pidFile(ctx, 's3'),
    });
  },
  async healthy(ctx) {
    // A signed request: the server answers, and the stack's key pair is the one it knows.
    const client = stackS3Client(ctx);
    try {
      await bucketNames(client);
      return true;
    } finally {
      client.destroy();
    }
  },
  async afterHealthy(ctx) {
    const client = stackS3Client(ctx);
    try {
      for (const name of Object.values(buckets)) await new Bucket(client, name).ensure();
    } finally {
      client.destroy();
    }
  },
  stop: (ctx) => stopDaemon(pidFile(ctx, 's3'), 'SIGTERM', 15_000),
  pid: (ctx) => readPid(pidFile(ctx, 's3')),
  endpoint: (ctx) => `${s3Endpoint(ctx)} (buckets ${Object.values(buckets).join(', ')})`,
  ports: (ctx) => [{ port: ctx.settings.S3_PORT, setting: 'S3_PORT' }],
};
