import type { ScheduledEvent } from 'aws-lambda';
import { loadSecretsIntoEnv } from '#lib/config/secrets';
import type { HealthProvider } from '#lib/health/provider';
import { readinessProvidersFromEnv } from '#lib/health/providers-from-env';
import { logger } from '#lib/observability/logger';
import { flushMetrics } from '#lib/observability/metrics';
import { recordProbeMetrics } from './metrics.ts';
import { type CanaryReport, formatReport, runCanary } from './run-canary.ts';
import { canarySettingsFromEnv } from './settings.ts';

/** The canary's invocation fails with the report, so Lambda's Errors metric and logs both carry it. */
export class CanaryFailed extends Error {
  override readonly name = 'CanaryFailed';
}

// Per container, so DuckDB/Trino and Redis clients are reused between scheduled runs.
let providers: HealthProvider[] | undefined;

/**
 * The scheduled canary: the deep checks in-process, then the public API end to end. Every probe counts
 * `CanaryProbeSuccess.<probe>` and `CanaryProbeLatency.<probe>`, written with whatever else the run
 * counted as one EMF document per run; any failed probe fails the invocation.
 */
export async function handler(_event?: ScheduledEvent): Promise<CanaryReport> {
  try {
    return await run();
  } finally {
    flushMetrics();
  }
}

async function run(): Promise<CanaryReport> {
  const settings = await canarySettingsFromEnv(process.env);
  if (!providers) {
    // The engine and cache read their credentials from the variables the stack's secrets fill.
    await loadSecretsIntoEnv();
    providers = readinessProvidersFromEnv(process.env);
  }
  const report = await runCanary({ ...settings, providers });
  recordProbeMetrics(report.results);
  const text = formatReport(report);
  if (!report.ok) {
    logger.error('canary failed', { report: text, failed: report.results.filter((r) => !r.ok) });
    throw new CanaryFailed(text);
  }
  logger.info('canary passed', { report: text });
  return report;
}
