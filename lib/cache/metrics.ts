import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** What a cache lookup amounted to; `error` is a store failure or timeout (absorbed as a miss). */
export type CacheEvent = 'hit' | 'miss' | 'stale' | 'error' | 'refresh-failed' | 'invalidation';

/** Which limit a rate-limit decision applied: the default, a tenant override or a path override. */
export type RateLimitRuleKind = 'default' | 'tenant' | 'path' | 'export';

/** The cache's view of metrics; kept small so tests can count and Lambda can emit EMF. */
export interface CacheMetrics {
  cacheEvent(scope: string, event: CacheEvent): void;
  /** Time the backend (the `load` function) took on a miss or refresh. */
  backendLatency(scope: string, milliseconds: number): void;
  rateLimit(outcome: 'rejected' | 'failed-open', rule: RateLimitRuleKind): void;
  /** Writes buffered metrics out (EMF to stdout); call at the end of each invocation. */
  flush(): void;
}

const EVENT_METRIC: Record<CacheEvent, string> = {
  hit: 'CacheHits',
  miss: 'CacheMisses',
  stale: 'CacheStaleServes',
  error: 'CacheErrors',
  'refresh-failed': 'CacheRefreshFailures',
  invalidation: 'CacheInvalidations',
};

const RATE_LIMIT_METRIC = { rejected: 'RateLimitRejections', 'failed-open': 'RateLimitFailOpens' } as const;

export const noopCacheMetrics: CacheMetrics = {
  cacheEvent() {},
  backendLatency() {},
  rateLimit() {},
  flush() {},
};

/**
 * Powertools EMF metrics in namespace `Aurum`. One buffered `Metrics` per dimension set (scope or
 * rule), because an EMF blob carries one set of dimensions for all its values. Writes only to
 * stdout, so it needs no AWS credentials.
 */
export class PowertoolsCacheMetrics implements CacheMetrics {
  readonly #namespace: string;
  readonly #serviceName: string | undefined;
  readonly #byDimensions = new Map<string, Metrics>();

  constructor(options: { namespace?: string; serviceName?: string } = {}) {
    this.#namespace = options.namespace ?? 'Aurum';
    this.#serviceName = options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'aurum-api';
  }

  #metrics(name: string, value: string): Metrics {
    const id = `${name}=${value}`;
    let metrics = this.#byDimensions.get(id);
    if (!metrics) {
      metrics = new Metrics({
        namespace: this.#namespace,
        serviceName: this.#serviceName,
        defaultDimensions: { [name]: value },
      });
      this.#byDimensions.set(id, metrics);
    }
    return metrics;
  }

  cacheEvent(scope: string, event: CacheEvent): void {
    this.#metrics('scope', scope).addMetric(EVENT_METRIC[event], MetricUnit.Count, 1);
  }

  backendLatency(scope: string, milliseconds: number): void {
    this.#metrics('scope', scope).addMetric('CacheBackendLatency', MetricUnit.Milliseconds, milliseconds);
  }

  rateLimit(outcome: 'rejected' | 'failed-open', rule: RateLimitRuleKind): void {
    this.#metrics('rule', rule).addMetric(RATE_LIMIT_METRIC[outcome], MetricUnit.Count, 1);
  }

  flush(): void {
    for (const metrics of this.#byDimensions.values()) {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  }
}

/** Counts in memory; for tests and for the local server's diagnostics. */
export class CountingCacheMetrics implements CacheMetrics {
  readonly events: Array<{ scope: string; event: CacheEvent }> = [];
  readonly latencies: Array<{ scope: string; milliseconds: number }> = [];
  readonly rateLimits: Array<{ outcome: 'rejected' | 'failed-open'; rule: RateLimitRuleKind }> = [];
  flushes = 0;

  cacheEvent(scope: string, event: CacheEvent): void {
    this.events.push({ scope, event });
  }

  backendLatency(scope: string, milliseconds: number): void {
    this.latencies.push({ scope, milliseconds });
  }

  rateLimit(outcome: 'rejected' | 'failed-open', rule: RateLimitRuleKind): void {
    this.rateLimits.push({ outcome, rule });
  }

  flush(): void {
    this.flushes += 1;
  }

  /** How many times `event` was counted, for one scope or all. */
  count(event: CacheEvent, scope?: string): number {
    return this.events.filter((e) => e.event === event && (scope === undefined || e.scope === scope)).length;
  }

  rateLimitCount(outcome: 'rejected' | 'failed-open', rule?: RateLimitRuleKind): number {
    return this.rateLimits.filter((r) => r.outcome === outcome && (rule === undefined || r.rule === rule))
      .length;
  }

  reset(): void {
    this.events.length = 0;
    this.latencies.length = 0;
    this.rateLimits.length = 0;
    this.flushes = 0;
  }
}
