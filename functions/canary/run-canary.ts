import type { HealthProvider } from '#lib/health/provider';
import { apiProbes, type Probe, type ProbeResult, runApiProbe, runDeepChecks } from './probes.ts';

export interface CanaryOptions {
  /** The public API, e.g. https://api.example.com or http://127.0.0.1:3000. */
  baseUrl: string;
  token?: string;
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
  const [checks, api] = await Promise.all([
    runDeepChecks(options.providers ?? [], {
      deadlineMs: options.checkDeadlineMs ?? 3_000,
      perCheckTimeoutMs: options.checkTimeoutMs ?? 2_500,
    }),
    Promise.all(
      (options.probes ?? apiProbes).map((probe) =>
        runApiProbe(probe, { baseUrl: options.baseUrl, token: options.token, timeoutMs }),
      ),
    ),
  ]);
  const results = [...checks, ...api];
  return { ok: results.every((r) => r.ok), baseUrl: options.baseUrl, results };
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
