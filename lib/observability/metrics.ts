import { Metrics } from '@aws-lambda-powertools/metrics';

/** The one EMF metrics buffer per container; the stack flushes it once per request. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Aurum',
  serviceName: 'aurum',
});

export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
