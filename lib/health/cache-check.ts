import type { CacheStore } from '#lib/cache/store';
import { CacheNotConfiguredError } from '#lib/cache/unconfigured-store';
import { failureReason } from './detail.ts';
import type { CheckResult, HealthProvider } from './provider.ts';

/**
 * The response cache's store: Upstash answers PING; the in-process memory store is always ok. A
 * half-configured Upstash (URL without token, or the reverse) is failed: `upstash: not configured`.
 */
export function cacheCheck(store: () => Promise<CacheStore>, name = 'cache'): HealthProvider {
  return {
    name,
    async check(): Promise<CheckResult> {
      const started = Date.now();
      let kind = 'cache store';
      try {
        const client = await store();
        kind = client.name;
        await client.ping();
        return {
          status: 'ok',
          latencyMs: Date.now() - started,
          detail: client.name === 'memory' ? 'memory (in-process store)' : client.name,
        };
      } catch (error) {
        const reason = error instanceof CacheNotConfiguredError ? 'not configured' : failureReason(error);
        return { status: 'failed', latencyMs: Date.now() - started, detail: `${kind}: ${reason}` };
      }
    },
  };
}
