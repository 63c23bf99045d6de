import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { empty, ident, join, param, sql, toInline, toPositional, trinoLiteral } from '#lib/data/sql';

const SORTABLE = ['asof_date', 'iso', 'curve_key'] as const;

describe('sql template', () => {
  it('renders values as positional parameters, casting the non-varchar ones', () => {
    const query = sql`SELECT * FROM curves WHERE iso = ${'PJM'} AND asof_date >= ${param.date('2024-01-02')} AND mid > ${12.5} AND n = ${7}`;
    expect(toPositional(query)).toEqual({
      text: 'SELECT * FROM curves WHERE iso = $1 AND asof_date >= CAST($2 AS DATE) AND mid > CAST($3 AS DOUBLE) AND n = CAST($4 AS BIGINT)',
      params: [
        { type: 'varchar', value: 'PJM' },
        { type: 'date', value: '2024-01-02' },
        { type: 'double', value: 12.5 },
        { type: 'bigint', value: 7 },
      ],
    });
  });

  it('renders the same query inline for Trino with typed literals', () => {
    const query = sql`SELECT * FROM curves WHERE iso = ${"O'Hare"} AND asof_date >= ${param.date('2024-01-02')} AND mid > ${12.5} AND n = ${7} AND live = ${true} AND ts < ${param.timestamp('2024-01-02T03:04:05')} AND x = ${null}`;
    expect(toInline(query)).toBe(
      "SELECT * FROM curves WHERE iso = 'O''Hare' AND asof_date >= DATE '2024-01-02' AND mid > DOUBLE '12.5' AND n = 7 AND live = TRUE AND ts < TIMESTAMP '2024-01-02 03:04:05' AND x = NULL",
    );
  });

  it('renders typed nulls as casts so Trino knows their type', () => {
    expect(toInline(sql`${param.date(null)}, ${param.bigint(null)}, ${param.varchar(null)}`)).toBe(
      'CAST(NULL AS DATE), CAST(NULL AS BIGINT), NULL',
    );
  });

  it('nests fragments and joins them, numbering parameters across the whole statement', () => {
    const filters = [sql`iso = ${'PJM'}`, sql`market = ${'DA'}`];
    const query = sql`SELECT 1 FROM t WHERE ${join(filters, ' AND ')}${empty} LIMIT ${param.bigint(10)}`;
    expect(toPositional(query).text).toBe(
      'SELECT 1 FROM t WHERE iso = $1 AND market = $2 LIMIT CAST($3 AS BIGINT)',
    );
    expect(toInline(query)).toBe("SELECT 1 FROM t WHERE iso = 'PJM' AND market = 'DA' LIMIT 10");
  });

  it('writes whitelisted identifiers as text and rejects anything else', () => {
    const column = ident('asof_date', SORTABLE);
    expect(toInline(sql`SELECT * FROM t ORDER BY ${column} DESC`)).toBe(
      'SELECT * FROM t ORDER BY asof_date DESC',
    );
    const fromRequest: string = 'asof_date; DROP TABLE t';
    expect(() => ident(fromRequest as (typeof SORTABLE)[number], SORTABLE)).toThrow(TypeError);
    expect(() => ident('Bad-Name', ['Bad-Name'])).toThrow(TypeError);
  });

  it('types a whole number beyond the safe range as a double, not an invalid bigint', () => {
    expect(toInline(sql`${1e21}`)).toBe("DOUBLE '1e+21'");
    expect(toPositional(sql`${2 ** 60}`).params).toEqual([{ type: 'double', value: 2 ** 60 }]);
  });

  it('refuses values that would not be valid literals', () => {
    expect(() => sql`${Number.NaN}`).toThrow(TypeError);
    expect(() => param.date('2024-01-02; DROP TABLE t')).toThrow(TypeError);
    expect(() => param.timestamp("2024-01-02' OR '1'='1")).toThrow(TypeError);
    expect(() => param.bigint(2 ** 60)).toThrow(TypeError);
    expect(() => trinoLiteral({ type: 'date', value: "2024-01-02' OR 1=1 --" })).toThrow(TypeError);
    expect(() => trinoLiteral({ type: 'bigint', value: '1 OR 1=1' })).toThrow(TypeError);
  });

  it('writes a timestamp literal with a space even when the parameter was built by hand with a T', () => {
    expect(trinoLiteral({ type: 'timestamp', value: '2024-01-02T03:04:05.123' })).toBe(
      "TIMESTAMP '2024-01-02 03:04:05.123'",
    );
  });
});

/** Strings meant to break out of a literal, mixed into fast-check's arbitrary code points. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .array(
      fc.constantFrom("'", "''", '--', '/*', '*/', '\\', "\\'", ';', '\n', '"', 'é', '😀', '\u202e', 'a'),
      {
        maxLength: 50,
      },
    )
    .map((pieces) => pieces.join('')),
  fc.string({ unit: 'grapheme', minLength: 5_000, maxLength: 20_000 }),
);

describe('trinoLiteral / toInline (the one escaping function)', () => {
  const prefix = 'SELECT * FROM t WHERE a = ';

  it('never changes the statement shape: the value becomes exactly one quoted literal holding it', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const text = toInline(sql`SELECT * FROM t WHERE a = ${value}`);
        expect(text.startsWith(prefix)).toBe(true);
        const literal = text.slice(prefix.length);
        expect(literal).toMatch(/^'(?:[^']|'')*'$/su);
        expect(literal.slice(1, -1).replaceAll("''", "'")).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it('writes doubles and integers that parse back to the same number', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.maxSafeInteger(),
        (double, integer) => {
          const doubleLiteral = trinoLiteral(param.double(double));
          expect(doubleLiteral).toMatch(/^DOUBLE '-?[0-9.e+-]+'$/);
          expect(Number(doubleLiteral.slice("DOUBLE '".length, -1))).toBe(double === 0 ? 0 : double);
          expect(trinoLiteral(param.bigint(integer))).toBe(String(integer));
        },
      ),
    );
  });

  describe('round trip through a real DuckDB', () => {
    let instance: DuckDBInstance;
    let connection: DuckDBConnection;
    beforeAll(async () => {
      instance = await DuckDBInstance.create(':memory:');
      connection = await instance.connect();
    });
    afterAll(() => {
      connection.closeSync();
      instance.closeSync();
    });

    // DuckDB reads statement text as a C string, so U+0000 ends it early: a DuckDB limit, not an escaping one.
    const withoutNul = hostileString.filter((value) => !value.includes('\u0000'));

    it('returns the very string that was inlined', async () => {
      await fc.assert(
        fc.asyncProperty(withoutNul, async (value) => {
          const reader = await connection.runAndReadAll(toInline(sql`SELECT ${value} AS v`));
          expect(reader.getRowsJson()).toEqual([[value]]);
        }),
        { numRuns: 300 },
      );
    });

    it('returns the very string that was bound as a parameter, NUL included', async () => {
      await fc.assert(
        fc.asyncProperty(hostileString, async (value) => {
          const { text, params } = toPositional(sql`SELECT ${value} AS v`);
          const reader = await connection.runAndReadAll(
            text,
            params.map((p) => p.value),
          );
          expect(reader.getRowsJson()).toEqual([[value]]);
        }),
        { numRuns: 200 },
      );
    });
  });
});
