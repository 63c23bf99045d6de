import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { functionBuildOptions } from '#infra/constructs/function-bundling';
import { buildSharedLayer } from '#infra/layer/build-shared-layer';
import { REPO_ROOT, sharedModuleManifest, writeFacades } from '#infra/layer/shared-module';
import { median, round } from './stats.ts';

/**
 * Cold start: each Lambda's bundle built as the CDK app builds it (AurumFunction's esbuild settings, from
 * infra/constructs/function-bundling.ts: ESM, minify, tree shaking, node22, the createRequire banner, the AWS
 * SDK and DuckDB external), in both modes
 * (lib/ inline, or from the shared layer), and the time a fresh Node process takes to import it, against an
 * empty ESM bundle built the same way.
 */

export interface BundleFigure {
  domain: string;
  mode: 'inline' | 'layer' | 'empty';
  /** Code a cold start loads at import: the function bundle, plus the layer's entry module in layer mode. */
  importBytes: number;
  functionBytes: number;
  importMs: number;
}

const RUNS = Number(process.env.AURUM_BENCH_IMPORT_RUNS ?? 9);

const domains = () =>
  readdirSync(join(REPO_ROOT, 'functions'), { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() &&
        statSync(join(REPO_ROOT, 'functions', d.name, 'handler.ts'), { throwIfNoEntry: false }),
    )
    .map((d) => d.name)
    .sort();

async function bundle(
  entry: string,
  outfile: string,
  layer: Record<string, string> | undefined,
): Promise<number> {
  await build({
    ...functionBuildOptions(layer),
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    outfile,
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

/** Median wall time of `import()` of the module in N fresh Node processes, measured inside each. */
function importMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_REGION: 'us-east-1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    samples.push(Number(out));
  }
  return round(median(samples), 2);
}

export async function coldStart(): Promise<{ figures: BundleFigure[]; runs: number }> {
  const root = join(tmpdir(), `aurum-bench-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  // As in Lambda, the AWS SDK is there to import: the repository's node_modules stands in for the runtime's.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  try {
    const figures: BundleFigure[] = [];
    const emptyEntry = join(root, 'empty.ts');
    writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
    const emptyOut = join(root, 'empty', 'index.mjs');
    const emptyBytes = await bundle(emptyEntry, emptyOut, undefined);
    figures.push({
      domain: '(empty)',
      mode: 'empty',
      importBytes: emptyBytes,
      functionBytes: emptyBytes,
      importMs: importMs(emptyOut),
    });

    // The layer as /opt/nodejs/node_modules would hold it, installed where the function's imports resolve.
    const layerRoot = join(root, 'layer');
    const report = buildSharedLayer(layerRoot, { sourceMap: false });
    const layerEntryBytes = statSync(join(layerRoot, report.entry)).size;
    const aliases = writeFacades(sharedModuleManifest());

    for (const domain of domains()) {
      const entry = join(REPO_ROOT, 'functions', domain, 'handler.ts');
      const inlineOut = join(root, 'inline', domain, 'index.mjs');
      const inlineBytes = await bundle(entry, inlineOut, undefined);
      figures.push({
        domain,
        mode: 'inline',
        importBytes: inlineBytes,
        functionBytes: inlineBytes,
        importMs: importMs(inlineOut),
      });

      const layerDir = join(root, 'layer-fn', domain);
      const layerOut = join(layerDir, 'index.mjs');
      const layerBytes = await bundle(entry, layerOut, aliases);
      mkdirSync(join(layerDir, 'node_modules'), { recursive: true });
      symlinkSync(
        join(layerRoot, 'nodejs', 'node_modules', '@aurum'),
        join(layerDir, 'node_modules', '@aurum'),
        'dir',
      );
      figures.push({
        domain,
        mode: 'layer',
        importBytes: layerBytes + layerEntryBytes,
        functionBytes: layerBytes,
        importMs: importMs(layerOut),
      });
    }
    return { figures, runs: RUNS };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const describeBundle = (f: BundleFigure) => `${f.domain} (${f.mode})`;
export const shown = (path: string) => relative(REPO_ROOT, path);
