import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#test/support/local-api';
import { deadUrl } from './api-double.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

function canary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      ['functions/canary/cli.ts', ...args],
      { cwd: ROOT, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

describe('npm run canary', () => {
  it('exits 0 and prints one PASS line per probe against a healthy gateway', async () => {
    const { code, stdout } = await canary('--url', api.url);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(`canary ${api.url}: PASS (8 probes)`);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'check-engine PASS',
      'check-cache PASS',
      'check-flags PASS',
      'ready PASS',
      'curves PASS',
      'data-path PASS',
      'etag-revalidation PASS',
      'malformed-request PASS',
    ]);
  });

  it('exits 1 with the failing probes and their reasons when the gateway is down', async () => {
    const url = await deadUrl();
    const { code, stdout } = await canary('--url', url, '--no-checks');
    expect(code).toBe(1);
    expect(stdout).toContain(`canary ${url}: FAIL (5 of 5 probes failed)`);
    expect(stdout).toMatch(/^curves\s+FAIL\s+\d+ ms\s+request failed \(ECONNREFUSED\)$/m);
  });

  it('exits 2 with the usage when the URL is missing', async () => {
    const { code, stderr } = await canary();
    expect(code).toBe(2);
    expect(stderr).toContain('usage: npm run canary -- --url <base URL>');
  });
});
