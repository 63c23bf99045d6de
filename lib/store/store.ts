import type { SqlQuery, SqlType } from '#lib/data/sql';
import { StoreError, StoreTimeoutError, toStoreError } from './errors.ts';

/**
 * The app-store port: tenant-owned records in PostgreSQL (scenarios, runs, PPA contracts, series–curve
 * mappings, idempotency records). Every call runs inside one transaction for one tenant: the adapter sets
 * `app.tenant` (which the row-level security policies read) and the API role for that transaction only, and
 * turns the caller's deadline into `statement_timeout`. Statements are `sql` templates from `#lib/data/sql`,
 * so values are always bound as `$1 …`, never pasted into the text.
 */
export interface AppStore {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in one transaction as `tenant`: committed when `fn` resolves, rolled back when it throws (the
   * error is rethrown, driver errors as StoreErrors). Past the deadline, or once `signal` aborts, the
   * transaction is rolled back and a StoreTimeoutError thrown.
   */
  transaction<T>(
    tenant: string,
    fn: (tx: StoreTransaction) => Promise<T>,
    options?: StoreCallOptions,
  ): Promise<T>;
  /** One statement in its own transaction as `tenant`; the rows it returned. */
  query<T extends StoreRow = StoreRow>(
    tenant: string,
    query: SqlQuery,
    options?: StoreCallOptions,
  ): Promise<T[]>;
  /** One statement in its own transaction as `tenant`; how many rows it changed. */
  execute(tenant: string, query: SqlQuery, options?: StoreCallOptions): Promise<number>;
  close(): Promise<void>;
}

export interface StoreTransaction {
  readonly tenant: string;
  query<T extends StoreRow = StoreRow>(query: SqlQuery): Promise<T[]>;
  /** Rows changed (INSERT, UPDATE, DELETE), or rows returned for a SELECT. */
  execute(query: SqlQuery): Promise<number>;
}

export interface StoreCallOptions {
  /** Absolute deadline, epoch milliseconds. */
  deadline?: number;
  signal?: AbortSignal;
}

/**
 * A row as both adapters hand it back: integers and numerics as numbers (strings past 2^53), timestamps as
 * ISO 8601 UTC strings, dates as `YYYY-MM-DD`, json/jsonb parsed, uuids and text as strings.
 */
export type StoreRow = Record<string, unknown>;

/** The role every tenant transaction runs as: no BYPASSRLS, not the tables' owner (migration 0002). */
export const DEFAULT_API_ROLE = 'aurum_api';

const TENANT_SHAPE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const IDENTIFIER_SHAPE = /^[a-z_][a-z0-9_]{0,62}$/;

/** A statement as a driver takes it: text with `$n` placeholders and the values in order. */
export interface BoundStatement {
  text: string;
  values: Array<string | number | boolean | null>;
}

/**
 * Renders a `sql` template for PostgreSQL: each value becomes `$n` (with a cast when the template typed it),
 * each whitelisted identifier its name. No value is ever written into the text.
 */
export function toBound(query: SqlQuery): BoundStatement {
  let text = '';
  const values: BoundStatement['values'] = [];
  for (const part of query.parts) {
    if (typeof part === 'string') text += part;
    else if ('type' in part) {
      values.push(part.value);
      text += `$${values.length}${PG_CASTS[part.type]}`;
    } else text += part.name;
  }
  return { text, values };
}

/**
 * Casts for the template's SQL types. Strings stay untyped, so PostgreSQL infers them from where they stand
 * (a uuid, jsonb or text column); numbers and booleans say what they are, as `limit $1` or `= $2` need.
 */
const PG_CASTS: Record<SqlType, string> = {
  varchar: '',
  double: '::double precision',
  bigint: '::bigint',
  boolean: '::boolean',
  date: '::date',
  timestamp: '::timestamptz',
};

/* ---------------------------------------------------------------- row values, the same on both adapters */

const TIMESTAMP_TEXT =
  /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-]\d{2})(?::?(\d{2}))?)?$/;

/** PostgreSQL's text form of a timestamp(tz) as ISO 8601 UTC; timestamps without zone are read as UTC. */
export function isoFromPgTimestamp(text: string): string {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return text; // infinity, BC dates: left as the database wrote them
  const offset = m[3] ? `${m[3]}:${m[4] ?? '00'}` : 'Z';
  const date = new Date(`${m[1]}T${m[2]}${offset}`);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

const numberOrText = (text: string): number | string => {
  const n = Number(text);
  return Number.isFinite(n) && (Number.isSafeInteger(n) || !/^-?\d+$/.test(text)) ? n : text;
};

/** Text parsers by type OID, given to both drivers. */
export const PG_TEXT_PARSERS: Record<number, (text: string) => unknown> = {
  20: numberOrText, // int8
  21: Number, // int2
  23: Number, // int4
  700: Number, // float4
  701: Number, // float8
  1700: numberOrText, // numeric
  16: (text) => text === 't' || text === 'true', // bool
  1082: (text) => text, // date
  1114: isoFromPgTimestamp, // timestamp
  1184: isoFromPgTimestamp, // timestamptz
  114: (text) => JSON.parse(text), // json
  3802: (text) => JSON.parse(text), // jsonb
};

/* ---------------------------------------------------------------- the transaction, shared by both adapters */

/** One connection's worth of statements, as an adapter provides it. */
export interface DriverSession {
  run(statement: BoundStatement): Promise<{ rows: StoreRow[]; rowCount: number }>;
  /** Several statements in one simple-protocol call (migrations); no parameters. */
  script(text: string): Promise<void>;
}

export interface TransactionDriver {
  /**
   * Runs `fn` between BEGIN and COMMIT on one connection (ROLLBACK when it throws). `stop` fires when the
   * deadline (plus the adapter's grace) passes or the caller aborts; the adapter then ends the work as it
   * can (node-postgres drops the connection; PGlite, which cannot interrupt a statement, checks between them).
   */
  inTransaction<T>(fn: (session: DriverSession) => Promise<T>, stop: StopWatch): Promise<T>;
}

/** The deadline and the abort signal as one condition. */
export class StopWatch {
  private readonly callbacks: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reasonValue: StoreTimeoutError | undefined;
  private readonly onAbort = () => this.stop(new StoreTimeoutError({ cause: this.options.signal?.reason }));

  constructor(
    private readonly options: StoreCallOptions,
    /** How long after the deadline the watch itself fires: the server's own timeout should win. */
    graceMs = 0,
  ) {
    if (options.signal?.aborted) this.onAbort();
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.deadline !== undefined && !this.reasonValue) {
      const delay = Math.min(2_147_483_647, Math.max(0, options.deadline - Date.now() + graceMs));
      this.timer = setTimeout(() => this.stop(new StoreTimeoutError()), delay);
    }
  }

  get reason(): StoreTimeoutError | undefined {
    return this.reasonValue;
  }

  /** Milliseconds before the deadline (Infinity without one). */
  remainingMs(): number {
    return this.options.deadline === undefined
      ? Number.POSITIVE_INFINITY
      : this.options.deadline - Date.now();
  }

  /** Throws the timeout error once the deadline passed or the signal aborted. */
  check(): void {
    if (!this.reasonValue && this.remainingMs() <= 0) this.stop(new StoreTimeoutError());
    if (this.reasonValue) throw this.reasonValue;
  }

  onStop(callback: () => void): void {
    if (this.reasonValue) callback();
    else this.callbacks.push(callback);
  }

  /** Settles as `work` does, unless the watch stops first. */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.reasonValue) return Promise.reject(this.reasonValue);
    return new Promise<T>((resolve, reject) => {
      this.onStop(() => reject(this.reasonValue));
      work.then(resolve, reject);
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  private stop(reason: StoreTimeoutError): void {
    if (this.reasonValue) return;
    this.reasonValue = reason;
    for (const callback of this.callbacks.splice(0)) callback();
  }
}

export function assertTenant(tenant: string): void {
  // The tenant reaches SQL only as a bound value; the shape check keeps an empty or odd one from ever
  // matching rows written under some other spelling.
  if (typeof tenant !== 'string' || !TENANT_SHAPE.test(tenant))
    throw new StoreError('internal', 'the tenant id is not a valid tenant');
}

/**
 * The transaction both adapters run: tenant, role and statement timeout set with `set_config(…, true)`, so
 * they end with the transaction and a pooled connection never carries one tenant into the next.
 */
export async function runTenantTransaction<T>(
  driver: TransactionDriver,
  role: string,
  tenant: string,
  fn: (tx: StoreTransaction) => Promise<T>,
  options: StoreCallOptions,
  graceMs: number,
): Promise<T> {
  assertTenant(tenant);
  const watch = new StopWatch(options, graceMs);
  // What `fn` threw leaves as it was thrown: a domain's own error is not a store failure.
  let fnFailure: { error: unknown } | undefined;
  try {
    watch.check();
    return await driver.inTransaction(async (session) => {
      const timeoutMs = watch.remainingMs();
      await session.run({
        // Without a deadline the server's own statement_timeout stays in force.
        text: "select set_config('app.tenant', $1, true), set_config('role', $2, true), set_config('statement_timeout', coalesce($3, current_setting('statement_timeout')), true)",
        values: [tenant, role, Number.isFinite(timeoutMs) ? String(Math.max(1, Math.ceil(timeoutMs))) : null],
      });
      let open = true;
      const run = async (query: SqlQuery) => {
        if (!open) throw new StoreError('internal', 'the transaction has ended');
        watch.check();
        try {
          const result = await session.run(toBound(query));
          // PGlite cannot interrupt a statement: one that overran the deadline fails here, after the fact.
          watch.check();
          return result;
        } catch (error) {
          throw watch.reason ?? toStoreError(error);
        }
      };
      const tx: StoreTransaction = {
        tenant,
        query: async <R extends StoreRow = StoreRow>(query: SqlQuery) => (await run(query)).rows as R[],
        execute: async (query: SqlQuery) => (await run(query)).rowCount,
      };
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        fnFailure = { error };
        throw error;
      } finally {
        open = false;
      }
      watch.check();
      return result;
    }, watch);
  } catch (error) {
    if (fnFailure && fnFailure.error === error) throw error;
    throw watch.reason ?? toStoreError(error);
  } finally {
    watch.dispose();
  }
}

/**
 * A store the migration runner can drive: an owner session outside any tenant transaction, for DDL and the
 * advisory lock. Only migrations use it; request code sees the AppStore port alone.
 */
export interface ManagedStore extends AppStore {
  admin<T>(fn: (session: DriverSession) => Promise<T>): Promise<T>;
}
