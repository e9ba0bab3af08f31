import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One registry per app instance (tests build several in one process without sharing
 * counters), with the default process metrics: CPU, memory, event-loop lag, GC, handles.
 */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Metric constructors bound to a registry, so an app's metrics module lists names and meanings only. */
export function meter(registry: Registry) {
  return {
    counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) {
      return new Counter<L>({ name, help, labelNames, registers: [registry] });
    },
    gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) {
      return new Gauge<L>({ name, help, labelNames, registers: [registry] });
    },
    histogram<L extends string = never>(
      name: string,
      help: string,
      buckets: number[],
      labelNames: readonly L[] = [],
    ) {
      return new Histogram<L>({ name, help, buckets, labelNames, registers: [registry] });
    },
  };
}

/** Latency buckets (seconds) from a millisecond to a few seconds: produce and request times. */
export const fastBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Delay buckets (seconds) from 10 ms to 15 minutes: freshness, deliveries with their retries. */
export const delayBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/** Duration buckets (seconds) of jobs, from a second to half an hour. */
export const jobBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800];

/** Size buckets (items) of a batch or a request, from one to ten thousand. */
export const sizeBuckets = [1, 10, 100, 500, 1000, 2500, 5000, 10000];

type Meter = ReturnType<typeof meter>;

/**
 * An app's metrics module in one call: the metrics named with their meaning, on a registry of
 * their own (with the default process metrics) unless one is given.
 */
export function defineMetrics<M extends object>(
  define: (m: Meter) => M,
): (registry?: Registry) => M & { registry: Registry } {
  return (registry = createRegistry()) => ({ registry, ...define(meter(registry)) });
}
