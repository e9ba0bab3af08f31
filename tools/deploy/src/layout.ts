import { Document, isMap, isPair, isScalar, stringify } from 'yaml';
import { type AppDeployment, apps } from './apps.ts';
import { type Manifest, partOf, yamlFile } from './manifest.ts';
import { appMonitor, kafkaExporterMonitor, prometheusRule } from './monitoring.ts';
import { imagesOf, type Overlay, overlays } from './overlays.ts';
import { postgres, redis } from './stores.ts';
import { kafka, kafkaConnect, lagReaderUser, nodePools, sapConnector, topics, users } from './strimzi.ts';
import {
  appManifests,
  lagReaderAuthentication,
  lagReaderSecret,
  scaledGroups,
  settingEntries,
  settingsConfigMap,
} from './workloads.ts';

/** deploy/k8s, relative to the repository. */
export const k8sDir = 'deploy/k8s';

/** A ConfigMap of settings with each setting's origin as a comment, and the settings it leaves out. */
function settingsDocument(app: AppDeployment, configMap: Manifest): Document {
  const doc = new Document(configMap);
  const entries = new Map(settingEntries(app).map((e) => [`${app.prefix}${e.name}`, e]));
  const data = doc.get('data', true);
  if (!isMap(data)) throw new Error(`${app.name}: its ConfigMap has no data`);
  for (const item of data.items)
    if (isPair(item) && isScalar(item.key))
      item.key.commentBefore = ` ${entries.get(String(item.key.value))?.origin}`;
  const elsewhere = [...entries.entries()].filter(([, e]) => e.value === undefined);
  if (elsewhere.length > 0) data.comment = elsewhere.map(([name, e]) => ` ${name}: ${e.origin}`).join('\n');
  return doc;
}

function appFile(app: AppDeployment): string {
  const [configMap, ...rest] = appManifests(app) as [Manifest, ...Manifest[]];
  if (configMap.metadata.name !== settingsConfigMap(app)) throw new Error(`${app.name}: settings first`);
  const scaling =
    app.scaling.kind === 'fixed'
      ? `one replica: ${app.scaling.why}`
      : app.scaling.kind === 'cpu'
        ? 'scales on CPU'
        : 'scales on its consumer groups lag (KEDA)';
  return yamlFile(
    [settingsDocument(app, configMap), ...rest],
    `${app.name}: every setting of its schema (apps/${app.dir.split('/')[1]}/src/config.ts) with its value or source; ${scaling}.`,
  );
}

function kustomization(fields: Record<string, unknown>, comment: string): string {
  return yamlFile(
    [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...fields }],
    comment,
  );
}

function baseFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const put = (path: string, content: string) => files.set(`${k8sDir}/base/${path}`, content);
  put(
    'kafka/cluster.yaml',
    yamlFile(
      [kafka(), ...nodePools()],
      'The Kafka cluster of one data centre: KRaft controllers and brokers in node pools, TLS and SCRAM-SHA-512.',
    ),
  );
  const topicDocs = topics().map(({ topic, description }) => {
    const doc = new Document(topic);
    doc.commentBefore = ` ${description}`;
    return doc;
  });
  put(
    'kafka/topics.yaml',
    yamlFile(topicDocs, 'One KafkaTopic per topic of the catalog (packages/kafka/src/catalog.ts).'),
  );
  put(
    'kafka/users.yaml',
    yamlFile(
      [...users(), lagReaderUser(scaledGroups(apps), { secret: lagReaderSecret, key: 'password' })],
      'One KafkaUser per principal of the access table (packages/kafka/src/access.ts), and the lag reader of KEDA.',
    ),
  );
  put(
    'kafka/connect.yaml',
    yamlFile(
      [kafkaConnect(), sapConnector()],
      'Kafka Connect with the Debezium PostgreSQL plugin (built by Strimzi), and the SAP stock connector of deploy/connect/sap-stock.json.',
    ),
  );
  put(
    'apps/keda.yaml',
    yamlFile([lagReaderAuthentication()], "How KEDA's Kafka scaler reads the consumer groups' lag."),
  );
  for (const app of apps) put(`apps/${app.name}.yaml`, appFile(app));
  put('stores/redis.yaml', yamlFile(redis(), 'The read model (stores.ts says why a single primary).'));
  put('stores/postgres.yaml', yamlFile(postgres(), "The ERP delivery's and the reconciliation's state."));
  put(
    'monitoring/monitors.yaml',
    yamlFile([appMonitor(), kafkaExporterMonitor()], 'What Prometheus scrapes.'),
  );
  put('monitoring/alerts.yaml', yamlFile([prometheusRule()], 'The alerts (tools/deploy/src/monitoring.ts).'));
  const resources = [...files.keys()].map((path) => path.slice(`${k8sDir}/base/`.length));
  put(
    'kustomization.yaml',
    kustomization(
      { labels: [{ pairs: partOf, includeSelectors: false }], resources },
      'One data centre of the platform, sized for production; the overlays set namespace, images and size.',
    ),
  );
  return files;
}

function overlayFiles(overlay: Overlay): Map<string, string> {
  const files = new Map<string, string>();
  const dir = `${k8sDir}/overlays/${overlay.dir}`;
  const depth = overlay.dir.split('/').length;
  for (const [name, { manifests, comment }] of Object.entries(overlay.files))
    files.set(`${dir}/${name}`, yamlFile(manifests, comment));
  files.set(
    `${dir}/kustomization.yaml`,
    kustomization(
      {
        namespace: overlay.namespace,
        resources: [`${'../'.repeat(depth + 1)}base`, ...Object.keys(overlay.files)],
        images: imagesOf(overlay),
        patches: overlay.patches.map(({ target, operations }) => ({
          target,
          patch: stringify(operations, { lineWidth: 0 }),
        })),
      },
      overlay.comment,
    ),
  );
  return files;
}

/** Every generated file of deploy/k8s, by path from the repository's root. */
export function k8sFiles(): Map<string, string> {
  const files = baseFiles();
  for (const overlay of overlays())
    for (const [path, content] of overlayFiles(overlay)) files.set(path, content);
  return files;
}

/** The overlays' folders, relative to the repository. */
export const overlayDirs = () => overlays().map((o) => `${k8sDir}/overlays/${o.dir}`);
