import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport, runCanary } from '#functions/canary/run-canary';
import { canarySettingsFromEnv } from '#functions/canary/settings';
import { parseClientCredentials } from '#functions/canary/token-grant';
import { type FakeTokenEndpoint, startFakeTokenEndpoint } from '#test/support/fake-token-endpoint';
import { type LocalApi, startLocalApi } from '#test/support/local-api';
import { type ApiDouble, startApiDouble } from './api-double.ts';

let api: LocalApi;
let issuer: FakeTokenEndpoint;
let double: ApiDouble;
const client = { id: 'canary-client', secret: 's3cr3t:with/odd&chars' };
beforeAll(async () => {
  api = await startLocalApi();
  issuer = await startFakeTokenEndpoint(client);
  double = await startApiDouble(api.url, () => false);
});
afterAll(async () => {
  await double.close();
  await issuer.close();
  await api.close();
});

const grant = () => ({
  tokenUrl: issuer.url,
  clientId: client.id,
  clientSecret: client.secret,
  scope: 'aurum-api/curves:read',
});

describe('the canary’s client-credentials grant', () => {
  it('gets a fresh token on every run and sends it on every probe', async () => {
    const tokens: string[] = [];
    for (let run = 0; run < 2; run++) {
      const before = double.seen.length;
      const report = await runCanary({ baseUrl: double.url, grant: grant() });
      expect(report.ok).toBe(true);
      expect(report.results[0]).toMatchObject({ name: 'token-grant', ok: true });
      const token = issuer.grants.at(-1)!.token!;
      tokens.push(token);
      const sent = double.seen.slice(before).map((r) => r.authorization);
      expect(sent.length).toBeGreaterThanOrEqual(5);
      expect(sent.every((a) => a === `Bearer ${token}`)).toBe(true);
      expect(formatReport(report)).not.toContain(token);
    }
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(issuer.grants.at(-1)!.form.get('scope')).toBe('aurum-api/curves:read');
    expect(issuer.grants.at(-1)!.form.get('grant_type')).toBe('client_credentials');
  });

  it('a refused grant fails the run with its own probe line, and never shows the secret', async () => {
    const report = await runCanary({ baseUrl: double.url, grant: { ...grant(), clientSecret: 'wrong' } });
    expect(report.ok).toBe(false);
    expect(report.results[0]).toEqual({
      name: 'token-grant',
      ok: false,
      latencyMs: expect.any(Number),
      reason: 'token endpoint refused the grant: HTTP 401 (invalid_client)',
    });
    const text = formatReport(report);
    expect(text).toMatch(
      /^token-grant\s+FAIL\s+\d+ ms\s+token endpoint refused the grant: HTTP 401 \(invalid_client\)$/m,
    );
    expect(text).not.toContain(client.secret);
  });

  it('an unreachable token endpoint is a failed grant too', async () => {
    const report = await runCanary({
      baseUrl: double.url,
      grant: { ...grant(), tokenUrl: 'http://127.0.0.1:9/oauth2/token' },
    });
    expect(report.results[0]).toMatchObject({ name: 'token-grant', ok: false });
    expect(report.results[0]!.reason).toMatch(/^token endpoint unreachable \(/);
  });

  it('reads the grant from its secret, which wins over a static token', async () => {
    const settings = await canarySettingsFromEnv(
      {
        AURUM_CANARY_BASE_URL: 'https://api',
        AURUM_CANARY_TOKEN: 'static',
        AURUM_CANARY_CLIENT_SECRET_ARN: 'arn:client',
      },
      async () => {
        throw new Error('the static token secret is not read');
      },
      async (arn) => {
        expect(arn).toBe('arn:client');
        return JSON.stringify({ token_url: issuer.url, client_id: 'c', client_secret: 's', scope: 'x' });
      },
    );
    expect(settings).toMatchObject({
      grant: { tokenUrl: issuer.url, clientId: 'c', clientSecret: 's', scope: 'x' },
    });
    expect(settings.token).toBeUndefined();
    expect(() =>
      parseClientCredentials(JSON.stringify({ token_url: '', client_id: '', client_secret: '' })),
    ).toThrow(/needs token_url, client_id and client_secret/);
  });
});
