import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import type { OpenApiDocument } from '#lib/http/openapi';
import type { RouteSpec } from '#lib/http/route';
import { type LocalApi, startLocalApi } from '#test/support/local-api';
import { type ReadmeExample, readmeExamples } from '#test/support/readme-examples';
import { type Usage, usageFile } from '#test/support/typed-client-usage';
import { contractViolations, describeExchange, type Exchange } from './contract-checks.ts';

/**
 * The document as a contract clients generate from: types generated from the served /openapi.json with
 * openapi-typescript, a usage file calling every README example through openapi-fetch, type-checked with
 * tsc and then run against the local gateway. A domain added later is covered by its README examples.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// Under .data/ (ignored by git, biome and tsconfig) so `openapi-fetch` resolves from the project's node_modules.
const workDir = join(root, '.data', `typed-client-${process.pid}`);

let api: LocalApi;
let spec: OpenApiDocument;
let generated: string;
let examples: ReadmeExample[];
let usage: Usage;

beforeAll(async () => {
  api = await startLocalApi({ POWERTOOLS_LOG_LEVEL: 'CRITICAL' });
  spec = (await (await fetch(`${api.url}/openapi.json`)).json()) as OpenApiDocument;
  generated = astToString(
    await openapiTS(structuredClone(spec) as unknown as Parameters<typeof openapiTS>[0]),
  );
  examples = readmeExamples(await readFile(join(root, 'README.md'), 'utf8'));
  usage = usageFile(spec, examples);
  await mkdir(workDir, { recursive: true });
  await writeFile(join(workDir, 'schema.ts'), generated);
  await writeFile(join(workDir, 'usage.ts'), usage.source);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await rm(workDir, { recursive: true, force: true });
});

const routeOf = (method: string, template: string): RouteSpec =>
  registry.routes.find((r) => r.method.toLowerCase() === method && r.path === template)!;

describe('README examples', () => {
  it('each calls a documented operation, and every domain of the registry has examples of several routes', () => {
    expect(examples.length).toBeGreaterThan(0);
    expect(usage.unmatched.map((e) => `README line ${e.line}: ${e.source}`)).toEqual([]);
    const covered = new Map<string, Set<string>>();
    for (const call of usage.calls) {
      const route = routeOf(call.method, call.template);
      if (!covered.has(route.domain)) covered.set(route.domain, new Set());
      covered.get(route.domain)!.add(route.id);
    }
    for (const domain of registry.domains) {
      const wanted = Math.min(2, registry.forDomain(domain).length);
      expect(
        covered.get(domain)?.size ?? 0,
        `README examples of the ${domain} domain`,
      ).toBeGreaterThanOrEqual(wanted);
    }
  });
});

describe('the generated client', () => {
  it('type-checks a usage file calling the README examples, with limit: 5 on every list route', () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
    };
    const program = ts.createProgram([join(workDir, 'usage.ts')], options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${d.file.fileName.split('/').pop()}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
    // Every list operation of the document was typed with a numeric limit, not only the README's.
    const withLimit = registry.routes
      .filter((r) => r.request?.query?.shape.limit !== undefined)
      .map((r) => r.id);
    expect(usage.listOperations.sort()).toEqual(withLimit.sort());
  });

  it('refuses what the document does not allow: a string limit, an unknown path', () => {
    const list = usage.listOperations[0]!;
    const wrong = `import createClient from 'openapi-fetch';
import type { operations, paths } from './schema.ts';
export const a = '5' satisfies NonNullable<operations['${list}']['parameters']['query']>['limit'];
const client = createClient<paths>({ baseUrl: 'http://x' });
export const b = client.GET('/v9/nothing');
`;
    const file = join(workDir, 'wrong.ts');
    return writeFile(file, wrong).then(() => {
      const program = ts.createProgram([file], {
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        allowImportingTsExtensions: true,
        noEmit: true,
        strict: true,
        skipLibCheck: true,
        types: [],
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      });
      const lines = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file?.fileName === file)
        .map((d) => d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1);
      expect([...new Set(lines)].sort()).toEqual([3, 5]);
    });
  });

  it('carries each limit’s documented default and bounds in its comments', () => {
    let checked = 0;
    for (const item of Object.values(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'servers') continue;
        const limit = op.parameters?.find((p) => p.in === 'query' && p.name === 'limit');
        if (!limit?.schema) continue;
        const { default: dflt, minimum, maximum } = limit.schema as Record<string, number>;
        // The operation's block in the generated `operations` interface.
        const start = generated.indexOf(`\n    ${op.operationId}: {\n`);
        expect(start, op.operationId).toBeGreaterThan(0);
        const end = generated.indexOf('\n    };\n', start);
        const block = generated.slice(start, end);
        const comment = new RegExp(
          `@description [^\\n]*Default: ${dflt}\\. Minimum: ${minimum}\\. Maximum: ${maximum}\\.[^\\n]*\\*/\\n\\s*limit\\?: number;`,
        );
        expect(block, op.operationId).toMatch(comment);
        checked++;
      }
    }
    expect(checked).toBe(usage.listOperations.length);
  });

  it('runs every call against the local gateway: 2xx as documented, limits outside the documented bounds a 400 naming query.limit', async () => {
    const exchanges: Exchange[] = [];
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const sentBody = request.body ? await request.clone().text() : undefined;
      const response = await fetch(request);
      const body = await response.clone().text();
      exchanges.push({
        method: request.method,
        url: request.url,
        requestHeaders: Object.fromEntries(request.headers.entries()),
        ...(sentBody ? { requestBody: sentBody } : {}),
        invalid: false,
        status: response.status,
        headers: Object.fromEntries(response.headers.entries()),
        body,
      });
      return response;
    };
    const module = (await import(pathToFileURL(join(workDir, 'usage.ts')).href)) as {
      calls(
        baseUrl: string,
        fetch: typeof globalThis.fetch,
      ): (() => Promise<{
        status: number;
        error: unknown;
        fields: unknown;
      }>)[];
    };
    const runs = module.calls(api.url, recording);
    expect(runs).toHaveLength(usage.calls.length);
    const failures: string[] = [];
    for (const call of usage.calls) {
      const before = exchanges.length;
      const result = await runs[call.index]!();
      const x = exchanges[before]!;
      const label = `README line ${call.example.line} (${call.kind}): ${call.example.source}`;
      const sent = new URL(x.url);
      if (decodeURIComponent(sent.pathname) !== decodeURIComponent(call.path))
        failures.push(`${label}: sent ${sent.pathname}, not ${call.path}`);
      if (call.kind !== 'limit-out-of-range') {
        if (result.status < 200 || result.status >= 300) failures.push(`${label}: status ${result.status}`);
        // Every field the document requires was read through the typed client; none may be missing.
        const flat = Array.isArray(result.fields) ? result.fields.flat(2) : [result.fields];
        if (routeOf(call.method, call.template).response.kind !== 'empty' && flat.includes(undefined))
          failures.push(`${label}: a documented field is missing from the answer`);
      } else {
        x.invalid = true;
        const fields = ((result.error as { errors?: { field: string }[] } | undefined)?.errors ?? []).map(
          (e) => e.field,
        );
        if (result.status !== 400 || !fields.includes('query.limit'))
          failures.push(
            `${label}: status ${result.status}, fields ${fields.join(',')} (want 400 query.limit)`,
          );
      }
      const violations = contractViolations(
        spec,
        spec.paths[call.template]![call.method]!,
        routeOf(call.method, call.template),
        x,
      );
      for (const v of violations) failures.push(`${label}: ${v}\n  ${describeExchange(x)}`);
    }
    expect(failures).toEqual([]);
    expect(usage.calls.some((c) => c.kind === 'limit-out-of-range')).toBe(true);
  }, 60_000);
});
