import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreUnavailableError } from './errors.ts';
import type { ManagedStore } from './store.ts';

/** The repository root (where package.json lives): this file sits in `lib/store/`. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_PGLITE_DIR = '.data/appstore';

export interface CreateStoreOptions {
  /** Reads a Secrets Manager secret's string by ARN (the Lambda's cached Powertools provider). */
  readSecret?: (arn: string) => Promise<string>;
}

/**
 * The app store this environment asks for:
 * - `AURUM_STORE_URL=postgres://…` (or `postgresql://`): node-postgres, with the password from the secret
 *   named by `AURUM_STORE_SECRET_ARN` when set (its JSON `password`), else from the URL;
 *   `AURUM_STORE_SCHEMA` puts a schema first on the search path;
 * - `AURUM_STORE_URL=memory:`: PGlite in memory (nothing kept);
 * - unset: PGlite with its files in `AURUM_STORE_DIR` (default `.data/appstore`, relative to the repository).
 * Each adapter is imported only when chosen, and nothing is imported until this runs.
 */
export async function createStore(
  env: NodeJS.ProcessEnv = process.env,
  options: CreateStoreOptions = {},
): Promise<ManagedStore> {
  const url = env.AURUM_STORE_URL?.trim();
  if (url && /^postgres(?:ql)?:\/\//.test(url)) {
    const { PgStore } = await import('./pg-store.ts');
    const secretArn = env.AURUM_STORE_SECRET_ARN?.trim();
    return PgStore.open({
      url,
      schema: env.AURUM_STORE_SCHEMA?.trim() || undefined,
      role: env.AURUM_STORE_ROLE?.trim() || undefined,
      ...(secretArn ? { password: () => secretPassword(secretArn, options) } : {}),
    });
  }
  const { PgliteStore } = await import('./pglite-store.ts');
  if (url === 'memory:') return PgliteStore.open({ role: env.AURUM_STORE_ROLE?.trim() || undefined });
  if (url)
    throw new StoreUnavailableError({
      cause: new Error('AURUM_STORE_URL is neither postgres:// nor memory:'),
    });
  return PgliteStore.open({ dataDir: pgliteDir(env), role: env.AURUM_STORE_ROLE?.trim() || undefined });
}

export function pgliteDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(REPO_ROOT, env.AURUM_STORE_DIR || DEFAULT_PGLITE_DIR);
}

let provider: Promise<{ get(name: string, options: { maxAge: number }): Promise<unknown> }> | undefined;

async function secretPassword(arn: string, options: CreateStoreOptions): Promise<string> {
  try {
    const read =
      options.readSecret ??
      (async (name: string) => {
        provider ??= import('@aws-lambda-powertools/parameters/secrets').then((m) => new m.SecretsProvider());
        // Cached for five minutes, then read again: a rotated password reaches new connections.
        const value = await (await provider).get(name, { maxAge: 300 });
        return typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('utf8');
      });
    const parsed = JSON.parse(await read(arn)) as { password?: unknown };
    if (typeof parsed.password !== 'string') throw new Error('the secret has no password');
    return parsed.password;
  } catch (error) {
    // Never the secret's text: only that it could not be read.
    throw new StoreUnavailableError({ cause: error instanceof SyntaxError ? undefined : error });
  }
}

/** One store per container: opened on first use, reused by every call after it. */
let shared: Promise<ManagedStore> | undefined;

export function sharedStore(
  env: NodeJS.ProcessEnv = process.env,
  options?: CreateStoreOptions,
): Promise<ManagedStore> {
  if (!shared) {
    shared = createStore(env, options);
    // A failed open is not kept: the next request tries again.
    shared.catch(() => {
      shared = undefined;
    });
  }
  return shared;
}

let migrated: Promise<ManagedStore> | undefined;

/**
 * The container's app store, ready for requests. The embedded PGlite store has no deploy step, so its
 * migrations are applied here, once, before the first statement (under the same advisory lock as
 * anywhere); PostgreSQL is migrated by the deploy's trigger (or `npm start`) before functions change.
 */
export function appStore(
  env: NodeJS.ProcessEnv = process.env,
  options?: CreateStoreOptions,
): Promise<ManagedStore> {
  migrated ??= sharedStore(env, options).then(async (store) => {
    if (store.kind === 'pglite') {
      const { migrate } = await import('./migrate.ts');
      await migrate(store);
    }
    return store;
  });
  migrated.catch(() => {
    migrated = undefined;
  });
  return migrated;
}
