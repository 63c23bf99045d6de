import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSecretsIntoEnv, SecretsUnavailableError, secretsRefresher } from '#lib/config/secrets';
import { type FakeSecretsManager, startFakeSecretsManager } from '#test/support/fake-secrets-manager';

const CURSOR_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:aurum-cursor-AbCdEf';
const TRINO_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:aurum-trino-AbCdEf';
const UPSTASH_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:aurum-upstash-AbCdEf';

describe('loadSecretsIntoEnv', () => {
  let fake: FakeSecretsManager;
  let reader: SecretsProvider;

  beforeAll(async () => {
    fake = await startFakeSecretsManager();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    // A fresh provider per test: its cache is what the caching test observes.
    reader = new SecretsProvider({
      clientConfig: {
        endpoint: fake.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      },
    });
  });

  it('does nothing, and calls nothing, when no secret ARN is configured', async () => {
    const env: NodeJS.ProcessEnv = { AURUM_TRINO_URL: 'https://trino:8443' };
    await loadSecretsIntoEnv(env, { reader });
    expect(env).toEqual({ AURUM_TRINO_URL: 'https://trino:8443' });
    expect(fake.reads).toEqual([]);
  });

  it('fills the cursor key, Trino credentials and Upstash pair from their secrets', async () => {
    fake.put(CURSOR_ARN, 'k'.repeat(64));
    fake.put(TRINO_ARN, JSON.stringify({ user: 'svc-aurum', password: 'p@ss', token: '' }));
    fake.put(UPSTASH_ARN, JSON.stringify({ url: 'https://eu1.upstash.io', token: 'up-token' }));
    const env: NodeJS.ProcessEnv = {
      AURUM_CURSOR_SECRET_ARN: CURSOR_ARN,
      AURUM_TRINO_SECRET_ARN: TRINO_ARN,
      AURUM_UPSTASH_SECRET_ARN: UPSTASH_ARN,
      AURUM_TRINO_URL: 'https://trino:8443',
    };
    await loadSecretsIntoEnv(env, { reader });
    expect(env.AURUM_CURSOR_SECRET).toBe('k'.repeat(64));
    expect(env.AURUM_TRINO_USER).toBe('svc-aurum');
    expect(env.AURUM_TRINO_PASSWORD).toBe('p@ss');
    expect(env).not.toHaveProperty('AURUM_TRINO_TOKEN');
    expect(env.AURUM_TRINO_URL).toBe('https://trino:8443');
    expect(env.UPSTASH_REDIS_REST_URL).toBe('https://eu1.upstash.io');
    expect(env.UPSTASH_REDIS_REST_TOKEN).toBe('up-token');
  });

  it('reads only the secrets this function was given', async () => {
    fake.put(CURSOR_ARN, 'cursor-key');
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: CURSOR_ARN };
    await loadSecretsIntoEnv(env, { reader });
    expect(fake.reads).toEqual([CURSOR_ARN]);
    expect(env).not.toHaveProperty('UPSTASH_REDIS_REST_URL');
    expect(env).not.toHaveProperty('AURUM_TRINO_USER');
  });

  it('leaves the memory cache in place while the Upstash secret is still the empty placeholder', async () => {
    fake.put(UPSTASH_ARN, JSON.stringify({ url: '', token: '' }));
    const env: NodeJS.ProcessEnv = { AURUM_UPSTASH_SECRET_ARN: UPSTASH_ARN };
    await loadSecretsIntoEnv(env, { reader });
    expect(env).not.toHaveProperty('UPSTASH_REDIS_REST_URL');
    expect(env).not.toHaveProperty('UPSTASH_REDIS_REST_TOKEN');
  });

  it('passes half an Upstash secret on, so readiness can report it instead of a silent memory cache', async () => {
    fake.put(UPSTASH_ARN, JSON.stringify({ url: 'https://eu1.upstash.io', token: '' }));
    const env: NodeJS.ProcessEnv = { AURUM_UPSTASH_SECRET_ARN: UPSTASH_ARN };
    await loadSecretsIntoEnv(env, { reader });
    expect(env.UPSTASH_REDIS_REST_URL).toBe('https://eu1.upstash.io');
    expect(env).not.toHaveProperty('UPSTASH_REDIS_REST_TOKEN');
  });

  it('lets a Trino secret carry the connection URL', async () => {
    fake.put(TRINO_ARN, JSON.stringify({ user: 'aurum', url: 'https://trino.prod:8443' }));
    const env: NodeJS.ProcessEnv = {
      AURUM_TRINO_SECRET_ARN: TRINO_ARN,
      AURUM_TRINO_URL: 'https://default:8443',
    };
    await loadSecretsIntoEnv(env, { reader });
    expect(env.AURUM_TRINO_URL).toBe('https://trino.prod:8443');
  });

  it('asks Secrets Manager once per max age, however often it is called', async () => {
    fake.put(CURSOR_ARN, 'first');
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: CURSOR_ARN };
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 300 });
    fake.put(CURSOR_ARN, 'rotated');
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 300 });
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 300 });
    expect(fake.reads).toEqual([CURSOR_ARN]);
    expect(env.AURUM_CURSOR_SECRET).toBe('first');
  });

  it('re-reads once the cached value is older than the max age (a rotated key is picked up)', async () => {
    fake.put(CURSOR_ARN, 'first');
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: CURSOR_ARN };
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 1 });
    fake.put(CURSOR_ARN, 'rotated');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 1 });
    expect(fake.reads).toEqual([CURSOR_ARN, CURSOR_ARN]);
    expect(env.AURUM_CURSOR_SECRET).toBe('rotated');
  });

  it('names the variables of unreadable or malformed secrets, fills the rest, and never quotes a value', async () => {
    fake.put(CURSOR_ARN, 'good-cursor-key');
    fake.put(TRINO_ARN, 'user=svc-aurum;password=hunter2');
    const env: NodeJS.ProcessEnv = {
      AURUM_CURSOR_SECRET_ARN: CURSOR_ARN,
      AURUM_TRINO_SECRET_ARN: TRINO_ARN,
      AURUM_UPSTASH_SECRET_ARN: UPSTASH_ARN,
    };
    const failure = await loadSecretsIntoEnv(env, { reader }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SecretsUnavailableError);
    const error = failure as SecretsUnavailableError;
    expect(error.variables).toEqual(['AURUM_TRINO_SECRET_ARN', 'AURUM_UPSTASH_SECRET_ARN']);
    expect(error.message).not.toContain('hunter2');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('hunter2');
    expect(env.AURUM_CURSOR_SECRET).toBe('good-cursor-key');
    expect(env).not.toHaveProperty('AURUM_TRINO_PASSWORD');
  });

  it('reads a rotation’s key ring: the current key, the previous one, and when the current one signs', async () => {
    const ring = { current: 'c'.repeat(64), previous: 'p'.repeat(64), activate_at: '2026-12-02T12:10:00Z' };
    fake.put(CURSOR_ARN, JSON.stringify(ring));
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: CURSOR_ARN };
    await loadSecretsIntoEnv(env, { reader });
    expect(env.AURUM_CURSOR_SECRET).toBe(ring.current);
    expect(env.AURUM_CURSOR_PREVIOUS_SECRET).toBe(ring.previous);
    expect(env.AURUM_CURSOR_ACTIVATE_AT).toBe(String(Date.UTC(2026, 11, 2, 12, 10)));
  });

  it('refuses a malformed key ring and keeps no half of it', async () => {
    fake.put(CURSOR_ARN, JSON.stringify({ current: 'short', previous: 'p'.repeat(64) }));
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: CURSOR_ARN };
    await expect(loadSecretsIntoEnv(env, { reader })).rejects.toBeInstanceOf(SecretsUnavailableError);
    expect(env).not.toHaveProperty('AURUM_CURSOR_SECRET');
    expect(env).not.toHaveProperty('AURUM_CURSOR_PREVIOUS_SECRET');
  });
});

describe('secretsRefresher', () => {
  it('waits for the first load, then refreshes in the background once per interval and keeps values on failure', async () => {
    const clock = { now: 0 };
    let loads = 0;
    let fail = false;
    const refresh = secretsRefresher(
      async () => {
        loads += 1;
        if (fail) throw new Error('down');
      },
      { intervalMs: 60_000, now: () => clock.now },
    );
    await refresh();
    await refresh();
    expect(loads).toBe(1);
    clock.now = 60_000;
    fail = true;
    await refresh(); // a failed background refresh is not the request's failure
    await new Promise((resolve) => setImmediate(resolve));
    expect(loads).toBe(2);
    await refresh();
    expect(loads).toBe(2); // the failed attempt counts as this interval's
    clock.now = 120_000;
    fail = false;
    await refresh();
    expect(loads).toBe(3);
  });

  it('throws a failed first load to the request and tries again on the next', async () => {
    let attempts = 0;
    const refresh = secretsRefresher(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('unreachable');
    });
    await expect(refresh()).rejects.toThrow('unreachable');
    await expect(refresh()).resolves.toBeUndefined();
    expect(attempts).toBe(2);
  });
});
