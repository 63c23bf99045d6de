import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import {
  FUNCTION_BUNDLING,
  functionBuildOptions,
  functionExternals,
} from '../constructs/function-bundling.ts';
import {
  BUILD_DIR,
  commonJsFacadeSource,
  facadePath,
  layerEntrySource,
  REPO_ROOT,
  SHARED_PACKAGE,
  type SharedModuleManifest,
  sharedModuleManifest,
  writeAtomically,
} from './shared-module.ts';

export interface SharedLayerBuildOptions {
  manifest?: SharedModuleManifest;
  minify?: boolean;
  /** Linked source maps without sources content: readable stack traces, a small zip. */
  sourceMap?: boolean;
}

export interface SharedLayerBuildReport {
  /** The module functions import, relative to the layer root: `nodejs/node_modules/@aurum/shared/index.mjs`. */
  entry: string;
  /** Output JavaScript files (the entry and its lazily loaded chunks) with their sizes in bytes. */
  files: Record<string, number>;
}

/**
 * Builds the shared layer into `outputDir` with esbuild, locally (no Docker): one pre-bundled ESM module at
 * `nodejs/node_modules/@aurum/shared/index.mjs` exporting lib/ and the packages functions share with it.
 * Code that lib/ reaches only by dynamic import (the Trino client and axios) is split into chunks that
 * load on first use, so it never sits on the import-time path. The AWS SDK is left out: the runtime has it.
 */
export function buildSharedLayer(
  outputDir: string,
  options: SharedLayerBuildOptions = {},
): SharedLayerBuildReport {
  const manifest = options.manifest ?? sharedModuleManifest();
  const entryFile = join(BUILD_DIR, 'layer-entry.ts');
  writeAtomically(entryFile, layerEntrySource(manifest));
  const packageDir = join(outputDir, 'nodejs', 'node_modules', ...SHARED_PACKAGE.split('/'));
  const lazyAliases: Record<string, string> = {};
  for (const pkg of manifest.lazyCommonJs) {
    const path = facadePath(`lazy/${pkg.specifier}`);
    writeAtomically(path, commonJsFacadeSource(pkg));
    lazyAliases[pkg.specifier] = path;
  }

  const result = buildSync({
    absWorkingDir: REPO_ROOT,
    entryPoints: { index: entryFile },
    outdir: packageDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    ...functionBuildOptions(lazyAliases),
    // The layer is what the functions leave out: only the runtime's own packages stay external.
    external: functionExternals(false),
    splitting: true,
    minify: options.minify ?? FUNCTION_BUNDLING.minify,
    sourcemap: options.sourceMap === false ? false : 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  });

  const files: Record<string, number> = {};
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (!path.endsWith('.mjs')) continue;
    const staticImports = output.imports.filter((i) => i.kind === 'import-statement' && i.external);
    const duckdb = staticImports.find((i) => i.path.includes('duckdb'));
    if (duckdb)
      throw new Error(`the shared layer imports ${duckdb.path} at load time; DuckDB never ships in a Lambda`);
    files[relative(outputDir, join(REPO_ROOT, path))] = output.bytes;
  }
  writeFileSync(
    join(packageDir, 'package.json'),
    `${JSON.stringify({ name: SHARED_PACKAGE, private: true, type: 'module', exports: { '.': './index.mjs' } }, null, 2)}\n`,
  );
  return { entry: relative(outputDir, join(packageDir, 'index.mjs')), files };
}
