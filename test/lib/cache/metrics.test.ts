import { describe, expect, it, vi } from 'vitest';
import { PowertoolsCacheMetrics } from '#lib/cache/metrics';
import { PowertoolsFlagMetrics } from '#lib/flags/metrics';
import { MetricsBuffer } from '#lib/observability/metrics';
import { captureEmfEachTest, theOneEmfDocument } from '#test/support/emf';

const stdout = captureEmfEachTest();

describe('the invocation metrics buffer, with the cache and flag counters on it', () => {
  it('writes everything counted as one EMF document in namespace Aurum, service the only dimension', () => {
    const buffer = new MetricsBuffer({ serviceName: 'aurum-curves' });
    const cache = new PowertoolsCacheMetrics(buffer);
    const flags = new PowertoolsFlagMetrics(buffer);

    cache.cacheEvent('curves', 'hit');
    cache.cacheEvent('curves', 'hit');
    cache.cacheEvent('curves', 'miss');
    cache.backendLatency('curves', 12.5);
    cache.cacheEvent('metadata', 'error');
    cache.rateLimit('rejected', 'tenant');
    flags.evaluation('v1-iso', true);
    flags.evaluation('v1-iso', false);
    flags.documentRead('appconfig');
    flags.documentReadFailure('appconfig', 'invalid');
    expect(stdout.documents()).toEqual([]);
    buffer.flush();

    const emf = theOneEmfDocument(stdout.documents());
    expect(emf.names).toEqual([
      'CacheBackendLatency.curves',
      'CacheErrors.metadata',
      'CacheHits.curves',
      'CacheMisses.curves',
      'FlagDocumentReadFailures.appconfig.invalid',
      'FlagDocumentReads.appconfig',
      'FlagEvaluations.v1-iso.off',
      'FlagEvaluations.v1-iso.on',
      'RateLimitRejections.tenant',
    ]);
    expect(emf.units['CacheBackendLatency.curves']).toBe('Milliseconds');
    expect(emf.units['CacheHits.curves']).toBe('Count');
    expect(emf.doc).toMatchObject({
      service: 'aurum-curves',
      'CacheHits.curves': [1, 1],
      'CacheMisses.curves': 1,
      'CacheBackendLatency.curves': 12.5,
      'RateLimitRejections.tenant': 1,
      'FlagEvaluations.v1-iso.on': 1,
    });
  });

  it('writes nothing when nothing was counted, and each count once', () => {
    const buffer = new MetricsBuffer({ serviceName: 'aurum-curves' });
    buffer.flush();
    expect(stdout.documents()).toEqual([]);

    new PowertoolsCacheMetrics(buffer).cacheEvent('curves', 'stale');
    buffer.flush();
    buffer.flush();
    const docs = stdout.documents();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ 'CacheStaleServes.curves': 1 });
  });

  it('names the service after POWERTOOLS_SERVICE_NAME, read when the first metric is counted', () => {
    const buffer = new MetricsBuffer();
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'aurum-metadata');
    new PowertoolsCacheMetrics(buffer).cacheEvent('units', 'invalidation');
    buffer.flush();
    expect(stdout.documents()[0]).toMatchObject({ service: 'aurum-metadata', 'CacheInvalidations.units': 1 });
  });
});
