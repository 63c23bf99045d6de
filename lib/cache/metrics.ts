import {
  backendLatencyMetric,
  type CacheEvent,
  cacheEventMetric,
  rateLimitMetric,
} from '#lib/observability/metric-names';
import { metrics as invocationMetrics, type MetricsBuffer } from '#lib/observability/metrics';

export type { CacheEvent } from '#lib/observability/metric-names';

/** Which limit a rate-limit decision applied: the default, a tenant override or a path override. */
export type RateLimitRuleKind = 'default' | 'tenant' | 'path' | 'export';

/** The cache's view of metrics; kept small so tests can count and Lambda can emit EMF. */
export interface CacheMetrics {
  cacheEvent(scope: string, event: CacheEvent): void;
  /** Time the backend (the `load` function) took on a miss or refresh. */
  backendLatency(scope: string, milliseconds: number): void;
  rateLimit(outcome: 'rejected' | 'failed-open', rule: RateLimitRuleKind): void;
}

export const noopCacheMetrics: CacheMetrics = {
  cacheEvent() {},
  backendLatency() {},
  rateLimit() {},
};

/**
 * Counts into the invocation's metrics buffer (lib/observability), which the stack writes as one EMF
 * document at the end of the request: `CacheHits.<scope>`, `CacheBackendLatency.<scope>`,
 * `RateLimitRejections.<rule>` … under the function's `service`. Writes only to stdout, so it needs no
 * AWS credentials.
 */
export class PowertoolsCacheMetrics implements CacheMetrics {
  readonly #buffer: MetricsBuffer;

  constructor(buffer: MetricsBuffer = invocationMetrics) {
    this.#buffer = buffer;
  }

  cacheEvent(scope: string, event: CacheEvent): void {
    this.#buffer.count(cacheEventMetric(event, scope));
  }

  backendLatency(scope: string, milliseconds: number): void {
    this.#buffer.milliseconds(backendLatencyMetric(scope), milliseconds);
  }

  rateLimit(outcome: 'rejected' | 'failed-open', rule: RateLimitRuleKind): void {
    this.#buffer.count(rateLimitMetric(outcome, rule));
  }
}

/** Counts in memory; for tests and for the local server's diagnostics. */
export class CountingCacheMetrics implements CacheMetrics {
  readonly events: Array<{ scope: string; event: CacheEvent }> = [];
  readonly latencies: Array<{ scope: string; milliseconds: number }> = [];
  readonly rateLimits: Array<{ outcome: 'rejected' | 'failed-open'; rule: RateLimitRuleKind }> = [];

  cacheEvent(scope: string, event: CacheEvent): void {
    this.events.push({ scope, event });
  }

  backendLatency(scope: string, milliseconds: number): void {
    this.latencies.push({ scope, milliseconds });
  }

  rateLimit(outcome: 'rejected' | 'failed-open', rule: RateLimitRuleKind): void {
    this.rateLimits.push({ outcome, rule });
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
  }
}
