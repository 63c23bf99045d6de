import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, TokenRejected } from '#lib/auth/jwt';
import { AUDIENCE, ISSUER, newSigningKey, startTestIssuer, type TestIssuer } from '#test/support/jwt-issuer';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());

const verifierFor = (options: Partial<Parameters<typeof createJwtVerifier>[0]> = {}) =>
  createJwtVerifier({ jwks: { url: issuer.jwksUrl }, issuer: ISSUER, audience: [AUDIENCE], ...options });

describe('JWT verifier', () => {
  it('returns the claims of a good RS256 or ES256 token, and caches the JWKS', async () => {
    const verifier = verifierFor();
    expect(await verifier.verify(await issuer.token({ tenant: 'acme' }))).toMatchObject({
      tenant: 'acme',
      iss: ISSUER,
    });
    expect(await verifier.verify(await issuer.token({}, { key: issuer.ec }))).toMatchObject({
      sub: 'user-1',
    });
    expect(verifier.loads).toBe(1);
  });

  it('finds a key rotated in since the last fetch, with one forced refresh', async () => {
    const verifier = verifierFor({ refreshCooldownMs: 0 });
    await verifier.verify(await issuer.token());
    const rotated = await newSigningKey('rsa-2', 'RS256');
    issuer.publish(rotated);
    await expect(verifier.verify(await issuer.token({}, { key: rotated }))).resolves.toMatchObject({
      sub: 'user-1',
    });
    expect(verifier.loads).toBe(2);
  });

  it('forces at most one refresh per cooldown for unknown kids', async () => {
    let now = 1_000_000_000_000;
    const verifier = verifierFor({ now: () => now, refreshCooldownMs: 30_000 });
    const stranger = await issuer.token({}, { key: issuer.stranger });
    // Issued against the real clock; give this one a clock of its own only for the cooldown arithmetic.
    now = Date.now();
    await expect(verifier.verify(stranger)).rejects.toBeInstanceOf(TokenRejected);
    await expect(verifier.verify(stranger)).rejects.toBeInstanceOf(TokenRejected);
    expect(verifier.loads).toBe(2);
    now += 30_001;
    await expect(verifier.verify(stranger)).rejects.toBeInstanceOf(TokenRejected);
    expect(verifier.loads).toBe(3);
  });

  it('reads a JWKS file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aurum-jwks-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [issuer.ec.publicJwk] }));
    const verifier = createJwtVerifier({ jwks: { file }, issuer: ISSUER, audience: [AUDIENCE] });
    await expect(verifier.verify(await issuer.token({}, { key: issuer.ec }))).resolves.toBeDefined();
    await expect(verifier.verify(await issuer.token())).rejects.toThrow('no key of the JWKS matches the kid');
  });

  it('requires exp', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.rsa.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(issuer.rsa.privateKey);
    await expect(verifierFor().verify(token)).rejects.toBeInstanceOf(TokenRejected);
  });

  it('reports a JWKS that cannot be read as an error of its own, not as a bad token', async () => {
    const verifier = createJwtVerifier({
      jwks: { url: 'http://127.0.0.1:9/jwks.json' },
      issuer: ISSUER,
      audience: [AUDIENCE],
    });
    const error = await verifier.verify(await issuer.token()).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(TokenRejected);
  });
});
