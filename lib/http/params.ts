import * as z from 'zod/mini';
import { withMeta } from '#lib/schema';

/**
 * Query and path parameters arrive as strings; these builders parse them strictly so that
 * `limit=1e3`, `limit=` or `asof=2024-02-30` are 400s that name the field, not silent coercions.
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What the OpenAPI document says a parameter is, by meaning (an integer, a boolean, a date or a date-time),
 * while its zod schema keeps parsing the string on the wire strictly. `json-schema.ts` reads this for the
 * input side of the document; the schema's own `description`, `example` and `deprecated` are kept.
 */
const DOCUMENTED = new WeakMap<z.core.$ZodType, Record<string, unknown>>();

export const documentedAs = <S extends z.core.$ZodType>(schema: S, json: Record<string, unknown>): S => {
  DOCUMENTED.set(schema, json);
  return schema;
};

/** The document's JSON Schema of a parameter schema built here, if it declares one. */
export const documentedSchema = (schema: z.core.$ZodType) => DOCUMENTED.get(schema);

export const isRealDate = (s: string) => {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

export const dateParam = () =>
  withMeta(z.string().check(z.refine(isRealDate, { message: 'must be a calendar date YYYY-MM-DD' })), {
    format: 'date',
    example: '2025-09-26',
  });

/** A date or an ISO 8601 date-time; normalised to the UTC calendar date it names. */
export const dateOrTimestampParam = () => {
  const schema = z.pipe(
    z.string().check(
      z.maxLength(40),
      z.refine((s) => isRealDate(s) || (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s))), {
        message: 'must be a date YYYY-MM-DD or an ISO 8601 date-time',
      }),
    ),
    z.transform((s: string) => (isRealDate(s) ? s : new Date(s).toISOString().slice(0, 10))),
  );
  return documentedAs(withMeta(schema, { example: '2025-09-26T00:00:00Z' }), {
    anyOf: [
      { type: 'string', format: 'date' },
      { type: 'string', format: 'date-time', maxLength: 40 },
    ],
    description: 'A date YYYY-MM-DD or an ISO 8601 date-time; the UTC calendar date it names is used',
  });
};

/** A whole number on the wire (digits only: no sign, exponent, fraction or blank), documented as an integer. */
export const intParam = (options: { min: number; max: number; default: number }) =>
  documentedAs(
    z.pipe(
      z.optional(
        z.pipe(
          z.pipe(
            z.string().check(z.regex(/^\d{1,9}$/, { message: 'must be a whole number' })),
            z.transform(Number),
          ),
          z.number().check(z.int(), z.gte(options.min), z.lte(options.max)),
        ),
      ),
      z.transform((v: number | undefined) => v ?? options.default),
    ),
    { type: 'integer', minimum: options.min, maximum: options.max, default: options.default },
  );

/** `true` or `false` on the wire (nothing else), documented as a boolean. */
export const boolParam = (options: { default: boolean; description?: string }) =>
  documentedAs(
    z.pipe(
      z.optional(z.enum(['true', 'false'], { message: 'must be true or false' })),
      z.transform((v: 'true' | 'false' | undefined) => (v === undefined ? options.default : v === 'true')),
    ),
    {
      type: 'boolean',
      default: options.default,
      ...(options.description ? { description: options.description } : {}),
    },
  );

export const textParam = (options: { max: number; pattern?: RegExp; description?: string }) => {
  let schema = z.string().check(z.minLength(1, { message: 'must not be empty' }), z.maxLength(options.max));
  if (options.pattern)
    schema = schema.check(z.regex(options.pattern, { message: `must match ${options.pattern.source}` }));
  return options.description ? withMeta(schema, { description: options.description }) : schema;
};

/** One of `values`, case-insensitive on the wire; documented as the enum (json-schema.ts reads the pipe's end). */
export const enumParam = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((s: string) => s.toUpperCase()),
    ),
    z.enum(values),
  );

export const formatParam = () => z._default(z.optional(z.enum(['json', 'csv'])), 'json');

export const tenantParam = () =>
  withMeta(z.optional(z.string().check(z.maxLength(200))), {
    description: 'Must equal the caller’s tenant when given; the tenant always comes from the token.',
  });

export const cursorParam = () => z.optional(z.string().check(z.minLength(1), z.maxLength(1000)));

/** The keyset cursor parameters of a list: `cursor`, its alias `since_cursor`, and `prev_cursor`. */
export const cursorParams = () => ({
  cursor: cursorParam(),
  since_cursor: withMeta(cursorParam(), { description: 'Alias of cursor' }),
  prev_cursor: cursorParam(),
});

/** v1's `offset`, kept so old clients get a clear 400: only 0 is accepted (pages follow cursors). */
export const removedOffsetParam = () =>
  documentedAs(
    withMeta(z.optional(z.string().check(z.regex(/^\d{1,9}$/, { message: 'must be a whole number' }))), {
      deprecated: true,
      description: 'Removed: only offset=0 is accepted; follow next_cursor instead',
    }),
    { type: 'integer', minimum: 0, maximum: 0 },
  );

/** One rule over a validated query: the first issue it finds, or nothing. `field` is relative to the query. */
export type QueryRule<Q> = (
  query: Q,
) => { field?: string; message: string; code: string; detail?: string } | undefined;

/**
 * The rules of a query, as a zod refinement: the first rule that fails names its field, so a violation is a
 * field-named 400 before any service runs.
 */
export const queryRules =
  <Q>(...rules: QueryRule<Q>[]) =>
  (query: Q, ctx: z.core.$RefinementCtx<Q>): void => {
    for (const rule of rules) {
      const issue = rule(query);
      if (!issue) continue;
      ctx.addIssue({
        code: 'custom',
        path: issue.field ? [issue.field] : [],
        message: issue.message,
        params: { code: issue.code, ...(issue.detail ? { detail: issue.detail } : {}) },
      });
      return;
    }
  };

const daysBetween = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** Two dates of a query that must differ and lie at most `maxDays` apart; the second one is named. */
export const dateSpan =
  <K extends string>(from: K, to: K, maxDays: number): QueryRule<Record<K, string>> =>
  (query) => {
    if (query[from] === query[to]) {
      return {
        field: to,
        message: `must differ from ${from}`,
        code: 'same_dates',
        detail: `${from} and ${to} must differ`,
      };
    }
    const span = Math.abs(daysBetween(query[from], query[to]));
    if (span > maxDays) {
      return {
        field: to,
        message: `at most ${maxDays} days from ${from}`,
        code: 'range_too_large',
        detail: `Date range too large: ${span} days. Maximum allowed: ${maxDays} days`,
      };
    }
    return undefined;
  };
