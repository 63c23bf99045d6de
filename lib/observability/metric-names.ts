/**
 * The API's CloudWatch contract, named once for the code that emits the metrics (lib/observability's
 * buffer, through lib/cache and lib/flags) and the alarms and dashboards that read them
 * (infra/constructs/monitoring.ts): an alarm only matches a metric with exactly these names and dimensions.
 *
 * Every EMF document a function writes carries one dimension, `service` (the function's
 * POWERTOOLS_SERVICE_NAME, `aurum-<domain>`). Whatever varies inside one document (cache scope, rate-limit
 * rule, flag and answer, flag document origin) is part of the metric name, because an EMF document holds
 * one value per dimension name: one request may count several scopes (an admin invalidation) or several
 * flags, and a background refresh may be counted in a later request's document.
 */

export const METRICS_NAMESPACE = 'Aurum';

/** The one dimension of every document; Powertools fills it from the service name. */
export const SERVICE_DIMENSION = 'service';

/** The `service` dimension of a function, as infra names it (POWERTOOLS_SERVICE_NAME). */
export const serviceOf = (functionName: string): string => `aurum-${functionName}`;

/** The cache's events, by what the manager reports; the metric is `<name>.<scope>`. */
export const CACHE_EVENT_METRICS = {
  hit: 'CacheHits',
  miss: 'CacheMisses',
  stale: 'CacheStaleServes',
  error: 'CacheErrors',
  'refresh-failed': 'CacheRefreshFailures',
  invalidation: 'CacheInvalidations',
} as const;

/** What a cache lookup amounted to; `error` is a store failure or timeout (absorbed as a miss). */
export type CacheEvent = keyof typeof CACHE_EVENT_METRICS;

/** Time the backend took on a miss or refresh, `CacheBackendLatency.<scope>`, milliseconds. */
export const CACHE_BACKEND_LATENCY = 'CacheBackendLatency';

export const RATE_LIMIT_METRICS = {
  rejected: 'RateLimitRejections',
  'failed-open': 'RateLimitFailOpens',
} as const;

export type RateLimitOutcome = keyof typeof RATE_LIMIT_METRICS;

export const FLAG_METRICS = {
  evaluations: 'FlagEvaluations',
  documentReads: 'FlagDocumentReads',
  documentReadFailures: 'FlagDocumentReadFailures',
} as const;

export const cacheEventMetric = (event: CacheEvent, scope: string): string =>
  `${CACHE_EVENT_METRICS[event]}.${scope}`;

export const backendLatencyMetric = (scope: string): string => `${CACHE_BACKEND_LATENCY}.${scope}`;

export const rateLimitMetric = (outcome: RateLimitOutcome, rule: string): string =>
  `${RATE_LIMIT_METRICS[outcome]}.${rule}`;

export const flagEvaluationMetric = (key: string, enabled: boolean): string =>
  `${FLAG_METRICS.evaluations}.${key}.${enabled ? 'on' : 'off'}`;

export const flagDocumentReadMetric = (origin: string): string => `${FLAG_METRICS.documentReads}.${origin}`;

export const flagDocumentReadFailureMetric = (origin: string, kind: string): string =>
  `${FLAG_METRICS.documentReadFailures}.${origin}.${kind}`;
