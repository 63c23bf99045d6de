import { metrics as invocationMetrics, type MetricsBuffer } from '#lib/observability/metrics';
import { probeLatencyMetric, probeSuccessMetric } from './metric-names.ts';
import type { ProbeResult } from './probes.ts';

/**
 * Counts every probe's success (0/1) and latency into the run's metrics buffer, which the handler writes
 * as the run's one EMF document.
 */
export function recordProbeMetrics(
  results: readonly ProbeResult[],
  buffer: MetricsBuffer = invocationMetrics,
): void {
  for (const result of results) {
    buffer.count(probeSuccessMetric(result.name), result.ok ? 1 : 0);
    buffer.milliseconds(probeLatencyMetric(result.name), Math.round(result.latencyMs));
  }
}
