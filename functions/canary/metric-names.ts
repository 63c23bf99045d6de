import { METRICS_NAMESPACE, serviceOf } from '#lib/observability/metric-names';

/**
 * The canary's CloudWatch contract, shared by the function that emits the metrics and the alarms that
 * read them (infra/constructs/monitoring.ts): an alarm only matches a metric with exactly these names and
 * dimensions. A run writes one EMF document, whose one dimension is `service` (Powertools fills it from
 * the function's POWERTOOLS_SERVICE_NAME); the probe is in the metric name, `CanaryProbeSuccess.<probe>`,
 * because a document carries one value per dimension and a run has several probes.
 */
export const CANARY_METRICS = {
  namespace: METRICS_NAMESPACE,
  service: serviceOf('canary'),
  success: 'CanaryProbeSuccess',
  latency: 'CanaryProbeLatency',
} as const;

/** A probe's success metric (1 passed, 0 failed). */
export const probeSuccessMetric = (probe: string): string => `${CANARY_METRICS.success}.${probe}`;
/** A probe's latency metric, milliseconds. */
export const probeLatencyMetric = (probe: string): string => `${CANARY_METRICS.latency}.${probe}`;

/** Deep checks as the canary names them: `check-` and the readiness provider's name. */
export const DEEP_CHECK_PROBES = ['check-engine', 'check-cache', 'check-flags'] as const;

/** End-to-end probes of the public API. */
export const API_PROBES = ['ready', 'curves', 'data-path', 'etag-revalidation', 'malformed-request'] as const;

/** The probe whose query no cache can answer: its latency is the data store's, seen end to end. */
export const DATA_PATH_PROBE = 'data-path';

export const PROBE_NAMES = [...DEEP_CHECK_PROBES, ...API_PROBES] as const;

/** The client-credentials grant each run starts with, where one is configured (the deployed canary). */
export const GRANT_PROBE = 'token-grant';
export type ProbeName = (typeof PROBE_NAMES)[number];
