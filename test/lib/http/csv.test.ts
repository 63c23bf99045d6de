import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvFilename, csvRecord, toCsv } from '#lib/http/csv';

const CURVE_COLUMNS = [
  'curve_key',
  'tenor_label',
  'tenor_type',
  'contract_month',
  'asof_date',
  'mid',
  'bid',
  'ask',
  'price_type',
] as const;

/** A strict RFC 4180 reader: every record ends in CRLF; quoted fields may hold anything with "" for ". */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote in unquoted field at ${i}`);
        field += text[i];
        i += 1;
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else {
      throw new Error(`expected , or CRLF at ${i}`);
    }
  }
  if (record.length > 0) throw new Error('last record not terminated by CRLF');
  return records;
}

describe('toCsv', () => {
  it('writes the header first and ends every record with CRLF', () => {
    const csv = toCsv(
      ['curve_key', 'mid'],
      [
        { curve_key: 'PJM_WEST', mid: 42.5 },
        { curve_key: 'ERCOT_NORTH', mid: 38 },
      ],
    );
    expect(csv).toBe('curve_key,mid\r\nPJM_WEST,42.5\r\nERCOT_NORTH,38\r\n');
  });

  it('writes only the header for no rows', () => {
    expect(toCsv(CURVE_COLUMNS, [])).toBe(`${CURVE_COLUMNS.join(',')}\r\n`);
  });

  it('follows the column order and ignores members not in the columns', () => {
    expect(toCsv(['b', 'a'], [{ a: 1, b: 2, secret: 'x' }])).toBe('b,a\r\n2,1\r\n');
  });

  it('quotes only fields with quotes, commas, line breaks or edge spaces, doubling quotes', () => {
    expect(
      csvRecord(['plain', 'a,b', 'say "hi"', 'line\nbreak', 'cr\rhere', ' lead', 'trail ', 'in side']),
    ).toBe('plain,"a,b","say ""hi""","line\nbreak","cr\rhere"," lead","trail ",in side\r\n');
  });

  it('formats values: empty for null/undefined, ISO dates, JSON objects, true/false, plain numbers', () => {
    const record = csvRecord([
      null,
      undefined,
      new Date(Date.UTC(2025, 0, 31, 0, 0, 0)),
      { source: 'ice', tags: ['a'] },
      [1, 2],
      true,
      false,
      42.125,
      0,
      12345678901n,
    ]);
    expect(parseCsv(record)).toEqual([
      [
        '',
        '',
        '2025-01-31T00:00:00.000Z',
        '{"source":"ice","tags":["a"]}',
        '[1,2]',
        'true',
        'false',
        '42.125',
        '0',
        '12345678901',
      ],
    ]);
  });

  it('never writes numbers in exponent notation', () => {
    expect(csvRecord([1e-7, 0.00000123, -2.5e-8, 1e21, 1.5e22, 123456789.123])).toBe(
      '0.0000001,0.00000123,-0.000000025,1000000000000000000000,15000000000000000000000,123456789.123\r\n',
    );
  });

  it('leaves non-finite numbers and invalid dates empty', () => {
    expect(csvRecord([Number.NaN, Number.POSITIVE_INFINITY, new Date('nope')])).toBe(',,\r\n');
  });

  describe('formula injection guard', () => {
    it.each([
      ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
      ['+cmd|calc', "'+cmd|calc"],
      ['-2+3+cmd', "'-2+3+cmd"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tTAB', "'\tTAB"],
      ['\r=1', `"'\r=1"`],
    ])('prefixes %j with an apostrophe', (value, written) => {
      expect(csvRecord([value])).toBe(`${written}\r\n`);
    });

    it('leaves negative and signed numbers intact, as numbers or as numeric strings', () => {
      expect(csvRecord([-12.5, '-12.5', '+3', '-0.5e-3', '-.5', 'PJM-WEST', 'a=b'])).toBe(
        '-12.5,-12.5,+3,-0.5e-3,-.5,PJM-WEST,a=b\r\n',
      );
    });
  });

  it('round-trips a tricky curve row through an RFC 4180 reader', () => {
    const row = {
      curve_key: 'PJM_WEST,"HUB"',
      tenor_label: ' Jan-25 ',
      tenor_type: 'MONTHLY\r\nSEASON',
      contract_month: new Date(Date.UTC(2025, 0, 1)),
      asof_date: '2025-01-14',
      mid: -3.25,
      bid: null,
      ask: 1e-7,
      price_type: '=1+1',
    };
    const records = parseCsv(toCsv(CURVE_COLUMNS, [row]));
    expect(records).toEqual([
      [...CURVE_COLUMNS],
      [
        'PJM_WEST,"HUB"',
        ' Jan-25 ',
        'MONTHLY\r\nSEASON',
        '2025-01-01T00:00:00.000Z',
        '2025-01-14',
        '-3.25',
        '',
        '0.0000001',
        "'=1+1",
      ],
    ]);
  });

  it('round-trips any strings that are not formulas (property)', () => {
    const safeText = fc.string({ unit: 'binary' }).filter((s) => !/^[=+\-@\t\r]/.test(s));
    fc.assert(
      fc.property(fc.array(fc.array(safeText, { minLength: 1, maxLength: 5 }), { maxLength: 5 }), (table) => {
        const text = table.map((values) => csvRecord(values)).join('');
        expect(parseCsv(text)).toEqual(table);
      }),
    );
  });
});

describe('csvFilename', () => {
  it('builds an attachment disposition for a plain name', () => {
    expect(csvFilename('curves.csv')).toBe('attachment; filename="curves.csv"');
    expect(csvFilename('curve_export_2025-01-14')).toBe('attachment; filename="curve_export_2025-01-14.csv"');
  });

  it.each([
    ['../../etc/passwd', 'attachment; filename="etc_passwd.csv"'],
    ['a"b\r\nSet-Cookie: x=1.csv', 'attachment; filename="a_b_Set-Cookie_x_1.csv"'],
    ['curves é 2025.csv', 'attachment; filename="curves_2025.csv"'],
    ['', 'attachment; filename="export.csv"'],
    ['...', 'attachment; filename="export.csv"'],
  ])('reduces %j to safe ASCII', (name, disposition) => {
    expect(csvFilename(name)).toBe(disposition);
  });

  it('keeps any name within a safe length and character set (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (name) => {
        const disposition = csvFilename(name);
        expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9][A-Za-z0-9._-]{0,130}\.csv"$/);
      }),
    );
  });
});
