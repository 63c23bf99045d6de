import type { Pool, PoolClient, PoolConfig } from 'pg';
import type { SqlQuery } from '#lib/data/sql';
import { StoreError, StoreUnavailableError, toStoreError } from './errors.ts';
import {
  type BoundStatement,
  DEFAULT_API_ROLE,
  type DriverSession,
  IDENTIFIER_SHAPE,
  type ManagedStore,
  PG_TEXT_PARSERS,
  runTenantTransaction,
  type StopWatch,
  type StoreCallOptions,
  type StoreRow,
  type StoreTransaction,
  type TransactionDriver,
} from './store.ts';

export interface PgStoreOptions {
  /** `postgres://user@host:5432/db`; `?sslmode=require` (RDS Proxy) turns TLS on. */
  url: string;
  /** Asked for on every new connection, so a rotated secret is picked up (Secrets Manager, IAM token). */
  password?: () => Promise<string>;
  /** Schema searched first (tests use a fresh one per run); `public` stays on the path for extensions. */
  schema?: string;
  /** The role tenant transactions run as; default `aurum_api`. */
  role?: string;
  /** Connections kept per container; a Lambda serves one request at a time, so 1 by default. */
  maxConnections?: number;
  connectTimeoutMs?: number;
}

/**
 * How long after the deadline the adapter drops a connection whose statement is still running: the server's
 * statement_timeout, set to the same deadline, should answer first with a clean cancel.
 */
const GRACE_MS = 250;

/**
 * The app store on a real PostgreSQL (15+) through node-postgres: in AWS, Aurora Serverless v2 behind RDS
 * Proxy. One pool per container, opened on first use and reused by every request after it.
 */
export class PgStore implements ManagedStore, TransactionDriver {
  readonly kind = 'postgres' as const;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly role: string,
  ) {}

  static async open(options: PgStoreOptions): Promise<PgStore> {
    // Loaded here so that a function that never touches the store never loads the driver.
    const { default: pg } = await import('pg');
    const url = new URL(options.url);
    const ssl = ['require', 'verify-full', 'verify-ca'].includes(url.searchParams.get('sslmode') ?? '');
    url.searchParams.delete('sslmode');
    if (options.schema !== undefined && !IDENTIFIER_SHAPE.test(options.schema))
      throw new StoreError('internal', 'the store schema name is not a plain identifier');
    const config: PoolConfig = {
      connectionString: url.toString(),
      ssl: ssl ? { rejectUnauthorized: true } : undefined,
      max: options.maxConnections ?? 1,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 0,
      // A server-side search_path and time zone, set at connect: every session reads the same schema and
      // timestamps come back in UTC.
      options: `-c TimeZone=UTC${options.schema ? ` -c search_path=${options.schema},public` : ''}`,
      types: {
        getTypeParser: ((oid: number, format?: string) => {
          const parse = PG_TEXT_PARSERS[oid];
          return parse && format !== 'binary' ? parse : pg.types.getTypeParser(oid, format as 'text');
        }) as never,
      },
      ...(options.password ? { password: options.password } : {}),
    };
    const pool = new pg.Pool(config);
    // An idle connection that dies (failover, proxy restart) must not crash the process; the next checkout
    // opens a fresh one.
    pool.on('error', () => {});
    return new PgStore(pool, options.role ?? DEFAULT_API_ROLE);
  }

  transaction<T>(tenant: string, fn: (tx: StoreTransaction) => Promise<T>, options: StoreCallOptions = {}) {
    return runTenantTransaction(this, this.role, tenant, fn, options, GRACE_MS);
  }

  query<T extends StoreRow = StoreRow>(tenant: string, query: SqlQuery, options?: StoreCallOptions) {
    return this.transaction(tenant, (tx) => tx.query<T>(query), options);
  }

  execute(tenant: string, query: SqlQuery, options?: StoreCallOptions) {
    return this.transaction(tenant, (tx) => tx.execute(query), options);
  }

  async inTransaction<T>(fn: (session: DriverSession) => Promise<T>, watch: StopWatch): Promise<T> {
    const client = await this.connect(watch);
    let broken = false;
    const drop = (reason: string) => {
      if (broken) return;
      broken = true;
      client.release(new Error(reason));
    };
    // Past the deadline (and the grace), a statement still running is ended by dropping its connection:
    // the server rolls the transaction back.
    watch.onStop(() => drop('deadline'));
    const session = sessionOf(client);
    try {
      await watch.race(client.query('BEGIN'));
      const result = await watch.race(fn(session));
      await watch.race(client.query('COMMIT'));
      return result;
    } catch (error) {
      if (!broken) {
        try {
          await client.query('ROLLBACK');
        } catch {
          drop('rollback failed');
        }
      }
      throw error;
    } finally {
      if (!broken) {
        broken = true;
        client.release();
      }
    }
  }

  async admin<T>(fn: (session: DriverSession) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError();
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    let failed = false;
    try {
      return await fn(sessionOf(client));
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // A session that failed may hold an advisory lock or an open transaction: never pool it again.
      client.release(failed ? new Error('admin session failed') : undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async connect(watch: StopWatch): Promise<PoolClient> {
    if (this.closed) throw new StoreUnavailableError();
    const connecting = this.pool.connect();
    try {
      return await watch.race(connecting);
    } catch (error) {
      // A connection that arrives after the deadline goes straight back to the pool.
      connecting.then(
        (late) => late.release(),
        () => {},
      );
      throw watch.reason ?? toStoreError(error);
    }
  }
}

function sessionOf(client: PoolClient): DriverSession {
  return {
    async run({ text, values }: BoundStatement) {
      const result = await client.query<StoreRow>(text, values);
      return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
    },
    async script(text: string) {
      await client.query(text);
    },
  };
}
