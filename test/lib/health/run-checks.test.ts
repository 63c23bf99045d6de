import { describe, expect, it, vi } from 'vitest';
import type { CheckResult, HealthProvider } from '#lib/health/provider';
import { lazily } from '#lib/health/provider';
import { runChecks } from '#lib/health/run-checks';

const answering = (name: string, result: Omit<CheckResult, 'latencyMs'>, delayMs = 0): HealthProvider => ({
  name,
  check: () => new Promise((resolve) => setTimeout(() => resolve({ ...result, latencyMs: 0 }), delayMs)),
});
const hanging = (name: string): HealthProvider => ({ name, check: () => new Promise(() => {}) });

describe('runChecks', () => {
  it('is ready when every check is ok or disabled, and reports each by name', async () => {
    const readiness = await runChecks(
      [
        answering('engine', { status: 'ok', detail: 'duckdb' }),
        answering('cache', { status: 'disabled', detail: 'not configured' }),
      ],
      { deadlineMs: 1_000, perCheckTimeoutMs: 500 },
    );
    expect(readiness.ready).toBe(true);
    expect(readiness.checks.engine).toMatchObject({ status: 'ok', detail: 'duckdb' });
    expect(readiness.checks.cache).toMatchObject({ status: 'disabled', detail: 'not configured' });
    expect(readiness.checks.engine!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('starts every check before any has finished', async () => {
    const events: string[] = [];
    const tracked = (name: string): HealthProvider => ({
      name,
      async check() {
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        events.push(`end ${name}`);
        return { status: 'ok', latencyMs: 50 };
      },
    });
    await runChecks([tracked('a'), tracked('b'), tracked('c')], {
      deadlineMs: 1_000,
      perCheckTimeoutMs: 1_000,
    });
    expect(events.slice(0, 3).sort()).toEqual(['start a', 'start b', 'start c']);
  });

  it('fails a hanging check at its own timeout without holding up the others', async () => {
    const started = Date.now();
    const readiness = await runChecks([hanging('engine'), answering('cache', { status: 'ok' })], {
      deadlineMs: 2_000,
      perCheckTimeoutMs: 150,
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.engine).toMatchObject({ status: 'failed', detail: 'timed out after 150 ms' });
    expect(readiness.checks.cache!.status).toBe('ok');
  });

  it('reports the budget it gave, even when the clock moves between starting the run and starting a check', async () => {
    // Each read of the clock is a millisecond later than the last, as on a busy host; the check's
    // timeout is still the 150 ms it was given, not 150 less the time spent getting to it.
    const origin = Date.now();
    let reads = 0;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => origin + reads++);
    try {
      const readiness = await runChecks([hanging('engine'), hanging('cache')], {
        deadlineMs: 2_000,
        perCheckTimeoutMs: 150,
      });
      expect(readiness.checks.engine).toMatchObject({ status: 'failed', detail: 'timed out after 150 ms' });
      expect(readiness.checks.cache).toMatchObject({ status: 'failed', detail: 'timed out after 150 ms' });
    } finally {
      clock.mockRestore();
    }
  });

  it('never gives a check more than what is left of the overall deadline or the caller’s limit', async () => {
    const seen: number[] = [];
    const recording: HealthProvider = {
      name: 'engine',
      check: (deadline) => {
        seen.push(deadline);
        return new Promise(() => {});
      },
    };
    const before = Date.now();
    const overall = await runChecks([recording], { deadlineMs: 120, perCheckTimeoutMs: 5_000 });
    expect(overall.checks.engine!.detail).toBe('timed out after 120 ms');
    expect(seen[0]! - before).toBeLessThanOrEqual(120 + 20);

    const capped = await runChecks([recording], {
      deadlineMs: 5_000,
      perCheckTimeoutMs: 5_000,
      notAfter: Date.now() + 80,
    });
    expect(capped.checks.engine!.status).toBe('failed');
    expect(capped.checks.engine!.detail).toMatch(/^timed out after \d+ ms$/);
    expect(Number(/\d+/.exec(capped.checks.engine!.detail!)![0])).toBeLessThanOrEqual(80);
  });

  it('turns a throwing check into a failed one whose detail is a reason, not the message', async () => {
    const throwing: HealthProvider = {
      name: 'cache',
      check: async () => {
        throw new Error('fetch failed: https://secret-host.upstash.io?token=abc at 10.1.2.3:443');
      },
    };
    const synchronous: HealthProvider = {
      name: 'flags',
      check: () => {
        throw new TypeError('boom');
      },
    };
    const readiness = await runChecks([throwing, synchronous], { deadlineMs: 500, perCheckTimeoutMs: 500 });
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.cache!.status).toBe('failed');
    expect(readiness.checks.cache).toMatchObject({ status: 'failed', detail: 'failed' });
    expect(readiness.checks.flags).toMatchObject({ status: 'failed', detail: 'failed' });
  });

  it('keeps only details said in the vocabulary', async () => {
    const readiness = await runChecks(
      [answering('engine', { status: 'failed', detail: 'trino at http://10.0.0.9:8080 refused' })],
      {
        deadlineMs: 500,
        perCheckTimeoutMs: 500,
      },
    );
    expect(readiness.checks.engine!.detail).toBe('failed');
    const vendor = await runChecks(
      [
        answering('cache', {
          status: 'failed',
          detail: 'bridge: unable to connect to redis, command was: GET aurum:curves:version',
        }),
        answering('engine', { status: 'failed', detail: 'trino: timed out' }),
        answering('flags', { status: 'ok', detail: 'appconfig version 12' }),
      ],
      { deadlineMs: 500, perCheckTimeoutMs: 500 },
    );
    expect(vendor.checks.cache!.detail).toBe('failed');
    expect(vendor.checks.engine!.detail).toBe('trino: timed out');
    expect(vendor.checks.flags!.detail).toBe('appconfig version 12');
  });
});

describe('lazily', () => {
  it('builds once, and builds again after a failed build', async () => {
    let builds = 0;
    const client = lazily(() => {
      builds += 1;
      if (builds === 1) throw new Error('not yet');
      return { id: builds };
    });
    await expect(client()).rejects.toThrow('not yet');
    expect(await client()).toEqual({ id: 2 });
    expect(await client()).toEqual({ id: 2 });
    expect(builds).toBe(2);
  });
});
