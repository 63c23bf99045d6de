import { describe, expect, it } from 'vitest';
import { canarySettingsFromEnv } from '#functions/canary/settings';

const noSecret = async () => {
  throw new Error('no secret expected');
};

describe('canarySettingsFromEnv', () => {
  it('needs an http(s) base URL', async () => {
    await expect(canarySettingsFromEnv({}, noSecret)).rejects.toThrow('AURUM_CANARY_BASE_URL is not set');
    await expect(canarySettingsFromEnv({ AURUM_CANARY_BASE_URL: 'ftp://x' }, noSecret)).rejects.toThrow(
      'http(s)',
    );
  });

  it('runs without a token against a development gateway', async () => {
    expect(await canarySettingsFromEnv({ AURUM_CANARY_BASE_URL: 'http://127.0.0.1:3000' }, noSecret)).toEqual(
      {
        baseUrl: 'http://127.0.0.1:3000',
        probeTimeoutMs: 5_000,
      },
    );
  });

  it('takes the token from the environment, or from the secret when one is named', async () => {
    const plain = await canarySettingsFromEnv(
      { AURUM_CANARY_BASE_URL: 'https://api', AURUM_CANARY_TOKEN: ' t1 ' },
      noSecret,
    );
    expect(plain.token).toBe('t1');
    const asked: string[] = [];
    const fromSecret = await canarySettingsFromEnv(
      {
        AURUM_CANARY_BASE_URL: 'https://api',
        AURUM_CANARY_TOKEN: 't1',
        AURUM_CANARY_TOKEN_SECRET_ARN: 'arn:secret',
        AURUM_CANARY_PROBE_TIMEOUT_MS: '2500',
      },
      async (arn) => {
        asked.push(arn);
        return 't2';
      },
    );
    expect(asked).toEqual(['arn:secret']);
    expect(fromSecret).toMatchObject({ token: 't2', probeTimeoutMs: 2_500 });
  });
});
