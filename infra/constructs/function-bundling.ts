import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type BuildOptions, buildSync } from 'esbuild';
import {
  CREATE_REQUIRE_BANNER,
  LAMBDA_EXTERNALS,
  lazyCommonJsAliases,
  REPO_ROOT,
  SHARED_PACKAGE,
  sharedModuleManifest,
} from '#infra/layer/shared-module';

/**
 * The esbuild settings of every Lambda bundle, in one place: `bundleFunction` below builds every function
 * with them (AurumFunction at synth, the bundle test, the bench's cold start), and the shared layer builds
 * with them, so the bench measures what ships.
 */
export const FUNCTION_BUNDLING = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: CREATE_REQUIRE_BANNER,
  minify: true,
  treeShaking: true,
  legalComments: 'none',
} as const;

/** What a function bundle leaves out: the runtime's AWS SDK, DuckDB, and in layer mode the shared layer. */
export function functionExternals(layerMode: boolean): string[] {
  return [...LAMBDA_EXTERNALS, ...(layerMode ? [`${SHARED_PACKAGE}/*`] : [])];
}

/** FUNCTION_BUNDLING as esbuild's own options; `aliases` (specifier to layer module) switch layer mode on. */
export function functionBuildOptions(aliases?: Record<string, string>): BuildOptions {
  const { banner, mainFields, ...rest } = FUNCTION_BUNDLING;
  return {
    ...rest,
    bundle: true,
    mainFields: [...mainFields],
    banner: { js: banner },
    external: functionExternals(aliases !== undefined),
    alias: aliases ?? {},
  };
}

/**
 * Code splitting: every output is an ES module (`.mjs`); what the code reaches only through `import()`
 * (the Trino client and axios, the Secrets Manager client, Upstash) goes into `chunks/` and loads on first
 * use instead of at import. Each chunk carries the createRequire banner in its own module scope.
 */
export const SPLITTING = {
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
} as const;

export interface FunctionBundleOptions {
  /** The handler module, absolute: `functions/<domain>/handler.ts` or a worker. */
  entry: string;
  /** Where `index.mjs`, `chunks/`, the source maps and the bundle assets go (an empty or new directory). */
  outDir: string;
  /** Layer mode: each shared specifier (`#lib/...`, `zod/mini`) to its layer module (`@aurum/shared/...`). */
  aliases?: Record<string, string>;
  /** Linked `.map` files without sources content (default), or none. */
  sourceMap?: boolean;
}

export interface FunctionBundle {
  /** `<outDir>/index.mjs`, whose `handler` export Lambda calls (`index.handler`). */
  entry: string;
  /** JavaScript files written, relative to outDir (`index.mjs`, `chunks/…`), with their sizes in bytes. */
  files: Record<string, number>;
}

/**
 * Files a function reads at run time (the docs page's swagger-ui assets), listed beside its entry in
 * `bundle-assets.json` as `{ "<folder in the bundle>": ["<repo-relative file>", …] }`.
 */
function copyBundleAssets(entry: string, outDir: string): void {
  const manifest = join(dirname(entry), 'bundle-assets.json');
  if (!existsSync(manifest)) return;
  const folders = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string[]>;
  for (const [folder, files] of Object.entries(folders)) {
    mkdirSync(join(outDir, folder), { recursive: true });
    for (const file of files)
      copyFileSync(join(REPO_ROOT, file), join(outDir, folder, file.split('/').pop()!));
  }
}

/**
 * Builds one function the way it ships, synchronously (CDK's local bundling calls it from `tryBundle`):
 * FUNCTION_BUNDLING with code splitting, entry `index.mjs`, lazy chunks in `chunks/`, and its assets.
 */
export function bundleFunction(options: FunctionBundleOptions): FunctionBundle {
  const build = functionBuildOptions(options.aliases);
  const result = buildSync({
    ...build,
    // CommonJS packages lib/ imports lazily (the Trino client) keep their names across the chunk boundary.
    alias: { ...lazyCommonJsAliases(sharedModuleManifest()), ...build.alias },
    ...SPLITTING,
    absWorkingDir: REPO_ROOT,
    entryPoints: [options.entry],
    outdir: options.outDir,
    sourcemap: options.sourceMap === false ? false : 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  });
  copyBundleAssets(options.entry, options.outDir);
  const files: Record<string, number> = {};
  for (const [path, output] of Object.entries(result.metafile.outputs))
    if (path.endsWith('.mjs')) files[relative(options.outDir, join(REPO_ROOT, path))] = output.bytes;
  return { entry: join(options.outDir, 'index.mjs'), files };
}
