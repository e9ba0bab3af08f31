import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import {
  environmentOf,
  type ProcessInfo,
  processesMentioning,
  readPid,
  type StopOutcome,
  spawnDaemon,
  stopDaemon,
} from '../proc.ts';

const user = 'inventory';

/** The command line of the stack's own epmd: how it is found again. */
export const epmdCommand = (ctx: StackContext) => `epmd -port ${ctx.settings.EPMD_PORT} -address 127.0.0.1`;

/**
 * This stack's epmd, if it runs. Its command line names only its port, which another stack
 * home may use too (one left on the default ports while this one skips RabbitMQ): it is told
 * apart by the HOME it was started with, this stack's RabbitMQ folder.
 */
export function runningEpmd(ctx: StackContext): ProcessInfo | undefined {
  const home = `HOME=${dataDir(ctx, 'rabbitmq')}`;
  return processesMentioning(epmdCommand(ctx)).find(
    (p) => p.args === epmdCommand(ctx) && environmentOf(p.pid)?.includes(home),
  );
}

/**
 * Any other epmd started with this stack's RabbitMQ folder as its HOME: Erlang starts one by
 * itself (`epmd -daemon`, on the stack's port) when a node or a CLI call finds the stack's
 * own gone. It names neither folder nor port, so `down` finds it by its environment.
 */
export function strayEpmds(ctx: StackContext): ProcessInfo[] {
  const home = `HOME=${dataDir(ctx, 'rabbitmq')}`;
  return processesMentioning('epmd').filter(
    (p) =>
      /(^|\/)epmd( |$)/.test(p.args) && p.args !== epmdCommand(ctx) && environmentOf(p.pid)?.includes(home),
  );
}

export function amqpUrl(ctx: StackContext): string {
  return `amqp://${user}:${encodeURIComponent(ctx.secrets.rabbitmqPassword)}@127.0.0.1:${ctx.settings.RABBITMQ_PORT}`;
}

const rabbitBin = (name: string): string =>
  existsSync(`/usr/lib/rabbitmq/bin/${name}`) ? `/usr/lib/rabbitmq/bin/${name}` : name;

/**
 * Environment of our own node: its own name, ports, Erlang port mapper, cookie (HOME),
 * config and data, so that neither the machine's RabbitMQ nor its epmd on 4369 is touched.
 * The Debian wrapper in /usr/sbin would switch to the rabbitmq user and the system
 * folders, so the scripts in /usr/lib/rabbitmq/bin are called directly.
 */
function nodeEnv(ctx: StackContext): NodeJS.ProcessEnv {
  const home = dataDir(ctx, 'rabbitmq');
  const conf = ctx.settings.dirs.conf;
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: home,
    ERL_EPMD_PORT: String(ctx.settings.EPMD_PORT),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: `inventory-stack-${ctx.settings.RABBITMQ_PORT}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(ctx.settings.RABBITMQ_PORT),
    RABBITMQ_DIST_PORT: String(ctx.settings.RABBITMQ_DIST_PORT),
    RABBITMQ_CONF_ENV_FILE: join(conf, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(conf, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(conf, 'rabbitmq-enabled-plugins'),
    RABBITMQ_MNESIA_BASE: join(home, 'mnesia'),
    RABBITMQ_LOG_BASE: join(ctx.settings.dirs.logs, 'rabbitmq'),
    RABBITMQ_LOGS: '-',
    RABBITMQ_PID_FILE: join(ctx.settings.dirs.run, 'rabbitmq-beam.pid'),
  };
}

function writeConfig(ctx: StackContext): void {
  const conf = ctx.settings.dirs.conf;
  mkdirSync(conf, { recursive: true });
  mkdirSync(dataDir(ctx, 'rabbitmq'), { recursive: true });
  writeFileSync(
    join(conf, 'rabbitmq-env.conf'),
    '# the local stack sets everything through the environment\n',
  );
  // No plugins: the management UI is not needed and doubles the start-up time.
  writeFileSync(join(conf, 'rabbitmq-enabled-plugins'), '[].\n');
  writeFileSync(
    join(conf, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = 127.0.0.1:${ctx.settings.RABBITMQ_PORT}`,
      `default_user = ${user}`,
      `default_pass = ${ctx.secrets.rabbitmqPassword}`,
      'default_permissions.configure = .*',
      'default_permissions.read = .*',
      'default_permissions.write = .*',
      'loopback_users = none',
      'log.console = true',
      'log.console.level = warning',
      'log.file = false',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

export const rabbitmq: Component = {
  name: 'rabbitmq',
  needs: [],
  role: "the mainframe's IBM MQ (AMQP 0-9-1)",
  async start(ctx) {
    writeConfig(ctx);
    const env = nodeEnv(ctx);
    // Our own Erlang port mapper on a project port, in the foreground so its pid is known.
    // When only RabbitMQ was stopped, the mapper still runs: it is adopted, not started
    // again (a second one could not bind, and its pid would hide the first from `down`).
    const running = runningEpmd(ctx);
    if (running) writeFileSync(pidFile(ctx, 'epmd'), `${running.pid}\n`);
    else
      spawnDaemon({
        command: 'epmd',
        args: ['-port', String(ctx.settings.EPMD_PORT), '-address', '127.0.0.1'],
        env,
        logFile: logFile(ctx, 'epmd'),
        pidFile: pidFile(ctx, 'epmd'),
      });
    spawnDaemon({
      command: rabbitBin('rabbitmq-server'),
      args: [],
      env,
      cwd: dataDir(ctx, 'rabbitmq'),
      logFile: logFile(ctx, 'rabbitmq'),
      pidFile: pidFile(ctx, 'rabbitmq'),
    });
  },
  async healthy(ctx) {
    const connection = await amqp.connect(amqpUrl(ctx), { timeout: 1_000 });
    await connection.close();
    return true;
  },
  async stop(ctx): Promise<StopOutcome> {
    const outcome = await stopDaemon(pidFile(ctx, 'rabbitmq'), 'SIGTERM', 30_000);
    await stopDaemon(pidFile(ctx, 'epmd'), 'SIGTERM', 5_000);
    return outcome;
  },
  pid: (ctx) => readPid(pidFile(ctx, 'rabbitmq')),
  endpoint: (ctx) => `amqp://127.0.0.1:${ctx.settings.RABBITMQ_PORT}`,
  // The epmd port only while no epmd of this stack runs (its own, or one Erlang started with
  // its folder): one may outlive a stopped node, and the node registers with it again.
  ports: (ctx) => [
    { port: ctx.settings.RABBITMQ_PORT, setting: 'RABBITMQ_PORT' },
    { port: ctx.settings.RABBITMQ_DIST_PORT, setting: 'RABBITMQ_DIST_PORT' },
    ...(runningEpmd(ctx) || strayEpmds(ctx).length > 0
      ? []
      : [{ port: ctx.settings.EPMD_PORT, setting: 'EPMD_PORT' }]),
  ],
};
