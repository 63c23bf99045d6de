import type { SqlQuery } from './sql.ts';

/** A row as the engines hand it back: dates as ISO strings, decimals and integers as numbers. */
export type Row = Record<string, string | number | boolean | null>;

export interface QueryOptions {
  /** Absolute deadline, epoch milliseconds. Past it the engine gives up (and cancels remote work). */
  deadline?: number;
  signal?: AbortSignal;
}

/** The data-access port. Services see only this; adapters are DuckDB (local) and Trino (production). */
export interface SqlEngine {
  readonly name: 'duckdb' | 'trino';
  query<T extends Row = Row>(query: SqlQuery, options?: QueryOptions): Promise<T[]>;
  execute(query: SqlQuery, options?: QueryOptions): Promise<number>;
  close(): Promise<void>;
}

/** Why a query failed, in words the HTTP layer maps to problems (timeout → 504, unavailable → 503). */
export type DataFailureKind = 'timeout' | 'unavailable' | 'invalid-query' | 'internal';

/** Node socket errors that mean a data store was never reached or went away: unavailable, not a bug. */
export const UNREACHABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

export class DataAccessError extends Error {
  readonly kind: DataFailureKind;
  readonly retryAfterSeconds?: number;

  constructor(
    kind: DataFailureKind,
    message: string,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DataAccessError';
    this.kind = kind;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
