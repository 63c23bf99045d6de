import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import {
  FUNCTION_BUNDLING,
  functionBuildOptions,
  functionExternals,
  SPLITTING,
} from '../constructs/function-bundling.ts';
import {
  BUILD_DIR,
  layerSubpath,
  lazyCommonJsAliases,
  packageEntrySource,
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
  /** The package directory, relative to the layer root: `nodejs/node_modules/@aurum/shared`. */
  packageDir: string;
  /** Subpath export (`./lib/http/registry`) to its module, relative to the package (`./lib/http/registry.mjs`). */
  exports: Record<string, string>;
  /** Output JavaScript files (the modules and their shared and lazy chunks), relative to the layer root, in bytes. */
  files: Record<string, number>;
}

/**
 * Builds the shared layer into `outputDir` with esbuild, locally (no Docker), as the package
 * `nodejs/node_modules/@aurum/shared`: one ES module per shared specifier functions import (a lib/ module
 * at `lib/<path>.mjs`, a package they share with lib/ at `pkg/<name>.mjs`), each a subpath export,
 * with code splitting, so a function loads the modules it imports and the shared chunks they need, not
 * all of lib/; what lib/ reaches only by dynamic import (the Trino client and axios, the Secrets Manager
 * client, Upstash) stays in lazy chunks. The AWS SDK is left out: the runtime has it.
 */
export function buildSharedLayer(
  outputDir: string,
  options: SharedLayerBuildOptions = {},
): SharedLayerBuildReport {
  const manifest = options.manifest ?? sharedModuleManifest();
  const packageDir = join(outputDir, 'nodejs', 'node_modules', ...SHARED_PACKAGE.split('/'));
  const entryPoints: Record<string, string> = {};
  const imported = new Set(manifest.functionImports);
  for (const shared of manifest.specifiers) {
    // lib/ modules no function imports are reached through the ones they do, inside chunks: as entries
    // of their own they would only cut the shared chunks finer (more files to load at import).
    if (shared.specifier.startsWith('#lib/') && !imported.has(shared.specifier)) continue;
    const subpath = layerSubpath(shared.specifier);
    if (shared.specifier.startsWith('#lib/')) {
      entryPoints[subpath] = shared.source;
    } else {
      const entry = join(BUILD_DIR, 'layer-entries', `${subpath}.mjs`);
      writeAtomically(entry, packageEntrySource(shared));
      entryPoints[subpath] = entry;
    }
  }

  const result = buildSync({
    ...functionBuildOptions(lazyCommonJsAliases(manifest)),
    // The layer is what the functions leave out: only the runtime's own packages stay external.
    external: functionExternals(false),
    ...SPLITTING,
    entryNames: '[dir]/[name]',
    absWorkingDir: REPO_ROOT,
    entryPoints,
    outdir: packageDir,
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
  const exports = Object.fromEntries(
    Object.keys(entryPoints)
      .sort()
      .map((subpath) => [`./${subpath}`, `./${subpath}.mjs`]),
  );
  for (const target of Object.values(exports))
    if (!files[relative(outputDir, join(packageDir, target))])
      throw new Error(`the shared layer build wrote no ${target}`);
  writeFileSync(
    join(packageDir, 'package.json'),
    `${JSON.stringify({ name: SHARED_PACKAGE, private: true, type: 'module', exports }, null, 2)}\n`,
  );
  return { packageDir: relative(outputDir, packageDir), exports, files };
}
