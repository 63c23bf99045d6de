import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CANARY_METRICS } from './metric-names.ts';
import type { ProbeResult } from './probes.ts';

/** One probe's success (0/1) and latency under its own `probe` dimension, ready to publish as EMF. */
export function probeMetrics(result: ProbeResult): Metrics {
  const metrics = new Metrics({
    namespace: CANARY_METRICS.namespace,
    serviceName: CANARY_METRICS.service,
    defaultDimensions: { [CANARY_METRICS.dimension]: result.name },
  });
  metrics.addMetric(CANARY_METRICS.success, MetricUnit.Count, result.ok ? 1 : 0);
  metrics.addMetric(CANARY_METRICS.latency, MetricUnit.Milliseconds, Math.round(result.latencyMs));
  return metrics;
}

/** Writes every probe's metrics to stdout as EMF (one blob per probe, since dimensions differ). */
export function publishProbeMetrics(results: readonly ProbeResult[]): void {
  for (const result of results) probeMetrics(result).publishStoredMetrics();
}
