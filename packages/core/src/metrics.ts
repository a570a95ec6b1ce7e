import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** Metric names keep the existing platform's `agentidp_` prefix (dashboards read them). */
export const METRIC_PREFIX = 'agentidp_'

/** The registry's metric of that name, or a new one: plugins sharing a registry share their metrics. */
function registered<M> (registry: Registry, name: string, create: (fullName: string) => M): M {
  const fullName = METRIC_PREFIX + name
  return (registry.getSingleMetric(fullName) as M | undefined) ?? create(fullName)
}

export function counter<L extends string> (registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return registered(registry, name, (fullName) => new Counter({ name: fullName, help, labelNames, registers: [registry] }))
}

export function gauge<L extends string> (registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return registered(registry, name, (fullName) => new Gauge({ name: fullName, help, labelNames, registers: [registry] }))
}

/** Upper bounds, in seconds, of the platform's latency histograms: from half a millisecond to a second. */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

export function histogram<L extends string> (registry: Registry, name: string, help: string, labelNames: readonly L[] = [],
  buckets: readonly number[] = LATENCY_BUCKETS): Histogram<L> {
  return registered(registry, name, (fullName) => new Histogram({ name: fullName, help, labelNames, buckets: [...buckets], registers: [registry] }))
}
