import { type CheckAnswer, NotReadyError } from '#lib/health/not-ready';
import type { CheckResult, HealthProvider } from '#lib/health/provider';
import { type Readiness, runChecks } from '#lib/health/run-checks';

export interface ReadinessSettings {
  /** Budget for all checks together. */
  deadlineMs: number;
  /** Budget for each check. */
  perCheckTimeoutMs: number;
  /** Retry-After on a 503. */
  retryAfterSeconds: number;
  /**
   * How long one container reuses a readiness answer (ready or not); 0 checks on every request. Requests
   * arriving while a check runs share it, so a flood costs each dependency one check per container per
   * period.
   */
  reuseMs?: number;
}

export const DEFAULT_READINESS: ReadinessSettings = {
  deadlineMs: 2_000,
  perCheckTimeoutMs: 1_500,
  retryAfterSeconds: 5,
  reuseMs: 5_000,
};

function wholeNumber(raw: string | undefined, fallback: number, minimum = 1): number {
  const value = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isInteger(value) && value >= minimum
    ? value
    : fallback;
}

/**
 * `AURUM_READY_DEADLINE_MS` (2000), `AURUM_READY_CHECK_TIMEOUT_MS` (1500) and `AURUM_READY_REUSE_MS`
 * (5000; 0 checks on every request).
 */
export function readinessSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReadinessSettings {
  return {
    deadlineMs: wholeNumber(env.AURUM_READY_DEADLINE_MS, DEFAULT_READINESS.deadlineMs),
    perCheckTimeoutMs: wholeNumber(env.AURUM_READY_CHECK_TIMEOUT_MS, DEFAULT_READINESS.perCheckTimeoutMs),
    retryAfterSeconds: DEFAULT_READINESS.retryAfterSeconds,
    reuseMs: wholeNumber(env.AURUM_READY_REUSE_MS, DEFAULT_READINESS.reuseMs!, 0),
  };
}

export type CheckAnswers = Record<string, CheckAnswer>;

/** Checks as the HTTP answer shows them (snake_case, whole milliseconds). */
export function checkAnswers(checks: Record<string, CheckResult>): CheckAnswers {
  return Object.fromEntries(
    Object.entries(checks).map(([name, r]) => [
      name,
      {
        status: r.status,
        latency_ms: Math.round(r.latencyMs),
        ...(r.detail === undefined ? {} : { detail: r.detail }),
      },
    ]),
  );
}

/**
 * GET /ready: every check when none failed; otherwise NotReadyError, whose `checks` say what failed (a 503).
 * One run of the checks per container serves every request of the reuse period, and those waiting on it.
 */
export function readinessRoute(
  providers: () => Promise<readonly HealthProvider[]>,
  settings: ReadinessSettings,
  now: () => number = Date.now,
) {
  const reuseMs = settings.reuseMs ?? 0;
  let last: { startedAt: number; result: Promise<Readiness> } | undefined;
  const readiness = (deadline: number): Promise<Readiness> => {
    const startedAt = now();
    if (last && startedAt - last.startedAt < reuseMs) return last.result;
    const result = providers().then((list) =>
      runChecks(list, {
        deadlineMs: settings.deadlineMs,
        perCheckTimeoutMs: settings.perCheckTimeoutMs,
        notAfter: deadline,
      }),
    );
    // A run that threw (no providers) is not kept; runChecks itself never rejects.
    result.catch(() => {
      if (last?.result === result) last = undefined;
    });
    last = { startedAt, result };
    return result;
  };
  return async (io: { deadline: number }) => {
    const { ready, checks } = await readiness(io.deadline);
    const answers = checkAnswers(checks);
    if (ready) return { status: 'ready' as const, checks: answers };
    const failed = Object.entries(checks)
      .filter(([, r]) => r.status === 'failed')
      .map(([name, r]) => `${name} (${r.detail ?? 'failed'})`);
    throw new NotReadyError(`Not ready: ${failed.join('; ')}`, answers, settings.retryAfterSeconds);
  };
}
