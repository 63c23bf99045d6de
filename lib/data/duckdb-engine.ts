import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';
import { type ColumnValue, isoTimestamp, numberValue, plainValue } from './column-values.ts';
import { watchQuery } from './deadline.ts';
import { DataAccessError, type QueryOptions, type Row, type SqlEngine } from './engine.ts';
import { type SqlParam, type SqlQuery, toPositional } from './sql.ts';

type DuckDbApi = typeof import('@duckdb/node-api');
type ReadColumn = (value: unknown) => ColumnValue;

export interface DuckDbOpenOptions {
  /** Open the file read-only (what the local API does); the sample-data generator opens it read-write. */
  readOnly?: boolean;
}

/** Idle connections kept for reuse; more run concurrently when needed, and the surplus is closed. */
const MAX_IDLE_CONNECTIONS = 4;
/** An interrupt that lands before DuckDB starts the statement is lost, so it is repeated until the query settles. */
const INTERRUPT_REPEAT_MS = 25;
/** DuckDB errors that mean the statement itself is wrong (syntax, unknown table or column), maybe wrapped once. */
const INVALID_QUERY_ERROR = /^(?:[A-Za-z ]+: )?(?:Parser|Binder|Catalog) Error/;

/** The embedded engine: a local DuckDB file made by the sample-data generator. It never ships in a Lambda. */
export class DuckDbEngine implements SqlEngine {
  readonly name = 'duckdb' as const;
  private readonly idle: DuckDBConnection[] = [];
  private closed = false;

  private constructor(
    private readonly api: DuckDbApi,
    private readonly instance: DuckDBInstance,
  ) {}

  static async open(path: string, options: DuckDbOpenOptions = {}): Promise<DuckDbEngine> {
    // Loaded here so that nothing bundled for a Lambda ever pulls the native module in.
    const api = await import('@duckdb/node-api');
    try {
      const instance = await api.DuckDBInstance.create(path, {
        access_mode: options.readOnly ? 'READ_ONLY' : 'READ_WRITE',
      });
      return new DuckDbEngine(api, instance);
    } catch (error) {
      throw new DataAccessError('unavailable', 'the local DuckDB database could not be opened', {
        cause: error,
      });
    }
  }

  async query<T extends Row = Row>(query: SqlQuery, options: QueryOptions = {}): Promise<T[]> {
    const reader = await this.run(query, options);
    return this.rowsOf(reader) as T[];
  }

  async execute(query: SqlQuery, options: QueryOptions = {}): Promise<number> {
    const reader = await this.run(query, options);
    return reader.rowsChanged;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.closeSync();
    this.instance.closeSync();
  }

  private async run(query: SqlQuery, options: QueryOptions): Promise<DuckDBResultReader> {
    if (this.closed) throw new DataAccessError('internal', 'the DuckDB engine is closed');
    const watch = watchQuery(options);
    try {
      watch.throwIfStopped();
      const { text, params } = toPositional(query);
      const connection = await this.acquire();
      const running = connection.runAndReadAll(text, params.map(duckDbValue));
      const settled = running.then(
        () => true,
        () => true,
      );
      watch.onStop(() => interruptUntilSettled(connection, settled));
      void settled.then(() => this.release(connection));
      return await watch.race(running);
    } catch (error) {
      throw watch.reason ?? toDataAccessError(error);
    } finally {
      watch.dispose();
    }
  }

  private async acquire(): Promise<DuckDBConnection> {
    return this.idle.pop() ?? (await this.instance.connect());
  }

  private release(connection: DuckDBConnection): void {
    if (this.closed || this.idle.length >= MAX_IDLE_CONNECTIONS) connection.closeSync();
    else this.idle.push(connection);
  }

  private rowsOf(reader: DuckDBResultReader): Row[] {
    const names = reader.columnNames();
    const readers = names.map((_, i) => this.columnReader(reader.columnTypeId(i)));
    return reader.getRowsJson().map((values) => {
      const row: Row = {};
      names.forEach((name, i) => {
        row[name] = readers[i]!(values[i]);
      });
      return row;
    });
  }

  /** getRowsJson gives BIGINT, HUGEINT and DECIMAL as strings and timestamps as DuckDB text; normalise them. */
  private columnReader(typeId: number): ReadColumn {
    const T = this.api.DuckDBTypeId;
    switch (typeId) {
      case T.TINYINT:
      case T.SMALLINT:
      case T.INTEGER:
      case T.BIGINT:
      case T.HUGEINT:
      case T.UTINYINT:
      case T.USMALLINT:
      case T.UINTEGER:
      case T.UBIGINT:
      case T.UHUGEINT:
      case T.DECIMAL:
      case T.FLOAT:
      case T.DOUBLE:
        return numberValue;
      case T.TIMESTAMP:
      case T.TIMESTAMP_S:
      case T.TIMESTAMP_MS:
      case T.TIMESTAMP_NS:
      case T.TIMESTAMP_TZ:
        return isoTimestamp;
      default:
        return plainValue;
    }
  }
}

/** Non-varchar parameters are cast in the SQL text by toPositional; bigints bind as BIGINT to keep precision. */
function duckDbValue(param: SqlParam): DuckDBValue {
  if (param.value === null) return null;
  if (param.type === 'bigint') return BigInt(param.value as number);
  return param.value;
}

function interruptUntilSettled(connection: DuckDBConnection, settled: Promise<boolean>): void {
  let done = false;
  void settled.then(() => {
    done = true;
  });
  const interrupt = () => {
    if (done) return;
    connection.interrupt();
    setTimeout(interrupt, INTERRUPT_REPEAT_MS);
  };
  interrupt();
}

function toDataAccessError(error: unknown): DataAccessError {
  if (error instanceof DataAccessError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (INVALID_QUERY_ERROR.test(message)) {
    return new DataAccessError('invalid-query', 'DuckDB rejected the query', { cause: error });
  }
  return new DataAccessError('internal', 'the DuckDB query failed', { cause: error });
}
