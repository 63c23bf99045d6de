import type { Iterator as PageIterator, QueryError, QueryResult, Trino } from 'trino-client';
import { type ColumnValue, isoTimestamp, numberValue, plainValue } from './column-values.ts';
import { type QueryWatch, watchQuery } from './deadline.ts';
import {
  DataAccessError,
  type QueryOptions,
  type Row,
  type SqlEngine,
  UNREACHABLE_SOCKET_CODES,
} from './engine.ts';
import { type SqlQuery, toInline } from './sql.ts';

export interface TrinoEngineOptions {
  /** Coordinator URL, e.g. `http://trino:8080`. */
  server: string;
  user?: string;
  catalog?: string;
  schema?: string;
  /** Basic auth password (sent with `user`). */
  password?: string;
  /** Bearer token (OAuth2/JWT), sent as `Authorization: Bearer …` alongside an explicit `X-Trino-User`. */
  token?: string;
  /** `X-Trino-Source`, shown in the Trino UI and query logs. */
  source?: string;
  /** Attempts for a request answered 502, 503 or 504 (the first included). */
  maxAttempts?: number;
  /** First backoff between those attempts; it doubles each time. */
  backoffMs?: number;
}

/** Failures that mean "Trino cannot take work now": the HTTP layer answers 503 with this Retry-After. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
const RETRYABLE_STATUS = new Set([502, 503, 504]);
/** How long a cancel may hold up the timeout answer; the cancel is best effort. */
const CANCEL_WAIT_MS = 500;

type ReadColumn = (value: unknown) => ColumnValue;

interface StatementResult {
  rows: Row[];
  updateCount: number | undefined;
}

/** What trino-client's axios requests reject with, read structurally so axios is never imported here. */
interface HttpFailure {
  isAxiosError: true;
  code?: string;
  response?: { status: number };
}

/** The production engine: Trino over its client REST protocol, through `trino-client`. */
export class TrinoEngine implements SqlEngine {
  readonly name = 'trino' as const;
  private client: Promise<Trino> | undefined;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: TrinoEngineOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffMs = options.backoffMs ?? 100;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): TrinoEngine {
    const server = env.AURUM_TRINO_URL;
    if (!server) throw new TypeError('AURUM_TRINO_URL is not set');
    return new TrinoEngine({
      server,
      user: env.AURUM_TRINO_USER || 'aurum',
      catalog: env.AURUM_TRINO_CATALOG || 'iceberg',
      schema: env.AURUM_TRINO_SCHEMA || 'market',
      password: env.AURUM_TRINO_PASSWORD || undefined,
      token: env.AURUM_TRINO_TOKEN || undefined,
    });
  }

  async query<T extends Row = Row>(query: SqlQuery, options: QueryOptions = {}): Promise<T[]> {
    return (await this.run(query, options)).rows as T[];
  }

  async execute(query: SqlQuery, options: QueryOptions = {}): Promise<number> {
    return (await this.run(query, options)).updateCount ?? 0;
  }

  async close(): Promise<void> {
    // Nothing to release: every request is its own HTTP call.
  }

  private async run(query: SqlQuery, options: QueryOptions): Promise<StatementResult> {
    const watch = watchQuery(options);
    let trino: Trino | undefined;
    let pages: PageIterator<QueryResult> | undefined;
    let submission: Promise<PageIterator<QueryResult>> | undefined;
    try {
      watch.throwIfStopped();
      const statement = toInline(query);
      trino = await watch.race(this.trino());
      const client = trino;
      pages = await this.withRetry(watch, () => {
        submission = client.query(statement);
        return submission;
      });
      return await this.collect(watch, pages);
    } catch (error) {
      if (watch.reason && trino) await cancel(trino, pages ?? submission);
      throw watch.reason ?? toDataAccessError(error);
    } finally {
      watch.dispose();
    }
  }

  /** Reads every page: trino-client reports a failed query as an ordinary page carrying `error`. */
  private async collect(watch: QueryWatch, pages: PageIterator<QueryResult>): Promise<StatementResult> {
    const result: StatementResult = { rows: [], updateCount: undefined };
    const absorbed = new Set<QueryResult>();
    for (;;) {
      const step = await this.withRetry(watch, () => pages.next());
      const page: QueryResult | undefined = step.value;
      // The iterator hands the last page back again when it is done (or the first answer, if it was final).
      if (page && !absorbed.has(page)) {
        absorbed.add(page);
        absorbPage(page, result);
      }
      if (step.done) return result;
    }
  }

  /** Retries a request answered 502, 503 or 504, with exponential backoff that must end before the deadline. */
  private async withRetry<T>(watch: QueryWatch, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await watch.race(request());
      } catch (error) {
        const backoff = this.backoffMs * 2 ** (attempt - 1);
        const retryable = isHttpFailure(error) && RETRYABLE_STATUS.has(error.response?.status ?? 0);
        if (!retryable || attempt >= this.maxAttempts || backoff >= watch.remainingMs()) throw error;
        await watch.race(new Promise((resolve) => setTimeout(resolve, backoff)));
      }
    }
  }

  /** trino-client (and axios under it) are loaded on the first query, not at cold start. */
  private trino(): Promise<Trino> {
    this.client ??= import('trino-client').then(({ BasicAuth, Trino }) => {
      const { server, user = 'aurum', catalog, schema, password, token, source = 'aurum-api' } = this.options;
      const extraHeaders: Record<string, string> = { 'X-Trino-User': user };
      if (token) extraHeaders.Authorization = `Bearer ${token}`;
      return Trino.create({
        server,
        catalog,
        schema,
        source,
        extraHeaders,
        auth: password && !token ? new BasicAuth(user, password) : undefined,
      });
    });
    this.client.catch(() => {
      this.client = undefined;
    });
    return this.client;
  }
}

function absorbPage(page: QueryResult, result: StatementResult): void {
  if (page.error) throw errorFromPage(page.error);
  const updateCount = (page as QueryResult & { updateCount?: number }).updateCount;
  if (typeof updateCount === 'number') result.updateCount = updateCount;
  if (!page.data?.length) return;
  const columns = page.columns ?? [];
  const readers = columns.map((column) => columnReader(column.type));
  for (const values of page.data) {
    const row: Row = {};
    columns.forEach((column, i) => {
      row[column.name] = readers[i]!(values[i]);
    });
    result.rows.push(row);
  }
}

/** Trino's JSON encoding: decimals and dates as strings, timestamps as `YYYY-MM-DD HH:MM:SS.fff[ zone]`. */
function columnReader(type: string): ReadColumn {
  const base = type.toLowerCase().replace(/\(.*$/, '').trim();
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'real':
    case 'double':
    case 'decimal':
      return numberValue;
    case 'timestamp':
      return isoTimestamp;
    case 'boolean':
      return (value) => (value === null || value === undefined ? null : value === true || value === 'true');
    default:
      return plainValue;
  }
}

/**
 * The cancel trino-client offers (`DELETE /v1/query/{id}`). The query id lives on the iterator's current
 * page, which trino-client 0.2.9 keeps in a private field; the fake Trino server test pins this.
 */
async function cancel(
  trino: Trino,
  query: PageIterator<QueryResult> | Promise<PageIterator<QueryResult>> | undefined,
): Promise<void> {
  if (query instanceof Promise) {
    // The statement may still be accepted after we stopped waiting for it: cancel it then, without waiting.
    void query.then(
      (late) => cancel(trino, late),
      () => {},
    );
    return;
  }
  const pages = query;
  const current = (pages as unknown as { iter?: { queryResult?: QueryResult } }).iter?.queryResult;
  if (!current?.id) return;
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CANCEL_WAIT_MS);
  });
  await Promise.race([
    trino.cancel(current.id).then(
      () => {},
      () => {},
    ),
    giveUp,
  ]);
  clearTimeout(timer);
}

/** Only Trino's error name travels in the message: its text quotes the SQL. The original stays as `cause`. */
function errorFromPage(error: QueryError): DataAccessError {
  const name = /^[A-Z0-9_]{1,64}$/.test(error.errorName ?? '') ? error.errorName : 'UNKNOWN';
  switch (error.errorType) {
    case 'USER_ERROR':
      return new DataAccessError('invalid-query', `Trino rejected the query (${name})`, { cause: error });
    case 'INSUFFICIENT_RESOURCES':
    case 'EXTERNAL':
      return new DataAccessError('unavailable', `Trino could not run the query (${name})`, {
        cause: error,
        retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      });
    default:
      return new DataAccessError('internal', `Trino failed the query (${name})`, { cause: error });
  }
}

function isHttpFailure(error: unknown): error is HttpFailure {
  return typeof error === 'object' && error !== null && (error as HttpFailure).isAxiosError === true;
}

/** Axios messages name the host and port, so none of them is reused here. */
function toDataAccessError(error: unknown): DataAccessError {
  if (error instanceof DataAccessError) return error;
  if (isHttpFailure(error)) {
    const status = error.response?.status;
    if (
      (status !== undefined && RETRYABLE_STATUS.has(status)) ||
      UNREACHABLE_SOCKET_CODES.has(error.code ?? '')
    ) {
      return new DataAccessError('unavailable', 'Trino is unavailable', {
        cause: error,
        retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      });
    }
    const answer = status === undefined ? 'failed' : `answered HTTP ${status}`;
    return new DataAccessError('internal', `the request to Trino ${answer}`, { cause: error });
  }
  return new DataAccessError('internal', 'the Trino query failed', { cause: error });
}
