import { mkdirSync } from 'node:fs';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlQuery } from '#lib/data/sql';
import { StoreUnavailableError } from './errors.ts';
import {
  type BoundStatement,
  DEFAULT_API_ROLE,
  type DriverSession,
  type ManagedStore,
  PG_TEXT_PARSERS,
  runTenantTransaction,
  type StoreCallOptions,
  type StoreRow,
  type StoreTransaction,
  type TransactionDriver,
} from './store.ts';

export interface PgliteStoreOptions {
  /** A directory for the database files; without one the database lives in memory (tests). */
  dataDir?: string;
  /** The role tenant transactions run as; default `aurum_api`. */
  role?: string;
}

type Queryable = Pick<PGlite, 'query' | 'exec'> | Pick<Transaction, 'query' | 'exec'>;

function sessionOf(db: Queryable): DriverSession {
  return {
    async run({ text, values }: BoundStatement) {
      const result = await db.query<StoreRow>(text, values);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async script(text: string) {
      await db.exec(text);
    },
  };
}

/**
 * The embedded app store: PostgreSQL compiled to WASM, in this process (the default of `npm start`, data
 * under `.data/`). One connection, so transactions and migration sessions take turns; the WASM build cannot
 * interrupt a running statement, so the deadline is checked before and after each one instead.
 */
export class PgliteStore implements ManagedStore, TransactionDriver {
  readonly kind = 'pglite' as const;
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: PGlite,
    private readonly role: string,
  ) {}

  static async open(options: PgliteStoreOptions = {}): Promise<PgliteStore> {
    // Loaded here so that nothing bundled for a Lambda pulls the WASM build in.
    const [{ PGlite }, { pg_trgm }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
    ]);
    try {
      if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
      const db = await PGlite.create({
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        extensions: { pg_trgm },
        parsers: PG_TEXT_PARSERS,
      });
      await db.exec("set timezone = 'UTC'");
      return new PgliteStore(db, options.role ?? DEFAULT_API_ROLE);
    } catch (error) {
      throw new StoreUnavailableError({ cause: error });
    }
  }

  transaction<T>(tenant: string, fn: (tx: StoreTransaction) => Promise<T>, options: StoreCallOptions = {}) {
    return runTenantTransaction(this, this.role, tenant, fn, options, 0);
  }

  query<T extends StoreRow = StoreRow>(tenant: string, query: SqlQuery, options?: StoreCallOptions) {
    return this.transaction(tenant, (tx) => tx.query<T>(query), options);
  }

  execute(tenant: string, query: SqlQuery, options?: StoreCallOptions) {
    return this.transaction(tenant, (tx) => tx.execute(query), options);
  }

  inTransaction<T>(fn: (session: DriverSession) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.db.transaction((tx) => fn(sessionOf(tx))));
  }

  admin<T>(fn: (session: DriverSession) => Promise<T>): Promise<T> {
    return this.exclusive(() => fn(sessionOf(this.db)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.turn.catch(() => {});
    await this.db.close();
  }

  /** One caller at a time on the one connection; a failed turn does not stop the next. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError());
    const next = this.turn.then(work, work);
    this.turn = next.catch(() => {});
    return next;
  }
}
