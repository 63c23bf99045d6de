import { describe, expect, it } from 'vitest';
import { CountingCacheMetrics } from '#lib/cache/metrics';
import {
  isRateLimitExempt,
  MemoryRateLimiter,
  type RateLimiter,
  type RateLimitSettings,
  rateLimitSettingsFromEnv,
  resolveRateLimitRule,
} from '#lib/cache/rate-limit';
import { UpstashRateLimiter } from '#lib/cache/upstash-rate-limit';
import { createUpstashClients } from '#lib/cache/upstash-store';
import { type UpstashBridge, useUpstashBridge } from '#test/support/upstash-bridge';

// Redis db 12 belongs to this file.
let bridge: UpstashBridge;
useUpstashBridge({ db: 12 }, (b) => {
  bridge = b;
});

const settings = (env: Record<string, string> = {}) => rateLimitSettingsFromEnv(env);

describe('rateLimitSettingsFromEnv', () => {
  it('defaults to 10 rps with a burst of 20 and no overrides', () => {
    expect(settings()).toEqual({
      rps: 10,
      burst: 20,
      tenantOverrides: {},
      pathOverrides: [],
      exportLimit: { rps: 1, burst: 2 },
    });
  });

  it('reads tenant and path overrides, longest path prefix first', () => {
    expect(
      settings({
        AURUM_API_RATE_LIMIT_RPS: '5',
        AURUM_API_RATE_LIMIT_BURST: '0',
        AURUM_API_RATE_LIMIT_OVERRIDES: 'tenant:acme=50:100, /v1/curves=20:40,/v1/curves/diff/=2:1',
      }),
    ).toEqual({
      rps: 5,
      burst: 0,
      tenantOverrides: { acme: { rps: 50, burst: 100 } },
      pathOverrides: [
        { prefix: '/v1/curves/diff', rps: 2, burst: 1 },
        { prefix: '/v1/curves', rps: 20, burst: 40 },
      ],
      exportLimit: { rps: 1, burst: 2 },
    });
  });

  it.each([
    [{ AURUM_API_RATE_LIMIT_RPS: '0' }, /AURUM_API_RATE_LIMIT_RPS/],
    [{ AURUM_API_RATE_LIMIT_BURST: '-1' }, /AURUM_API_RATE_LIMIT_BURST/],
    [{ AURUM_API_RATE_LIMIT_RPS: 'ten' }, /AURUM_API_RATE_LIMIT_RPS/],
    [{ AURUM_API_RATE_LIMIT_OVERRIDES: 'acme=1:1' }, /must start with "tenant:" or "\/"/],
    [{ AURUM_API_RATE_LIMIT_OVERRIDES: '/v1/curves=20' }, /rps:burst/],
    [{ AURUM_API_RATE_LIMIT_OVERRIDES: 'tenant:acme=0:5' }, /rps >= 1/],
  ])('rejects %j', (env, message) => {
    expect(() => settings(env)).toThrow(message);
  });
});

describe('resolveRateLimitRule', () => {
  const configured = settings({
    AURUM_API_RATE_LIMIT_OVERRIDES: 'tenant:acme=50:100,/v1/curves=20:40,/v1/curves/diff=2:0',
  });

  it('lets a tenant override beat a path override', () => {
    expect(resolveRateLimitRule(configured, 'ip:10.0.0.1', '/v1/curves/diff', 'acme')).toEqual({
      kind: 'tenant',
      rps: 50,
      burst: 100,
      capacity: 150,
      bucket: 'tenant:acme',
    });
  });

  it('gives the export class its own bucket per tenant that no override lifts', () => {
    const configured = settings({
      AURUM_API_RATE_LIMIT_OVERRIDES: 'tenant:acme=50:100',
      AURUM_API_RATE_LIMIT_EXPORT: '2:3',
    });
    expect(resolveRateLimitRule(configured, 'tenant:acme', '/v2/curves/export', 'acme', 'export')).toEqual({
      kind: 'export',
      rps: 2,
      burst: 3,
      capacity: 5,
      bucket: 'tenant:acme:class:export',
    });
    expect(resolveRateLimitRule(configured, 'tenant:acme', '/v2/curves', 'acme').bucket).toBe('tenant:acme');
    expect(() => settings({ AURUM_API_RATE_LIMIT_EXPORT: 'lots' })).toThrow(/AURUM_API_RATE_LIMIT_EXPORT/);
  });

  it('takes the longest path prefix, on whole segments, in a bucket of its own', () => {
    expect(resolveRateLimitRule(configured, 'ip:10.0.0.1', '/v1/curves/diff', 'globex')).toMatchObject({
      kind: 'path',
      capacity: 2,
      bucket: 'tenant:globex:path:/v1/curves/diff',
    });
    expect(resolveRateLimitRule(configured, 'ip:10.0.0.1', '/v1/curves', undefined)).toMatchObject({
      kind: 'path',
      capacity: 60,
      bucket: 'ip:10.0.0.1:path:/v1/curves',
    });
    expect(resolveRateLimitRule(configured, 'ip:10.0.0.1', '/v1/curvesets', undefined)).toMatchObject({
      kind: 'default',
      capacity: 30,
      bucket: 'ip:10.0.0.1',
    });
  });
});

describe('isRateLimitExempt', () => {
  it.each([
    '/health',
    '/health/',
    '/health/live',
    '/healthz',
    '/live',
    '/livez',
    '/ready',
    '/readyz',
    '/ready?deep=1',
  ])('exempts %s', (path) => {
    expect(isRateLimitExempt(path)).toBe(true);
  });

  it.each(['/v1/curves', '/healthcheck', '/v1/health', '/'])('limits %s', (path) => {
    expect(isRateLimitExempt(path)).toBe(false);
  });
});

interface LimiterUnderTest {
  limiter: RateLimiter;
  metrics: CountingCacheMetrics;
}

const adapters: Array<[string, (settings: RateLimitSettings) => LimiterUnderTest]> = [
  [
    'MemoryRateLimiter',
    (s) => {
      const metrics = new CountingCacheMetrics();
      return { metrics, limiter: new MemoryRateLimiter(s, { metrics }) };
    },
  ],
  [
    'UpstashRateLimiter through the bridge',
    (s) => {
      const metrics = new CountingCacheMetrics();
      const { writer } = createUpstashClients({ url: bridge.url, token: bridge.token });
      return {
        metrics,
        limiter: new UpstashRateLimiter({ redis: writer, settings: s, metrics, timeoutMs: 150 }),
      };
    },
  ],
];

describe.each(adapters)('%s', (_name, create) => {
  it('with RPS 1 and BURST 0 refuses the second request within a second, remaining 0', async () => {
    const { limiter, metrics } = create(
      settings({ AURUM_API_RATE_LIMIT_RPS: '1', AURUM_API_RATE_LIMIT_BURST: '0' }),
    );

    const first = await limiter.check('ip:203.0.113.9', '/v1/curves');
    const second = await limiter.check('ip:203.0.113.9', '/v1/curves');

    expect(first).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
    expect(second).toMatchObject({ allowed: false, limit: 1, remaining: 0 });
    expect(second.resetSeconds).toBeGreaterThanOrEqual(1);
    expect(second.failedOpen).toBeUndefined();
    expect(metrics.rateLimitCount('rejected', 'default')).toBe(1);
  });

  it('starts a default bucket at rps + burst = 30, so the first request leaves 29', async () => {
    const { limiter } = create(settings());
    expect(await limiter.check('ip:203.0.113.9', '/v1/curves')).toMatchObject({
      allowed: true,
      limit: 30,
      remaining: 29,
    });
  });

  it('limits tenants independently of each other and of anonymous identities', async () => {
    const { limiter } = create(settings({ AURUM_API_RATE_LIMIT_RPS: '1', AURUM_API_RATE_LIMIT_BURST: '1' }));
    for (let i = 0; i < 2; i++)
      expect((await limiter.check('ip:10.0.0.1', '/v1/curves', 'acme')).allowed).toBe(true);

    expect((await limiter.check('ip:10.0.0.1', '/v1/curves', 'acme')).allowed).toBe(false);
    expect((await limiter.check('ip:10.0.0.1', '/v1/curves', 'globex')).allowed).toBe(true);
    expect((await limiter.check('ip:10.0.0.1', '/v1/curves')).allowed).toBe(true);
  });

  it('applies tenant and path overrides', async () => {
    const { limiter, metrics } = create(
      settings({
        AURUM_API_RATE_LIMIT_RPS: '1',
        AURUM_API_RATE_LIMIT_BURST: '0',
        AURUM_API_RATE_LIMIT_OVERRIDES: 'tenant:acme=2:1,/v1/curves=1:1',
      }),
    );

    const acme = [];
    for (let i = 0; i < 4; i++) acme.push(await limiter.check('ip:10.0.0.1', '/v1/metadata/units', 'acme'));
    expect(acme.map((d) => [d.allowed, d.limit, d.remaining])).toEqual([
      [true, 3, 2],
      [true, 3, 1],
      [true, 3, 0],
      [false, 3, 0],
    ]);

    const curves = [];
    for (let i = 0; i < 3; i++) curves.push(await limiter.check('ip:10.0.0.2', '/v1/curves/diff', 'globex'));
    expect(curves.map((d) => [d.allowed, d.limit])).toEqual([
      [true, 2],
      [true, 2],
      [false, 2],
    ]);
    // The path override has its own bucket: globex's default bucket is untouched.
    expect(await limiter.check('ip:10.0.0.2', '/v1/metadata/units', 'globex')).toMatchObject({
      allowed: true,
      limit: 1,
    });
    expect(metrics.rateLimitCount('rejected', 'tenant')).toBe(1);
    expect(metrics.rateLimitCount('rejected', 'path')).toBe(1);
  });

  it('never limits the health and readiness probes', async () => {
    const { limiter } = create(settings({ AURUM_API_RATE_LIMIT_RPS: '1', AURUM_API_RATE_LIMIT_BURST: '0' }));
    for (let i = 0; i < 5; i++) expect((await limiter.check('ip:10.0.0.1', '/ready')).allowed).toBe(true);
    expect((await limiter.check('ip:10.0.0.1', '/v1/curves')).allowed).toBe(true);
  });
});

describe('MemoryRateLimiter refills', () => {
  it('returns rps tokens each second, up to rps + burst', async () => {
    const clock = { now: Date.UTC(2025, 0, 15) };
    const limiter = new MemoryRateLimiter(
      settings({ AURUM_API_RATE_LIMIT_RPS: '2', AURUM_API_RATE_LIMIT_BURST: '1' }),
      {
        now: () => clock.now,
      },
    );
    const take = async () => limiter.check('ip:10.0.0.1', '/v1/curves');

    expect((await Promise.all([take(), take(), take()])).map((d) => d.remaining)).toEqual([2, 1, 0]);
    expect(await take()).toMatchObject({ allowed: false, resetSeconds: 1 });

    clock.now += 1_000;
    expect((await take()).remaining).toBe(1);
    clock.now += 10_000;
    expect((await take()).remaining).toBe(2);
  });
});

describe('UpstashRateLimiter outages', () => {
  const strict = settings({ AURUM_API_RATE_LIMIT_RPS: '1', AURUM_API_RATE_LIMIT_BURST: '0' });

  it('fails open, flagged, when Redis is unreachable', async () => {
    const metrics = new CountingCacheMetrics();
    const { writer } = createUpstashClients({ url: bridge.url, token: bridge.token });
    const limiter = new UpstashRateLimiter({ redis: writer, settings: strict, metrics });
    await bridge.stop();

    const decisions = [
      await limiter.check('ip:10.0.0.1', '/v1/curves'),
      await limiter.check('ip:10.0.0.1', '/v1/curves'),
    ];

    expect(decisions.every((d) => d.allowed && d.failedOpen === true)).toBe(true);
    expect(metrics.rateLimitCount('failed-open')).toBe(2);
  });

  it('fails open within the bound when Redis answers slower than the timeout', async () => {
    const metrics = new CountingCacheMetrics();
    const { writer } = createUpstashClients({ url: bridge.url, token: bridge.token });
    const limiter = new UpstashRateLimiter({ redis: writer, settings: strict, metrics, timeoutMs: 150 });
    bridge.delayMs = 600;

    const started = performance.now();
    const decision = await limiter.check('ip:10.0.0.1', '/v1/curves');

    expect(performance.now() - started).toBeLessThan(3_000);
    expect(decision).toMatchObject({ allowed: true, failedOpen: true });
    expect(metrics.rateLimitCount('failed-open', 'default')).toBe(1);
  });

  it('stops asking a failing Redis for the cool-down, then limits again', async () => {
    const { writer } = createUpstashClients({ url: bridge.url, token: bridge.token });
    const limiter = new UpstashRateLimiter({ redis: writer, settings: strict, coolDownMs: 200 });
    bridge.delayMs = 600;
    expect(await limiter.check('ip:10.0.0.1', '/v1/curves')).toMatchObject({ failedOpen: true });
    const asked = bridge.commands.length;

    expect(await limiter.check('ip:10.0.0.1', '/v1/curves')).toMatchObject({ failedOpen: true });
    expect(bridge.commands.length).toBe(asked);

    await bridge.idle();
    bridge.delayMs = 0;
    await bridge.flushDb();
    await new Promise((resolve) => setTimeout(resolve, 250));
    // Another identity: a late EVAL of the abandoned check may still land on the first one's bucket.
    expect(await limiter.check('ip:10.0.0.2', '/v1/curves')).toEqual({
      allowed: true,
      limit: 1,
      remaining: 0,
      resetSeconds: 1,
    });
    expect((await limiter.check('ip:10.0.0.2', '/v1/curves')).allowed).toBe(false);
  });

  it('shares buckets between containers through Redis', async () => {
    const container = () => {
      const { writer } = createUpstashClients({ url: bridge.url, token: bridge.token });
      return new UpstashRateLimiter({ redis: writer, settings: strict });
    };

    expect((await container().check('ip:10.0.0.1', '/v1/curves', 'acme')).allowed).toBe(true);
    expect((await container().check('ip:10.0.0.1', '/v1/curves', 'acme')).allowed).toBe(false);
  });
});
