import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InventoryError } from '@inventory/core';
import { developmentAccess, type KafkaClientOptions } from '@inventory/kafka';
import { dataDir, type StackContext } from '../component.ts';
import { repoRoot } from '../config.ts';
import { brokerCommonName, ensureStackTls } from '../tls.ts';

/**
 * Who the local broker knows. Every app and Connect is a SCRAM-SHA-512 user with the ACLs of
 * its entry in packages/kafka access.ts (least privilege); two more are super users:
 * - `kafka-broker`, the broker itself (its inter-broker listener, and the controller
 *   listener's client certificate, CN=kafka-broker);
 * - `admin`, the stack's administrator: its own provisioning (topics, users, ACLs), and the
 *   tests' and tools' fixtures, which make and remove topics of their own.
 */
export const kafkaAdmin = 'admin';
export const kafkaBrokerUser = brokerCommonName;

export function kafkaPrincipals(): string[] {
  return [kafkaBrokerUser, kafkaAdmin, ...developmentAccess().map((access) => access.principal)];
}

export const kafkaSecured = (ctx: StackContext): boolean => ctx.settings.KAFKA_SECURITY === 'sasl-ssl';

export const kafkaBrokers = (ctx: StackContext): string => `127.0.0.1:${ctx.settings.KAFKA_PORT}`;

const passwordOf = (ctx: StackContext, principal: string): string => {
  const password = ctx.secrets.kafkaPasswords[principal];
  if (!password) throw new InventoryError('STACK_START_FAILED', `no Kafka password for ${principal}`);
  return password;
};

/**
 * The file holding a principal's password (0600), which its app reads through
 * KAFKA_SASL_PASSWORD_FILE: the way a Kubernetes Secret is mounted.
 */
export const kafkaPasswordDir = (ctx: StackContext): string => join(ctx.settings.HOME, 'kafka-users');

export function kafkaPasswordFile(ctx: StackContext, principal: string): string {
  const dir = kafkaPasswordDir(ctx);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, principal);
  writeFileSync(file, `${passwordOf(ctx, principal)}\n`, { mode: 0o600 });
  return file;
}

/**
 * Where the running stack's Kafka is, and how in, for programs (endpoints.json): as the
 * administrator, with every principal's password file in KAFKA_PASSWORD_DIR (the tests that
 * check one app's ACLs connect as that app).
 */
export function kafkaEndpoints(ctx: StackContext): Record<string, string> {
  if (!kafkaSecured(ctx)) return { KAFKA_BROKERS: kafkaBrokers(ctx) };
  for (const principal of kafkaPrincipals()) kafkaPasswordFile(ctx, principal);
  return {
    KAFKA_BROKERS: kafkaBrokers(ctx),
    KAFKA_TLS: 'true',
    KAFKA_CA_FILE: ensureStackTls(ctx.settings.HOME).caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: kafkaAdmin,
    KAFKA_SASL_PASSWORD: passwordOf(ctx, kafkaAdmin),
    KAFKA_PASSWORD_DIR: kafkaPasswordDir(ctx),
  };
}

/** A kafkajs client's way in as `principal`: TLS with the stack's CA and SCRAM, unless the stack is plaintext. */
export function kafkaClientOptions(
  ctx: StackContext,
  principal: string = kafkaAdmin,
): Pick<KafkaClientOptions, 'brokers' | 'ssl' | 'sasl'> {
  const brokers = [kafkaBrokers(ctx)];
  if (!kafkaSecured(ctx)) return { brokers };
  return {
    brokers,
    ssl: { ca: [readFileSync(ensureStackTls(ctx.settings.HOME).caFile, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: principal, password: passwordOf(ctx, principal) },
  };
}

const jaas = (username: string, password: string): string =>
  `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`;

/** A Java client's security properties as `principal` (Connect, the broker's tools), under `prefix`. */
export function javaClientProperties(
  ctx: StackContext,
  principal: string,
  prefix = '',
): Record<string, string> {
  if (!kafkaSecured(ctx)) return {};
  return {
    [`${prefix}security.protocol`]: 'SASL_SSL',
    [`${prefix}sasl.mechanism`]: 'SCRAM-SHA-512',
    [`${prefix}sasl.jaas.config`]: jaas(principal, passwordOf(ctx, principal)),
    [`${prefix}ssl.truststore.type`]: 'PEM',
    [`${prefix}ssl.truststore.location`]: ensureStackTls(ctx.settings.HOME).caFile,
  };
}

/**
 * The broker's listeners. Secured: clients on SASL_SSL with SCRAM-SHA-512 (the broker's own
 * inter-broker traffic too), the controller on SSL with client certificates of the stack's CA
 * only, KRaft's StandardAuthorizer, and nothing allowed that no ACL grants. Plaintext: the
 * explicit development option, without authentication or authorization.
 */
export function brokerListenerProperties(ctx: StackContext): Record<string, string> {
  const { KAFKA_PORT, KAFKA_CONTROLLER_PORT } = ctx.settings;
  const controller = `CONTROLLER://127.0.0.1:${KAFKA_CONTROLLER_PORT}`;
  if (!kafkaSecured(ctx)) {
    return {
      listeners: `PLAINTEXT://127.0.0.1:${KAFKA_PORT},${controller}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${KAFKA_PORT}`,
      'inter.broker.listener.name': 'PLAINTEXT',
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    };
  }
  const tls = ensureStackTls(ctx.settings.HOME);
  return {
    listeners: `SASL_SSL://127.0.0.1:${KAFKA_PORT},${controller}`,
    'advertised.listeners': `SASL_SSL://127.0.0.1:${KAFKA_PORT}`,
    'inter.broker.listener.name': 'SASL_SSL',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:SSL',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': jaas(
      kafkaBrokerUser,
      passwordOf(ctx, kafkaBrokerUser),
    ),
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': tls.brokerKeystoreFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': tls.caFile,
    'listener.name.controller.ssl.client.auth': 'required',
    // CN=kafka-broker -> User:kafka-broker, the same principal as its SCRAM user.
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+)$/$1/,DEFAULT',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': [kafkaBrokerUser, kafkaAdmin].map((name) => `User:${name}`).join(';'),
    'allow.everyone.if.no.acl.found': 'false',
  };
}

/** What the broker's users were made with: a hash of each password, to see a new user or a changed one. */
const usersMarker = (ctx: StackContext) => join(dataDir(ctx, 'kafka-users'), 'scram.json');

function wantedUsers(ctx: StackContext): Record<string, string> {
  return Object.fromEntries(
    kafkaPrincipals().map((principal) => [
      principal,
      createHash('sha256').update(passwordOf(ctx, principal)).digest('hex'),
    ]),
  );
}

function writeUsersMarker(ctx: StackContext, users: Record<string, string>): void {
  mkdirSync(dataDir(ctx, 'kafka-users'), { recursive: true });
  writeFileSync(usersMarker(ctx), `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The SCRAM users of a first format: KRaft takes them into its bootstrap metadata, so the
 * broker authenticates itself and the administrator from its very first start.
 */
export function scramFormatArgs(ctx: StackContext): string[] {
  if (!kafkaSecured(ctx)) return [];
  return kafkaPrincipals().flatMap((principal) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${principal},password=${passwordOf(ctx, principal)}]`,
  ]);
}

/** After a format with scramFormatArgs: the users it made, for upsertChangedUsers to compare with. */
export function recordFormattedUsers(ctx: StackContext): void {
  if (kafkaSecured(ctx)) writeUsersMarker(ctx, wantedUsers(ctx));
}

/**
 * Before the broker starts on data formatted earlier: a secured broker on data formatted
 * without users could not authenticate even itself.
 */
export function checkFormattedUsers(ctx: StackContext): void {
  if (!kafkaSecured(ctx) || existsSync(usersMarker(ctx))) return;
  throw new InventoryError(
    'STACK_START_FAILED',
    `Kafka's data in ${dataDir(ctx, 'kafka')} was formatted without SCRAM users (a plaintext stack): ` +
      'stop the stack and remove that folder to start it secured, or set INVENTORY_STACK_KAFKA_SECURITY=plaintext',
  );
}

/** Upserts SCRAM users with the Admin API; its passwords come on standard input. */
const scramUsersProgram = join(repoRoot, 'tools', 'local-stack', 'java', 'ScramUsers.java');

/**
 * Users added to the access table, or passwords changed, since the format: upserted through
 * the running broker as the administrator in one Admin API request (ScramUsers.java, the
 * passwords on its standard input, not its command line). A warm `up` with nothing changed
 * runs nothing.
 */
export function upsertChangedUsers(ctx: StackContext, classpath: string): string[] {
  if (!kafkaSecured(ctx)) return [];
  const wanted = wantedUsers(ctx);
  const made = JSON.parse(readFileSync(usersMarker(ctx), 'utf8')) as Record<string, string>;
  const changed = Object.keys(wanted).filter((principal) => made[principal] !== wanted[principal]);
  if (changed.length === 0) return [];
  const adminProperties = join(ctx.settings.dirs.conf, 'kafka-admin-client.properties');
  writeFileSync(
    adminProperties,
    `${Object.entries({ 'bootstrap.servers': kafkaBrokers(ctx), ...javaClientProperties(ctx, kafkaAdmin) })
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  const run = spawnSync('java', ['-cp', classpath, scramUsersProgram, adminProperties], {
    input: changed.map((principal) => `${principal}\t${passwordOf(ctx, principal)}\n`).join(''),
    encoding: 'utf8',
  });
  if (run.error || run.status !== 0) {
    // What it printed names users and Kafka's reason, never a password.
    const said =
      run.error?.message ??
      run.stderr
        .split('\n')
        .filter((l) => l.startsWith('upserting'))
        .join(' ');
    throw new InventoryError('STACK_START_FAILED', `kafka: adding SCRAM users failed: ${said}`);
  }
  writeUsersMarker(ctx, { ...made, ...Object.fromEntries(changed.map((p) => [p, wanted[p] as string])) });
  return changed;
}
