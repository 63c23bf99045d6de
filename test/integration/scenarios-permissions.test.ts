import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, startTestIssuer, type TestIssuer } from '#test/support/jwt-issuer';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

// Real tokens: the scenarios permissions come from the token's scopes.
let issuer: TestIssuer;
let api: LocalApi;
beforeAll(async () => {
  issuer = await startTestIssuer();
  api = await startLocalApi({
    AURUM_AUTH_MODE: 'jwt',
    AURUM_JWKS_URL: issuer.jwksUrl,
    AURUM_JWT_ISSUER: ISSUER,
    AURUM_JWT_AUDIENCE: AUDIENCE,
    AURUM_API_ADMIN_GROUP: 'aurum-admins',
    AURUM_STORE_URL: 'memory:',
  });
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
});

async function as(scope: string) {
  const token = await issuer.token({ tenant: 'acme', scope });
  return (method: string, path: string, body?: unknown) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

async function expectMissing(res: Response, permission: string) {
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('x-required-permission')).toBe(permission);
}

describe('scenario permissions from the token', () => {
  it('needs scenarios:read, :write, :run and :delete for what each does, and a refusal changes nothing', async () => {
    const reader = await as('scenarios:read');
    const writer = await as('scenarios:read scenarios:write');
    const runner = await as('scenarios:read scenarios:run');
    const deleter = await as('scenarios:read scenarios:delete');
    const nobody = await as('curves:read');

    await expectMissing(await nobody('GET', '/v1/scenarios'), 'scenarios:read');
    await expectMissing(await nobody('GET', '/v2/scenarios'), 'scenarios:read');
    await expectMissing(await reader('POST', '/v1/scenarios', { name: 'refused' }), 'scenarios:write');
    expect(((await (await reader('GET', '/v1/scenarios')).json()) as { data: unknown[] }).data).toEqual([]);

    const created = await writer('POST', '/v1/scenarios', { name: 'allowed' });
    expect(created.status).toBe(201);
    const { id } = ((await created.json()) as { data: { id: string } }).data;

    await expectMissing(await writer('POST', `/v1/scenarios/${id}/run`, {}), 'scenarios:run');
    await expectMissing(
      await writer('POST', `/v1/scenarios/${id}/runs:bulk`, { runs: [{}] }),
      'scenarios:run',
    );
    await expectMissing(await writer('DELETE', `/v1/scenarios/${id}`), 'scenarios:delete');
    const runs = (await (await reader('GET', `/v1/scenarios/${id}/runs`)).json()) as {
      meta: { total: number };
    };
    expect(runs.meta.total).toBe(0);

    expect((await runner('POST', `/v1/scenarios/${id}/run`, {})).status).toBe(202);
    expect((await deleter('DELETE', `/v1/scenarios/${id}`)).status).toBe(204);
    expect((await reader('GET', `/v1/scenarios/${id}`)).status).toBe(404);
  });
});
