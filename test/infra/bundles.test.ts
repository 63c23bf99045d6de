import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_METRICS, PROBE_NAMES, probeSuccessMetric } from '#functions/canary/metric-names';
import { registry } from '#functions/registry';
import { AurumStack } from '#infra/aurum-stack';
import type { SharedCodeMode } from '#infra/constructs/aurum-function';
import { CREATE_REQUIRE_BANNER, REPO_ROOT } from '#infra/layer/shared-module';
import { heavyModules, loadedFiles } from '../../bench/cold-start.ts';

const run = promisify(execFile);

type Resource = { Type: string; Properties: Record<string, unknown> };

interface BuiltFunction {
  /** The registry domain, or `canary`. */
  domain: string;
  assetDir: string;
  /** Plain-string environment from the template (references to secrets and AppConfig left out). */
  environment: Record<string, string>;
}

interface Build {
  functions: BuiltFunction[];
  /** The cursor key rotation (invoked by Secrets Manager only, not an API function). */
  rotation: BuiltFunction;
  /** The app-store migrator, run on deploy by a trigger (not an API function). */
  migrator?: BuiltFunction;
  /** The layer asset's root (holding `nodejs/node_modules`), in layer mode. */
  layerDir?: string;
}

/** Synthesizes the real app with bundling on: esbuild runs locally, exactly as `cdk synth` runs it. */
function synthWithBundles(outdir: string, mode: SharedCodeMode): Build {
  const app = new App({
    outdir,
    context: { 'aurum:bundleShared': mode },
    builtinCloudFormationValidation: false,
  });
  new AurumStack(app, 'Aurum');
  const template = app.synth().getStackByName('Aurum').template as { Resources: Record<string, Resource> };
  const assetDir = (code: unknown) =>
    join(outdir, `asset.${String((code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`);
  const resources = Object.values(template.Resources);
  const layer = resources.find((r) => r.Type === 'AWS::Lambda::LayerVersion');
  const built = resources
    // The CDK trigger provider (CDK's own code, no environment) is not ours to probe.
    .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment !== undefined)
    .map((fn) => {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      return {
        domain: String(variables.POWERTOOLS_SERVICE_NAME).replace(/^aurum-/, ''),
        assetDir: assetDir(fn.Properties.Code),
        environment: Object.fromEntries(
          Object.entries(variables).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string',
          ),
        ),
      };
    });
  return {
    layerDir: layer ? assetDir(layer.Properties.Content) : undefined,
    functions: built.filter((f) => f.domain !== 'store-migrations' && f.domain !== 'cursor-key-rotation'),
    migrator: built.find((f) => f.domain === 'store-migrations'),
    rotation: built.find((f) => f.domain === 'cursor-key-rotation')!,
  };
}

/** Precedes the probe's answers on stdout, after whatever the function logged there. */
const RESULT_MARKER = '@@aurum-probe@@';

/** One GET request for the probe: the gateway's route key, the raw path and query, and headers. */
interface ProbeRequest {
  routeKey: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
}

/**
 * Imports a built handler in a fresh Node process, as the Lambda runtime would (no AWS credentials, no
 * network), then sends it API Gateway v2 events; prints what it answered.
 */
const PROBE = `
const [entry, requests] = process.argv.slice(1);
const { handler } = await import(entry);
if (typeof handler !== 'function') throw new Error('no handler export');
const answers = [];
for (const { routeKey, path, query = '', headers = {} } of JSON.parse(requests)) {
  const event = { version: '2.0', routeKey, rawPath: path, rawQueryString: query, headers, isBase64Encoded: false,
    queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
    requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'probe' },
      requestId: 'probe-' + answers.length, routeKey, stage: '$default', timeEpoch: Date.now() } };
  const context = { getRemainingTimeInMillis: () => 10000, functionName: 'probe', awsRequestId: 'probe', callbackWaitsForEmptyEventLoop: true };
  const result = await handler(event, context);
  answers.push({ status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) });
}
process.stdout.write('\\n' + ${JSON.stringify(RESULT_MARKER)} + JSON.stringify(answers));
`;

interface ProbeAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

async function probe(
  fn: BuiltFunction,
  dir: string,
  requests: ProbeRequest[] = [],
  environment: Record<string, string> = {},
): Promise<ProbeAnswer[]> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', PROBE, join(dir, 'index.mjs'), JSON.stringify(requests)],
    {
      timeout: 20_000,
      env: {
        PATH: process.env.PATH,
        ...fn.environment,
        AURUM_CURSOR_SECRET: 'bundle-test-cursor-key',
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...environment,
      },
    },
  );
  return JSON.parse(stdout.slice(stdout.lastIndexOf(RESULT_MARKER) + RESULT_MARKER.length)) as ProbeAnswer[];
}

/**
 * Imports a built module in a fresh Node process, invokes its handler with a scheduled event when asked,
 * and prints its exports and how the invocation ended, after whatever the module wrote itself.
 */
const SCHEDULED_RUN = `
const [entry, invoke] = process.argv.slice(1);
const module = await import(entry);
let outcome;
if (invoke === 'invoke') {
  const event = { version: '0', id: 'run', 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), resources: [], detail: {} };
  try {
    const report = await module.handler(event);
    outcome = { ok: true, report };
  } catch (error) {
    outcome = { ok: false, name: error.name, message: error.message };
  }
}
process.stdout.write('\\n' + ${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ exports: Object.keys(module).sort(), outcome }));
`;

interface ScheduledRun {
  /** What the module wrote to stdout itself (logs, EMF metrics). */
  output: string;
  stderr: string;
  exports: string[];
  outcome?: { ok: boolean; name?: string; message?: string };
}

async function runScheduled(
  fn: BuiltFunction,
  dir: string,
  invoke: boolean,
  environment: Record<string, string> = {},
): Promise<ScheduledRun> {
  const { stdout, stderr } = await run(
    process.execPath,
    ['--input-type=module', '-e', SCHEDULED_RUN, join(dir, 'index.mjs'), invoke ? 'invoke' : 'import'],
    {
      timeout: 20_000,
      env: {
        PATH: process.env.PATH,
        ...fn.environment,
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...environment,
      },
    },
  );
  const at = stdout.lastIndexOf(RESULT_MARKER);
  return { output: stdout.slice(0, at), stderr, ...JSON.parse(stdout.slice(at + RESULT_MARKER.length)) };
}

/** A local HTTP server on an ephemeral port, closed by `close`. */
async function listen(
  handle: (
    body: string,
    req: IncomingMessage,
  ) => {
    status: number;
    type: string;
    body: string;
  },
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const answer = handle(body, req);
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const contentType = (answer: ProbeAnswer) =>
  Object.entries(answer.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];

/** Static `import … from "x"` / `import "x"` specifiers of a (minified) ES module; dynamic imports excluded. */
const staticImports = (code: string) =>
  [...code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']/g)].map(
    (m) => m[1]!,
  );

/** What a chunk folded into the entry is left as: `export{…}from"../index.mjs";`. */
const FOLDED_STUB = /^export\{[\w$, ]*\}from"\.\.\/index\.mjs";\n$/;

const listFiles = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());

/** A bundle's JavaScript: `index.mjs` and its `chunks/` (the function's, not the layer's or the assets'). */
const modulesOf = (dir: string) => [
  join(dir, 'index.mjs'),
  ...(existsSync(join(dir, 'chunks'))
    ? listFiles(join(dir, 'chunks')).filter((f) => f.endsWith('.mjs'))
    : []),
];
const codeOf = (dir: string) =>
  modulesOf(dir)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
const sizeOf = (dir: string) => modulesOf(dir).reduce((sum, f) => sum + statSync(f).size, 0);

/**
 * What of the AWS SDK, trino-client, axios and @upstash a fresh Node process loads while importing the
 * bundle in `dir`, as files or bundled into a loaded file: the bench's own recording.
 */
function heavyAtImport(fn: BuiltFunction, dir: string): string[] {
  const log = join(dir, '..', `${fn.domain}.loaded.log`);
  return heavyModules(loadedFiles(join(dir, 'index.mjs'), log, fn.environment));
}

/** The Node.js 22 Lambda runtime provides the AWS SDK v3; bundles keep it external, so give the run dir one. */
function provideRuntimeSdk(dir: string): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(join(process.cwd(), 'node_modules', '@aws-sdk'), join(dir, 'node_modules', '@aws-sdk'), 'dir');
}

describe('bundled functions (real esbuild, both ways of shipping lib/)', () => {
  const root = mkdtempSync(join(tmpdir(), 'aurum-bundles-'));
  let layer: Build;
  let inline: Build;

  beforeAll(() => {
    layer = synthWithBundles(join(root, 'layer.out'), 'layer');
    inline = synthWithBundles(join(root, 'inline.out'), 'inline');
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('ships the app-store migrator with every numbered SQL file beside it, importable under Node without pg-native', async () => {
    for (const build of [layer, inline]) {
      const migrator = build.migrator!;
      expect(readdirSync(join(migrator.assetDir, 'migrations')).sort()).toEqual(
        readdirSync(join(process.cwd(), 'lib', 'store', 'migrations')).sort(),
      );
      const code = readFileSync(join(migrator.assetDir, 'index.mjs'), 'utf8');
      expect(code).not.toContain('@electric-sql/pglite');
      const dir = join(root, `run-migrator-${build === layer ? 'layer' : 'inline'}`);
      cpSync(migrator.assetDir, dir, { recursive: true });
      provideRuntimeSdk(dir);
      const ran = await runScheduled(migrator, dir, false);
      expect(ran.exports).toEqual(['handler']);
    }
  });

  it('builds one bundle per registry domain, and the canary’s and the scenario run worker’s, in each mode', () => {
    const expected = [...registry.domains, 'canary', 'scenario-worker'].sort();
    expect(layer.functions.map((f) => f.domain).sort()).toEqual(expected);
    expect(inline.functions.map((f) => f.domain).sort()).toEqual(expected);
  });

  it('ships the docs page assets beside the docs bundle, both ways', () => {
    for (const build of [layer, inline]) {
      const docs = build.functions.find((f) => f.domain === 'docs')!;
      for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
        expect(statSync(join(docs.assetDir, 'swagger-ui-dist', file)).size).toBeGreaterThan(10_000);
      }
    }
  });

  it('lays the shared module out where Lambda looks: nodejs/node_modules/@aurum/shared, one ES module per subpath', () => {
    const pkgDir = join(layer.layerDir!, 'nodejs', 'node_modules', '@aurum', 'shared');
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
      name: string;
      type: string;
      exports: Record<string, string>;
    };
    expect(pkg).toMatchObject({ name: '@aurum/shared', type: 'module' });
    expect(pkg.exports).toMatchObject({
      './lib/http/domain-handler': './lib/http/domain-handler.mjs',
      './pkg/zod/mini': './pkg/zod/mini.mjs',
    });
    for (const target of Object.values(pkg.exports))
      expect(statSync(join(pkgDir, target)).isFile()).toBe(true);
    // Shared code sits in chunks beside the modules; the Trino client among them, loaded only on first use.
    const chunks = readdirSync(join(pkgDir, 'chunks')).filter((f) => f.endsWith('.mjs'));
    expect(chunks.some((f) => f.startsWith('trino-client-'))).toBe(true);
  });

  it('splits every function bundle: index.mjs, and what it imports lazily in chunks/ with source maps', () => {
    for (const build of [layer, inline])
      for (const fn of [...build.functions, build.rotation]) {
        const files = listFiles(fn.assetDir).map((f) => relative(fn.assetDir, f));
        expect(files, fn.domain).toContain('index.mjs');
        expect(files, fn.domain).toContain('index.mjs.map');
        for (const file of files.filter((f) => f.endsWith('.mjs')))
          expect(file, fn.domain).toMatch(/^(index|chunks\/[\w.-]+-[A-Z0-9]{8})\.mjs$/);
      }
    // Inline, lib/'s lazy Secrets Manager reader and engine are chunks of their own.
    const curves = inline.functions.find((f) => f.domain === 'curves')!;
    expect(
      readdirSync(join(curves.assetDir, 'chunks')).filter((f) => f.endsWith('.mjs')).length,
    ).toBeGreaterThan(1);
  });

  it('starts every module, entry or chunk, with the createRequire banner, so CommonJS inside ESM finds a require', () => {
    const modules = [
      ...[layer, inline].flatMap((b) => [...b.functions, b.rotation].flatMap((f) => modulesOf(f.assetDir))),
      ...listFiles(layer.layerDir!).filter((f) => f.endsWith('.mjs')),
    ];
    for (const file of modules) {
      const code = readFileSync(file, 'utf8');
      // A chunk folded into the entry is left as one re-export of its bindings from the entry, no code.
      if (FOLDED_STUB.test(code)) continue;
      expect(code.startsWith(CREATE_REQUIRE_BANNER), file).toBe(true);
    }
  });

  it('folds the chunks the entry imports statically into index.mjs, leaving each a re-export of the same bindings', async () => {
    for (const build of [layer, inline])
      for (const fn of [...build.functions, build.rotation]) {
        const index = readFileSync(join(fn.assetDir, 'index.mjs'), 'utf8');
        // One file at import: no static import of a chunk of its own is left in the entry.
        expect(
          staticImports(index).filter((s) => s.startsWith('.')),
          fn.domain,
        ).toEqual([]);
        // @middy/core's streaming check gets the global class (infra/constructs/shims/stream-web.ts).
        expect(staticImports(index), fn.domain).not.toContain('node:stream/web');
      }
    // curves shares lib/data/sql.ts with its lazy Trino engine, and the metrics module with Upstash's
    // limiter: those chunks are folded, and importing one gives the entry's own objects.
    const curves = inline.functions.find((f) => f.domain === 'curves')!;
    const dir = join(root, 'folded', 'curves');
    cpSync(curves.assetDir, dir, { recursive: true });
    const stubs = modulesOf(dir).filter((f) => FOLDED_STUB.test(readFileSync(f, 'utf8')));
    expect(stubs.length).toBeGreaterThan(1);
    const pairs = stubs.map((f) => [
      pathToFileURL(f).href,
      [...readFileSync(f, 'utf8').matchAll(/([\w$]+) as ([\w$]+)/g)].map((m) => [m[1], m[2]]),
    ]);
    const script = `
      const entry = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
      let names = 0, same = 0;
      for (const [stub, aliases] of ${JSON.stringify(pairs)}) {
        const mod = await import(stub);
        for (const [alias, name] of aliases) { names++; if (alias in entry && mod[name] === entry[alias]) same++; }
      }
      process.stdout.write(JSON.stringify({ names, same }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    const { names, same } = JSON.parse(stdout) as { names: number; same: number };
    expect(names).toBeGreaterThan(5);
    expect(same).toBe(names);
  });

  it('imports DuckDB statically nowhere, and ships none of its code in the layer', () => {
    const modules = [
      ...[layer, inline].flatMap((b) => [...b.functions, b.rotation].flatMap((f) => modulesOf(f.assetDir))),
      ...listFiles(layer.layerDir!).filter((f) => f.endsWith('.mjs')),
    ];
    for (const file of modules)
      expect(
        staticImports(readFileSync(file, 'utf8')).filter((s) => s.includes('duckdb')),
        file,
      ).toEqual([]);
    for (const file of listFiles(layer.layerDir!))
      expect(readFileSync(file, 'utf8'), file).not.toContain('@duckdb/node-api');
  });

  it('keeps zod’s JSON-Schema converter out of the layer: the docs function bundles the OpenAPI builder itself', () => {
    // A message of the converter's: were the builder a layer module, the converter would sit in the layer's
    // chunk of zod, which every layer-mode function loads at import.
    const converter = 'cannot be represented in JSON Schema';
    for (const file of listFiles(layer.layerDir!).filter((f) => f.endsWith('.mjs')))
      expect(readFileSync(file, 'utf8').includes(converter), file).toBe(false);
    for (const build of [layer, inline]) {
      // Only the function that serves the document carries it.
      for (const fn of build.functions)
        expect(codeOf(fn.assetDir).includes(converter), fn.domain).toBe(fn.domain === 'docs');
    }
  });

  it('gives the curves function its own route declarations and no other domain’s, both ways', () => {
    for (const build of [layer, inline]) {
      const curves = build.functions.find((f) => f.domain === 'curves')!;
      const code = codeOf(curves.assetDir);
      for (const route of registry.routes) {
        // Booleans, so a failure names the route rather than printing the bundle.
        // esbuild writes non-ASCII characters as \u escapes.
        const ascii = route.summary.replace(
          /[^\x20-\x7e]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        );
        const holds = code.includes(route.summary) || code.includes(ascii);
        expect(holds, `curves bundle and ${route.domain} route ${route.id}`).toBe(route.domain === 'curves');
      }
    }
  });

  it('in layer mode, loads lib/ from the layer: the bundle imports @aurum/shared modules and carries no lib/ code', () => {
    for (const fn of layer.functions) {
      const code = codeOf(fn.assetDir);
      const twinDir = inline.functions.find((f) => f.domain === fn.domain)!.assetDir;
      const twin = codeOf(twinDir);
      const imports = staticImports(readFileSync(join(fn.assetDir, 'index.mjs'), 'utf8'));
      expect(imports, fn.domain).toContainEqual(expect.stringMatching(/^@aurum\/shared\/lib\//));
      expect(imports, fn.domain).not.toContain('@aurum/shared');
      // Strings only lib/ holds (lib/config/secrets, and lib/http/request-state for the domain functions): present
      // inline, absent from a layer-mode bundle.
      const libOnly = [
        'could not load the secrets named by',
        ...(fn.domain === 'canary' || fn.domain === 'scenario-worker' ? [] : ['request state missing']),
      ];
      for (const text of libOnly) {
        // Booleans, so a failure names the text rather than printing a megabyte of bundle.
        expect(code.includes(text), `${fn.domain} layer bundle holds "${text}"`).toBe(false);
        expect(twin.includes(text), `${fn.domain} inline bundle holds "${text}"`).toBe(true);
      }
      // A fraction of its inline twin (admin, docs and health carry the whole API's route table: about 1/3.8).
      expect(sizeOf(fn.assetDir), fn.domain).toBeLessThan(sizeOf(twinDir) / 3);
    }
  });

  it('imports every layer-mode handler under Node with the layer beside it', async () => {
    for (const fn of layer.functions) {
      const dir = join(root, 'run-layer', fn.domain);
      mkdirSync(dir, { recursive: true });
      cpSync(fn.assetDir, dir, { recursive: true });
      cpSync(join(layer.layerDir!, 'nodejs', 'node_modules'), join(dir, 'node_modules'), { recursive: true });
      provideRuntimeSdk(dir);
      await expect(probe(fn, dir), fn.domain).resolves.toEqual([]);
    }
  }, 60_000);

  it('loads no AWS SDK, Trino client, axios or Upstash code at import, any function, either mode', async () => {
    for (const [mode, build] of [
      ['layer', layer],
      ['inline', inline],
    ] as const) {
      for (const fn of [...build.functions, build.rotation]) {
        const dir = join(root, `heavy-${mode}`, fn.domain);
        cpSync(fn.assetDir, dir, { recursive: true });
        if (mode === 'layer')
          cpSync(join(layer.layerDir!, 'nodejs', 'node_modules'), join(dir, 'node_modules'), {
            recursive: true,
          });
        // Present as in Lambda, so an import of it would load (and be seen) rather than fail.
        provideRuntimeSdk(dir);
        expect(heavyAtImport(fn, dir), `${fn.domain} (${mode})`).toEqual([]);
      }
      // The rotation has no API route to probe: it must import, and export its handler.
      const rotation = await runScheduled(
        build.rotation,
        join(root, `heavy-${mode}`, 'cursor-key-rotation'),
        false,
      );
      expect(rotation.exports, mode).toContain('handler');
    }
    // The recording sees bundled code: importing the lazy chunk that holds the Trino client names it.
    const curves = join(root, 'heavy-inline', 'curves');
    const trinoChunk = listFiles(join(curves, 'chunks')).find(
      (f) =>
        f.endsWith('.mjs') &&
        existsSync(`${f}.map`) &&
        readFileSync(`${f}.map`, 'utf8').includes('node_modules/trino-client/'),
    )!;
    expect(heavyModules(loadedFiles(trinoChunk, join(root, 'trino-chunk.log')))).toContainEqual(
      expect.stringMatching(/ <- .*node_modules\/trino-client\//),
    );
  }, 120_000);

  it('fails to load a layer-mode handler without the layer, naming the missing package', async () => {
    const fn = layer.functions.find((f) => f.domain === 'health')!;
    const dir = join(root, 'run-no-layer', fn.domain);
    cpSync(fn.assetDir, dir, { recursive: true });
    await expect(probe(fn, dir)).rejects.toThrow(/Cannot find package '@aurum\/shared'/);
  });

  it('imports every inline handler under Node on its own', async () => {
    for (const fn of inline.functions) {
      const dir = join(root, 'run-inline', fn.domain);
      cpSync(fn.assetDir, dir, { recursive: true });
      provideRuntimeSdk(dir);
      await expect(probe(fn, dir), fn.domain).resolves.toEqual([]);
    }
  }, 60_000);

  it('imports the canary bundle under Node without running it, both ways: no output, no AWS, no network', async () => {
    for (const [mode, build] of [
      ['layer', layer],
      ['inline', inline],
    ] as const) {
      const fn = build.functions.find((f) => f.domain === 'canary')!;
      // Prepared by the import tests above: the bundle, the SDK, and in layer mode the layer.
      const loaded = await runScheduled(fn, join(root, `run-${mode}`, 'canary'), false);
      expect(loaded.exports, mode).toContain('handler');
      expect(loaded.outcome, mode).toBeUndefined();
      expect(loaded.output.trim(), mode).toBe('');
      expect(loaded.stderr, mode).toBe('');
    }
  });

  it('runs the built canary on a schedule, both ways: it reads its secrets, sends its token and reports every probe', async () => {
    const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    const secretValues: Record<string, string> = {
      [arn('trino')]: JSON.stringify({ user: 'aurum', password: '', token: '' }),
      [arn('upstash')]: JSON.stringify({ url: '', token: '' }),
      [arn('canary-token')]: JSON.stringify({ token: 'canary-bundle-token' }),
    };
    const secretReads: string[] = [];
    // Secrets Manager's JSON protocol, as the AWS SDK speaks it to AWS_ENDPOINT_URL.
    const secretsManager = await listen((body, req) => {
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      secretReads.push(`${req.headers['x-amz-target']} ${SecretId}`);
      const value = secretValues[SecretId];
      return value === undefined
        ? {
            status: 400,
            type: 'application/x-amz-json-1.1',
            body: JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no such secret' }),
          }
        : {
            status: 200,
            type: 'application/x-amz-json-1.1',
            body: JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: value, VersionId: 'v1' }),
          };
    });
    const apiRequests: Array<{ path: string; authorization?: string }> = [];
    const api = await listen((_body, req) => {
      apiRequests.push({ path: req.url!, authorization: req.headers.authorization });
      return req.url === '/ready'
        ? { status: 200, type: 'application/json', body: JSON.stringify({ status: 'ready' }) }
        : { status: 503, type: 'application/problem+json', body: JSON.stringify({ status: 503 }) };
    });
    try {
      for (const [mode, build] of [
        ['layer', layer],
        ['inline', inline],
      ] as const) {
        secretReads.length = 0;
        apiRequests.length = 0;
        const fn = build.functions.find((f) => f.domain === 'canary')!;
        const ran = await runScheduled(fn, join(root, `run-${mode}`, 'canary'), true, {
          AURUM_CANARY_BASE_URL: `${api.url}/`,
          AURUM_CANARY_TOKEN_SECRET_ARN: arn('canary-token'),
          AURUM_TRINO_SECRET_ARN: arn('trino'),
          AURUM_UPSTASH_SECRET_ARN: arn('upstash'),
          // Nothing listens on port 9: the engine check fails, so the canary must fail its invocation.
          AURUM_TRINO_URL: 'http://127.0.0.1:9',
          AWS_ENDPOINT_URL: secretsManager.url,
          AWS_ACCESS_KEY_ID: 'bundle-test',
          AWS_SECRET_ACCESS_KEY: 'bundle-test',
        });
        expect(ran.outcome, mode).toMatchObject({ ok: false, name: 'CanaryFailed' });
        const report = ran.outcome!.message!.split('\n');
        expect(report[0], mode).toMatch(/^canary http:\/\/127\.0\.0\.1:\d+\/: FAIL/);
        expect(report, mode).toContainEqual(expect.stringMatching(/^check-engine\s+FAIL/));
        expect(report, mode).toContainEqual(expect.stringMatching(/^ready\s+PASS/));
        expect(JSON.stringify(report), mode).not.toContain('canary-bundle-token');

        expect([...new Set(secretReads)].sort(), mode).toEqual(
          Object.keys(secretValues)
            .map((id) => `secretsmanager.GetSecretValue ${id}`)
            .sort(),
        );
        expect(
          apiRequests.map((r) => r.path),
          mode,
        ).toEqual(expect.arrayContaining(['/ready', '/v1/curves?limit=5']));
        for (const request of apiRequests)
          expect(request.authorization, `${mode} ${request.path}`).toBe('Bearer canary-bundle-token');

        // One EMF document for the run, with the names and the one dimension the alarms read.
        const emf = ran.output
          .split('\n')
          .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(emf, mode).toHaveLength(1);
        const [run] = emf as [Record<string, unknown>];
        expect(run.service, mode).toBe(CANARY_METRICS.service);
        for (const probe of PROBE_NAMES)
          expect(run, `${mode} ${probe}`).toHaveProperty([probeSuccessMetric(probe)]);
        expect(run[probeSuccessMetric('ready')], mode).toBe(1);
        expect(run[probeSuccessMetric('check-engine')], mode).toBe(0);
      }
    } finally {
      await Promise.all([secretsManager.close(), api.close()]);
    }
  }, 60_000);

  it('serves liveness and the problem+json 404 from the health bundle, both ways', async () => {
    for (const [mode, build] of [
      ['layer', layer],
      ['inline', inline],
    ] as const) {
      const fn = build.functions.find((f) => f.domain === 'health')!;
      const answers = await probe(fn, join(root, `run-${mode}`, 'health'), [
        { routeKey: 'GET /health', path: '/health' },
        { routeKey: '$default', path: '/no/such/route' },
      ]);
      expect(answers[0], mode).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(answers[1], mode).toMatchObject({
        status: 404,
        body: { status: 404, title: expect.any(String), request_id: 'probe-1' },
      });
      expect(contentType(answers[1]!), mode).toBe('application/problem+json');
    }
  });

  it('serves the OpenAPI document from the docs bundle, both ways: route schemas and lib/ meet one zod', async () => {
    const committedDocument = JSON.parse(
      readFileSync(join(REPO_ROOT, 'infra', 'openapi', 'openapi.json'), 'utf8'),
    ) as unknown;
    for (const [mode, build] of [
      ['layer', layer],
      ['inline', inline],
    ] as const) {
      const fn = build.functions.find((f) => f.domain === 'docs')!;
      const [answer] = await probe(fn, join(root, `run-${mode}`, 'docs'), [
        { routeKey: 'GET /openapi.json', path: '/openapi.json' },
      ]);
      expect(answer, mode).toMatchObject({ status: 200, body: { openapi: '3.1.0' } });
      // The very document `npm run openapi` writes, to the last member: in layer mode the builder and its
      // JSON-Schema converter are the docs function's own, reading schemas, their metadata (limits,
      // descriptions) and the envelope's component names from the layer's zod and lib/.
      expect(answer!.body, mode).toEqual(committedDocument);
      const spec = answer!.body as {
        paths: Record<
          string,
          Record<string, { parameters?: { name: string; schema: { maximum?: number } }[] }>
        >;
      };
      const limit = spec.paths['/v1/curves']!.get!.parameters!.find((p) => p.name === 'limit')!;
      expect(limit.schema.maximum, mode).toBe(1000);
    }
  });

  it('reaches the lazily loaded Trino client (CommonJS inside ESM) from the curves bundle, both ways', async () => {
    // Nothing listens on port 9: the request must get as far as a refused connection, which only
    // happens once trino-client and axios have loaded and called require('http') through the banner.
    for (const [mode, build] of [
      ['layer', layer],
      ['inline', inline],
    ] as const) {
      const fn = build.functions.find((f) => f.domain === 'curves')!;
      const [answer] = await probe(
        fn,
        join(root, `run-${mode}`, 'curves'),
        [
          {
            routeKey: 'GET /v2/curves',
            path: '/v2/curves',
            query: 'limit=5',
            headers: { 'x-aurum-tenant': 'acme' },
          },
        ],
        { AURUM_AUTH_MODE: 'dev', AURUM_TRINO_URL: 'http://127.0.0.1:9' },
      );
      expect(answer?.status, mode).toBe(503);
      expect(contentType(answer!), mode).toBe('application/problem+json');
      expect(JSON.stringify(answer!.body), mode).not.toMatch(/127\.0\.0\.1|require|SELECT/i);
    }
  });
});
