/**
 * One paging server for bench/paging.ts: opens the given DuckDB file, serves GET /v1/curves (default view,
 * no `asof`) through the curves handler with the server cache off, walks to the deep page, times page 1 and
 * the deep page alternately, and prints one JSON line with the medians and its RSS: once the database is open,
 * after the first page, and after every sample (native result memory waits for a GC, so that one drifts).
 */
import { performance } from 'node:perf_hooks';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import { sql } from '#lib/data/sql';
import { curvesHandler, gatewayEvent, lambdaContext } from './curves-handler.ts';
import { median, quietly, round } from './stats.ts';

const [path, pageSizeText, deepText, samplesText] = process.argv.slice(2);
const pageSize = Number(pageSizeText);
const deep = Number(deepText);
const samples = Number(samplesText);

const engine = await DuckDbEngine.open(path!, { readOnly: true });
const rows = Number((await engine.query(sql`SELECT count(*) AS n FROM curve_observation`))[0]!.n);
const latestRows = Number((await engine.query(sql`SELECT count(*) AS n FROM curve_latest`))[0]!.n);
const handler = curvesHandler(engine, { cache: false });

const page = async (cursor?: string) => {
  const query = `limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const result = await handler(gatewayEvent('GET', '/v1/curves', query), lambdaContext());
  if (result.statusCode !== 200)
    throw new Error(`page answered ${result.statusCode}: ${result.body.slice(0, 200)}`);
  return JSON.parse(result.body) as { meta: { next_cursor: string | null } };
};

const rssOpenMiB = round(process.memoryUsage().rss / 1024 ** 2, 1);
let rssFirstPageMiB = 0;
const figure = await quietly(async () => {
  let cursor: string | undefined;
  let reached = 1;
  let body = await page();
  rssFirstPageMiB = round(process.memoryUsage().rss / 1024 ** 2, 1);
  while (reached < deep && body.meta.next_cursor) {
    cursor = body.meta.next_cursor;
    body = await page(cursor);
    reached++;
  }
  const first: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < samples; i++) {
    let t = performance.now();
    await page();
    first.push(performance.now() - t);
    t = performance.now();
    await page(cursor);
    last.push(performance.now() - t);
  }
  return { page1Ms: round(median(first), 2), deepPageMs: round(median(last), 2), deepPage: reached };
});
const rssAfterMiB = round(process.memoryUsage().rss / 1024 ** 2, 1);
await engine.close();
console.log(JSON.stringify({ rows, latestRows, ...figure, rssOpenMiB, rssFirstPageMiB, rssAfterMiB }));
