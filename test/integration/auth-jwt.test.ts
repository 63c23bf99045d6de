import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, startTestIssuer, type TestIssuer } from '#test/support/jwt-issuer';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

// The local gateway in jwt mode: tokens are checked in the handler against a JWKS served over HTTP.
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
    AURUM_GROUP_PERMISSIONS: 'analysts=curves:read metadata:read',
  });
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
});

const CURVES = '/v1/curves?limit=2';
const get = (path: string, authorization?: string) =>
  fetch(`${api.url}${path}`, { headers: authorization === undefined ? {} : { authorization } });
const bearer = (token: string) => `Bearer ${token}`;
const reader = { tenant: 'acme', scope: 'curves:read' };

async function expectProblem(res: Response, status: number, secret?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const text = await res.text();
  const body = JSON.parse(text) as { status: number; type: string; detail: string };
  expect(body.status).toBe(status);
  // Nothing from the token is echoed back.
  if (secret) expect(text).not.toContain(secret);
  return body;
}

describe('bearer tokens that do not verify: 401 by RFC 6750', () => {
  it('no token: a bare Bearer challenge', async () => {
    const res = await get(CURVES);
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  const cases: [string, () => Promise<string>][] = [
    ['malformed', async () => 'Bearer not.a.jwt'],
    ['not a bearer scheme', async () => 'Basic dXNlcjpwYXNz'],
    ['alg none', async () => bearer(issuer.unsigned(reader))],
    ['HS256 signed with the public key', async () => bearer(await issuer.hs256WithPublicKey(reader))],
    [
      'signed by a key the JWKS does not hold, under its kid',
      async () => bearer(await issuer.token(reader, { key: issuer.stranger, kid: issuer.rsa.kid })),
    ],
    ['no kid', async () => bearer(await issuer.token(reader, { kid: null }))],
    ['expired beyond the leeway', async () => bearer(await issuer.token(reader, { expiresIn: -61 }))],
    ['not yet valid beyond the leeway', async () => bearer(await issuer.token(reader, { notBefore: 120 }))],
    ['wrong issuer', async () => bearer(await issuer.token(reader, { issuer: 'https://evil.test/' }))],
    ['wrong audience', async () => bearer(await issuer.token(reader, { audience: 'another-api' }))],
  ];
  for (const [name, authorization] of cases) {
    it(name, async () => {
      const header = await authorization();
      const res = await get(CURVES, header);
      const payload = header.split('.')[1];
      await expectProblem(res, 401, payload && payload.length > 16 ? payload : undefined);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });
  }

  it('unknown kid: refused after one forced refresh of the JWKS', async () => {
    const token = await issuer.token(reader, { key: issuer.stranger });
    const before = issuer.fetches;
    const res = await get(CURVES, bearer(token));
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(issuer.fetches).toBe(before + 1);
    // A second unknown kid inside the cooldown does not refetch.
    await get(CURVES, bearer(token));
    expect(issuer.fetches).toBe(before + 1);
  });

  it('tolerates 60 s of clock skew', async () => {
    const res = await get(CURVES, bearer(await issuer.token(reader, { expiresIn: -30, notBefore: 30 })));
    expect(res.status).toBe(200);
  });
});

describe('verified tokens without a usable tenant: 403', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['no tenant claim', { scope: 'curves:read' }],
    ['tenant claim empty', { tenant: '', scope: 'curves:read' }],
    ['tenant claim an array', { tenant: ['acme', 'globex'], scope: 'curves:read' }],
    ['tenant claim a number', { tenant: 42, scope: 'curves:read' }],
    ['tenant claim non-ASCII (Kelvin sign folds to k)', { tenant: 'acme\u212A', scope: 'curves:read' }],
    ['tenant claim over-long', { tenant: 'a'.repeat(65), scope: 'curves:read' }],
    ['tenant only in email', { email: 'ana@acme.com', scope: 'curves:read' }],
    ['tenant only in org', { org: 'acme', scope: 'curves:read' }],
  ];
  for (const [name, claims] of cases) {
    it(name, async () => {
      const res = await get(CURVES, bearer(await issuer.token(claims)));
      const body = await expectProblem(res, 403);
      expect(body.detail).toMatch(/tenant/);
      expect(res.headers.get('www-authenticate')).toBeNull();
      if (typeof claims.tenant === 'string' && claims.tenant)
        expect(body.detail).not.toContain(claims.tenant);
    });
  }
});

describe('permissions per route', () => {
  it('a valid token without the route’s permission: 403 with X-Required-Permission', async () => {
    const res = await get(CURVES, bearer(await issuer.token({ tenant: 'acme', scope: 'metadata:read' })));
    await expectProblem(res, 403);
    expect(res.headers.get('x-required-permission')).toBe('curves:read');
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="curves:read"',
    );
  });

  it('with it, from the scope claim (RS256) or the group map (ES256): 200', async () => {
    const byScope = await get(CURVES, bearer(await issuer.token(reader)));
    expect(byScope.status).toBe(200);
    expect(((await byScope.json()) as { data: unknown[] }).data).toHaveLength(2);
    const byGroup = await get(
      CURVES,
      bearer(await issuer.token({ tenant: 'ACME', groups: ['Analysts'] }, { key: issuer.ec })),
    );
    expect(byGroup.status).toBe(200);
  });

  it('admin routes need the admin group; a tenant reader is refused', async () => {
    const path = '/v2/admin/flags';
    const denied = await get(path, bearer(await issuer.token(reader)));
    await expectProblem(denied, 403);
    const admin = await get(path, bearer(await issuer.token({ groups: ['aurum-admins'] })));
    expect(admin.status).toBe(200);
  });

  it('a token of one tenant never reads another’s: tenant_id cannot switch it', async () => {
    const res = await get('/v2/curves?limit=2&tenant_id=globex', bearer(await issuer.token(reader)));
    await expectProblem(res, 403);
    expect((await get('/v2/curves?limit=2&tenant_id=acme', bearer(await issuer.token(reader)))).status).toBe(
      200,
    );
  });

  it('public routes ignore a bad token', async () => {
    expect((await get('/health', 'Bearer garbage')).status).toBe(200);
  });
});
