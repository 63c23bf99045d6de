import type { FlagSource } from '#lib/flags/source';
import type { CheckResult, HealthProvider } from './provider.ts';

/**
 * The flag document (AppConfig agent in Lambda, the flags file locally):
 * - ok: a document from the source is in force; when the latest read failed but an earlier good document
 *   is still served, still ok (flags are as last configured) with the failure in the detail;
 * - failed: no good document was ever read, so every flag answers its built-in default.
 */
export function flagsCheck(source: () => Promise<FlagSource>, name = 'flags'): HealthProvider {
  return {
    name,
    async check(): Promise<CheckResult> {
      const started = Date.now();
      const snapshot = await (await source()).current();
      const latencyMs = Date.now() - started;
      if (snapshot.source === 'defaults') {
        return {
          status: 'failed',
          latencyMs,
          detail: `serving built-in defaults: ${snapshot.lastError ?? 'no flag document read yet'}`,
        };
      }
      if (snapshot.lastError !== undefined) {
        return {
          status: 'ok',
          latencyMs,
          detail: `${snapshot.source} version ${snapshot.version} in force; latest read failed: ${snapshot.lastError}`,
        };
      }
      return { status: 'ok', latencyMs, detail: `${snapshot.source} version ${snapshot.version}` };
    },
  };
}
