import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { functionBuildOptions } from '#infra/constructs/function-bundling';
import { REPO_ROOT } from '#infra/layer/shared-module';
import { generateSampleData } from '#infra/local/sample-data';
import { median, round } from './stats.ts';

/**
 * Keyset paging on the default view of GET /v1/curves (the latest point per curve and tenor, no `asof`):
 * the same pages on a 360 k-row and a 1 M-row table, each measured in fresh server processes (paging-server.ts,
 * ROUNDS runs per size, interleaved) with the server cache off, so every request reaches DuckDB; the figure
 * is the ratio of the two miss p50s and the server's RSS after the first page (of the first run). The server is bundled as a function is (esbuild, DuckDB external)
 * and run by plain Node, so its RSS is the server's and not a TypeScript loader's.
 */

export interface PagingSize {
  rows: number;
  latestRows: number;
  page1Ms: number;
  deepPageMs: number;
  deepPage: number;
  /** Server RSS once the database is open, after the first page, and after all the samples. */
  rssOpenMiB: number;
  rssFirstPageMiB: number;
  rssAfterMiB: number;
  generateSeconds: number;
}

export interface PagingFigure {
  pageSize: number;
  samples: number;
  /** Server runs per size. */
  rounds: number;
  small: PagingSize;
  large: PagingSize;
  /** large.page1Ms / small.page1Ms */
  ratio: number;
}

const SIZES = (process.env.AURUM_BENCH_PAGING_ROWS ?? '360000,1000000').split(',').map(Number) as [
  number,
  number,
];
export const PAGE_SIZE = 20;
export const DEEP_PAGE = Number(process.env.AURUM_BENCH_PAGING_DEEP ?? 100);
const SAMPLES = Number(process.env.AURUM_BENCH_PAGING_SAMPLES ?? 25);
/**
 * Server runs per table size, interleaved small, large, large, small, … so a machine that slows down
 * midway weighs on both sizes alike; the timings are the medians over the runs.
 */
const ROUNDS = Math.max(1, Number(process.env.AURUM_BENCH_PAGING_ROUNDS ?? 3));
/** Bumped when the generator's tables change, so a file left by an older generator is not reused. */
const DATA_VERSION = 'v2-latest';

async function bundleServer(root: string): Promise<string> {
  mkdirSync(root, { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const outfile = join(root, 'paging-server.mjs');
  await build({
    ...functionBuildOptions(),
    absWorkingDir: REPO_ROOT,
    entryPoints: [join(import.meta.dirname, 'paging-server.ts')],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

async function measure(server: string, rows: number): Promise<PagingSize> {
  const dir = join(tmpdir(), 'aurum-bench-data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `curves-${DATA_VERSION}-${rows}.duckdb`);
  const generating = performance.now();
  // Deterministic data: a file left by an earlier run of this version is the same file.
  if (!existsSync(path)) await generateSampleData({ path, rows });
  const generateSeconds = round((performance.now() - generating) / 1000, 1);
  const out = execFileSync(
    process.execPath,
    [server, path, String(PAGE_SIZE), String(DEEP_PAGE), String(SAMPLES)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } },
  );
  const lastLine = out.trim().split('\n').at(-1)!;
  return { ...(JSON.parse(lastLine) as Omit<PagingSize, 'generateSeconds'>), generateSeconds };
}

export async function keysetPaging(): Promise<PagingFigure> {
  const root = join(tmpdir(), `aurum-bench-paging-${process.pid}`);
  try {
    const server = await bundleServer(root);
    const runs: Record<'small' | 'large', PagingSize[]> = { small: [], large: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
      for (const size of order) runs[size].push(await measure(server, SIZES[size === 'small' ? 0 : 1]));
    }
    return summary(overRuns(runs.small), overRuns(runs.large));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** One size over its runs: the median timings; memory and generation from its first run (a fresh server). */
function overRuns(runs: readonly PagingSize[]): PagingSize {
  const first = runs[0]!;
  return {
    ...first,
    page1Ms: round(median(runs.map((r) => r.page1Ms)), 2),
    deepPageMs: round(median(runs.map((r) => r.deepPageMs)), 2),
  };
}

function summary(small: PagingSize, large: PagingSize): PagingFigure {
  return {
    pageSize: PAGE_SIZE,
    samples: SAMPLES,
    rounds: ROUNDS,
    small,
    large,
    ratio: round(large.page1Ms / small.page1Ms, 3),
  };
}
