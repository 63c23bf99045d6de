import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

/** The repository root: this file sits in `infra/layer/`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The package name the layer installs under `/opt/nodejs/node_modules`, and functions import in layer mode. */
export const SHARED_PACKAGE = '@aurum/shared';

/**
 * Kept out of every Lambda bundle: the AWS SDK v3 ships with the Node.js 22 runtime; DuckDB is the local
 * engine, reached only through a dynamic import of `./duckdb-engine.ts` that runs when AURUM_TRINO_URL is
 * unset, which it never is in Lambda (left as a runtime import, that import would fail loudly rather than
 * drag a native module into the zip).
 */
export const LAMBDA_EXTERNALS = [
  '@aws-sdk/*',
  '@duckdb/node-api',
  '*duckdb-engine.ts',
  // PGlite (the embedded app store) is WASM with its data files beside it; like DuckDB it is local only,
  // reached by a dynamic import of `./pglite-store.ts` that runs when AURUM_STORE_URL is unset, never in AWS.
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  '*pglite-store.ts',
  // node-postgres' optional native binding, required inside a try; the pure-JS client is what ships.
  'pg-native',
] as const;

/** lib/ modules that never ship: they exist for the local runtime only. */
export const LOCAL_ONLY_MODULES = new Set(['data/duckdb-engine', 'store/pglite-store']);

/**
 * lib/ modules the layer leaves to the one function that uses them, which bundles them in a lazy chunk:
 * the OpenAPI builder (the docs function, on its first request for the document) and what only it uses
 * (the envelope schemas, the problem responses, the JSON-Schema conversion).
 * Served from the layer, zod's JSON-Schema converter behind it (21 KB) would sit in the layer's chunk of
 * zod, which every function loads at import: esbuild splits by file, and every importer of `zod/mini`
 * reaches the converter's files through its re-exports. They import the rest of lib/ by `#lib/...`
 * specifiers, so in layer mode they meet the layer's modules (one envelope, one parameter registry).
 */
export const FUNCTION_BUNDLED_MODULES = new Set([
  'http/openapi',
  'http/json-schema',
  'http/problem-responses',
  'http/envelope-schemas',
]);

/**
 * ESM output still meets CommonJS inside dependencies (`require('http')` in axios and friends); esbuild's
 * `__require` shim throws `Dynamic require of "x" is not supported` unless a real `require` is in scope.
 */
export const CREATE_REQUIRE_BANNER =
  "import { createRequire as __aurumCreateRequire } from 'node:module'; const require = __aurumCreateRequire(import.meta.url);";

/** Where generated build inputs (layer package entries, CommonJS facades) live: gitignored, stable paths keep bundles reproducible. */
export const BUILD_DIR = join(REPO_ROOT, '.build', 'aurum-shared');

/** One import specifier the layer serves: a lib/ module (`#lib/http/domain-handler`) or a package both sides use (`zod/mini`). */
export interface SharedSpecifier {
  /** As written in source: `#lib/http/domain-handler`, `zod/mini`, `@aws-lambda-powertools/logger`. */
  specifier: string;
  /** What its layer module serves: an absolute lib/ file (built as its own entry), or the package specifier. */
  source: string;
  /** Runtime export names (types are erased before bundling, so they never appear here). */
  exports: string[];
}

/** A CommonJS package lib/ imports lazily (`await import('trino-client')`), with the names Node would see. */
export interface LazyCommonJsPackage {
  specifier: string;
  /** The package's resolved main file. */
  main: string;
  exports: string[];
}

export interface SharedModuleManifest {
  specifiers: SharedSpecifier[];
  lazyCommonJs: LazyCommonJsPackage[];
  /** The `#lib/` specifiers `functions/` code imports (statically or not): the layer's lib/ modules. */
  functionImports: string[];
}

/**
 * Where a shared specifier lives in the layer package, one module each: `#lib/http/domain-handler` at
 * `lib/http/domain-handler`, a package (`zod/mini`, `@aws-lambda-powertools/logger`) under `pkg/`.
 */
export function layerSubpath(specifier: string): string {
  return specifier.startsWith('#lib/') ? specifier.slice(1) : `pkg/${specifier}`;
}

/** The specifier a layer-mode function imports in place of a shared one: `@aurum/shared/lib/http/registry`. */
export const layerModule = (specifier: string) => `${SHARED_PACKAGE}/${layerSubpath(specifier)}`;

/** `lib/**\/*.ts` modules as their `#lib/...` specifiers: the layer's, so local-only and function-bundled ones left out. */
export function listLibModules(repoRoot = REPO_ROOT): string[] {
  const libDir = join(repoRoot, 'lib');
  return (readdirSync(libDir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => file.replaceAll('\\', '/').replace(/\.ts$/, ''))
    .filter((key) => !LOCAL_ONLY_MODULES.has(key) && !FUNCTION_BUNDLED_MODULES.has(key))
    .sort()
    .map((key) => `#lib/${key}`);
}

const isBuiltin = (path: string) => path.startsWith('node:');
const isLambdaExternal = (path: string) =>
  path.startsWith('@aws-sdk/') ||
  path === '@duckdb/node-api' ||
  path.endsWith('duckdb-engine.ts') ||
  path.startsWith('@electric-sql/pglite') ||
  path.endsWith('pglite-store.ts') ||
  path === 'pg-native';

/**
 * Reads what the layer must export: every lib/ module's runtime exports, and every package lib/ imports
 * statically. Those packages are served by the layer too, so a function and lib/ share one copy: a zod
 * schema declared in a route and read by lib/http/openapi must meet the same zod (registry, instanceof).
 */
export function describeSharedModule(repoRoot = REPO_ROOT): SharedModuleManifest {
  const libSpecifiers = listLibModules(repoRoot);
  const files = libSpecifiers.map((s) => join(repoRoot, 'lib', `${s.slice('#lib/'.length)}.ts`));
  const libBuild = buildSync({
    absWorkingDir: repoRoot,
    entryPoints: files,
    bundle: true,
    packages: 'external',
    external: [...LAMBDA_EXTERNALS],
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    outdir: join(BUILD_DIR, 'probe'),
    logLevel: 'silent',
  });
  const byEntry = new Map<string, { exports: string[]; packages: string[] }>();
  const lazyPackages = new Set<string>();
  for (const output of Object.values(libBuild.metafile.outputs)) {
    if (!output.entryPoint) continue;
    const external = output.imports.filter(
      (i) => i.external && !isBuiltin(i.path) && !isLambdaExternal(i.path),
    );
    const packages = external.filter((i) => i.kind === 'import-statement').map((i) => i.path);
    for (const i of external) if (i.kind === 'dynamic-import') lazyPackages.add(i.path);
    byEntry.set(resolve(repoRoot, output.entryPoint), { exports: output.exports, packages });
  }

  const specifiers: SharedSpecifier[] = libSpecifiers.map((specifier, i) => {
    const file = files[i]!;
    const entry = byEntry.get(file);
    if (!entry) throw new Error(`esbuild reported nothing for ${relative(repoRoot, file)}`);
    return { specifier, source: file, exports: [...entry.exports].sort() };
  });

  const packages = [...new Set([...byEntry.values()].flatMap((e) => e.packages))].sort();
  const used = namesFunctionsUse(repoRoot);
  for (const pkg of packages) {
    // Only the names function code reads: re-exporting a package's every name would defeat tree-shaking
    // (zod's whole namespace alone is 440 KB), and lib/'s own use of the package is bundled anyway.
    const wanted = used.get(pkg) ?? new Set<string>();
    const exports = packageExports(repoRoot, pkg).filter((name) => wanted.has(name));
    if (exports.length > 0) specifiers.push({ specifier: pkg, source: pkg, exports });
  }

  const lazyCommonJs = [...lazyPackages]
    .sort()
    .filter((pkg) => packageExports(repoRoot, pkg).length === 0)
    .map((pkg) => commonJsPackage(repoRoot, pkg));

  return { specifiers, lazyCommonJs, functionImports: libImportsOfFunctions(repoRoot) };
}

/** What a function bundles from source in layer mode: `functions/**\/*.ts` and the FUNCTION_BUNDLED_MODULES. */
function functionSourceFiles(repoRoot: string): string[] {
  const dir = join(repoRoot, 'functions');
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));
  for (const key of FUNCTION_BUNDLED_MODULES) files.push(join(repoRoot, 'lib', `${key}.ts`));
  return files;
}

/**
 * Every `#lib/...` specifier written in `functions/` (imports, re-exports, `import()`) or in the lib/ modules
 * functions bundle themselves (FUNCTION_BUNDLED_MODULES), sorted.
 */
export function libImportsOfFunctions(repoRoot = REPO_ROOT): string[] {
  const found = new Set<string>();
  for (const file of functionSourceFiles(repoRoot))
    for (const m of readFileSync(file, 'utf8').matchAll(/['"](#lib\/[^'"]+)['"]/g)) found.add(m[1]!);
  return [...found].sort();
}

/**
 * Per package, the names function code (`functions/` and the FUNCTION_BUNDLED_MODULES) reads from it: named imports, and `ns.name` for namespace imports
 * (`import * as z from 'zod/mini'` then `z.object`). Type-only imports and names that are not runtime exports
 * drop out when intersected with the package's exports.
 */
export function namesFunctionsUse(repoRoot = REPO_ROOT): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const add = (pkg: string, name: string) => {
    const names = used.get(pkg) ?? new Set<string>();
    names.add(name);
    used.set(pkg, names);
  };
  for (const file of functionSourceFiles(repoRoot)) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(
      /import\s+\*\s+as\s+([A-Za-z_$][\w$]*)\s+from\s+['"]([^'"#.][^'"]*)['"]/g,
    )) {
      const [, namespace, pkg] = m;
      for (const use of source.matchAll(
        new RegExp(`\\b${namespace!.replace('$', '\\$')}\\.([A-Za-z_$][\\w$]*)`, 'g'),
      ))
        add(pkg!, use[1]!);
    }
    for (const m of source.matchAll(/import\s+\{([^}]*)\}\s+from\s+['"]([^'"#.][^'"]*)['"]/g)) {
      for (const part of m[1]!.split(',')) {
        const name = part
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]!
          .trim();
        if (name && !part.trim().startsWith('type ')) add(m[2]!, name);
      }
    }
  }
  return used;
}

/**
 * The names Node's CommonJS interop would give `import('pkg')`. esbuild cannot see them statically, and a
 * split chunk of a CommonJS module exports only `default`, which would leave `{ Trino }` undefined; every
 * split build gives such a package an ESM facade with these names. Reading them loads the package once.
 */
function commonJsPackage(repoRoot: string, pkg: string): LazyCommonJsPackage {
  const requireFromRepo = createRequire(join(repoRoot, 'package.json'));
  const main = requireFromRepo.resolve(pkg);
  const loaded = requireFromRepo(pkg) as Record<string, unknown>;
  const exports = Object.keys(loaded)
    .filter((name) => name !== 'default' && name !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(name))
    .sort();
  return { specifier: pkg, main, exports };
}

/** An ESM module re-exporting a CommonJS package's names, so a split chunk of it keeps them. */
export function commonJsFacadeSource(pkg: LazyCommonJsPackage): string {
  const names = pkg.exports.join(', ');
  return `import * as cjs from ${JSON.stringify(pkg.main)};\nexport const { ${names} } = cjs;\nexport default cjs.default;\n`;
}

/** A package's named ESM exports; empty for CommonJS, whose names esbuild cannot see (it stays per function). */
function packageExports(repoRoot: string, pkg: string): string[] {
  const result = buildSync({
    absWorkingDir: repoRoot,
    stdin: { contents: `export * from ${JSON.stringify(pkg)};`, resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    external: [...LAMBDA_EXTERNALS],
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    outfile: join(BUILD_DIR, 'probe', 'package.mjs'),
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
  return [...(output?.exports ?? [])].filter((name) => name !== 'default').sort();
}

/** The layer's module for a package: just the names function code reads from it, so the rest tree-shakes. */
export function packageEntrySource(shared: SharedSpecifier): string {
  return `export { ${shared.exports.join(', ')} } from ${JSON.stringify(shared.source)};\n`;
}

/** Written through a temporary file and a rename, so a concurrent synth never reads half a file. */
export function writeAtomically(path: string, contents: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/**
 * esbuild aliases for a layer-mode function: each shared specifier to its layer module, which the bundle
 * leaves external, so `import { x } from '#lib/http/registry'` ships as an import of
 * `@aurum/shared/lib/http/registry` and a function loads only the layer modules it imports. Every lib/
 * module is mapped, not only those the layer builds (`functionImports`): an import the scan missed fails
 * loudly at load (a subpath the package does not export) instead of inlining a second copy of lib/.
 */
export function layerAliases(manifest: SharedModuleManifest): Record<string, string> {
  return Object.fromEntries(manifest.specifiers.map((s) => [s.specifier, layerModule(s.specifier)]));
}

/**
 * Writes the ESM facade of every lazily imported CommonJS package and returns esbuild aliases to them:
 * with code splitting, `await import('trino-client')` would otherwise meet a chunk exporting only
 * `default`. Every split build uses them (functions inline, and the layer).
 */
export function lazyCommonJsAliases(manifest: SharedModuleManifest): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const pkg of manifest.lazyCommonJs) {
    const path = join(BUILD_DIR, 'lazy', `${pkg.specifier}.mjs`);
    writeAtomically(path, commonJsFacadeSource(pkg));
    aliases[pkg.specifier] = path;
  }
  return aliases;
}

let cached: SharedModuleManifest | undefined;

/** The manifest, read once per process (an esbuild pass over lib/ and the packages it shares). */
export function sharedModuleManifest(): SharedModuleManifest {
  cached ??= describeSharedModule();
  return cached;
}
