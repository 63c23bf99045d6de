import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curveDiffQuery, curvePointsQuery, curveSummaryQuery } from '#functions/curves/queries';
import { CURVE_DIMENSIONS } from '#functions/curves/routes';
import { duckDbPath } from '#lib/data/create-engine';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import type { Row } from '#lib/data/engine';
import { toPositional } from '#lib/data/sql';

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
});

describe('curve queries on the sample DuckDB', () => {
  let engine: DuckDbEngine;
  beforeAll(async () => {
    engine = await DuckDbEngine.open(duckDbPath(), { readOnly: true });
  });
  afterAll(async () => {
    await engine.close();
  });

  /** A row's keyset boundary, NULLs as CURVE_KEY sorts them. */
  const pointBoundary = (row: Row) =>
    [
      row.curve_key,
      row.tenor_label,
      row.contract_month ?? '0001-01-01',
      row.asof_date,
      row.price_type ?? '',
    ] as [string, string, string, string, string];
  const points = (seek: Parameters<typeof curvePointsQuery>[0]['seek']) =>
    engine.query(
      curvePointsQuery({ filters: { iso: 'pjm' }, asof: '2025-09-26', seek, latestCorrections: true }),
    );

  it('pages points in key order: next continues after the boundary, prev returns the page before it', async () => {
    const all = await points({ direction: 'first', fetch: 12 });
    expect(all).toHaveLength(12);
    const sorted = [...all].sort((a, b) =>
      pointBoundary(a).join('\u0000') < pointBoundary(b).join('\u0000') ? -1 : 1,
    );
    expect(all).toEqual(sorted);

    const first = all.slice(0, 6);
    const next = await points({ direction: 'next', boundary: pointBoundary(first[5]!), fetch: 6 });
    expect(next).toEqual(all.slice(6, 12));

    // A prev page comes back nearest-first; the service turns it round.
    const prev = await points({ direction: 'prev', boundary: pointBoundary(next[0]!), fetch: 6 });
    expect(prev).toEqual([...first].reverse());
  });

  it('matches curve names by substring, case-insensitively, and a hostile filter matches nothing', async () => {
    const summaries = (nameFilter: string) =>
      engine.query(curveSummaryQuery({ nameFilter, seek: { direction: 'first', fetch: 50 } }));
    const hubs = await summaries('WESTERN_hub');
    expect(hubs.length).toBeGreaterThan(0);
    for (const row of hubs) expect(String(row.curve_key).toLowerCase()).toContain('western_hub');
    const keys = hubs.map((r) => r.curve_key as string);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
    expect(await summaries("x') OR 1=1 --")).toEqual([]);
  });

  it('diffs only the pairs present on both dates, with both mids', async () => {
    const rows = await engine.query(
      curveDiffQuery({
        filters: { iso: 'PJM' },
        asofA: '2025-09-02',
        asofB: '2025-09-26',
        seek: { direction: 'first', fetch: 20 },
        latestCorrections: true,
      }),
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({ asof_a: '2025-09-02', asof_b: '2025-09-26' });
      expect(typeof row.mid_a).toBe('number');
      expect(typeof row.mid_b).toBe('number');
    }
    const keys = rows.map((r) => `${r.curve_key}\u0000${r.tenor_label}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
