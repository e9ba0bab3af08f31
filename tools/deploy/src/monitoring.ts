import type { Manifest } from './manifest.ts';
import { cluster } from './strimzi.ts';

/**
 * The Secret (key `token`) holding the apps' ops token: every app mounts it as
 * HTTP_OPS_TOKEN_FILE, so /metrics and /docs answer only with it, and Prometheus sends it.
 */
export const opsTokenSecret = 'inventory-ops-token';

/** Every app's /metrics, through its Service (the API's and the workers' alike), with the ops token. */
export function appMonitor(): Manifest {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'inventory-apps' },
    spec: {
      selector: {
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'worker'] }],
      },
      endpoints: [
        {
          port: 'http',
          path: '/metrics',
          interval: '30s',
          authorization: { type: 'Bearer', credentials: { name: opsTokenSecret, key: 'token' } },
        },
      ],
    },
  };
}

/** Strimzi's Kafka Exporter: consumer lag per group and partition (kafka_consumergroup_lag). */
export function kafkaExporterMonitor(): Manifest {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: `${cluster}-kafka-exporter` },
    spec: {
      selector: { matchLabels: { 'strimzi.io/name': `${cluster}-kafka-exporter` } },
      podMetricsEndpoints: [{ port: 'tcp-prometheus', path: '/metrics', interval: '30s' }],
    },
  };
}

/** Metrics the apps export that dead letters show in: one counter per app that dead-letters. */
export const deadLetterMetrics = [
  'aggregator_dead_letters_total',
  'mq_dead_letters_total',
  'sap_dead_letters_total',
  'lake_dead_letters_total',
  'erp_delivery_dead_lettered_total',
];

export interface Alert {
  alert: string;
  expr: string;
  for: string;
  severity: 'page' | 'ticket';
  summary: string;
}

/**
 * The alerts, on the metric names the apps export (their metrics.ts; a test holds every name
 * here to the apps' sources) and on the Kafka Exporter's lag.
 */
export const alerts: Alert[] = [
  {
    alert: 'InventoryConsumerLagHigh',
    expr: 'sum by (consumergroup, topic) (kafka_consumergroup_lag{topic=~"inventory\\\\..*"}) > 10000',
    for: '10m',
    severity: 'page',
    summary:
      'Consumer group {{ $labels.consumergroup }} is more than 10000 records behind on {{ $labels.topic }}.',
  },
  {
    alert: 'InventoryAggregatorLagHigh',
    expr: 'max by (namespace) (aggregator_partition_lag) > 10000',
    for: '10m',
    severity: 'page',
    summary: 'An aggregator partition is more than 10000 records behind: availability answers are stale.',
  },
  {
    alert: 'InventoryDeadLettersGrowing',
    expr: `sum by (namespace, service, __name__) (increase({__name__=~"${deadLetterMetrics.join('|')}"}[15m])) > 0`,
    for: '0m',
    severity: 'ticket',
    summary: '{{ $labels.service }} dead-lettered records in the last 15 minutes ({{ $labels.__name__ }}).',
  },
  {
    alert: 'InventoryReadModelStale',
    expr: 'sum by (namespace) (aggregator_partition_lag) > 0 and sum by (namespace) (rate(aggregator_events_applied_total[5m])) == 0',
    for: '5m',
    severity: 'page',
    summary:
      'Events wait for the aggregator but none was applied for 5 minutes: the read model is not fresh.',
  },
  {
    alert: 'InventoryLakeStale',
    expr: 'max by (namespace) (lake_commit_lag) > 0 and sum by (namespace) (rate(lake_files_written_total[15m])) == 0',
    for: '15m',
    severity: 'ticket',
    summary: 'Records wait for the lake sink but no file was written for 15 minutes.',
  },
  {
    alert: 'InventoryHttp5xx',
    expr: 'sum by (namespace, service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (namespace, service) (rate(http_requests_total[5m])) > 0.01',
    for: '5m',
    severity: 'page',
    summary: 'More than 1% of the requests to {{ $labels.service }} answer 5xx.',
  },
  {
    alert: 'InventoryReconciliationFailed',
    expr: 'increase(reconciliation_runs_total{status="failed"}[1h]) > 0',
    for: '0m',
    severity: 'page',
    summary: 'A stock reconciliation run failed (job rows: `node dist/jobs-cli.js jobs` in its pod).',
  },
  {
    alert: 'InventoryReconciliationMissing',
    expr: 'sum by (namespace) (increase(reconciliation_runs_total{status="completed"}[26h])) == 0',
    for: '1h',
    severity: 'ticket',
    summary: 'No stock reconciliation completed in 26 hours.',
  },
  {
    alert: 'InventoryMqBacklog',
    expr: 'max by (namespace) (mq_queue_depth) > 10000',
    for: '10m',
    severity: 'ticket',
    summary: 'More than 10000 mainframe movements wait on the queue.',
  },
];

export function prometheusRule(): Manifest {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'inventory-alerts' },
    spec: {
      groups: [
        {
          name: 'inventory-platform',
          rules: alerts.map(({ alert, expr, for: duration, severity, summary }) => ({
            alert,
            expr,
            for: duration,
            labels: { severity },
            annotations: { summary },
          })),
        },
      ],
    },
  };
}

/** Metric names an alert expression uses (identifiers followed by `{`, `[`, `)` or a space). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const inRegex = /__name__=~"([^"]+)"/.exec(expr)?.[1];
  for (const name of inRegex?.split('|') ?? []) names.add(name);
  for (const match of expr.matchAll(/\b([a-z][a-z0-9_]*_(?:total|lag|depth|seconds|changed))\b/g))
    if (match[1]) names.add(match[1]);
  return [...names].sort();
}
