import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsCacheMetrics } from '#lib/cache/metrics';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function captureStdout(): () => Array<Record<string, unknown>> {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return () =>
    lines
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('PowertoolsCacheMetrics', () => {
  it('emits EMF in namespace Aurum with one blob per scope, only when flushed', () => {
    // The suite disables Powertools metrics to keep its output quiet; this test is about that output.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const emitted = captureStdout();
    const metrics = new PowertoolsCacheMetrics({ serviceName: 'aurum-api' });

    metrics.cacheEvent('curves', 'hit');
    metrics.cacheEvent('curves', 'hit');
    metrics.cacheEvent('curves', 'miss');
    metrics.backendLatency('curves', 12.5);
    metrics.cacheEvent('metadata', 'error');
    metrics.rateLimit('rejected', 'tenant');
    expect(emitted()).toEqual([]);
    metrics.flush();

    const blobs = emitted();
    const curves = blobs.find((blob) => blob.scope === 'curves')!;
    expect(curves).toMatchObject({
      service: 'aurum-api',
      CacheHits: [1, 1],
      CacheMisses: 1,
      CacheBackendLatency: 12.5,
    });
    const directive = (
      curves._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> }
    ).CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('Aurum');
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'scope']));
    expect(blobs.find((blob) => blob.scope === 'metadata')).toMatchObject({ CacheErrors: 1 });
    expect(blobs.find((blob) => blob.rule === 'tenant')).toMatchObject({ RateLimitRejections: 1 });
    expect(blobs).toHaveLength(3);

    metrics.flush();
    expect(emitted()).toHaveLength(3);
  });
});
