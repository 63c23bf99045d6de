import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FLAG_DEFAULTS, FLAG_KEYS } from '#lib/flags/document';
import { rolloutBucket } from '#lib/flags/evaluate';
import { FeatureFlags } from '#lib/flags/flags';
import { CountingFlagMetrics, PowertoolsFlagMetrics } from '#lib/flags/metrics';
import { FileFlagSource, type FlagSource } from '#lib/flags/source';
import { MetricsBuffer } from '#lib/observability/metrics';
import { captureStdout, describeEmf } from '#test/support/emf';
import { RecordingLogger } from './recording-logger.ts';

describe('FeatureFlags', () => {
  let directory: string;
  let path: string;
  let logger: RecordingLogger;
  let metrics: CountingFlagMetrics;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'aurum-flags-'));
    path = join(directory, 'flags.json');
    logger = new RecordingLogger();
    metrics = new CountingFlagMetrics();
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  const flagsOver = async (document: unknown, now?: () => number) => {
    await writeFile(path, JSON.stringify(document));
    // A long poll so the document's age grows with the injected clock.
    const source = new FileFlagSource({ path, logger, metrics, pollMs: 60_000, ...(now ? { now } : {}) });
    return new FeatureFlags(source, metrics, { logger, ...(now ? { now } : {}) });
  };

  it('answers each flag for each tenant from the document', async () => {
    const flags = await flagsOver({
      'v1-iso': { enabled: false, allowTenants: ['acme'] },
      'scenario-outputs': { enabled: true, rolloutPercent: 0, allowTenants: ['acme'] },
      'bulk-scenario-runs': { enabled: true, denyTenants: ['globex'] },
    });
    expect(await flags.isEnabled('v1-iso', { tenant: 'acme' })).toBe(false);
    expect(await flags.isEnabled('scenario-outputs', { tenant: 'acme' })).toBe(true);
    expect(await flags.isEnabled('scenario-outputs', { tenant: 'globex' })).toBe(false);
    expect(await flags.isEnabled('bulk-scenario-runs', { tenant: 'globex' })).toBe(false);
    expect(await flags.isEnabled('bulk-scenario-runs', { tenant: 'initech' })).toBe(true);
    // Not in the document: its default.
    expect(await flags.isEnabled('v1-drought', {})).toBe(true);
  });

  it('counts evaluations per flag and answer', async () => {
    const flags = await flagsOver({ 'v1-iso': { enabled: false } });
    await flags.isEnabled('v1-iso', { tenant: 'acme' });
    await flags.isEnabled('v1-iso', { tenant: 'globex' });
    await flags.isEnabled('v1-eia', { tenant: 'acme' });
    expect(metrics.evaluationCount('v1-iso', false)).toBe(2);
    expect(metrics.evaluationCount('v1-iso', true)).toBe(0);
    expect(metrics.evaluationCount('v1-eia', true)).toBe(1);
    expect(metrics.readCount('file')).toBe(1);
  });

  it('answers with the default, and logs, when the source throws', async () => {
    const broken: FlagSource = {
      current: () => Promise.reject(new Error('socket hang up')),
    };
    const flags = new FeatureFlags(broken, metrics, { logger });
    expect(await flags.isEnabled('scenario-outputs', { tenant: 'acme' })).toBe(
      FLAG_DEFAULTS.flags['scenario-outputs'].enabled,
    );
    expect(metrics.evaluationCount('scenario-outputs', true)).toBe(1);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        attributes: expect.objectContaining({ flag: 'scenario-outputs' }),
      }),
    );

    const explanation = await flags.explain({ tenant: 'acme' });
    expect(explanation).toMatchObject({ source: 'defaults', version: 'defaults', ageSeconds: null });
    expect(explanation.flags.map((flag) => flag.key)).toEqual([...FLAG_KEYS]);
  });

  it('explains every flag for a subject: known keys first, then the others, with version and age', async () => {
    let clock = 1_700_000_000_000;
    const flags = await flagsOver(
      {
        'v1-iso': { enabled: false },
        'curves-latest-corrections': { enabled: true, rolloutPercent: 0.14 },
        'bulk-scenario-runs': { enabled: true, denyTenants: ['acme'] },
        'zz-experiment': { enabled: true, allowTenants: ['acme'] },
        'aa-experiment': { enabled: true, rolloutPercent: 0 },
      },
      () => clock,
    );
    await flags.isEnabled('v1-iso', {});
    clock += 42_500;

    const explanation = await flags.explain({ tenant: 'acme' });
    expect(explanation).toMatchObject({
      source: 'file',
      ageSeconds: 42,
      version: expect.stringMatching(/^sha256:/),
    });
    expect(explanation.lastError).toBeUndefined();
    expect(explanation.flags.map((flag) => flag.key)).toEqual([
      ...FLAG_KEYS,
      'aa-experiment',
      'zz-experiment',
    ]);
    const byKey = Object.fromEntries(explanation.flags.map((flag) => [flag.key, flag]));
    expect(byKey['v1-iso']).toMatchObject({
      enabled: false,
      reason: 'kill-switch',
      value: { enabled: false },
    });
    expect(byKey['v1-eia']).toMatchObject({
      enabled: true,
      reason: 'default',
      value: FLAG_DEFAULTS.flags['v1-eia'],
    });
    expect(byKey['bulk-scenario-runs']).toMatchObject({ enabled: false, reason: 'denied' });
    expect(byKey['zz-experiment']).toMatchObject({ enabled: true, reason: 'allowed' });
    expect(byKey['aa-experiment']).toMatchObject({ enabled: false, reason: 'default' });
    const bucket = rolloutBucket('curves-latest-corrections', 'acme');
    expect(byKey['curves-latest-corrections']).toMatchObject({ enabled: bucket < 14, reason: 'rollout' });
    // explain is a diagnostic: it does not count as evaluations.
    expect(metrics.evaluationCount('v1-iso', false)).toBe(1);
  });

  it('explains the defaults and the reason before any good read', async () => {
    const flags = new FeatureFlags(
      new FileFlagSource({ path: join(directory, 'missing.json'), logger }),
      metrics,
      {
        logger,
      },
    );
    const explanation = await flags.explain({});
    expect(explanation).toMatchObject({
      source: 'defaults',
      version: 'defaults',
      ageSeconds: null,
      lastError: 'flags file unreadable (ENOENT)',
    });
    expect(explanation.flags.every((flag) => flag.enabled)).toBe(true);
  });
});

describe('PowertoolsFlagMetrics', () => {
  it("counts into the invocation's EMF document under the Aurum namespace, flag and answer in the name", () => {
    // The suite disables Powertools metrics to keep its output quiet; this test is about that output.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const stdout = captureStdout();
    try {
      const buffer = new MetricsBuffer({ serviceName: 'aurum-test' });
      const metrics = new PowertoolsFlagMetrics(buffer);
      metrics.evaluation('v1-iso', true);
      metrics.evaluation('v1-iso', true);
      metrics.evaluation('v1-iso', false);
      metrics.documentRead('appconfig');
      metrics.documentReadFailure('appconfig', 'invalid');
      buffer.flush();

      const [emf, ...more] = stdout.documents();
      expect(more).toEqual([]);
      const { namespace, names, dimensions } = describeEmf(emf!);
      expect(namespace).toBe('Aurum');
      expect(dimensions).toEqual([['service']]);
      expect(names).toEqual([
        'FlagDocumentReadFailures.appconfig.invalid',
        'FlagDocumentReads.appconfig',
        'FlagEvaluations.v1-iso.off',
        'FlagEvaluations.v1-iso.on',
      ]);
      expect(emf!['FlagEvaluations.v1-iso.on']).toEqual([1, 1]);
      expect(emf!['FlagEvaluations.v1-iso.off']).toBe(1);
    } finally {
      stdout.restore();
      vi.unstubAllEnvs();
    }
  });
});
