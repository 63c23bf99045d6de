/**
 * A backend for the fake Trino server that runs each statement on an in-memory DuckDB and answers in
 * Trino's wire encoding (type names, decimals as strings, timestamps as `YYYY-MM-DD HH:MM:SS.fff[ UTC]`,
 * errors as USER_ERROR / INTERNAL_ERROR), so TrinoEngine's literals are executed and its decoding is
 * checked against real results rather than against rows a test wrote by hand.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import {
  type TrinoAnswer,
  type TrinoBackend,
  type TrinoFailure,
  TrinoQueryFailure,
} from './fake-trino-server.ts';

const WRITE = /^\s*(INSERT|UPDATE|DELETE|MERGE)\b/i;
const DDL = /^\s*(CREATE|DROP|ALTER)\s+(\w+)/i;
const INTERRUPT_REPEAT_MS = 25;

export interface DuckDbTrinoBackend {
  backend: TrinoBackend;
  close(): void;
}

export interface DuckDbTrinoOptions {
  /**
   * A DuckDB file to answer from, opened read-only (the sample database: the tables production reads through
   * Trino); without it, an empty in-memory database.
   */
  database?: string;
}

export async function duckDbTrinoBackend(options: DuckDbTrinoOptions = {}): Promise<DuckDbTrinoBackend> {
  const api = await import('@duckdb/node-api');
  const instance: DuckDBInstance =
    options.database === undefined
      ? await api.DuckDBInstance.create(':memory:')
      : await api.DuckDBInstance.create(options.database, { access_mode: 'READ_ONLY' });
  const T = api.DuckDBTypeId;

  const trinoType = (type: DuckDBType): string => {
    switch (type.typeId) {
      case T.BOOLEAN:
        return 'boolean';
      case T.TINYINT:
      case T.SMALLINT:
      case T.INTEGER:
        return 'integer';
      case T.BIGINT:
      case T.HUGEINT:
        return 'bigint';
      case T.FLOAT:
        return 'real';
      case T.DOUBLE:
        return 'double';
      case T.DECIMAL:
        return type.toString().toLowerCase().replace(/\s/g, '');
      case T.DATE:
        return 'date';
      case T.TIMESTAMP:
        return 'timestamp(3)';
      case T.TIMESTAMP_TZ:
        return 'timestamp(3) with time zone';
      default:
        return 'varchar';
    }
  };

  const encode = (trino: string, value: unknown): unknown => {
    if (value === null || value === undefined) return null;
    if (trino === 'bigint' || trino === 'integer') return Number(value);
    if (trino.startsWith('timestamp')) return trinoTimestamp(String(value), trino.endsWith('time zone'));
    return value;
  };

  const backend: TrinoBackend = async (statement, signal) => {
    const connection: DuckDBConnection = await instance.connect();
    const running = connection.runAndReadAll(statement);
    const settled = running.then(
      () => true,
      () => true,
    );
    const interrupt = () => {
      let finished = false;
      void settled.then(() => {
        finished = true;
      });
      const again = () => {
        if (finished) return;
        connection.interrupt();
        setTimeout(again, INTERRUPT_REPEAT_MS);
      };
      again();
    };
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      const reader = await running;
      if (WRITE.test(statement)) {
        const [verb] = WRITE.exec(statement)!.slice(1);
        return { columns: [], rows: [], updateType: verb!.toUpperCase(), updateCount: reader.rowsChanged };
      }
      const ddl = DDL.exec(statement);
      if (ddl) return { columns: [], rows: [], updateType: `${ddl[1]} ${ddl[2]}`.toUpperCase() };
      const columns = reader
        .columnNames()
        .map((name, i) => ({ name, type: trinoType(reader.columnType(i)) }));
      const rows = reader
        .getRowsJson()
        .map((values) => values.map((value, i) => encode(columns[i]!.type, value)));
      return { columns, rows } satisfies TrinoAnswer;
    } catch (error) {
      throw new TrinoQueryFailure(trinoFailure(error));
    } finally {
      signal.removeEventListener('abort', interrupt);
      void settled.then(() => connection.closeSync());
    }
  };

  return { backend, close: () => instance.closeSync() };
}

const DUCKDB_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?([+-]\d{2}(?::?\d{2})?)?$/;

/** DuckDB's `2024-03-01 06:30:00.25[+00]` as Trino writes a timestamp(3): `2024-03-01 06:30:00.250[ UTC]`. */
function trinoTimestamp(text: string, withZone: boolean): string {
  const match = DUCKDB_TIMESTAMP.exec(text);
  if (!match) return text;
  const [, date, time, fraction = '', zone] = match;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  if (!withZone) return `${date} ${time}.${millis}`;
  const offset = zone ? `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '').padEnd(2, '0')}` : 'Z';
  const instant = new Date(`${date}T${time}.${millis}${offset}`).toISOString();
  return `${instant.slice(0, 10)} ${instant.slice(11, 23)} UTC`;
}

/** DuckDB's error classes as the Trino error a coordinator would send for the same mistake. */
function trinoFailure(error: unknown): TrinoFailure {
  const message = error instanceof Error ? error.message : String(error);
  const user = (errorName: string, errorCode: number): TrinoFailure => ({
    message,
    errorName,
    errorType: 'USER_ERROR',
    errorCode,
  });
  if (/Parser Error/.test(message)) return user('SYNTAX_ERROR', 1);
  if (/Catalog Error/.test(message)) return user('TABLE_NOT_FOUND', 46);
  if (/Binder Error/.test(message)) return user('COLUMN_NOT_FOUND', 47);
  if (/Conversion Error/.test(message)) return user('INVALID_CAST_ARGUMENT', 38);
  if (/INTERRUPT/i.test(message)) return user('USER_CANCELED', 3);
  return { message, errorName: 'GENERIC_INTERNAL_ERROR', errorType: 'INTERNAL_ERROR', errorCode: 65536 };
}
