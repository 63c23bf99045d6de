import type { HealthProvider } from '#lib/health/provider';
import { GRANT_PROBE } from './metric-names.ts';
import { apiProbes, type Probe, type ProbeResult, runApiProbe, runDeepChecks } from './probes.ts';
import { type ClientCredentials, requestClientCredentialsToken, TokenGrantFailed } from './token-grant.ts';

export interface CanaryOptions {
  /** The public API, e.g. https://api.example.com or http://127.0.0.1:3000. */
  baseUrl: string;
  token?: string;
  /** A client-credentials grant run first, every run: its token replaces `token`; its failure is the `token-grant` probe. */
  grant?: ClientCredentials;
  /** The deep checks to run in this process; none to probe only over HTTP. */
  providers?: readonly HealthProvider[];
  /** Per API probe. */
  probeTimeoutMs?: number;
  /** All deep checks together, and each of them. */
  checkDeadlineMs?: number;
  checkTimeoutMs?: number;
  probes?: readonly Probe[];
}

export interface CanaryReport {
  ok: boolean;
  baseUrl: string;
  results: ProbeResult[];
}

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** Every probe, concurrently; the canary passes only when all pass. */
export async function runCanary(options: CanaryOptions): Promise<CanaryReport> {
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const granted = options.grant ? await runGrant(options.grant, timeoutMs) : undefined;
  const token = granted ? granted.token : options.token;
  const [checks, api] = await Promise.all([
    runDeepChecks(options.providers ?? [], {
      deadlineMs: options.checkDeadlineMs ?? 3_000,
      perCheckTimeoutMs: options.checkTimeoutMs ?? 2_500,
    }),
    Promise.all(
      (options.probes ?? apiProbes).map((probe) =>
        runApiProbe(probe, { baseUrl: options.baseUrl, token, timeoutMs }),
      ),
    ),
  ]);
  const results = [...(granted ? [granted.result] : []), ...checks, ...api];
  return { ok: results.every((r) => r.ok), baseUrl: options.baseUrl, results };
}

/** The grant as a probe of its own, so a refused grant reads as such rather than as every route's 401. */
async function runGrant(
  grant: ClientCredentials,
  timeoutMs: number,
): Promise<{ token?: string; result: ProbeResult }> {
  const started = Date.now();
  try {
    const token = await requestClientCredentialsToken(grant, timeoutMs);
    return { token, result: { name: GRANT_PROBE, ok: true, latencyMs: Date.now() - started } };
  } catch (error) {
    const reason = error instanceof TokenGrantFailed ? error.message : 'token grant failed';
    return { result: { name: GRANT_PROBE, ok: false, latencyMs: Date.now() - started, reason } };
  }
}

/** One line per probe: name, PASS/FAIL, latency, reason; a summary line first. */
export function formatReport(report: CanaryReport): string {
  const failed = report.results.filter((r) => !r.ok).length;
  const width = Math.max(...report.results.map((r) => r.name.length), 4);
  const lines = report.results.map((r) =>
    [
      r.name.padEnd(width),
      r.ok ? 'PASS' : 'FAIL',
      `${String(Math.round(r.latencyMs)).padStart(6)} ms`,
      r.reason ?? '',
    ]
      .join('  ')
      .trimEnd(),
  );
  const summary = report.ok
    ? `canary ${report.baseUrl}: PASS (${report.results.length} probes)`
    : `canary ${report.baseUrl}: FAIL (${failed} of ${report.results.length} probes failed)`;
  return [summary, ...lines].join('\n');
}
