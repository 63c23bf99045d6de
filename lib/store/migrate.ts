import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError, toStoreError } from './errors.ts';
import type { DriverSession, ManagedStore } from './store.ts';

/** Where the numbered SQL files live in the repository; a bundle that copies them elsewhere says where. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** One numbered SQL file: `0004_series_curve_mapping.sql` is version 4, named `series_curve_mapping`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationReport {
  /** Versions this run applied, in order. */
  applied: number[];
  /** The highest version recorded after the run. */
  current: number;
}

/** Every runner on the database takes this lock (pg_advisory_lock's one-bigint key space), so they run one at a time. */
export const MIGRATION_LOCK_KEY = 4_193_661_127;

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export class MigrationError extends StoreError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('internal', message, options);
    this.name = 'MigrationError';
  }
}

/** Reads the numbered SQL files of a directory, in version order; a gap or a duplicate number is an error. */
export async function loadMigrations(directory: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of names) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`migration file ${file} is not named NNNN_name.sql`);
    migrations.push({
      version: Number(match[1]),
      name: match[2]!,
      sql: await readFile(join(directory, file), 'utf8'),
    });
  }
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1)
      throw new MigrationError(
        `migrations must be numbered 1, 2, 3 … without gaps; found ${migration.version} at ${i + 1}`,
      );
  });
  return migrations;
}

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order, each in its own transaction with
 * its record: a migration that fails is rolled back whole and the run stops there, leaving the schema as the
 * last good one left it. Runners take an advisory lock first, so concurrent deploys or processes apply each
 * migration once. A recorded migration whose file changed since is an error, not silently skipped.
 */
export async function migrate(
  store: ManagedStore,
  migrations?: readonly Migration[],
): Promise<MigrationReport> {
  const wanted = migrations ?? (await loadMigrations());
  return store.admin(async (session) => {
    await run(session, 'select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await session.script(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const recorded = new Map(
        (
          await run(session, 'select version, name, checksum from schema_migrations order by version', [])
        ).map((row) => [Number(row.version), String(row.checksum)]),
      );
      const applied: number[] = [];
      for (const migration of wanted) {
        const known = recorded.get(migration.version);
        if (known !== undefined) {
          if (known !== checksum(migration.sql))
            throw new MigrationError(
              `migration ${migration.version} (${migration.name}) changed after it was applied; add a new one instead`,
            );
          continue;
        }
        await session.script('BEGIN');
        try {
          await session.script(migration.sql);
          await run(session, 'insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
            migration.version,
            migration.name,
            checksum(migration.sql),
          ]);
          await session.script('COMMIT');
        } catch (error) {
          await session.script('ROLLBACK').catch(() => {});
          throw new MigrationError(
            `migration ${migration.version} (${migration.name}) failed and was rolled back`,
            {
              cause: error,
            },
          );
        }
        applied.push(migration.version);
      }
      const current = Math.max(0, ...recorded.keys(), ...applied);
      return { applied, current };
    } catch (error) {
      throw error instanceof StoreError ? error : toStoreError(error);
    } finally {
      await run(session, 'select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  });
}

async function run(session: DriverSession, text: string, values: Array<string | number>) {
  return (await session.run({ text, values })).rows;
}
