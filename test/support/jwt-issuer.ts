import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  base64url,
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

export const ISSUER = 'https://issuer.test/';
export const AUDIENCE = 'aurum-api';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface TestIssuer {
  /** The JWKS URL, served over real HTTP. */
  jwksUrl: string;
  /** How many times the JWKS has been fetched. */
  readonly fetches: number;
  rsa: SigningKey;
  ec: SigningKey;
  /** A key the JWKS does not publish. */
  stranger: SigningKey;
  /** Publishes another key, as a rotation does. */
  publish(key: SigningKey): void;
  token(claims?: JWTPayload, options?: TokenOptions): Promise<string>;
  /** HS256 with the RSA public key (PEM) as the HMAC secret: the classic algorithm-confusion attack. */
  hs256WithPublicKey(claims?: JWTPayload): Promise<string>;
  /** An unsigned token (`alg: none`). */
  unsigned(claims?: JWTPayload): string;
  close(): Promise<void>;
}

export interface TokenOptions {
  key?: SigningKey;
  /** The kid in the header; `null` leaves it out. */
  kid?: string | null;
  issuer?: string;
  audience?: string;
  /** Seconds from now. */
  expiresIn?: number;
  notBefore?: number;
}

export const newSigningKey = signingKey;

/** An identity provider for tests: RS256 and ES256 keys, a JWKS over HTTP, and tokens of every kind. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const rsa = await signingKey('rsa-1', 'RS256');
  const ec = await signingKey('ec-1', 'ES256');
  const stranger = await signingKey('stranger-1', 'RS256');
  const published: JWK[] = [rsa.publicJwk, ec.publicJwk];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const now = () => Math.floor(Date.now() / 1000);
  const payload = (claims: JWTPayload = {}) => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now(),
    exp: now() + 300,
    ...claims,
  });

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return fetches;
    },
    rsa,
    ec,
    stranger,
    publish(key) {
      published.push(key.publicJwk);
    },
    async token(claims = {}, options = {}) {
      const key = options.key ?? rsa;
      const kid = options.kid === undefined ? key.kid : options.kid;
      const jwt = new SignJWT({ sub: 'user-1', ...claims })
        .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(kid === null ? {} : { kid }) })
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(options.audience ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(now() + (options.expiresIn ?? 300));
      if (options.notBefore !== undefined) jwt.setNotBefore(now() + options.notBefore);
      return jwt.sign(key.privateKey);
    },
    async hs256WithPublicKey(claims = {}) {
      const { importJWK } = await import('jose');
      const pem = await exportSPKI(
        (await importJWK(rsa.publicJwk, 'RS256', { extractable: true })) as CryptoKey,
      );
      return new SignJWT(payload(claims))
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rsa.kid })
        .sign(new TextEncoder().encode(pem));
    },
    unsigned(claims = {}) {
      const part = (value: unknown) => base64url.encode(JSON.stringify(value));
      return `${part({ alg: 'none', typ: 'JWT', kid: rsa.kid })}.${part(payload(claims))}.`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
