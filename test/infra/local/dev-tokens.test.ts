import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDevKeys, mintDevToken, trustDevKeys } from '#infra/local/dev-tokens';
import { createJwtVerifier } from '#lib/auth/jwt';

describe('development tokens', () => {
  it('makes a key pair on first use, keeps it, and signs tokens the jwt mode trusts by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aurum-dev-keys-'));
    const first = await ensureDevKeys(dir);
    expect(statSync(join(dir, 'dev-jwt-key.json')).mode & 0o777).toBe(0o600);
    expect((await ensureDevKeys(dir)).privateJwk.kid).toBe(first.privateJwk.kid);

    const env: NodeJS.ProcessEnv = {};
    expect(await trustDevKeys(env, dir)).toBe(true);
    const verifier = createJwtVerifier({
      jwks: { file: env.AURUM_JWKS_FILE! },
      issuer: env.AURUM_JWT_ISSUER!,
      audience: [env.AURUM_JWT_AUDIENCE!],
    });
    const token = await mintDevToken({ dir, tenant: 'acme', groups: ['analysts'], scope: 'curves:read' });
    expect(await verifier.verify(token)).toMatchObject({
      tenant: 'acme',
      groups: ['analysts'],
      scope: 'curves:read',
      sub: 'developer',
    });
    // A configured issuer wins over the development key.
    expect(await trustDevKeys({ AURUM_JWKS_URL: 'https://issuer.example/jwks' }, dir)).toBe(false);
  });
});
