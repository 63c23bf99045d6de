/** RFC 4180 CSV: CRLF after every record, minimal quoting, and a guard against formula injection. */

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
// Spreadsheets evaluate cells starting with these as formulas (OWASP "CSV injection").
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Decimal notation for any finite number, so 1e-7 is written 0.0000001 and 1e21 as its digits. */
function plainNumber(n: number): string {
  const text = String(n);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    return FORMULA_TRIGGER.test(value) && !NUMERIC_TEXT.test(value) ? `'${value}` : value;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? plainNumber(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'object') return fieldText(JSON.stringify(value));
  return fieldText(String(value));
}

function quoteField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, CRLF-terminated; for writers that stream row by row. */
export function csvRecord(values: readonly unknown[]): string {
  return `${values.map((value) => quoteField(fieldText(value))).join(',')}\r\n`;
}

/** The whole document: a header record of `columns`, then one record per row in column order. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const records = [csvRecord(columns)];
  for (const row of rows) records.push(csvRecord(columns.map((column) => row[column])));
  return records.join('');
}

/**
 * A Content-Disposition value that downloads as `name`, reduced to safe ASCII: no path separators,
 * quotes or control characters can reach the header, and the name always ends in `.csv`.
 */
export function csvFilename(name: string): string {
  const stem = name
    .replace(/\.csv$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 120)
    .replace(/[._-]+$/, '');
  return `attachment; filename="${stem || 'export'}.csv"`;
}
