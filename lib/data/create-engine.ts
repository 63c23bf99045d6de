import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlEngine } from './engine.ts';

/** The repository root (where package.json lives): this file sits in `lib/data/`. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_DUCKDB_PATH = '.data/aurum.duckdb';

/**
 * The engine this environment asks for: Trino when `AURUM_TRINO_URL` is set, else the local DuckDB file
 * (`AURUM_DUCKDB_PATH`, relative to the repository root), read-only. Each adapter is imported only when
 * chosen, so a Lambda never loads DuckDB and the local runtime never loads the Trino client.
 */
export async function createEngine(env: NodeJS.ProcessEnv = process.env): Promise<SqlEngine> {
  if (env.AURUM_TRINO_URL) {
    const { TrinoEngine } = await import('./trino-engine.ts');
    return TrinoEngine.fromEnv(env);
  }
  const { DuckDbEngine } = await import('./duckdb-engine.ts');
  return DuckDbEngine.open(duckDbPath(env), { readOnly: true });
}

export function duckDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(REPO_ROOT, env.AURUM_DUCKDB_PATH || DEFAULT_DUCKDB_PATH);
}
