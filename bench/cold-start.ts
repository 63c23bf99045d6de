import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  /**
   * Code a cold start loads at import: the bytes of every file Node loads while importing the bundle (the
   * bundle, its chunks, the layer's modules, every external non-builtin module, ESM or CommonJS).
   */
  importBytes: number;
  /** How many files that is. */
  importFiles: number;
  functionBytes: number;
  importMs: number;
  /** Files of the AWS SDK, trino-client, axios or @upstash loaded at import (none is the budget for the SDK). */
  heavyModules: string[];
}

const HEAVY = /[\\/]node_modules[\\/](@aws-sdk|@smithy|trino-client|axios|@upstash)[\\/]/;

// A load hook (in the loader thread) appends each file: URL it loads to the file AURUM_LOADED_LOG names;
// CommonJS files required from them are recorded on the main thread through Module.prototype._compile.
const HOOK = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.AURUM_LOADED_LOG, url + '\\n');
  return next(url, context);
}`;

const LOADED_SCRIPT = (url: string) => `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));
const Module = createRequire(import.meta.url)('node:module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  appendFileSync(process.env.AURUM_LOADED_LOG, pathToFileURL(filename).href + '\\n');
  return compile.call(this, content, filename);
};
await import(${JSON.stringify(url)});`;

/** The files a fresh Node process loads while importing the module (one run, with the hooks above). */
function loadedFiles(file: string, logFile: string): string[] {
  rmSync(logFile, { force: true });
  writeFileSync(logFile, '');
  execFileSync(process.execPath, ['--input-type=module', '-e', LOADED_SCRIPT(pathToFileURL(file).href)], {
    env: { ...childEnv(), AURUM_LOADED_LOG: logFile },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const urls = new Set(readFileSync(logFile, 'utf8').split('\n').filter(Boolean));
  return [...urls].map((u) => realpathSync(fileURLToPath(u))).filter((f, i, all) => all.indexOf(f) === i);
}

const childEnv = () => ({
  PATH: process.env.PATH ?? '',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  AWS_REGION: 'us-east-1',
});

function measureImport(file: string, logFile: string) {
  const files = loadedFiles(file, logFile);
  return {
    importBytes: files.reduce((sum, f) => sum + statSync(f).size, 0),
    importFiles: files.length,
    heavyModules: files.filter((f) => HEAVY.test(f)).map((f) => shown(f)),
    importMs: importMs(file),
  };
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
      env: childEnv(),
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
    const logFile = join(root, 'loaded.log');
    figures.push({
      domain: '(empty)',
      mode: 'empty',
      functionBytes: emptyBytes,
      ...measureImport(emptyOut, logFile),
    });

    // The layer as /opt/nodejs/node_modules would hold it, installed where the function's imports resolve.
    const layerRoot = join(root, 'layer');
    buildSharedLayer(layerRoot, { sourceMap: false });
    const aliases = writeFacades(sharedModuleManifest());

    for (const domain of domains()) {
      const entry = join(REPO_ROOT, 'functions', domain, 'handler.ts');
      const inlineOut = join(root, 'inline', domain, 'index.mjs');
      const inlineBytes = await bundle(entry, inlineOut, undefined);
      figures.push({
        domain,
        mode: 'inline',
        functionBytes: inlineBytes,
        ...measureImport(inlineOut, logFile),
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
        functionBytes: layerBytes,
        ...measureImport(layerOut, logFile),
      });
    }
    return { figures, runs: RUNS };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const describeBundle = (f: BundleFigure) => `${f.domain} (${f.mode})`;
export const shown = (path: string) => relative(REPO_ROOT, path);

/** The packages a list of node_modules files belongs to, e.g. `@upstash/redis, axios`. */
export const packagesOf = (files: string[]) =>
  [...new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? f))].join(', ');
