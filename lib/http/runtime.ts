import { type AuthSettings, authSettingsFromEnv } from '#lib/auth/principal';
import { createCacheFromEnv } from '#lib/cache/create-cache';
import type { CacheMetrics } from '#lib/cache/metrics';
import { type CachePolicy, type CacheScope, cachePoliciesFromEnv } from '#lib/cache/policies';
import { FeatureFlags } from '#lib/flags/flags';
import { PowertoolsFlagMetrics } from '#lib/flags/metrics';
import { createFlagSource } from '#lib/flags/source';
import { logger } from '#lib/observability/logger';
import { CursorCodec } from '#lib/paging/cursor';

/** What the request path needs from the cache manager (lib/cache), kept structural so tests can pass their own. */
export interface ResponseCache {
  through<T>(
    scope: string,
    request: unknown,
    load: () => Promise<T>,
  ): Promise<{ value: T; status: 'hit' | 'miss' | 'stale' }>;
  invalidate(scope: string): Promise<{ scope: string; version: number }>;
  registerWarmUp(scope: string, fn: () => Promise<void>): void;
  readonly scopes: string[];
  /** Resolves when background refreshes have finished (tests, and before a Lambda freezes). */
  idle?(): Promise<void>;
  warm(scopes: string[]): Promise<Array<{ scope: string; ok: boolean; durationMs: number; error?: string }>>;
}

export type RateLimitDecision = import('#lib/cache/rate-limit').RateLimitDecision;

export interface RequestLimiter {
  check(
    identity: string,
    path: string,
    tenant?: string,
    routeClass?: import('#lib/cache/rate-limit').RateLimitClass,
  ): Promise<RateLimitDecision>;
}

export interface FlagGate {
  isEnabled(key: string, subject: { tenant?: string; user?: string }): Promise<boolean>;
}

/** The flags of the runtime: route gates and variants, and the admin view of every flag. */
export type RuntimeFlags = FlagGate & Pick<FeatureFlags, 'explain'>;

export const rateLimitHeaders = (d: RateLimitDecision): Record<string, string> => ({
  'X-RateLimit-Limit': String(d.limit),
  'X-RateLimit-Remaining': String(Math.max(0, d.remaining)),
  'X-RateLimit-Reset': String(Math.max(0, Math.ceil(d.resetSeconds))),
});

/** Per-container services shared by every route of a domain; built once, on first use. */
export interface HttpRuntime {
  auth: AuthSettings;
  cursors: CursorCodec;
  /** The cache policies in force (TTL overrides applied): Cache-Control's max-age is the scope's TTL. */
  policies: Record<CacheScope, CachePolicy>;
  cache?: ResponseCache;
  limiter?: RequestLimiter;
  flags?: RuntimeFlags;
  /** Responses at or above this many bytes are compressed when the client accepts it. */
  compressionMinBytes: number;
  /** Kept back from the Lambda's remaining time so the answer can still be sent. */
  deadlineMarginMs: number;
  /** Request budget when there is no Lambda context (local gateway, tests). */
  defaultTimeoutMs: number;
}

/** The cache counts into the invocation's metrics buffer unless a test passes its own counter. */
const newCache = (env: NodeJS.ProcessEnv, options: { cacheMetrics?: CacheMetrics; now?: () => number }) =>
  createCacheFromEnv(env, { metrics: options.cacheMetrics, now: options.now });

let shared: ReturnType<typeof newCache> | undefined;
/**
 * One cache and limiter per process. A Lambda process serves one domain, so nothing changes there; the
 * local gateway runs every domain in one process, and sharing makes its memory cache behave like the
 * shared Upstash one: an admin invalidation is seen by the curves handler at once.
 */
function processCache() {
  shared ??= newCache(process.env, {});
  return shared;
}

export function runtimeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { cacheMetrics?: CacheMetrics; now?: () => number } = {},
): HttpRuntime {
  const minBytes = Number(env.AURUM_API_GZIP_MIN_BYTES ?? 1024);
  const flagMetrics = new PowertoolsFlagMetrics();
  const custom = env !== process.env || options.cacheMetrics !== undefined || options.now !== undefined;
  const cache = custom ? newCache(env, options) : processCache();
  return {
    auth: authSettingsFromEnv(env),
    cache: cache.manager,
    limiter: cache.limiter,
    // The same clock as the cache's: a cursor's expiry and the entry it pages agree on the time.
    cursors: CursorCodec.fromEnv(env, options.now ? { now: options.now } : {}),
    policies: cachePoliciesFromEnv(env),
    flags: new FeatureFlags(createFlagSource(env, { logger, metrics: flagMetrics }), flagMetrics, { logger }),
    compressionMinBytes: Number.isFinite(minBytes) && minBytes >= 0 ? minBytes : 1024,
    deadlineMarginMs: 250,
    defaultTimeoutMs: Number(env.AURUM_REQUEST_TIMEOUT_MS ?? 10_000),
  };
}
