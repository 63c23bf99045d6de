import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import type { SqlQuery } from '#lib/data/sql';

/** Counts what reaches the SqlEngine port and passes every call through to the real engine. */
export class CountingEngine implements SqlEngine {
  readonly name: SqlEngine['name'];
  queries = 0;

  constructor(private readonly inner: SqlEngine) {
    this.name = inner.name;
  }

  query<T extends Row = Row>(query: SqlQuery, options?: QueryOptions): Promise<T[]> {
    this.queries += 1;
    return this.inner.query<T>(query, options);
  }

  execute(query: SqlQuery, options?: QueryOptions): Promise<number> {
    this.queries += 1;
    return this.inner.execute(query, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
