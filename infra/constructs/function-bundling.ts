import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
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

/**
 * The Node options every function runs with: linked source maps, so a logged stack points at our
 * TypeScript. Node then reads and parses each loaded module's map at import, which the cold-start bench
 * measures with it.
 */
export const FUNCTION_NODE_OPTIONS = '--enable-source-maps';

/** What a function bundle leaves out: the runtime's AWS SDK, DuckDB, and in layer mode the shared layer. */
export function functionExternals(layerMode: boolean): string[] {
  return [...LAMBDA_EXTERNALS, ...(layerMode ? [`${SHARED_PACKAGE}/*`] : [])];
}

/**
 * Built-in modules a bundle gets a stand-in for: `node:stream/web`, which @middy/core imports at load time
 * for a streaming check no function runs (infra/constructs/shims/stream-web.ts).
 */
export const BUILTIN_SHIMS: Record<string, string> = {
  'node:stream/web': join(REPO_ROOT, 'infra', 'constructs', 'shims', 'stream-web.ts'),
};

/** FUNCTION_BUNDLING as esbuild's own options; `aliases` (specifier to layer module) switch layer mode on. */
export function functionBuildOptions(aliases?: Record<string, string>): BuildOptions {
  const { banner, mainFields, ...rest } = FUNCTION_BUNDLING;
  return {
    ...rest,
    bundle: true,
    mainFields: [...mainFields],
    banner: { js: banner },
    external: functionExternals(aliases !== undefined),
    alias: { ...BUILTIN_SHIMS, ...(aliases ?? {}) },
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

/** Stands for `import.meta.url` in a folded chunk: as long as it (15 characters), so source maps still fit. */
const CHUNK_URL = '__aurumChunkUrl';

/**
 * Readies one module (the entry or a chunk) for folding, in place and keeping every line where it is, so
 * its source map still fits: the banner line becomes empty (the merged entry gets one banner, whose
 * `require` the module's own references then mean). In a chunk, each `import.meta.url` becomes CHUNK_URL,
 * defined on that first line as the URL the chunk had (lib/ finds repository files relative to its
 * module); any other `import.meta` use is refused.
 */
function readyForFolding(file: string, outDir: string, entry: string): void {
  const text = readFileSync(file, 'utf8');
  const newline = text.indexOf('\n');
  const [first, rest] = [text.slice(0, newline), text.slice(newline)];
  if (first !== CREATE_REQUIRE_BANNER)
    throw new Error(`${relative(outDir, file)} does not start with the banner`);
  if (file === entry || !rest.includes('import.meta')) {
    writeFileSync(file, rest);
    return;
  }
  const body = rest.replaceAll('import.meta.url', CHUNK_URL);
  if (body.includes('import.meta'))
    throw new Error(`${relative(outDir, file)} reads import.meta other than its url; it cannot be folded`);
  const url = JSON.stringify(`./${relative(outDir, file)}`);
  writeFileSync(file, `const ${CHUNK_URL} = new URL(${url}, import.meta.url).href;${body}`);
}

/**
 * The chunks esbuild split out of `index.mjs` that it imports statically: code shared between the entry and
 * a lazy chunk (the SQL helpers the Trino engine also uses, the metrics module Upstash's limiter also uses,
 * esbuild's runtime helpers). Node loads them at import like the entry, and each file costs about 0.3 ms
 * of a cold start, so they are folded into `index.mjs` after the split: a second esbuild pass bundles the
 * entry with them (chaining the source maps, under one banner), and each such chunk file becomes a
 * one-line module re-exporting its bindings from `../index.mjs`, so the lazy chunks that import it get
 * the very same bindings (classes, state) once they load, after the entry has run.
 */
function foldStaticChunks(outDir: string, metafile: Metafile, options: FunctionBundleOptions): void {
  const outputs = new Map(
    Object.entries(metafile.outputs).map(([path, output]) => [join(REPO_ROOT, path), output]),
  );
  const entry = join(outDir, 'index.mjs');
  const folded: string[] = [];
  const pending = [entry];
  while (pending.length > 0) {
    for (const imported of outputs.get(pending.pop()!)?.imports ?? []) {
      const path = join(REPO_ROOT, imported.path);
      if (imported.kind !== 'import-statement' || !outputs.has(path) || folded.includes(path)) continue;
      folded.push(path);
      pending.push(path);
    }
  }
  if (folded.length === 0) return;

  // What stays a file of its own: every output the entry or a folded chunk reaches through import(), marked
  // external by its absolute path, which esbuild rewrites relative to the merged entry.
  const lazy = new Set<string>();
  for (const file of [entry, ...folded])
    for (const imported of outputs.get(file)!.imports) {
      const path = join(REPO_ROOT, imported.path);
      if (imported.kind === 'dynamic-import' && outputs.has(path)) lazy.add(path);
    }
  const names = new Map(
    folded.map((file, i) => [file, outputs.get(file)!.exports.map((name) => [name, `__aurum${i}_${name}`])]),
  );
  for (const file of [entry, ...folded]) readyForFolding(file, outDir, entry);

  const contents = [
    "export * from './index.mjs';",
    ...(outputs.get(entry)!.exports.includes('default') ? ["export { default } from './index.mjs';"] : []),
    ...folded.map(
      (file) =>
        `export { ${names
          .get(file)!
          .map(([name, alias]) => `${name} as ${alias}`)
          .join(', ')} } from './${relative(outDir, file)}';`,
    ),
  ].join('\n');
  const { banner, target, minify, legalComments } = FUNCTION_BUNDLING;
  const sourceMap = options.sourceMap !== false;
  const merged = buildSync({
    stdin: { contents, resolveDir: outDir, sourcefile: 'fold-static-chunks.mjs', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target,
    minify,
    legalComments,
    banner: { js: banner },
    external: [...functionExternals(options.aliases !== undefined), ...lazy],
    outfile: entry,
    allowOverwrite: true,
    sourcemap: sourceMap ? 'linked' : false,
    sourcesContent: false,
    write: false,
    logLevel: 'warning',
  });
  for (const file of merged.outputFiles) writeFileSync(file.path, file.contents);
  for (const file of folded) {
    const reexports = names.get(file)!.map(([name, alias]) => `${alias} as ${name}`);
    writeFileSync(file, `export{${reexports.join(',')}}from"${relative(dirname(file), entry)}";\n`);
    rmSync(`${file}.map`, { force: true });
  }
}

/**
 * Builds one function the way it ships, synchronously (CDK's local bundling calls it from `tryBundle`):
 * FUNCTION_BUNDLING with code splitting, entry `index.mjs`, lazy chunks in `chunks/`, the chunks the entry
 * imports statically folded back into it (foldStaticChunks), and its assets.
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
  foldStaticChunks(options.outDir, result.metafile, options);
  copyBundleAssets(options.entry, options.outDir);
  const files: Record<string, number> = {};
  for (const path of Object.keys(result.metafile.outputs))
    if (path.endsWith('.mjs')) {
      const file = join(REPO_ROOT, path);
      files[relative(options.outDir, file)] = readFileSync(file).length;
    }
  return { entry: join(options.outDir, 'index.mjs'), files };
}
