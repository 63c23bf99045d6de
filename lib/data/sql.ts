/**
 * The `sql` tagged template: values become typed parameters, never text. Identifiers (columns,
 * tables, sort keys) enter only through `ident`, which checks them against a whitelist.
 */

export type SqlType = 'varchar' | 'double' | 'bigint' | 'boolean' | 'date' | 'timestamp';

export interface SqlParam {
  readonly type: SqlType;
  readonly value: string | number | boolean | null;
}

const FRAGMENT = Symbol('sql.fragment');
const IDENT = Symbol('sql.ident');

interface Identifier {
  readonly [IDENT]: true;
  readonly name: string;
}

type Part = string | SqlParam | Identifier;

export interface SqlQuery {
  readonly [FRAGMENT]: true;
  readonly parts: readonly Part[];
}

export type SqlValue = string | number | boolean | null | SqlParam | SqlQuery | Identifier;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

function isFragment(v: unknown): v is SqlQuery {
  return typeof v === 'object' && v !== null && FRAGMENT in v;
}
function isIdent(v: unknown): v is Identifier {
  return typeof v === 'object' && v !== null && IDENT in v;
}
function isParam(v: unknown): v is SqlParam {
  return typeof v === 'object' && v !== null && 'type' in v && 'value' in v && !isFragment(v);
}

function toParam(value: string | number | boolean | null): SqlParam {
  if (value === null) return { type: 'varchar', value: null };
  if (typeof value === 'string') return { type: 'varchar', value };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  if (!Number.isFinite(value)) throw new TypeError('non-finite numbers cannot be SQL parameters');
  // Integers past 2^53 are doubles in JS already, and would not be valid BIGINT literals.
  return Number.isSafeInteger(value) ? { type: 'bigint', value } : { type: 'double', value };
}

export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): SqlQuery {
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    if (text) parts.push(text);
    if (i >= values.length) return;
    const value = values[i] as SqlValue;
    if (isFragment(value)) parts.push(...value.parts);
    else if (isIdent(value) || isParam(value)) parts.push(value);
    else parts.push(toParam(value));
  });
  return { [FRAGMENT]: true, parts };
}

/** Typed parameter constructors, for values whose SQL type is not the JS type's default. */
export const param = {
  varchar: (value: string | null): SqlParam => ({ type: 'varchar', value }),
  double: (value: number | null): SqlParam => ({ type: 'double', value }),
  bigint: (value: number | null): SqlParam => {
    if (value !== null && !Number.isSafeInteger(value))
      throw new TypeError('bigint parameter must be a safe integer');
    return { type: 'bigint', value };
  },
  boolean: (value: boolean | null): SqlParam => ({ type: 'boolean', value }),
  date: (value: string | null): SqlParam => {
    if (value !== null && !ISO_DATE.test(value)) throw new TypeError('date parameter must be YYYY-MM-DD');
    return { type: 'date', value };
  },
  timestamp: (value: string | null): SqlParam => {
    if (value !== null && !ISO_TIMESTAMP.test(value))
      throw new TypeError('timestamp parameter must be ISO 8601');
    return { type: 'timestamp', value: value?.replace('T', ' ') ?? null };
  },
};

const IDENT_SHAPE = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*){0,2}$/;

/** An identifier from a whitelist. Anything not on the list is a programming error, not user input. */
export function ident<const T extends string>(name: T, allowed: readonly T[]): Identifier {
  if (!allowed.includes(name) || !IDENT_SHAPE.test(name))
    throw new TypeError(`identifier not allowed: ${name}`);
  return { [IDENT]: true, name };
}

export function join(fragments: readonly SqlQuery[], separator: string): SqlQuery {
  const parts: Part[] = [];
  fragments.forEach((f, i) => {
    if (i > 0) parts.push(separator);
    parts.push(...f.parts);
  });
  return { [FRAGMENT]: true, parts };
}

export const empty: SqlQuery = { [FRAGMENT]: true, parts: [] };

/** Positional form for engines that bind natively (DuckDB): `$1, $2 …` with casts for non-default types. */
export function toPositional(query: SqlQuery): { text: string; params: SqlParam[] } {
  let text = '';
  const params: SqlParam[] = [];
  for (const part of query.parts) {
    if (typeof part === 'string') text += part;
    else if (isIdent(part)) text += part.name;
    else {
      params.push(part);
      const n = `$${params.length}`;
      text += part.type === 'varchar' ? n : `CAST(${n} AS ${part.type.toUpperCase()})`;
    }
  }
  return { text, params };
}

/**
 * The one escaping function: a typed value as a Trino literal. Strings double their quotes;
 * everything else is validated before it is written, so no value can change the statement's shape.
 */
export function trinoLiteral(p: SqlParam): string {
  if (p.value === null) return p.type === 'varchar' ? 'NULL' : `CAST(NULL AS ${p.type.toUpperCase()})`;
  switch (p.type) {
    case 'varchar':
      return `'${String(p.value).replaceAll("'", "''")}'`;
    case 'boolean':
      return p.value ? 'TRUE' : 'FALSE';
    case 'bigint': {
      const n = Number(p.value);
      if (!Number.isSafeInteger(n)) throw new TypeError('invalid bigint literal');
      return String(n);
    }
    case 'double': {
      const n = Number(p.value);
      if (!Number.isFinite(n)) throw new TypeError('invalid double literal');
      return `DOUBLE '${n}'`;
    }
    case 'date':
      if (!ISO_DATE.test(String(p.value))) throw new TypeError('invalid date literal');
      return `DATE '${p.value}'`;
    case 'timestamp':
      if (!ISO_TIMESTAMP.test(String(p.value))) throw new TypeError('invalid timestamp literal');
      // Trino's TIMESTAMP literal wants a space between date and time; hand-built params may carry a T.
      return `TIMESTAMP '${String(p.value).replace('T', ' ')}'`;
  }
}

/** Inline form for Trino: the statement with every parameter rendered by `trinoLiteral`. */
export function toInline(query: SqlQuery): string {
  let text = '';
  for (const part of query.parts) {
    if (typeof part === 'string') text += part;
    else if (isIdent(part)) text += part.name;
    else text += trinoLiteral(part);
  }
  return text;
}
