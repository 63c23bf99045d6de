import { describe, expect, it } from 'vitest';
import { bodyJson } from '#lib/http/render';

describe('bodyJson', () => {
  const rows = [
    { curve_key: 'PJM.WEST', mid: 42.5, bid: null, note: 'quote "x" \u2028 ü' },
    { curve_key: 'ERCOT.NORTH', mid: -1e-7, bid: 3 },
  ];

  it('writes exactly what JSON.stringify writes, for every envelope shape and the odd ones', () => {
    const shapes: unknown[] = [
      { meta: { request_id: 'r1', query_time_ms: 3, next_cursor: null, limit: 2 }, data: rows },
      {
        data: rows,
        meta: { request_id: 'r2', processing_time_ms: 1 },
        links: { self: '/v2/x?a=1', next: null },
      },
      { meta: { request_id: 'r3' }, data: { id: 'm-1', nested: { a: [1, 2] } } },
      { data: { id: 'only' } },
      { data: rows, skipped: undefined },
      { meta: { a: 1 }, data: rows, links: { self: '/' } },
      { meta: { a: 1 }, data: null },
      { meta: { a: 1 }, data: 'text' },
      { meta: { a: 1 } },
      [1, 2, 3],
      'a document',
      null,
    ];
    for (const shape of shapes) expect(bodyJson(shape)).toBe(JSON.stringify(shape));
  });

  it('serialises the same data value once, however many answers carry it', () => {
    let serialised = 0;
    const row = {
      toJSON() {
        serialised += 1;
        return { curve_key: 'PJM.WEST', mid: 1 };
      },
    };
    const data = [row];
    const answers = ['a', 'b', 'c'].map((id) =>
      bodyJson({ meta: { request_id: id, query_time_ms: 0 }, data }),
    );
    expect(serialised).toBe(1);
    expect(answers.map((a) => JSON.parse(a))).toEqual(
      ['a', 'b', 'c'].map((id) => ({
        meta: { request_id: id, query_time_ms: 0 },
        data: [{ curve_key: 'PJM.WEST', mid: 1 }],
      })),
    );
    // Another value with equal content is its own entry.
    bodyJson({ data: [row], meta: {} });
    expect(serialised).toBe(2);
  });
});
