import { createCacheFromEnv } from '#lib/cache/create-cache';
import { noopCacheMetrics } from '#lib/cache/metrics';
import { createEngine } from '#lib/data/create-engine';
import { createFlagSource } from '#lib/flags/source';
import { logger } from '#lib/observability/logger';
import { cacheCheck } from './cache-check.ts';
import { engineCheck } from './engine-check.ts';
import { flagsCheck } from './flags-check.ts';
import { type HealthProvider, lazily } from './provider.ts';

/**
 * The deep checks of this environment, as the domain functions are configured: the engine of
 * `createEngine` (Trino or local DuckDB), the store of `createCacheFromEnv` (Upstash or memory) and
 * the source of `createFlagSource` (AppConfig agent or the flags file). Nothing is built or opened
 * until a check runs, and a client that fails to build is a failed check, retried next time.
 */
export function readinessProvidersFromEnv(env: NodeJS.ProcessEnv = process.env): HealthProvider[] {
  return [
    engineCheck(lazily(() => createEngine(env))),
    cacheCheck(lazily(() => createCacheFromEnv(env, { metrics: noopCacheMetrics }).store)),
    flagsCheck(lazily(() => createFlagSource(env, { logger }))),
  ];
}
