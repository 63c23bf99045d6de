import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curveDiffQuery, curvePointsQuery, curveSummaryQuery } from '#functions/curves/queries';
import { CURVE_DIMENSIONS } from '#functions/curves/routes';
import { toInline, toPositional } from '#lib/data/sql';

const FILTERS = CURVE_DIMENSIONS;

describe('curve queries keep their shape whatever the input', () => {
  it('puts every filter value in a parameter: the SQL text is the same for any string', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FILTERS),
        fc.string({ unit: 'binary', maxLength: 300 }),
        (filter, value) => {
          const build = (v: string) =>
            toPositional(
              curvePointsQuery({
                filters: { [filter]: v },
                seek: { direction: 'first', fetch: 11 },
                latestCorrections: true,
              }),
            );
          const benign = build('x');
          const hostile = build(value);
          expect(hostile.text).toBe(benign.text);
          expect(hostile.params.map((p) => p.value)).toContain(
            filter === 'iso' ? value.toUpperCase() : value,
          );
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('keeps cursor boundaries in parameters too', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.string({ maxLength: 100 }), (key, label) => {
        const q = (k: string, l: string) =>
          toPositional(
            curveDiffQuery({
              filters: { iso: 'PJM' },
              asofA: '2025-09-01',
              asofB: '2025-09-02',
              seek: { direction: 'next', boundary: [k, l, '2025-01-01'], fetch: 11 },
              latestCorrections: true,
            }),
          );
        expect(q(key, label).text).toBe(q('a', 'b').text);
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('renders hostile name filters as one quoted literal for Trino', () => {
    const inline = toInline(
      curveSummaryQuery({ nameFilter: "x') OR 1=1 --", seek: { direction: 'first', fetch: 11 } }),
    );
    expect(inline).toContain("strpos(lower(curve_key), 'x'') or 1=1 --') > 0");
  });

  it('orders prev pages descending and next pages ascending', () => {
    const prev = toPositional(
      curvePointsQuery({
        filters: {},
        seek: { direction: 'prev', boundary: ['K', 'L', '2025-01-01', '2025-09-01', 'MID'], fetch: 6 },
        latestCorrections: true,
      }),
    );
    expect(prev.text).toContain('curve_key DESC');
    const next = toPositional(
      curvePointsQuery({
        filters: {},
        seek: { direction: 'next', boundary: ['K', 'L', '2025-01-01', '2025-09-01', 'MID'], fetch: 6 },
        latestCorrections: true,
      }),
    );
    expect(next.text).toContain('curve_key ASC');
  });
});
