import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

/** Redocly CLI's recommended rules on the served document: no error and no warning. */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const redocly = join(root, 'node_modules/.bin/redocly');
// Offline and quiet: no telemetry, no update check.
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; message: string; location?: { pointer?: string }[] }[];
}

let api: LocalApi;
let dir: string;

beforeAll(async () => {
  api = await startLocalApi({ POWERTOOLS_LOG_LEVEL: 'CRITICAL' });
  dir = await mkdtemp(join(tmpdir(), 'aurum-lint-'));
});

afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

async function lint(document: unknown, name: string): Promise<LintReport> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(document));
  // Redocly exits 1 when it finds errors; the JSON report on stdout is what counts.
  const { stdout } = await promisify(execFile)(
    redocly,
    ['lint', '--extends=recommended', '--format=json', file],
    { env, cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return JSON.parse(stdout) as LintReport;
}

const summary = (r: LintReport) =>
  r.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? ''}`);

describe('the served OpenAPI document under Redocly’s recommended rules', () => {
  it('has 0 errors and 0 warnings', async () => {
    const served = await (await fetch(`${api.url}/openapi.json`)).json();
    const report = await lint(served, 'served.json');
    expect(summary(report)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('would warn about an operation without a 4xx answer, an unused component and no license', async () => {
    const served = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      info: Record<string, unknown>;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { headers: Record<string, unknown> };
    };
    delete served.info.license;
    const health = served.paths['/health']!.get!.responses;
    for (const status of Object.keys(health)) if (status.startsWith('4')) delete health[status];
    served.components.headers['X-Unused'] = { schema: { type: 'string' } };
    const rules = new Set((await lint(served, 'broken.json')).problems.map((p) => p.ruleId));
    expect([...rules].sort()).toEqual(['info-license', 'no-unused-components', 'operation-4xx-response']);
  }, 60_000);
});
