import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateSampleData } from '#infra/local/sample-data';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import { sql } from '#lib/data/sql';
import { curvesHandler, gatewayEvent, lambdaContext } from './curves-handler.ts';
import { median, quietly, round } from './stats.ts';

/**
 * Keyset paging on 1M+ curve rows: GET /v1/curves (latest point per curve and tenor) walked by next
 * cursors from page 1 to page 500, then page 1 and page 500 each timed, server cache off so every request
 * reaches DuckDB.
 */

export interface PagingFigure {
  rows: number;
  pageSize: number;
  pageReached: number;
  page1Ms: number;
  page500Ms: number;
  samples: number;
  walkSeconds: number;
  generateSeconds: number;
}

const ROWS = Number(process.env.AURUM_BENCH_PAGING_ROWS ?? 1_000_000);
const PAGE_SIZE = 20;
/** One as-of date: 16k+ points, so page 500 exists; the latest-point view works too but walks for minutes. */
const FILTER = process.env.AURUM_BENCH_PAGING_FILTER ?? 'asof=2025-09-26&';
const TARGET_PAGE = 500;
const SAMPLES = Number(process.env.AURUM_BENCH_PAGING_SAMPLES ?? 15);

export async function keysetPaging(): Promise<PagingFigure> {
  const dir = join(tmpdir(), 'aurum-bench-data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `curves-${ROWS}.duckdb`);
  const generating = performance.now();
  // Deterministic data: a file left by an earlier run is the same file.
  const generated = existsSync(path) ? undefined : await generateSampleData({ path, rows: ROWS });
  const generateSeconds = round((performance.now() - generating) / 1000, 1);
  const engine = await DuckDbEngine.open(path, { readOnly: true });
  try {
    const rows = Number((await engine.query(sql`SELECT count(*) AS n FROM curve_observation`))[0]!.n);
    const handler = curvesHandler(engine, { cache: false });
    const page = async (cursor?: string) => {
      const query = `${FILTER}limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const result = await handler(gatewayEvent('GET', '/v1/curves', query), lambdaContext());
      if (result.statusCode !== 200)
        throw new Error(`page answered ${result.statusCode}: ${result.body.slice(0, 200)}`);
      return JSON.parse(result.body) as { meta: { next_cursor: string | null } };
    };
    return await quietly(async () => {
      const walking = performance.now();
      let cursor: string | undefined;
      let reached = 1;
      let body = await page();
      while (reached < TARGET_PAGE && body.meta.next_cursor) {
        cursor = body.meta.next_cursor;
        body = await page(cursor);
        reached++;
      }
      const walkSeconds = round((performance.now() - walking) / 1000, 1);
      const first: number[] = [];
      const last: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        let t = performance.now();
        await page();
        first.push(performance.now() - t);
        t = performance.now();
        await page(cursor);
        last.push(performance.now() - t);
      }
      return {
        rows: generated?.rows ?? rows,
        pageSize: PAGE_SIZE,
        pageReached: reached,
        page1Ms: round(median(first), 2),
        page500Ms: round(median(last), 2),
        samples: SAMPLES,
        walkSeconds,
        generateSeconds,
      };
    });
  } finally {
    await engine.close();
  }
}
