import type { CheckResult, HealthProvider } from '#lib/health/provider';
import { runChecks } from '#lib/health/run-checks';
import { serviceUnavailable } from '#lib/http/problem';
import type { RouteInput, RouteResult } from '#lib/http/route';

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

export type CheckAnswers = Record<
  string,
  { status: CheckResult['status']; latency_ms: number; detail?: string }
>;

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

/** GET /ready: 200 with every check, or a 503 problem whose `checks` member says what failed. */
export function readinessRoute(
  providers: () => Promise<readonly HealthProvider[]>,
  settings: ReadinessSettings,
) {
  return async (input: Pick<RouteInput, 'deadline'>): Promise<RouteResult> => {
    const { ready, checks } = await runChecks(await providers(), {
      deadlineMs: settings.deadlineMs,
      perCheckTimeoutMs: settings.perCheckTimeoutMs,
      notAfter: input.deadline,
    });
    const answers = checkAnswers(checks);
    if (ready) return { kind: 'document', body: { status: 'ready', checks: answers } };
    const failed = Object.entries(checks)
      .filter(([, r]) => r.status === 'failed')
      .map(([name, r]) => `${name} (${r.detail ?? 'failed'})`);
    throw serviceUnavailable(`Not ready: ${failed.join('; ')}`, settings.retryAfterSeconds, {
      extensions: { checks: answers },
    });
  };
}
