import { describe, expect, it } from 'vitest';
import { readinessRoute, readinessSettingsFromEnv } from '#functions/health/readiness';
import type { HealthProvider } from '#lib/health/provider';

/** An engine check that counts how often it runs and answers what the test says. */
function countingEngine() {
  const state = { runs: 0, status: 'ok' as 'ok' | 'failed' };
  const provider: HealthProvider = {
    name: 'engine',
    check: async () => {
      state.runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { status: state.status, latencyMs: 5, detail: 'trino' };
    },
  };
  return { state, provider };
}

const settings = { deadlineMs: 1_000, perCheckTimeoutMs: 800, retryAfterSeconds: 5, reuseMs: 3_000 };
const io = () => ({ deadline: Date.now() + 5_000 });

describe('readiness per container', () => {
  it('runs the checks once for requests that arrive together', async () => {
    const { state, provider } = countingEngine();
    const ready = readinessRoute(
      async () => [provider],
      settings,
      () => 0,
    );
    const answers = await Promise.all(Array.from({ length: 50 }, () => ready(io())));
    expect(state.runs).toBe(1);
    expect(answers.every((a) => a.status === 'ready')).toBe(true);
  });

  it('reuses the answer within the period, then checks again, failures included', async () => {
    const { state, provider } = countingEngine();
    let clock = 10_000;
    const ready = readinessRoute(
      async () => [provider],
      settings,
      () => clock,
    );
    state.status = 'failed';
    await expect(ready(io())).rejects.toMatchObject({ name: 'NotReadyError' });
    clock += 2_999;
    state.status = 'ok';
    // Still the failed answer: a flood against a failing store costs it nothing more.
    await expect(ready(io())).rejects.toMatchObject({ name: 'NotReadyError' });
    expect(state.runs).toBe(1);
    clock += 1;
    expect((await ready(io())).status).toBe('ready');
    expect(state.runs).toBe(2);
  });

  it('checks on every request with a reuse period of 0', async () => {
    const { state, provider } = countingEngine();
    const ready = readinessRoute(
      async () => [provider],
      { ...settings, reuseMs: 0 },
      () => 0,
    );
    await ready(io());
    await ready(io());
    expect(state.runs).toBe(2);
  });

  it('reads the period from AURUM_READY_REUSE_MS, 5 s by default', () => {
    expect(readinessSettingsFromEnv({}).reuseMs).toBe(5_000);
    expect(readinessSettingsFromEnv({ AURUM_READY_REUSE_MS: '0' }).reuseMs).toBe(0);
    expect(readinessSettingsFromEnv({ AURUM_READY_REUSE_MS: '2500' }).reuseMs).toBe(2_500);
    expect(readinessSettingsFromEnv({ AURUM_READY_REUSE_MS: 'soon' }).reuseMs).toBe(5_000);
  });
});
