import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AclRule,
  aclRules,
  connectAccess,
  connectTopics,
  mirroredTopics,
  peerQueryApiAccess,
  platformAccess,
  productionDurability,
  type TopicSpec,
  topicCatalog,
  topicConfig,
} from '@inventory/kafka';
import { repoRoot } from '@inventory/local-stack';
import type { Manifest } from './manifest.ts';

/** The Kafka cluster of a data centre, as Strimzi names it and its objects. */
export const cluster = 'inventory';
/** The listener every client in the cluster uses: TLS, SCRAM-SHA-512. */
export const clientListener = { name: 'scram', port: 9093 };
/** The listener the other data centres' MirrorMaker 2 reach: TLS, SCRAM-SHA-512, a load balancer. */
export const mirrorListener = { name: 'mirror', port: 9094 };
export const bootstrapServers = `${cluster}-kafka-bootstrap:${clientListener.port}`;
/** Strimzi's secret of the cluster CA certificate (ca.crt), which the clients trust. */
export const clusterCaSecret = `${cluster}-cluster-ca-cert`;
export const connectCluster = `${cluster}-connect`;
export const mirrorCluster = `${cluster}-mirror`;

const pomVersion = (pom: string, property: string): string => {
  const text = readFileSync(join(repoRoot, 'deploy/local/maven', pom, 'pom.xml'), 'utf8');
  const match = new RegExp(`<${property.replace(/\./g, '\\.')}>([^<]+)</`).exec(text);
  if (!match?.[1]) throw new Error(`deploy/local/maven/${pom}/pom.xml has no <${property}>`);
  return match[1];
};

/** The Kafka and Debezium the local stack runs and tests (its Maven poms): the cluster runs the same. */
export const kafkaVersion = pomVersion('kafka', 'kafka.version');
export const debeziumVersion = pomVersion('debezium', 'debezium.version');

const clusterLabel = { 'strimzi.io/cluster': cluster };

export function kafka(): Manifest {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'Kafka',
    metadata: { name: cluster },
    spec: {
      kafka: {
        version: kafkaVersion,
        listeners: [
          {
            name: clientListener.name,
            port: clientListener.port,
            type: 'internal',
            tls: true,
            authentication: { type: 'scram-sha-512' },
          },
        ],
        // KRaft's StandardAuthorizer: a principal may do what its KafkaUser's ACLs allow, nothing else.
        authorization: { type: 'simple' },
        config: {
          'auto.create.topics.enable': false,
          'default.replication.factor': productionDurability.replicationFactor,
          'min.insync.replicas': productionDurability.minInSyncReplicas,
          'offsets.topic.replication.factor': productionDurability.replicationFactor,
          'transaction.state.log.replication.factor': productionDurability.replicationFactor,
          'transaction.state.log.min.isr': productionDurability.minInSyncReplicas,
        },
      },
      entityOperator: {
        topicOperator: {
          resources: { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '384Mi' } },
        },
        userOperator: {
          resources: { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '384Mi' } },
        },
      },
      // Consumer lag per group and partition (kafka_consumergroup_lag) for the alerts.
      kafkaExporter: { topicRegex: 'inventory\\..*', groupRegex: '.*' },
    },
  };
}

/** KRaft: three controllers of their own, and the brokers, each pool on persistent volumes. */
export function nodePools(): Manifest[] {
  const pool = (name: string, role: string, replicas: number, size: string, memory: string): Manifest => ({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaNodePool',
    metadata: { name, labels: clusterLabel },
    spec: {
      replicas,
      roles: [role],
      storage: {
        type: 'jbod',
        volumes: [{ id: 0, type: 'persistent-claim', size, deleteClaim: false, kraftMetadata: 'shared' }],
      },
      resources: { requests: { cpu: role === 'broker' ? '1' : '250m', memory }, limits: { memory } },
    },
  });
  return [pool('controllers', 'controller', 3, '20Gi', '1Gi'), pool('brokers', 'broker', 3, '200Gi', '4Gi')];
}

/** One KafkaTopic per topic of the catalog: name, partitions, replicas and configuration from there. */
export function topics(catalog: TopicSpec[] = topicCatalog()): {
  topic: Manifest;
  description: string;
}[] {
  return catalog.map((spec) => ({
    description: spec.description,
    topic: {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: spec.name, labels: clusterLabel },
      spec: {
        partitions: spec.partitions,
        replicas: productionDurability.replicationFactor,
        config: topicConfig(spec, productionDurability),
      },
    },
  }));
}

/**
 * A SCRAM-SHA-512 user with its ACLs. Strimzi generates its password into a Secret of its
 * name, unless `password` names a Secret key the operator keeps (a client that needs the
 * username and the password side by side, like KEDA).
 */
export function kafkaUser(
  principal: string,
  acls: AclRule[],
  password?: { secret: string; key: string },
): Manifest {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaUser',
    metadata: { name: principal, labels: clusterLabel },
    spec: {
      authentication: {
        type: 'scram-sha-512',
        ...(password
          ? { password: { valueFrom: { secretKeyRef: { name: password.secret, key: password.key } } } }
          : {}),
      },
      authorization: { type: 'simple', acls: acls.map((rule) => ({ type: 'allow', ...rule })) },
    },
  };
}

/** A KafkaUser per principal of the access table (packages/kafka/src/access.ts). */
export function users(): Manifest[] {
  return platformAccess().map((access) => kafkaUser(access.principal, aclRules(access)));
}

/** KEDA reads the consumer groups' lag: it may describe the platform's topics and the groups it scales on. */
export const lagReader = 'keda-lag-reader';
export function lagReaderUser(groups: string[], password: { secret: string; key: string }): Manifest {
  return kafkaUser(
    lagReader,
    [
      { resource: { type: 'topic', name: 'inventory.', patternType: 'prefix' }, operations: ['Describe'] },
      ...[...new Set(groups)].map(
        (group): AclRule => ({
          resource: { type: 'group', name: group, patternType: 'literal' },
          operations: ['Describe'],
        }),
      ),
    ],
    password,
  );
}

const tls = (caSecret: string) => ({ trustedCertificates: [{ secretName: caSecret, pattern: '*.crt' }] });
const scram = (username: string, secretName = username) => ({
  type: 'scram-sha-512',
  username,
  passwordSecret: { secretName, password: 'password' },
});

/** The image Strimzi builds for Connect (Kafka Connect with the Debezium plugin), before the overlay's registry. */
export const connectImage = `inventory/kafka-connect-debezium:${debeziumVersion}`;
/** The Secret with the SAP database's connection (keys host, port, user, password), created by the operator. */
export const sapDatabaseSecret = 'sap-database';

export function kafkaConnect(): Manifest {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaConnect',
    metadata: { name: connectCluster, annotations: { 'strimzi.io/use-connector-resources': 'true' } },
    spec: {
      version: kafkaVersion,
      replicas: 2,
      bootstrapServers,
      groupId: connectAccess.groups[0],
      configStorageTopic: connectTopics.configs,
      offsetStorageTopic: connectTopics.offsets,
      statusStorageTopic: connectTopics.status,
      tls: tls(clusterCaSecret),
      authentication: scram(connectAccess.principal),
      config: {
        'config.storage.replication.factor': -1,
        'offset.storage.replication.factor': -1,
        'status.storage.replication.factor': -1,
        // The connector's database credentials come from the environment (a Secret), never from its config.
        'config.providers': 'env',
        'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
      },
      build: {
        output: { type: 'docker', image: connectImage, pushSecret: 'registry-push' },
        plugins: [
          {
            name: 'debezium-connector-postgres',
            artifacts: [
              {
                type: 'maven',
                group: 'io.debezium',
                artifact: 'debezium-connector-postgres',
                version: debeziumVersion,
              },
            ],
          },
        ],
      },
      template: {
        connectContainer: {
          env: sapDatabaseKeys.map((key) => ({
            name: sapEnvName(key),
            valueFrom: { secretKeyRef: { name: sapDatabaseSecret, key: key.toLowerCase() } },
          })),
        },
      },
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
    },
  };
}

const sapDatabaseKeys = ['HOST', 'PORT', 'USER', 'PASSWORD'];
const sapEnvName = (key: string) => `SAP_POSTGRES_${key}`;

/**
 * The SAP stock connector of deploy/connect/sap-stock.json as a KafkaConnector: the same
 * configuration, its `${POSTGRES_*}` placeholders read from Connect's environment.
 */
export function sapConnector(file = join(repoRoot, 'deploy/connect/sap-stock.json')): Manifest {
  const { name, config } = JSON.parse(readFileSync(file, 'utf8')) as {
    name: string;
    config: Record<string, string>;
  };
  const { 'connector.class': connectorClass, 'tasks.max': tasksMax, ...rest } = config;
  const resolved = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      value.replace(/\$\{POSTGRES_([A-Z]+)\}/g, (placeholder, what: string) => {
        if (!sapDatabaseKeys.includes(what)) throw new Error(`${file}: no source for ${placeholder}`);
        return `\${env:${sapEnvName(what)}}`;
      }),
    ]),
  );
  const left = Object.values(resolved).filter((value) => /\$\{(?!env:)/.test(value));
  if (left.length > 0) throw new Error(`${file}: placeholders without a source: ${left.join(', ')}`);
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaConnector',
    metadata: { name, labels: { 'strimzi.io/cluster': connectCluster } },
    spec: { class: connectorClass, tasksMax: Number(tasksMax), config: resolved },
  };
}

/** What each data centre mirrors of the others: its compacted state and master data. */

export const mirrorPattern = (topicNames: string[]) =>
  topicNames.map((name) => name.replace(/\./g, '\\.')).join('|');

/** The mirror's own principal in its data centre (it writes the mirrored `<dc>.` topics there). */
export const mirrorPrincipal = 'mirror-maker';
/** The principal a data centre's mirror uses to read another data centre's cluster. */
export const mirrorReader = (targetDc: string) => `mirror-maker-${targetDc}`;
/** Copies of another data centre's objects the mirror needs (cluster CA certificate, its reader's password). */
export const remoteCaSecret = (dc: string) => `${dc}-cluster-ca-cert`;
export const remoteReaderSecret = (sourceDc: string, targetDc: string) =>
  `${sourceDc}-${mirrorReader(targetDc)}`;

export interface DataCentre {
  name: string;
  /** The DNS name of its mirror listener's bootstrap (external-dns publishes it). */
  mirrorBootstrap: string;
}

/**
 * MirrorMaker 2 runs in every data centre and pulls the others' state into `<source>.<topic>`
 * (the default replication policy): each data centre keeps its own topics as the only writer,
 * and holds read-only copies of the others', without loops.
 */
export function mirrorMaker(target: DataCentre, sources: DataCentre[], catalog?: TopicSpec[]): Manifest {
  const internal = `${mirrorCluster}.`;
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaMirrorMaker2',
    metadata: { name: mirrorCluster },
    spec: {
      version: kafkaVersion,
      replicas: 2,
      target: {
        alias: target.name,
        bootstrapServers,
        groupId: mirrorCluster,
        configStorageTopic: `${internal}configs`,
        offsetStorageTopic: `${internal}offsets`,
        statusStorageTopic: `${internal}status`,
        tls: tls(clusterCaSecret),
        authentication: scram(mirrorPrincipal),
        config: {
          'config.storage.replication.factor': -1,
          'offset.storage.replication.factor': -1,
          'status.storage.replication.factor': -1,
          // After the local cluster was away longer than the workers' poll timeout, their
          // connectors come back within 30 s instead of Connect's default five minutes; a
          // worker restarted by a rolling update returns well within it and keeps its own.
          'scheduled.rebalance.max.delay.ms': 30_000,
        },
      },
      mirrors: sources.map((source) => ({
        source: {
          alias: source.name,
          bootstrapServers: `${source.mirrorBootstrap}:${mirrorListener.port}`,
          tls: tls(remoteCaSecret(source.name)),
          authentication: scram(mirrorReader(target.name), remoteReaderSecret(source.name, target.name)),
        },
        sourceConnector: {
          tasksMax: 4,
          config: {
            'replication.factor': -1,
            // Offset syncs are kept in the target: the reader on the source needs no write access there.
            'offset-syncs.topic.location': 'target',
            'sync.topic.acls.enabled': 'false',
            'refresh.topics.interval.seconds': 60,
          },
        },
        topicsPattern: mirrorPattern(mirroredTopics(catalog)),
      })),
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
    },
  };
}

/** In a data centre: the mirror's own user, and the users the other data centres' mirrors read with. */
export function mirrorUsers(others: DataCentre[], catalog?: TopicSpec[]): Manifest[] {
  const mirrored = mirroredTopics(catalog);
  const own = kafkaUser(mirrorPrincipal, [
    ...others.map(
      (source): AclRule => ({
        resource: { type: 'topic', name: `${source.name}.`, patternType: 'prefix' },
        operations: ['Read', 'Write', 'Create', 'Describe', 'DescribeConfigs', 'AlterConfigs'],
      }),
    ),
    {
      resource: { type: 'topic', name: `${mirrorCluster}.`, patternType: 'prefix' },
      operations: ['Read', 'Write', 'Create', 'Describe', 'DescribeConfigs'],
    },
    {
      resource: { type: 'topic', name: 'mm2-offset-syncs.', patternType: 'prefix' },
      operations: ['Read', 'Write', 'Create', 'Describe', 'DescribeConfigs'],
    },
    {
      resource: { type: 'group', name: mirrorCluster, patternType: 'prefix' },
      operations: ['Read', 'Describe'],
    },
  ]);
  const readers = others.map((target) =>
    kafkaUser(
      mirrorReader(target.name),
      mirrored.map((topic) => ({
        resource: { type: 'topic', name: topic, patternType: 'literal' },
        operations: ['Read', 'Describe', 'DescribeConfigs'],
      })),
    ),
  );
  return [own, ...readers];
}

/** The listener the other data centres' mirrors connect to, published under the data centre's DNS name. */
export function mirrorListenerOf(dc: DataCentre) {
  return {
    name: mirrorListener.name,
    port: mirrorListener.port,
    type: 'loadbalancer',
    tls: true,
    authentication: { type: 'scram-sha-512' },
    configuration: {
      bootstrap: {
        alternativeNames: [dc.mirrorBootstrap],
        annotations: { 'external-dns.alpha.kubernetes.io/hostname': dc.mirrorBootstrap },
      },
    },
  };
}

/**
 * In a data centre: the users the other data centres' query APIs connect with, over the
 * mirror listener, to send the reservations of this data centre's locations here and hear
 * their outcomes (`peerQueryApiAccess`, packages/kafka access.ts).
 */
export function peerQueryApiUsers(others: DataCentre[]): Manifest[] {
  return others.map((other) => {
    const access = peerQueryApiAccess(other.name);
    return kafkaUser(access.principal, aclRules(access));
  });
}

/** Where a data centre's query API mounts what it needs of another data centre's Kafka. */
export const peerMounts = {
  peersFile: '/etc/inventory/peers/peers.json',
  ca: (dc: string) => `/etc/inventory/peer-${dc}-ca`,
  password: (dc: string) => `/etc/inventory/peer-${dc}-user`,
};

/** The copy, in this data centre, of the password of its query API's user in `peerDc` (key `password`). */
export const peerQueryApiSecret = (peerDc: string, localDc: string) =>
  `${peerDc}-${peerQueryApiAccess(localDc).principal}`;

/**
 * QUERY_PEERS_FILE of a data centre's query API (apps/inventory-query-api/src/peers.ts): each
 * other data centre's mirror listener, its cluster CA and this data centre's user there, the
 * password by file, from Secrets copied between the clusters as the mirror's are.
 */
export function peersFileOf(dc: DataCentre, others: DataCentre[]): string {
  return `${JSON.stringify(
    {
      dataCentres: others.map((other) => ({
        dataCentre: other.name,
        brokers: `${other.mirrorBootstrap}:${mirrorListener.port}`,
        caFile: `${peerMounts.ca(other.name)}/ca.crt`,
        username: peerQueryApiAccess(dc.name).principal,
        passwordFile: `${peerMounts.password(other.name)}/password`,
      })),
    },
    null,
    2,
  )}\n`;
}
