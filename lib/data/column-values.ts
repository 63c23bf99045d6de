import type { Row } from './engine.ts';

/** Normalisers shared by the engines, so both hand back the same row shapes (decided once, here). */
export type ColumnValue = Row[string];

/** Decimals, integers and doubles arrive as numbers or numeric strings; non-finite values have no JSON form. */
export function numberValue(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

const TIMESTAMP_TEXT =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A timestamp as an ISO 8601 UTC string with milliseconds (`2024-01-02T03:04:05.123Z`). Timestamps without
 * a zone are taken as UTC, which is how the lake stores them. Text in a form we do not know (a named zone)
 * is returned as it came rather than guessed at.
 */
export function isoTimestamp(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) return text;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const offset = zone === 'Z' || zone === 'UTC' ? 'Z' : offsetWithColon(zone);
  const instant = new Date(`${date}T${time}.${millis}${offset}`);
  return Number.isNaN(instant.getTime()) ? text : instant.toISOString();
}

function offsetWithColon(offset: string): string {
  const digits = offset.slice(1).replace(':', '').padEnd(4, '0');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2)}`;
}

/** Anything else: primitives as they are, nested values (lists, structs, maps) as JSON text. */
export function plainValue(value: unknown): ColumnValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}
