import { type CheckAnswer, NotReadyError } from '#lib/health/not-ready';
import type { CheckResult, HealthProvider } from '#lib/health/provider';
import { runChecks } from '#lib/health/run-checks';

export interface ReadinessSettings {
  /** Budget for all checks together. */
  deadlineMs: number;
  /** Budget for each check. */
  perCheckTimeoutMs: number;
  /** Retry-After on a 503. */
  retryAfterSeconds: number;
}

export const DEFAULT_READINESS: ReadinessSettings = {
  deadlineMs: 2_000,
  perCheckTimeoutMs: 1_500,
  retryAfterSeconds: 5,
};

function positiveInteger(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** `AURUM_READY_DEADLINE_MS` (2000) and `AURUM_READY_CHECK_TIMEOUT_MS` (1500). */
export function readinessSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReadinessSettings {
  return {
    deadlineMs: positiveInteger(env.AURUM_READY_DEADLINE_MS, DEFAULT_READINESS.deadlineMs),
    perCheckTimeoutMs: positiveInteger(env.AURUM_READY_CHECK_TIMEOUT_MS, DEFAULT_READINESS.perCheckTimeoutMs),
    retryAfterSeconds: DEFAULT_READINESS.retryAfterSeconds,
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

/** GET /ready: every check when none failed; otherwise NotReadyError, whose `checks` say what failed (a 503). */
export function readinessRoute(
  providers: () => Promise<readonly HealthProvider[]>,
  settings: ReadinessSettings,
) {
  return async (io: { deadline: number }) => {
    const { ready, checks } = await runChecks(await providers(), {
      deadlineMs: settings.deadlineMs,
      perCheckTimeoutMs: settings.perCheckTimeoutMs,
      notAfter: io.deadline,
    });
    const answers = checkAnswers(checks);
    if (ready) return { status: 'ready' as const, checks: answers };
    const failed = Object.entries(checks)
      .filter(([, r]) => r.status === 'failed')
      .map(([name, r]) => `${name} (${r.detail ?? 'failed'})`);
    throw new NotReadyError(`Not ready: ${failed.join('; ')}`, answers, settings.retryAfterSeconds);
  };
}
