/**
 * The canary's CloudWatch contract, shared by the function that emits the metrics and the alarms that
 * read them (infra/constructs/monitoring.ts): an alarm only matches a metric with exactly these dimensions.
 */
export const CANARY_METRICS = {
  namespace: 'Aurum',
  /** Powertools adds `service` to every metric's dimensions. */
  service: 'aurum-canary',
  dimension: 'probe',
  success: 'CanaryProbeSuccess',
  latency: 'CanaryProbeLatency',
} as const;

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
