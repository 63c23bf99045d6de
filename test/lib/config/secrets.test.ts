import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSecretsIntoEnv, SecretsUnavailableError } from '#lib/config/secrets';

/**
 * A stand-in for Secrets Manager speaking its real wire protocol (AWS JSON 1.1: POST / with
 * `X-Amz-Target: secretsmanager.GetSecretValue`), so the test runs the real Powertools provider and SDK.
 */
interface FakeSecretsManager {
  endpoint: string;
  secrets: Map<string, string>;
  requests: string[];
  close(): Promise<void>;
}

async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, string>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'secretsmanager.GetSecretValue' || !SecretId) {
        res.writeHead(400).end(JSON.stringify({ __type: 'InvalidRequestException', message: 'unsupported' }));
        return;
      }
      requests.push(SecretId);
      const value = secrets.get(SecretId);
      if (value === undefined) {
        res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
        return;
      }
      res
        .writeHead(200)
        .end(JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: value, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secrets,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

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
    fake.secrets.clear();
    fake.requests.length = 0;
    // A fresh provider per test: its cache is what the caching test observes.
    reader = new SecretsProvider({
      clientConfig: {
        endpoint: fake.endpoint,
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
    expect(fake.requests).toEqual([]);
  });

  it('fills the cursor key, Trino credentials and Upstash pair from their secrets', async () => {
    fake.secrets.set(CURSOR_ARN, 'k'.repeat(64));
    fake.secrets.set(TRINO_ARN, JSON.stringify({ user: 'svc-aurum', password: 'p@ss', token: '' }));
    fake.secrets.set(UPSTASH_ARN, JSON.stringify({ url: 'https://eu1.upstash.io', token: 'up-token' }));
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
    fake.secrets.set(CURSOR_ARN, 'cursor-key');
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: CURSOR_ARN };
    await loadSecretsIntoEnv(env, { reader });
    expect(fake.requests).toEqual([CURSOR_ARN]);
    expect(env).not.toHaveProperty('UPSTASH_REDIS_REST_URL');
    expect(env).not.toHaveProperty('AURUM_TRINO_USER');
  });

  it('leaves the memory cache in place while the Upstash secret is still the empty placeholder', async () => {
    fake.secrets.set(UPSTASH_ARN, JSON.stringify({ url: '', token: '' }));
    const env: NodeJS.ProcessEnv = { AURUM_UPSTASH_SECRET_ARN: UPSTASH_ARN };
    await loadSecretsIntoEnv(env, { reader });
    expect(env).not.toHaveProperty('UPSTASH_REDIS_REST_URL');
    expect(env).not.toHaveProperty('UPSTASH_REDIS_REST_TOKEN');
  });

  it('passes half an Upstash secret on, so readiness can report it instead of a silent memory cache', async () => {
    fake.secrets.set(UPSTASH_ARN, JSON.stringify({ url: 'https://eu1.upstash.io', token: '' }));
    const env: NodeJS.ProcessEnv = { AURUM_UPSTASH_SECRET_ARN: UPSTASH_ARN };
    await loadSecretsIntoEnv(env, { reader });
    expect(env.UPSTASH_REDIS_REST_URL).toBe('https://eu1.upstash.io');
    expect(env).not.toHaveProperty('UPSTASH_REDIS_REST_TOKEN');
  });

  it('lets a Trino secret carry the connection URL', async () => {
    fake.secrets.set(TRINO_ARN, JSON.stringify({ user: 'aurum', url: 'https://trino.prod:8443' }));
    const env: NodeJS.ProcessEnv = {
      AURUM_TRINO_SECRET_ARN: TRINO_ARN,
      AURUM_TRINO_URL: 'https://default:8443',
    };
    await loadSecretsIntoEnv(env, { reader });
    expect(env.AURUM_TRINO_URL).toBe('https://trino.prod:8443');
  });

  it('asks Secrets Manager once per max age, however often it is called', async () => {
    fake.secrets.set(CURSOR_ARN, 'first');
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: CURSOR_ARN };
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 300 });
    fake.secrets.set(CURSOR_ARN, 'rotated');
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 300 });
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 300 });
    expect(fake.requests).toEqual([CURSOR_ARN]);
    expect(env.AURUM_CURSOR_SECRET).toBe('first');
  });

  it('re-reads once the cached value is older than the max age (a rotated key is picked up)', async () => {
    fake.secrets.set(CURSOR_ARN, 'first');
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: CURSOR_ARN };
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 1 });
    fake.secrets.set(CURSOR_ARN, 'rotated');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 1 });
    expect(fake.requests).toEqual([CURSOR_ARN, CURSOR_ARN]);
    expect(env.AURUM_CURSOR_SECRET).toBe('rotated');
  });

  it('names the variables of unreadable or malformed secrets, fills the rest, and never quotes a value', async () => {
    fake.secrets.set(CURSOR_ARN, 'good-cursor-key');
    fake.secrets.set(TRINO_ARN, 'user=svc-aurum;password=hunter2');
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
});
