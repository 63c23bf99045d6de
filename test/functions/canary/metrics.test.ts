import { describe, expect, it } from 'vitest';
import { CANARY_METRICS } from '#functions/canary/metric-names';
import { probeMetrics } from '#functions/canary/metrics';

describe('probeMetrics', () => {
  it('carries success 0/1 and latency under namespace Aurum with the probe as a dimension', () => {
    const emf = probeMetrics({ name: 'curves', ok: false, latencyMs: 123.4, reason: 'x' }).serializeMetrics();
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe('Aurum');
    expect(directive!.Dimensions).toEqual([expect.arrayContaining(['service', 'probe'])]);
    expect(directive!.Metrics).toEqual(
      expect.arrayContaining([
        { Name: CANARY_METRICS.success, Unit: 'Count' },
        { Name: CANARY_METRICS.latency, Unit: 'Milliseconds' },
      ]),
    );
    expect(emf).toMatchObject({
      probe: 'curves',
      service: 'aurum-canary',
      CanaryProbeSuccess: 0,
      CanaryProbeLatency: 123,
    });
  });

  it('counts a passing probe as 1', () => {
    const emf = probeMetrics({ name: 'ready', ok: true, latencyMs: 8 }).serializeMetrics();
    expect(emf).toMatchObject({ probe: 'ready', CanaryProbeSuccess: 1, CanaryProbeLatency: 8 });
  });
});
