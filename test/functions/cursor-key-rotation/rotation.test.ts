import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATION_DELAY_MS, createRotationHandler } from '#functions/cursor-key-rotation/handler';
import { loadSecretsIntoEnv } from '#lib/config/secrets';
import { CursorCodec } from '#lib/paging/cursor';
import { type FakeSecretsManager, startFakeSecretsManager } from '#test/support/fake-secrets-manager';

const FIRST_KEY = 'k'.repeat(64);
const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);

describe('cursor key rotation against the Secrets Manager protocol', () => {
  let sm: FakeSecretsManager;
  const clientConfig = () => ({
    endpoint: sm.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  beforeAll(async () => {
    sm = await startFakeSecretsManager();
  });
  afterAll(() => sm.close());

  const rotate = async (arn: string, now: number) => {
    const rotation = createRotationHandler({
      client: async () => new SecretsManagerClient(clientConfig()),
      now: () => now,
    });
    const token = sm.startRotation(arn);
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await rotation({ SecretId: arn, ClientRequestToken: token, Step });
    }
    return token;
  };

  /** A container: the variables its loader filled from the secret, and its codec over them. */
  const container = async (arn: string, clock: { now: number }) => {
    const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET_ARN: arn };
    // maxAge 0: every load reads the service, as a container does once its cached value is older than 5 min.
    const reader = new SecretsProvider({ clientConfig: clientConfig() });
    const load = () => loadSecretsIntoEnv(env, { reader, maxAgeSeconds: 0 });
    await load();
    return { env, load, codec: CursorCodec.fromEnv(env, { now: () => clock.now }) };
  };

  it('writes a key ring whose previous key is the old one, and labels the versions as the service does', async () => {
    const arn = sm.create('ring', FIRST_KEY);
    const token = await rotate(arn, T0);
    const ring = JSON.parse(sm.value(arn)!);
    expect(ring.previous).toBe(FIRST_KEY);
    expect(ring.current).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(ring.current).not.toBe(FIRST_KEY);
    expect(Date.parse(ring.activate_at)).toBe(T0 + ACTIVATION_DELAY_MS);
    expect(sm.stagesOf(arn)[token]).toEqual(['AWSCURRENT']);
    expect(sm.value(arn, 'AWSPREVIOUS')).toBe(FIRST_KEY);
  });

  it('a retried createSecret keeps the pending ring it wrote', async () => {
    const arn = sm.create('retry', FIRST_KEY);
    const rotation = createRotationHandler({ client: async () => new SecretsManagerClient(clientConfig()) });
    const token = sm.startRotation(arn);
    await rotation({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' });
    const written = sm.value(arn, 'AWSPENDING');
    await rotation({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' });
    expect(sm.value(arn, 'AWSPENDING')).toBe(written);
    expect(sm.value(arn)).toBe(FIRST_KEY);
  });

  it('refuses a token that is not a pending version, and changes nothing', async () => {
    const arn = sm.create('stranger', FIRST_KEY);
    const rotation = createRotationHandler({ client: async () => new SecretsManagerClient(clientConfig()) });
    await expect(
      rotation({ SecretId: arn, ClientRequestToken: 'not-a-version', Step: 'createSecret' }),
    ).rejects.toThrow(/not a version/);
    expect(sm.value(arn)).toBe(FIRST_KEY);
  });

  it('keeps every cursor in flight valid across a rotation, and drops the key two rotations old', async () => {
    const arn = sm.create('overlap', FIRST_KEY);
    const clock = { now: T0 };
    const warm = await container(arn, clock); // started before the rotation, holds the first key only
    const beforeRotation = warm.codec.encode(['PJM', 1], 'next', 'f');

    await rotate(arn, T0);
    const fresh = await container(arn, clock); // started after it, holds the ring

    // Before activation the new container still signs with the old key, so the warm one accepts its cursors.
    const fromFresh = fresh.codec.encode(['PJM', 2], 'next', 'f');
    expect(warm.codec.decode(fromFresh, 'f').boundary).toEqual(['PJM', 2]);
    expect(fresh.codec.decode(beforeRotation, 'f').boundary).toEqual(['PJM', 1]);

    // The warm container re-reads the secret (it does so every few minutes), then the new key activates.
    await warm.load();
    clock.now = T0 + ACTIVATION_DELAY_MS;
    const signedWithNewKey = fresh.codec.encode(['PJM', 3], 'next', 'f');
    expect(signedWithNewKey.split('.')[1]).not.toBe(fromFresh.split('.')[1]);
    expect(warm.codec.decode(signedWithNewKey, 'f').boundary).toEqual(['PJM', 3]);
    // A cursor signed with the old key before the rotation still verifies everywhere until it expires.
    expect(fresh.codec.decode(beforeRotation, 'f').boundary).toEqual(['PJM', 1]);

    // The next rotation keeps the second key as previous and drops the first one.
    await rotate(arn, clock.now);
    await fresh.load();
    const problem = (() => {
      try {
        fresh.codec.decode(beforeRotation, 'f');
      } catch (error) {
        return error as { issues?: { field: string; code: string }[] };
      }
    })();
    expect(problem?.issues).toEqual([expect.objectContaining({ field: 'cursor', code: 'cursor_signature' })]);
    expect(fresh.codec.decode(signedWithNewKey, 'f').boundary).toEqual(['PJM', 3]);
  });
});
