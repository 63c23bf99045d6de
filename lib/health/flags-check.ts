import type { FlagSource } from '#lib/flags/source';
import type { FailureReason } from './detail.ts';
import type { CheckResult, HealthProvider } from './provider.ts';

const READ_FAILURE: Record<string, FailureReason> = {
  unreachable: 'unreachable',
  invalid: 'invalid document',
};
const readFailure = (kind: string | undefined): FailureReason =>
  (kind === undefined ? undefined : READ_FAILURE[kind]) ?? 'failed';

/**
 * The flag document (AppConfig agent in Lambda, the flags file locally):
 * - ok: a document from the source is in force; when the latest read failed but an earlier good document
 *   is still served, still ok (flags are as last configured) with the kind of failure in the detail;
 * - failed: no good document was ever read, so every flag answers its built-in default.
 * The source's own failure text stays in its log line; the detail uses the readiness vocabulary.
 */
export function flagsCheck(source: () => Promise<FlagSource>, name = 'flags'): HealthProvider {
  return {
    name,
    async check(): Promise<CheckResult> {
      const started = Date.now();
      const snapshot = await (await source()).current();
      const latencyMs = Date.now() - started;
      if (snapshot.source === 'defaults') {
        const why =
          snapshot.lastError === undefined ? 'no flag document read yet' : readFailure(snapshot.lastFailure);
        return { status: 'failed', latencyMs, detail: `serving built-in defaults (${why})` };
      }
      const inForce = `${snapshot.source} version ${snapshot.version}`;
      if (snapshot.lastError !== undefined) {
        return {
          status: 'ok',
          latencyMs,
          detail: `${inForce}; latest read failed (${readFailure(snapshot.lastFailure)})`,
        };
      }
      return { status: 'ok', latencyMs, detail: inForce };
    },
  };
}
