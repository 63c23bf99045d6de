import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/** `.data/` at the repository root (gitignored), beside the sample DuckDB. */
export const DEV_KEY_DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), '.data');
export const DEV_ISSUER = 'urn:aurum:local-dev';
export const DEV_AUDIENCE = 'aurum-api';
const ALG = 'ES256';

export interface DevKeys {
  privateJwk: JWK;
  jwksFile: string;
}

/** The development key pair: made on first use, then reused, so tokens minted earlier keep working. */
export async function ensureDevKeys(dir = DEV_KEY_DIR): Promise<DevKeys> {
  const keyFile = join(dir, 'dev-jwt-key.json');
  const jwksFile = join(dir, 'dev-jwks.json');
  if (existsSync(keyFile) && existsSync(jwksFile)) {
    return { privateJwk: JSON.parse(await readFile(keyFile, 'utf8')) as JWK, jwksFile };
  }
  await mkdir(dir, { recursive: true });
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = `dev-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  await writeFile(keyFile, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(jwksFile, `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`);
  return { privateJwk, jwksFile };
}

export interface DevTokenOptions {
  tenant?: string;
  groups?: string[];
  scope?: string;
  subject?: string;
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
  /** The tenant claim's name (AURUM_TENANT_CLAIM). */
  tenantClaim?: string;
  dir?: string;
}

/** A token the local gateway in jwt mode accepts by default: signed by the development key. */
export async function mintDevToken(options: DevTokenOptions = {}): Promise<string> {
  const { privateJwk } = await ensureDevKeys(options.dir);
  const key = await importJWK(privateJwk, ALG);
  const claims: Record<string, unknown> = {};
  if (options.tenant !== undefined) claims[options.tenantClaim ?? 'tenant'] = options.tenant;
  if (options.groups?.length) claims.groups = options.groups;
  if (options.scope) claims.scope = options.scope;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALG, kid: privateJwk.kid!, typ: 'JWT' })
    .setSubject(options.subject ?? 'developer')
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`)
    .sign(key);
}

/** What `npm start` in jwt mode sets when no issuer is configured: trust the development key. */
export async function trustDevKeys(env: NodeJS.ProcessEnv, dir = DEV_KEY_DIR): Promise<boolean> {
  if (env.AURUM_JWKS_FILE || env.AURUM_JWKS_URL) return false;
  const { jwksFile } = await ensureDevKeys(dir);
  env.AURUM_JWKS_FILE = jwksFile;
  env.AURUM_JWT_ISSUER ??= DEV_ISSUER;
  env.AURUM_JWT_AUDIENCE ??= DEV_AUDIENCE;
  return true;
}
