import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import { type CacheMetrics, noopCacheMetrics } from './metrics.ts';
import {
  exemptDecision,
  isRateLimitExempt,
  type RateLimitClass,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
  type RateLimitSettings,
  rateLimitSettingsFromEnv,
  resolveRateLimitRule,
} from './rate-limit.ts';

export interface UpstashRateLimiterOptions {
  /** A client without retries: EVALSHA consumes a token, so a retried call would count twice. */
  redis: Redis;
  settings?: RateLimitSettings;
  /** Past this the request is let through (default 150 ms). */
  timeoutMs?: number;
  /** Key prefix of the buckets (default `aurum:ratelimit`). */
  prefix?: string;
  metrics?: CacheMetrics;
  /** After a failure or timeout, fail open without asking Redis for this long (default 1 s). */
  coolDownMs?: number;
}

/**
 * Token buckets in Upstash Redis through `@upstash/ratelimit` (one Lua script per check, so the
 * limit holds across containers). An outage or a slow answer fails open, flagged `failedOpen`.
 */
export class UpstashRateLimiter implements RateLimiter {
  readonly settings: RateLimitSettings;
  readonly #redis: Redis;
  readonly #timeoutMs: number;
  readonly #prefix: string;
  readonly #metrics: CacheMetrics;
  readonly #byLimit = new Map<string, Ratelimit>();
  readonly #coolDownMs: number;
  #downUntil = Number.NEGATIVE_INFINITY;

  constructor(options: UpstashRateLimiterOptions) {
    this.settings = options.settings ?? rateLimitSettingsFromEnv();
    this.#redis = options.redis;
    this.#timeoutMs = options.timeoutMs ?? 150;
    this.#prefix = options.prefix ?? 'aurum:ratelimit';
    this.#metrics = options.metrics ?? noopCacheMetrics;
    this.#coolDownMs = options.coolDownMs ?? 1_000;
  }

  #limiter(rule: RateLimitRule): Ratelimit {
    const id = `${rule.rps}:${rule.burst}`;
    let limiter = this.#byLimit.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.#redis,
        limiter: Ratelimit.tokenBucket(rule.rps, '1 s', rule.capacity),
        prefix: this.#prefix,
        timeout: this.#timeoutMs,
        analytics: false,
      });
      this.#byLimit.set(id, limiter);
    }
    return limiter;
  }

  async check(
    identity: string,
    path: string,
    tenant?: string,
    routeClass?: RateLimitClass,
  ): Promise<RateLimitDecision> {
    if (isRateLimitExempt(path)) return exemptDecision(this.settings);
    const rule = resolveRateLimitRule(this.settings, identity, path, tenant, routeClass);
    const failOpen = (): RateLimitDecision => {
      this.#metrics.rateLimit('failed-open', rule.kind);
      return {
        allowed: true,
        limit: rule.capacity,
        remaining: rule.capacity,
        resetSeconds: 0,
        failedOpen: true,
      };
    };
    if (Date.now() < this.#downUntil) return failOpen();
    let response: Awaited<ReturnType<Ratelimit['limit']>> | undefined;
    try {
      response = await this.#limiter(rule).limit(rule.bucket);
    } catch {
      response = undefined;
    }
    if (!response || response.reason === 'timeout') {
      this.#downUntil = Date.now() + this.#coolDownMs;
      return failOpen();
    }
    const untilReset = Math.ceil((response.reset - Date.now()) / 1000);
    if (!response.success) {
      this.#metrics.rateLimit('rejected', rule.kind);
      return { allowed: false, limit: rule.capacity, remaining: 0, resetSeconds: Math.max(1, untilReset) };
    }
    return {
      allowed: true,
      limit: rule.capacity,
      remaining: response.remaining,
      resetSeconds: Math.max(1, untilReset),
    };
  }
}
