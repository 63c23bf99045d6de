import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  commonJsFacadeSource,
  describeSharedModule,
  FUNCTION_BUNDLED_MODULES,
  layerAliases,
  layerModule,
  layerSubpath,
  listLibModules,
  packageEntrySource,
  REPO_ROOT,
  type SharedModuleManifest,
} from '#infra/layer/shared-module';

describe('the shared module manifest (what the layer exports and functions import from it)', () => {
  let manifest: SharedModuleManifest;
  const libOf = () => manifest.specifiers.filter((s) => s.specifier.startsWith('#lib/'));

  beforeAll(() => {
    manifest = describeSharedModule();
  });

  it('covers every lib/ module except the local-only ones and the OpenAPI builder the docs function bundles', () => {
    const files = (readdirSync(join(REPO_ROOT, 'lib'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `#lib/${f.replace(/\.ts$/, '')}`);
    expect(libOf().map((s) => s.specifier)).toEqual(listLibModules());
    const localOnly = ['#lib/data/duckdb-engine', '#lib/store/pglite-store'];
    const bundledByDocs = [
      '#lib/http/openapi',
      '#lib/http/json-schema',
      '#lib/http/problem-responses',
      '#lib/http/envelope-schemas',
    ];
    expect(new Set(listLibModules())).toEqual(
      new Set(files.filter((f) => !localOnly.includes(f) && !bundledByDocs.includes(f))),
    );
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
    expect(packages).toContain('zod/mini');
    // Classic zod (whose methods reach every schema type and the JSON-Schema converter) is in no bundle.
    expect(packages).not.toContain('zod');
    expect(packages.filter((p) => p.startsWith('@aws-sdk/') || p.includes('duckdb'))).toEqual([]);
    const zod = manifest.specifiers.find((s) => s.specifier === 'zod/mini')!;
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

  it('gives every shared specifier its own module in the layer package, lib/ and packages apart', () => {
    expect(layerSubpath('#lib/http/domain-handler')).toBe('lib/http/domain-handler');
    expect(layerSubpath('zod/mini')).toBe('pkg/zod/mini');
    expect(layerModule('@aws-lambda-powertools/logger')).toBe(
      '@aurum/shared/pkg/@aws-lambda-powertools/logger',
    );
    const aliases = layerAliases(manifest);
    expect(Object.keys(aliases).sort()).toEqual(manifest.specifiers.map((s) => s.specifier).sort());
    expect(aliases['#lib/http/registry']).toBe('@aurum/shared/lib/http/registry');
    expect(new Set(Object.values(aliases)).size).toBe(manifest.specifiers.length);
  });

  it('lists the lib/ modules function code imports, which the layer builds as its lib/ modules', () => {
    expect(manifest.functionImports).toEqual(
      expect.arrayContaining(['#lib/http/domain-handler', '#lib/errors']),
    );
    // Internal to lib/ (reached through the HTTP stack, never imported by a function).
    expect(manifest.functionImports).not.toContain('#lib/cache/upstash-store');
    for (const specifier of manifest.functionImports) {
      if (FUNCTION_BUNDLED_MODULES.has(specifier.slice('#lib/'.length))) continue;
      expect(listLibModules()).toContain(specifier);
    }
    expect(manifest.functionImports).toContain('#lib/http/openapi');
  });

  it('re-exports from a shared package only the names functions read', () => {
    const zod = manifest.specifiers.find((s) => s.specifier === 'zod/mini')!;
    const source = packageEntrySource(zod);
    expect(source).toMatch(/^export \{ [^}]*\bobject\b[^}]*\} from "zod\/mini";\n$/);
    expect(source).not.toMatch(/\blocales\b/);
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
