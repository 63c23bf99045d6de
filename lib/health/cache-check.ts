import type { CacheStore } from '#lib/cache/store';
import type { CheckResult, HealthProvider } from './provider.ts';
import { describeFailure } from './sanitize.ts';

/** The response cache's store: Upstash answers PING; the in-process memory store is always ok. */
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
        return {
          status: 'failed',
          latencyMs: Date.now() - started,
          detail: `${kind}: ping failed (${describeFailure(error)})`,
        };
      }
    },
  };
}
