import { Lru } from './lru.ts';
import { type CacheMetrics, noopCacheMetrics, type RateLimitRuleKind } from './metrics.ts';

export interface RateLimitDecision {
  allowed: boolean;
  /** Bucket capacity: rps + burst (`X-RateLimit-Limit`). */
  limit: number;
  remaining: number;
  /** Seconds until a token is available (at least 1 when refused). */
  resetSeconds: number;
  /** The limiter's store failed or was slow, so the request was let through unchecked. */
  failedOpen?: boolean;
}

/** A route class with its own limit and bucket per tenant, whatever the overrides say (heavy exports). */
export type RateLimitClass = 'export';

export interface RateLimiter {
  check(
    identity: string,
    path: string,
    tenant?: string,
    routeClass?: RateLimitClass,
  ): Promise<RateLimitDecision>;
}

/** A token bucket: `rps` tokens come back every second, up to `rps + burst`. */
export interface RateLimit {
  rps: number;
  burst: number;
}

export interface RateLimitSettings extends RateLimit {
  tenantOverrides: Record<string, RateLimit>;
  /** Longest prefix first. */
  pathOverrides: Array<RateLimit & { prefix: string }>;
  /** Routes declaring `rateLimit: 'export'`: their own bucket per tenant, at this limit. */
  exportLimit: RateLimit;
}

/** The limit one request falls under, and the bucket it draws from. */
export interface RateLimitRule extends RateLimit {
  kind: RateLimitRuleKind;
  capacity: number;
  bucket: string;
}

const EXEMPT_PATHS = new Set(['/health', '/healthz', '/live', '/livez', '/ready', '/readyz']);

/** Liveness and readiness probes are never limited (nor are their sub-paths, e.g. `/health/live`). */
export function isRateLimitExempt(path: string): boolean {
  const bare = path.split('?')[0]!.replace(/\/+$/, '') || '/';
  if (EXEMPT_PATHS.has(bare)) return true;
  for (const exempt of EXEMPT_PATHS) if (bare.startsWith(`${exempt}/`)) return true;
  return false;
}

function parseLimit(variable: string, text: string): RateLimit {
  const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text);
  const rps = Number(match?.[1]);
  const burst = Number(match?.[2]);
  if (!match || !(rps >= 1) || !Number.isSafeInteger(rps) || !Number.isSafeInteger(burst)) {
    throw new RangeError(`${variable}: "${text}" is not "rps:burst" with rps >= 1 and burst >= 0`);
  }
  return { rps, burst };
}

function parseCount(variable: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${variable} must be a whole number >= ${min}, got "${raw}"`);
  }
  return value;
}

/**
 * `AURUM_API_RATE_LIMIT_EXPORT` (`1:2`: one export a second per tenant, three at once), and
 * `AURUM_API_RATE_LIMIT_RPS` (10), `AURUM_API_RATE_LIMIT_BURST` (20) and
 * `AURUM_API_RATE_LIMIT_OVERRIDES`, a comma list of `tenant:{id}=rps:burst` and
 * `/path/prefix=rps:burst`. Malformed values throw at start-up rather than silently limit wrong.
 */
export function rateLimitSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimitSettings {
  const rps = parseCount('AURUM_API_RATE_LIMIT_RPS', env.AURUM_API_RATE_LIMIT_RPS, 10, 1);
  const burst = parseCount('AURUM_API_RATE_LIMIT_BURST', env.AURUM_API_RATE_LIMIT_BURST, 20, 0);
  const tenantOverrides: Record<string, RateLimit> = {};
  const pathOverrides: RateLimitSettings['pathOverrides'] = [];
  const variable = 'AURUM_API_RATE_LIMIT_OVERRIDES';
  for (const item of (env[variable] ?? '').split(',')) {
    if (!item.trim()) continue;
    const separator = item.lastIndexOf('=');
    const target = item.slice(0, Math.max(separator, 0)).trim();
    const limit = parseLimit(variable, item.slice(separator + 1));
    if (target.startsWith('tenant:') && target.length > 'tenant:'.length) {
      tenantOverrides[target.slice('tenant:'.length)] = limit;
    } else if (target.startsWith('/')) {
      pathOverrides.push({ prefix: target.replace(/\/+$/, '') || '/', ...limit });
    } else {
      throw new RangeError(`${variable}: "${item.trim()}" must start with "tenant:" or "/"`);
    }
  }
  pathOverrides.sort((a, b) => b.prefix.length - a.prefix.length);
  const exportLimit = parseLimit(
    'AURUM_API_RATE_LIMIT_EXPORT',
    env.AURUM_API_RATE_LIMIT_EXPORT?.trim() || '1:2',
  );
  return { rps, burst, tenantOverrides, pathOverrides, exportLimit };
}

function underPrefix(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Which limit applies: a tenant override beats a path override (longest prefix, matched on whole
 * segments), which beats the default. Buckets are per tenant, else per identity; a path override
 * gets its own bucket, so a busy route class cannot starve the rest of the API.
 */
export function resolveRateLimitRule(
  settings: RateLimitSettings,
  identity: string,
  path: string,
  tenant?: string,
  routeClass?: RateLimitClass,
): RateLimitRule {
  const subject = tenant ? `tenant:${tenant}` : identity;
  const rule = (kind: RateLimitRuleKind, limit: RateLimit, bucket: string): RateLimitRule => ({
    kind,
    rps: limit.rps,
    burst: limit.burst,
    capacity: limit.rps + limit.burst,
    bucket,
  });
  // A class is the route's own budget: no override lifts it, and it spends nothing of the default bucket.
  if (routeClass === 'export') return rule('export', settings.exportLimit, `${subject}:class:export`);
  const tenantLimit = tenant ? settings.tenantOverrides[tenant] : undefined;
  if (tenantLimit) return rule('tenant', tenantLimit, subject);
  const pathLimit = settings.pathOverrides.find((override) => underPrefix(path, override.prefix));
  if (pathLimit) return rule('path', pathLimit, `${subject}:path:${pathLimit.prefix}`);
  return rule('default', settings, subject);
}

/** The answer for an exempt path: a full bucket, never counted. */
export function exemptDecision(settings: RateLimitSettings): RateLimitDecision {
  const capacity = settings.rps + settings.burst;
  return { allowed: true, limit: capacity, remaining: capacity, resetSeconds: 0 };
}

const REFILL_INTERVAL_MS = 1_000;

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * The in-process limiter of the embedded server: the same token bucket as `Ratelimit.tokenBucket`
 * (whole refills of `rps` tokens every second since the bucket's first use, capacity rps + burst),
 * so both adapters answer alike. Per container, which is exact for one local process.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly settings: RateLimitSettings;
  readonly #now: () => number;
  readonly #metrics: CacheMetrics;
  readonly #buckets: Lru<Bucket>;

  constructor(
    settings: RateLimitSettings = rateLimitSettingsFromEnv(),
    options: { now?: () => number; metrics?: CacheMetrics; maxBuckets?: number } = {},
  ) {
    this.settings = settings;
    this.#now = options.now ?? Date.now;
    this.#metrics = options.metrics ?? noopCacheMetrics;
    const now = this.#now;
    this.#buckets = new Lru<Bucket>({ max: options.maxBuckets ?? 10_000, now });
  }

  async check(
    identity: string,
    path: string,
    tenant?: string,
    routeClass?: RateLimitClass,
  ): Promise<RateLimitDecision> {
    if (isRateLimitExempt(path)) return exemptDecision(this.settings);
    const rule = resolveRateLimitRule(this.settings, identity, path, tenant, routeClass);
    const now = this.#now();
    const bucket = this.#buckets.get(rule.bucket) ?? { tokens: rule.capacity, refilledAt: now };
    let { tokens, refilledAt } = bucket;
    if (now >= refilledAt + REFILL_INTERVAL_MS) {
      const refills = Math.floor((now - refilledAt) / REFILL_INTERVAL_MS);
      tokens = Math.min(rule.capacity, tokens + refills * rule.rps);
      refilledAt += refills * REFILL_INTERVAL_MS;
    }
    const resetSeconds = Math.max(1, Math.ceil((refilledAt + REFILL_INTERVAL_MS - now) / 1000));
    if (tokens < 1) {
      this.#metrics.rateLimit('rejected', rule.kind);
      return { allowed: false, limit: rule.capacity, remaining: 0, resetSeconds };
    }
    tokens -= 1;
    // An idle bucket is full again after this long; dropping it then changes nothing.
    const refillMs = Math.ceil((rule.capacity - tokens) / rule.rps) * REFILL_INTERVAL_MS + REFILL_INTERVAL_MS;
    this.#buckets.set(rule.bucket, { tokens, refilledAt }, refillMs);
    return { allowed: true, limit: rule.capacity, remaining: tokens, resetSeconds };
  }
}
