import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  commonJsFacadeSource,
  describeSharedModule,
  facadeSource,
  layerEntrySource,
  layerExportName,
  listLibModules,
  REPO_ROOT,
  SHARED_PACKAGE,
  type SharedModuleManifest,
} from '#infra/layer/shared-module';

describe('the shared module manifest (what the layer exports and functions import from it)', () => {
  let manifest: SharedModuleManifest;
  const libOf = () => manifest.specifiers.filter((s) => s.specifier.startsWith('#lib/'));

  beforeAll(() => {
    manifest = describeSharedModule();
  });

  it('covers every lib/ module except the local-only DuckDB engine and PGlite store', () => {
    const files = (readdirSync(join(REPO_ROOT, 'lib'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `#lib/${f.replace(/\.ts$/, '')}`);
    expect(libOf().map((s) => s.specifier)).toEqual(listLibModules());
    const localOnly = ['#lib/data/duckdb-engine', '#lib/store/pglite-store'];
    expect(new Set(listLibModules())).toEqual(new Set(files.filter((f) => !localOnly.includes(f))));
  });

  it('lists exactly the runtime exports Node sees for each lib/ module (types erased)', async () => {
    for (const shared of libOf()) {
      const loaded = (await import(pathToFileURL(shared.source).href)) as Record<string, unknown>;
      expect(shared.exports, shared.specifier).toEqual(Object.keys(loaded).sort());
    }
  });

  it('shares with functions the package names their code reads, zod first, never the AWS SDK or DuckDB', () => {
    const packages = manifest.specifiers
      .filter((s) => !s.specifier.startsWith('#lib/'))
      .map((s) => s.specifier);
    expect(packages).toContain('zod');
    expect(packages.filter((p) => p.startsWith('@aws-sdk/') || p.includes('duckdb'))).toEqual([]);
    const zod = manifest.specifiers.find((s) => s.specifier === 'zod')!;
    // Routes build schemas with these; the layer re-exports just them, so the rest of zod tree-shakes away.
    expect(zod.exports).toEqual(expect.arrayContaining(['object', 'string', 'enum', 'array', 'uuid']));
    expect(zod.exports).not.toContain('locales');
    expect(zod.exports).not.toContain('infer');
  });

  it('gives the lazily loaded CommonJS Trino client an ESM facade with the names Node would see', () => {
    const trino = manifest.lazyCommonJs.find((p) => p.specifier === 'trino-client')!;
    expect(trino.exports).toEqual(expect.arrayContaining(['Trino', 'BasicAuth']));
    const facade = commonJsFacadeSource(trino);
    expect(facade).toContain(`from ${JSON.stringify(trino.main)}`);
    expect(facade).toMatch(/export const \{ [^}]*\bTrino\b[^}]*\} = cjs;/);
  });

  it('gives every (module, name) pair its own flat name in the layer', () => {
    const flat = manifest.specifiers.flatMap((s) =>
      s.exports.map((name) => layerExportName(s.specifier, name)),
    );
    expect(new Set(flat).size).toBe(flat.length);
    expect(layerExportName('#lib/http/domain-handler', 'createDomainHandler')).toBe(
      'lib_http_domain_handler$createDomainHandler',
    );
    expect(layerExportName('#lib/data/create-engine', 'createEngine')).toBe(
      'lib_data_create_engine$createEngine',
    );
    expect(layerExportName('@aws-lambda-powertools/logger', 'Logger')).toBe(
      '_aws_lambda_powertools_logger$Logger',
    );
  });

  it('writes a layer entry and facades that agree name for name', () => {
    const entry = layerEntrySource(manifest);
    const registry = manifest.specifiers.find((s) => s.specifier === '#lib/http/registry')!;
    expect(entry).toContain(
      `export { DuplicateRouteError as lib_http_registry$DuplicateRouteError, RouteRegistry as lib_http_registry$RouteRegistry, defineDomain as lib_http_registry$defineDomain } from ${JSON.stringify(registry.source)};`,
    );
    expect(facadeSource(registry)).toBe(
      `export { lib_http_registry$DuplicateRouteError as DuplicateRouteError, lib_http_registry$RouteRegistry as RouteRegistry, lib_http_registry$defineDomain as defineDomain } from '${SHARED_PACKAGE}';\n`,
    );
    expect(facadeSource({ specifier: '#lib/http/types-only', source: '', exports: [] })).toBe('export {};\n');
  });
});

describe('how functions reach lib/', () => {
  const sources = (readdirSync(join(REPO_ROOT, 'functions'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(REPO_ROOT, 'functions', f));

  it('only through #lib/ aliases, which layer mode rewrites to the layer (a relative path would inline a second copy)', () => {
    expect(sources.length).toBeGreaterThan(0);
    for (const file of sources) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map(
        (m) => m[1]!,
      );
      expect(
        specifiers.filter((s) => /^\.{1,2}\/.*\blib\//.test(s)),
        file,
      ).toEqual([]);
    }
  });
});
