import { describe, expect, it } from 'vitest';
import { CANARY_METRICS, probeLatencyMetric, probeSuccessMetric } from '#functions/canary/metric-names';
import { recordProbeMetrics } from '#functions/canary/metrics';
import { MetricsBuffer } from '#lib/observability/metrics';
import { captureEmfEachTest, theOneEmfDocument } from '#test/support/emf';

const stdout = captureEmfEachTest();

describe('recordProbeMetrics', () => {
  it("writes a run's probes as one document in namespace Aurum, the probe in the metric name", () => {
    const buffer = new MetricsBuffer({ serviceName: CANARY_METRICS.service });
    recordProbeMetrics(
      [
        { name: 'curves', ok: false, latencyMs: 123.4, reason: 'x' },
        { name: 'ready', ok: true, latencyMs: 8 },
      ],
      buffer,
    );
    buffer.flush();

    const emf = theOneEmfDocument(stdout.documents());
    expect(emf.names).toEqual(
      [
        probeLatencyMetric('curves'),
        probeLatencyMetric('ready'),
        probeSuccessMetric('curves'),
        probeSuccessMetric('ready'),
      ].sort(),
    );
    expect(emf.units[probeSuccessMetric('curves')]).toBe('Count');
    expect(emf.units[probeLatencyMetric('curves')]).toBe('Milliseconds');
    expect(emf.doc).toMatchObject({
      service: 'aurum-canary',
      'CanaryProbeSuccess.curves': 0,
      'CanaryProbeLatency.curves': 123,
      'CanaryProbeSuccess.ready': 1,
      'CanaryProbeLatency.ready': 8,
    });
  });
});
