import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, startTestIssuer, type TestIssuer } from '#test/support/jwt-issuer';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

// Real tokens (jwt mode): PPA routes need ppa:read to read and ppa:write to create, change or value.
let issuer: TestIssuer;
let api: LocalApi;
beforeAll(async () => {
  issuer = await startTestIssuer();
  api = await startLocalApi({
    AURUM_AUTH_MODE: 'jwt',
    AURUM_JWKS_URL: issuer.jwksUrl,
    AURUM_JWT_ISSUER: ISSUER,
    AURUM_JWT_AUDIENCE: AUDIENCE,
    AURUM_STORE_URL: 'memory:',
  });
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
});

async function send(method: string, path: string, scope: string, body?: unknown) {
  const token = await issuer.token({ tenant: 'acme', scope });
  return fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function expectRefused(res: Response, permission: string) {
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('x-required-permission')).toBe(permission);
}

describe('PPA permissions', () => {
  it('a reader lists but cannot create or value; a writer creates; nobody else reads', async () => {
    expect((await send('GET', '/v1/ppa/contracts', 'ppa:read')).status).toBe(200);
    expect((await send('GET', '/v2/ppa/contracts', 'ppa:read')).status).toBe(200);
    await expectRefused(await send('POST', '/v1/ppa/contracts', 'ppa:read', { terms: {} }), 'ppa:write');
    await expectRefused(
      await send('POST', '/v2/ppa/valuate', 'ppa:read', {
        contract_id: '00000000-0000-4000-8000-000000000000',
        asof: '2025-09-26',
      }),
      'ppa:write',
    );
    await expectRefused(await send('GET', '/v1/ppa/contracts', 'curves:read'), 'ppa:read');

    const created = await send('POST', '/v1/ppa/contracts', 'ppa:write', { terms: { counterparty: 'X' } });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { data: { ppa_contract_id: string; created_by: string } }).data;
    // Still nothing for a reader of another domain, and the writer's record is readable with ppa:read.
    await expectRefused(
      await send('GET', `/v1/ppa/contracts/${id.ppa_contract_id}`, 'curves:read'),
      'ppa:read',
    );
    expect((await send('GET', `/v1/ppa/contracts/${id.ppa_contract_id}`, 'ppa:read')).status).toBe(200);
    // The v2 tenant_id must be the token's.
    const foreign = await send('GET', '/v2/ppa/contracts?tenant_id=globex', 'ppa:read');
    expect(foreign.status).toBe(403);
  });
});
