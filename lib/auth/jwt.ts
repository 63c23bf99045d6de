import { readFile } from 'node:fs/promises';
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTPayload,
  jwtVerify,
} from 'jose';

/** Where the signing keys come from: a JWKS document on disk (development) or at the issuer's URL. */
export type JwksSource = { file: string } | { url: string };

export interface JwtVerifierOptions {
  jwks: JwksSource;
  issuer: string;
  audience: string[];
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  leewaySeconds?: number;
  /** How long a fetched JWKS is used before it is fetched again. */
  maxAgeMs?: number;
  /** After a forced refresh for an unknown `kid`, the next forced refresh waits this long. */
  refreshCooldownMs?: number;
  fetchTimeoutMs?: number;
  now?: () => number;
}

import { TokenRejected } from './token-rejected.ts';

export { TokenRejected };

export const ALLOWED_ALGORITHMS = ['RS256', 'ES256'];

export interface JwtVerifier {
  verify(token: string): Promise<JWTPayload>;
  /** How many times the JWKS has been read (first load included). */
  readonly loads: number;
}

async function loadJwks(source: JwksSource, timeoutMs: number): Promise<JSONWebKeySet> {
  let document: unknown;
  if ('file' in source) {
    document = JSON.parse(await readFile(source.file, 'utf8'));
  } else {
    const res = await fetch(source.url, {
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`JWKS ${source.url} answered HTTP ${res.status}`);
    document = await res.json();
  }
  if (!document || typeof document !== 'object' || !Array.isArray((document as { keys?: unknown }).keys))
    throw new Error('the JWKS document has no keys array');
  return document as JSONWebKeySet;
}

/**
 * Verifies bearer tokens as API Gateway's JWT authorizer does, and stricter: issuer, audience, `exp`/`nbf`
 * with a leeway, RS256/ES256 only (so `none` and HS256-with-the-public-key never pass), a `kid` that names
 * a key of the JWKS. The JWKS is cached; an unknown `kid` forces one refresh (for a key rotated in since
 * the last fetch), then waits out a cooldown so random kids cannot make us hammer the issuer.
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const cooldownMs = options.refreshCooldownMs ?? 30_000;
  const timeoutMs = options.fetchTimeoutMs ?? 3_000;
  let loads = 0;
  let cached: { keys: JSONWebKeySet; at: number } | undefined;
  let inflight: Promise<JSONWebKeySet> | undefined;
  let lastForced = Number.NEGATIVE_INFINITY;

  const load = (): Promise<JSONWebKeySet> => {
    inflight ??= loadJwks(options.jwks, timeoutMs)
      .then((keys) => {
        loads += 1;
        cached = { keys, at: now() };
        return keys;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
  const current = async () => (cached && now() - cached.at < maxAgeMs ? cached.keys : load());
  const hasKid = (set: JSONWebKeySet, kid: string) => set.keys.some((k) => k.kid === kid);

  const keyFor = async (header: JWTHeaderParameters) => {
    if (!ALLOWED_ALGORITHMS.includes(header.alg)) throw new TokenRejected(`alg ${header.alg} is not allowed`);
    const kid = header.kid;
    if (typeof kid !== 'string' || kid === '') throw new TokenRejected('the token header has no kid');
    let set = await current();
    if (!hasKid(set, kid) && now() - lastForced >= cooldownMs) {
      lastForced = now();
      set = await load();
    }
    if (!hasKid(set, kid)) throw new TokenRejected('no key of the JWKS matches the kid');
    return createLocalJWKSet(set)(header);
  };

  return {
    get loads() {
      return loads;
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keyFor, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ALLOWED_ALGORITHMS,
          clockTolerance: options.leewaySeconds ?? 60,
          currentDate: new Date(now()),
          requiredClaims: ['exp'],
        });
        return payload;
      } catch (error) {
        if (error instanceof TokenRejected) throw error;
        if (error instanceof errors.JOSEError) throw new TokenRejected(error.code);
        // A JWKS that cannot be read is our fault, not the caller's: it surfaces as a 5xx.
        throw error;
      }
    },
  };
}

const verifiers = new Map<string, JwtVerifier>();

/** One verifier (and so one JWKS cache) per configuration, per container. */
export function verifierFor(options: JwtVerifierOptions): JwtVerifier {
  const key = JSON.stringify([options.jwks, options.issuer, options.audience, options.leewaySeconds]);
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = createJwtVerifier(options);
    verifiers.set(key, verifier);
  }
  return verifier;
}
