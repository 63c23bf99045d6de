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
 * the same pages on a 360 k-row and a 1 M-row table, timed in ROUNDS fresh server processes that hold both
 * tables and alternate between them (paging-server.ts), with the server cache off, so every request reaches
 * DuckDB; the figure is the median of the rounds' ratios of the two miss p50s, and the RSS after the first
 * page of a server holding only the 1 M-row table. The server is bundled as a function is (esbuild, DuckDB external)
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
  /** The median over the rounds of large page 1 over small page 1, both timed in the round's one process. */
  ratio: number;
}

const SIZES = (process.env.AURUM_BENCH_PAGING_ROWS ?? '360000,1000000').split(',').map(Number) as [
  number,
  number,
];
export const PAGE_SIZE = 20;
export const DEEP_PAGE = Number(process.env.AURUM_BENCH_PAGING_DEEP ?? 100);
const SAMPLES = Number(process.env.AURUM_BENCH_PAGING_SAMPLES ?? 100);
/**
 * Server processes holding both tables, their samples alternating (the order swapped every round), so a
 * process's JIT state or a machine slowing down weighs on both sizes alike; the timings are medians over them.
 */
const ROUNDS = Math.max(1, Number(process.env.AURUM_BENCH_PAGING_ROUNDS ?? 5));
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

/** The generated table of `rows` rows (made on first use, kept in the temp directory by data version). */
async function tableOf(rows: number): Promise<{ path: string; generateSeconds: number }> {
  const dir = join(tmpdir(), 'aurum-bench-data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `curves-${DATA_VERSION}-${rows}.duckdb`);
  const generating = performance.now();
  // Deterministic data: a file left by an earlier run of this version is the same file.
  if (!existsSync(path)) await generateSampleData({ path, rows });
  return { path, generateSeconds: round((performance.now() - generating) / 1000, 1) };
}

/** One server process over the given tables; one figure per table, in order. */
function serve(server: string, paths: string[]): Omit<PagingSize, 'generateSeconds'>[] {
  const out = execFileSync(
    process.execPath,
    [server, paths.join(','), String(PAGE_SIZE), String(DEEP_PAGE), String(SAMPLES)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } },
  );
  return out
    .trim()
    .split('\n')
    .slice(-paths.length)
    .map((line) => JSON.parse(line) as Omit<PagingSize, 'generateSeconds'>);
}

export async function keysetPaging(): Promise<PagingFigure> {
  const root = join(tmpdir(), `aurum-bench-paging-${process.pid}`);
  try {
    const server = await bundleServer(root);
    const small = await tableOf(SIZES[0]);
    const large = await tableOf(SIZES[1]);
    // Memory: a fresh server per table, holding that table alone.
    const [smallAlone] = serve(server, [small.path]);
    const [largeAlone] = serve(server, [large.path]);
    // Time: ROUNDS servers holding both tables, their samples alternating, the order swapped each round.
    const runs: Record<'small' | 'large', Timing[]> = { small: [], large: [] };
    const ratios: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const swapped = i % 2 === 1;
      const figures = serve(server, swapped ? [large.path, small.path] : [small.path, large.path]);
      const [s, l] = swapped ? [figures[1]!, figures[0]!] : [figures[0]!, figures[1]!];
      runs.small.push(s);
      runs.large.push(l);
      ratios.push(l.page1Ms / s.page1Ms);
    }
    return summary(
      overRuns(runs.small, { ...smallAlone!, generateSeconds: small.generateSeconds }),
      overRuns(runs.large, { ...largeAlone!, generateSeconds: large.generateSeconds }),
      median(ratios),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

type Timing = Pick<PagingSize, 'page1Ms' | 'deepPageMs'>;

/** One size over the paired runs: the median timings; memory from the server that held it alone. */
function overRuns(runs: readonly Timing[], alone: PagingSize): PagingSize {
  return {
    ...alone,
    page1Ms: round(median(runs.map((r) => r.page1Ms)), 2),
    deepPageMs: round(median(runs.map((r) => r.deepPageMs)), 2),
  };
}

function summary(small: PagingSize, large: PagingSize, ratio: number): PagingFigure {
  return {
    pageSize: PAGE_SIZE,
    samples: SAMPLES,
    rounds: ROUNDS,
    small,
    large,
    ratio: round(ratio, 3),
  };
}
