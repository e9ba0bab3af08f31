import { topicSpec } from '@inventory/kafka';
import type { AppDeployment, EnvSource, FileSource } from './apps.ts';
import { appLabels, type Manifest } from './manifest.ts';
import { opsTokenSecret } from './monitoring.ts';
import { settingDefaults } from './settings.ts';
import { bootstrapServers, clusterCaSecret, lagReader } from './strimzi.ts';

/** Where the mounted files are: one folder per mounted object. */
const mountRoot = '/etc/inventory';
const kafkaCaMount = `${mountRoot}/kafka-ca`;
const kafkaUserMount = `${mountRoot}/kafka-user`;
const opsTokenMount = `${mountRoot}/ops-token`;

/** How long an API pod keeps answering after it left the Service's endpoints, before it stops. */
export const drainPauseSeconds = 5;
/** What the kubelet allows beyond the app's own deadline (the process exits, the logs flush). */
const graceMarginSeconds = 10;

/** The settings every app gets in Kubernetes: all interfaces, the cluster's TLS and SCRAM listener. */
function clusterValues(app: AppDeployment): Record<string, string> {
  return {
    HTTP_HOST: '0.0.0.0',
    KAFKA_BROKERS: bootstrapServers,
    KAFKA_TLS: 'true',
    KAFKA_CA_FILE: `${kafkaCaMount}/ca.crt`,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: app.name,
    KAFKA_SASL_PASSWORD_FILE: `${kafkaUserMount}/password`,
    // /metrics and /docs answer only with this bearer token, which Prometheus' ServiceMonitor sends.
    HTTP_OPS_TOKEN_FILE: `${opsTokenMount}/token`,
  };
}

/** A file setting's mount: the object's volume name and the path the setting names. */
function fileMount(setting: string, source: FileSource) {
  const volume = setting
    .toLowerCase()
    .replace(/_file$/, '')
    .replace(/_/g, '-');
  return { volume, path: `${mountRoot}/${volume}/${source.key}` };
}

export interface SettingEntry {
  name: string;
  /** The value in the ConfigMap; undefined when it comes from elsewhere or stays unset. */
  value: string | undefined;
  /** Where it comes from: its default, a value for Kubernetes, a Secret or ConfigMap key, a file. */
  origin: string;
}

/** Every setting of the app, in its schema's order, with its value and where that value comes from. */
export function settingEntries(app: AppDeployment): SettingEntry[] {
  const values = { ...clusterValues(app), ...app.values };
  return settingDefaults(app.shape).map(({ name, value, required }) => {
    const env = app.env[name];
    const file = app.files[name];
    if (env) return { name, value: undefined, origin: `from ${describe(env)}` };
    if (file) return { name, value: fileMount(name, file).path, origin: `mounted from ${describe(file)}` };
    const given = values[name];
    if (given !== undefined)
      return {
        name,
        value: given,
        origin: value === undefined ? 'set for Kubernetes' : `set for Kubernetes (default ${value})`,
      };
    if (value !== undefined) return { name, value, origin: 'default' };
    return { name, value: undefined, origin: required ? 'REQUIRED, without a source' : 'optional, unset' };
  });
}

const describe = (source: EnvSource | FileSource) =>
  `${source.secret ? `Secret ${source.secret}` : `ConfigMap ${source.configMap}`}, key ${source.key}${'optional' in source && source.optional ? ' (optional)' : ''}`;

export const settingsConfigMap = (app: AppDeployment) => `${app.name}-settings`;

/** The ConfigMap of an app's settings: every one with a value, named with the app's prefix. */
export function configMap(app: AppDeployment): Manifest {
  const data: Record<string, string> = {};
  for (const entry of settingEntries(app))
    if (entry.value !== undefined) data[`${app.prefix}${entry.name}`] = entry.value;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: settingsConfigMap(app), labels: appLabels(app.name, component(app)) },
    data,
  };
}

const component = (app: AppDeployment) => (app.api ? 'api' : 'worker');
const setting = (app: AppDeployment, name: string) => {
  const entry = settingEntries(app).find((e) => e.name === name);
  if (entry?.value === undefined) throw new Error(`${app.name}: ${name} has no value`);
  return entry.value;
};

/** The app's HTTP port (its API or its ops routes: /healthz, /readyz, /metrics). */
export const httpPort = (app: AppDeployment) => Number(setting(app, 'HTTP_PORT'));

/** Longer than the app's own stop deadline (SHUTDOWN_TIMEOUT_MS), plus an API's pause before it. */
export function gracePeriodSeconds(app: AppDeployment): number {
  const deadline = Math.ceil(Number(setting(app, 'SHUTDOWN_TIMEOUT_MS')) / 1000);
  return deadline + (app.api ? drainPauseSeconds : 0) + graceMarginSeconds;
}

export const imageName = (app: AppDeployment) => `inventory/${app.name}`;

export function deployment(app: AppDeployment): Manifest {
  const labels = appLabels(app.name, component(app));
  const selector = { 'app.kubernetes.io/name': app.name };
  const secretVolume = (name: string, secretName: string, key: string) => ({
    name,
    secret: { secretName, items: [{ key, path: key }] },
  });
  const fileVolumes = Object.entries(app.files).map(([name, source]) => {
    const { volume } = fileMount(name, source);
    const items = [{ key: source.key, path: source.key }];
    return source.secret
      ? { name: volume, secret: { secretName: source.secret, items } }
      : { name: volume, configMap: { name: source.configMap, items } };
  });
  const fileMounts = Object.entries(app.files).map(([name, source]) => {
    const { volume } = fileMount(name, source);
    return { name: volume, mountPath: `${mountRoot}/${volume}`, readOnly: true };
  });
  const env = Object.entries(app.env).map(([name, source]) => {
    const ref = { name: (source.secret ?? source.configMap) as string, key: source.key };
    const optional = source.optional ? { optional: true } : {};
    return {
      name: `${app.prefix}${name}`,
      valueFrom: source.secret
        ? { secretKeyRef: { ...ref, ...optional } }
        : { configMapKeyRef: { ...ref, ...optional } },
    };
  });
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });
  const fixed = app.scaling.kind === 'fixed';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.name, labels },
    spec: {
      // Autoscaled apps leave the count to their autoscaler: an apply must not reset it.
      ...(fixed ? { replicas: 1 } : {}),
      // A fixed single instance is replaced, never doubled, during a rollout.
      strategy: fixed
        ? { type: 'Recreate' }
        : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: gracePeriodSeconds(app),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'app',
              image: imageName(app),
              ports: [{ name: 'http', containerPort: httpPort(app) }],
              envFrom: [{ configMapRef: { name: settingsConfigMap(app) } }],
              ...(env.length > 0 ? { env } : {}),
              resources: {
                requests: { cpu: app.resources.cpu, memory: app.resources.memory },
                limits: { memory: app.resources.memory },
              },
              // Clients are opened before the port listens: a slow start (a restore, master data) is not a failure.
              startupProbe: probe('/healthz', 5, 60),
              livenessProbe: probe('/healthz', 10, 3),
              readinessProbe: probe('/readyz', 5, 2),
              ...(app.api
                ? { lifecycle: { preStop: { exec: { command: ['sleep', String(drainPauseSeconds)] } } } }
                : {}),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'kafka-ca', mountPath: kafkaCaMount, readOnly: true },
                { name: 'kafka-user', mountPath: kafkaUserMount, readOnly: true },
                { name: 'ops-token', mountPath: opsTokenMount, readOnly: true },
                ...fileMounts,
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: {} },
            secretVolume('kafka-ca', clusterCaSecret, 'ca.crt'),
            secretVolume('kafka-user', app.name, 'password'),
            secretVolume('ops-token', opsTokenSecret, 'token'),
            ...fileVolumes,
          ],
        },
      },
    },
  };
}

export function service(app: AppDeployment): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app.name, labels: appLabels(app.name, component(app)) },
    spec: {
      selector: { 'app.kubernetes.io/name': app.name },
      ports: [{ name: 'http', port: app.api ? 80 : httpPort(app), targetPort: 'http' }],
    },
  };
}

/** At most one pod of the app is evicted at a time (a drain waits for its replacement to be ready). */
export function disruptionBudget(app: AppDeployment): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: app.name, labels: appLabels(app.name, component(app)) },
    spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': app.name } } },
  };
}

/** HTTP apps: CPU. Two replicas at least, so that one node's loss is not an outage. */
export const apiReplicas = { min: 2, max: 12 };

export function cpuAutoscaler(app: AppDeployment): Manifest {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: app.name, labels: appLabels(app.name, component(app)) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app.name },
      minReplicas: apiReplicas.min,
      maxReplicas: apiReplicas.max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

/** The TriggerAuthentication of KEDA's Kafka scaler: the lag reader's SCRAM credentials and the cluster CA. */
export const lagReaderAuth = 'kafka-lag-reader';
/** The operator's Secret of the lag reader (keys username, password); its KafkaUser takes the password from it. */
export const lagReaderSecret = 'keda-kafka';

export function lagReaderAuthentication(): Manifest {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name: lagReaderAuth },
    spec: {
      secretTargetRef: [
        { parameter: 'username', name: lagReaderSecret, key: 'username' },
        { parameter: 'password', name: lagReaderSecret, key: 'password' },
        { parameter: 'ca', name: clusterCaSecret, key: 'ca.crt' },
      ],
    },
  };
}

/** Consumers: their group's lag (KEDA), from a floor of two to one replica per partition. */
export const consumerMinReplicas = 2;
export const lagThreshold = 1000;

export function lagScaler(app: AppDeployment): Manifest {
  if (app.scaling.kind !== 'lag') throw new Error(`${app.name} does not scale on lag`);
  const partitions = Math.max(...app.scaling.triggers.map((t) => topicSpec(t.topic).partitions));
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: app.name, labels: appLabels(app.name, component(app)) },
    spec: {
      scaleTargetRef: { name: app.name },
      minReplicaCount: consumerMinReplicas,
      // More consumers than partitions would idle.
      maxReplicaCount: partitions,
      pollingInterval: 15,
      cooldownPeriod: 300,
      triggers: app.scaling.triggers.map(({ group, topic }) => ({
        type: 'kafka',
        name: `${group}-${topic}`.replace(/\./g, '-'),
        metadata: {
          bootstrapServers,
          consumerGroup: group,
          topic,
          lagThreshold: String(lagThreshold),
          offsetResetPolicy: 'earliest',
          sasl: 'scram_sha512',
          tls: 'enable',
        },
        authenticationRef: { name: lagReaderAuth },
      })),
    },
  };
}

/** The groups KEDA reads the lag of (the lag reader's ACLs). */
export function scaledGroups(apps: AppDeployment[]): string[] {
  return apps.flatMap((app) => (app.scaling.kind === 'lag' ? app.scaling.triggers.map((t) => t.group) : []));
}

/** Everything of one app: settings, Deployment, Service, disruption budget, autoscaler. */
export function appManifests(app: AppDeployment): Manifest[] {
  const scaler =
    app.scaling.kind === 'cpu' ? [cpuAutoscaler(app)] : app.scaling.kind === 'lag' ? [lagScaler(app)] : [];
  return [configMap(app), deployment(app), service(app), disruptionBudget(app), ...scaler];
}

export { lagReader };
