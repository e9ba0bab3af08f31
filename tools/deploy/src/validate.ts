import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import {
  PodMonitor,
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  Namespace,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import type { Rendered } from './kustomize.ts';
import type { Manifest } from './manifest.ts';

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

/**
 * The schemas of the built-in kinds (kubernetes-models, from Kubernetes' OpenAPI), of KEDA's
 * and of the Prometheus Operator's (@kubernetes-models/*). Strimzi's kinds are checked by
 * Strimzi's own model and CRD schema (strimzi-check.ts).
 */
const models: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Namespace': Namespace,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

export const isStrimzi = (resource: Manifest) => resource.apiVersion.startsWith('kafka.strimzi.io/');

export interface Problem {
  source: string;
  object: string;
  message: string;
}

const nameOf = (resource: Manifest) => `${resource.kind}/${resource.metadata?.name}`;

/** Validates every non-Strimzi object against its schema; an object of a kind without one is a problem too. */
export function validateModels(rendered: Rendered[]): Problem[] {
  const problems: Problem[] = [];
  for (const { source, resource } of rendered) {
    if (isStrimzi(resource)) continue;
    const model = models[`${resource.apiVersion}/${resource.kind}`];
    if (!model) {
      problems.push({
        source,
        object: nameOf(resource),
        message: `no schema for ${resource.apiVersion} ${resource.kind}`,
      });
      continue;
    }
    try {
      new model(structuredClone(resource) as never).validate();
    } catch (error) {
      problems.push({
        source,
        object: nameOf(resource),
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return problems;
}
