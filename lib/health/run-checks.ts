import { failureReason, vocabularyDetail } from './detail.ts';
import type { CheckResult, HealthProvider } from './provider.ts';

export interface RunChecksOptions {
  /** Budget for all checks together, from the moment runChecks is called. */
  deadlineMs: number;
  /** Budget for each check; a check never gets more than what is left of the overall deadline. */
  perCheckTimeoutMs: number;
  /** An absolute limit (epoch ms) from the caller, e.g. the request's own deadline. */
  notAfter?: number;
}

export interface Readiness {
  /** True when no check failed (`disabled` checks do not count against it). */
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/**
 * Runs every provider concurrently, each under its own timeout inside one overall deadline. A provider
 * that throws or does not answer in time is a failed check; this never waits past the deadline. Details
 * are kept only when said in the readiness vocabulary (detail.ts), so no dependency's text gets out.
 */
export async function runChecks(
  providers: readonly HealthProvider[],
  options: RunChecksOptions,
): Promise<Readiness> {
  const startedAt = Date.now();
  const overall = Math.min(
    startedAt + Math.max(0, options.deadlineMs),
    options.notAfter ?? Number.POSITIVE_INFINITY,
  );
  const results = await Promise.all(
    providers.map((provider) =>
      checkWithin(provider, startedAt, Math.min(startedAt + options.perCheckTimeoutMs, overall)),
    ),
  );
  const checks: Record<string, CheckResult> = {};
  providers.forEach((provider, i) => {
    checks[provider.name] = results[i]!;
  });
  return { ready: results.every((r) => r.status !== 'failed'), checks };
}

/**
 * `started` is the moment runChecks began, shared by every check, so a check's budget is the one it was
 * given (150 ms is reported as 150 ms even when the clock ticked between runChecks and this call).
 */
async function checkWithin(
  provider: HealthProvider,
  started: number,
  deadline: number,
): Promise<CheckResult> {
  const budget = Math.max(0, deadline - started);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          status: 'failed',
          latencyMs: Date.now() - started,
          detail: `timed out after ${budget} ms`,
        }),
      Math.max(0, deadline - Date.now()),
    );
  });
  const checked = Promise.resolve()
    .then(() => provider.check(deadline))
    .then(
      (result): CheckResult => ({
        status: result.status,
        latencyMs: Date.now() - started,
        ...(result.detail === undefined ? {} : { detail: vocabularyDetail(result.detail) }),
      }),
      (error: unknown): CheckResult => ({
        status: 'failed',
        latencyMs: Date.now() - started,
        detail: failureReason(error),
      }),
    );
  try {
    return await Promise.race([checked, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
