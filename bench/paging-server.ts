/**
 * One paging server for bench/paging.ts: opens the given DuckDB file (or two, comma-separated), serves
 * GET /v1/curves (default view, no `asof`) through the curves handler with the server cache off, walks to
 * the deep page, times page 1 and the deep page alternately (with two tables, alternating between them
 * too), and prints one JSON line per table with the medians and the process's RSS: once the database is
 * open, after the first page, and after every sample (native result memory waits for a GC, so that one
 * drifts). The RSS figures mean one table only when one was opened.
 */
import { performance } from 'node:perf_hooks';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import { sql } from '#lib/data/sql';
import { curvesHandler, gatewayEvent, lambdaContext } from './curves-handler.ts';
import { median, quietly, round } from './stats.ts';

const [pathsText, pageSizeText, deepText, samplesText] = process.argv.slice(2);
const paths = pathsText!.split(',');
const pageSize = Number(pageSizeText);
const deep = Number(deepText);
const samples = Number(samplesText);

/** One table: its engine, the curves handler over it with the cache off, and its row counts. */
async function open(path: string) {
  const engine = await DuckDbEngine.open(path, { readOnly: true });
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
  return {
    engine,
    rows,
    latestRows,
    page,
    first: [] as number[],
    last: [] as number[],
    cursor: '',
    reached: 1,
  };
}

const tables = await Promise.all(paths.map(open));
const rssOpenMiB = round(process.memoryUsage().rss / 1024 ** 2, 1);
let rssFirstPageMiB = 0;
await quietly(async () => {
  for (const table of tables) {
    let body = await table.page();
    rssFirstPageMiB ||= round(process.memoryUsage().rss / 1024 ** 2, 1);
    while (table.reached < deep && body.meta.next_cursor) {
      table.cursor = body.meta.next_cursor;
      body = await table.page(table.cursor);
      table.reached++;
    }
  }
  // With two tables, their samples alternate in this one process: the same JIT state, heap and moment.
  for (let i = 0; i < samples; i++)
    for (const table of tables) {
      let t = performance.now();
      await table.page();
      table.first.push(performance.now() - t);
      t = performance.now();
      await table.page(table.cursor);
      table.last.push(performance.now() - t);
    }
});
const rssAfterMiB = round(process.memoryUsage().rss / 1024 ** 2, 1);
for (const table of tables) {
  await table.engine.close();
  const { rows, latestRows, reached } = table;
  console.log(
    JSON.stringify({
      rows,
      latestRows,
      page1Ms: round(median(table.first), 2),
      deepPageMs: round(median(table.last), 2),
      deepPage: reached,
      rssOpenMiB,
      rssFirstPageMiB,
      rssAfterMiB,
    }),
  );
}
