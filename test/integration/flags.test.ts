import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_FLAGS_FILE } from '#lib/flags/source';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

interface FlagsFile {
  values: Record<
    string,
    { enabled: boolean; rolloutPercent?: number; allowTenants?: string[]; denyTenants?: string[] }
  >;
}

const flagsPath = join(mkdtempSync(join(tmpdir(), 'aurum-flags-')), 'flags.json');
const repoFlags = JSON.parse(readFileSync(REPO_FLAGS_FILE, 'utf8')) as FlagsFile;

function writeFlags(change: (values: FlagsFile['values']) => void): void {
  const doc = structuredClone(repoFlags);
  change(doc.values);
  writeFileSync(flagsPath, JSON.stringify(doc));
}

/** The file source re-reads at most once a second; wait for the answer to change rather than sleep a fixed time. */
async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 8_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    value = await probe();
  }
  return value;
}

let api: LocalApi;
beforeAll(async () => {
  writeFlags(() => {});
  api = await startLocalApi({ AURUM_FLAGS_FILE: flagsPath });
});
afterAll(async () => {
  await api.close();
});

const invalidate = () => fetch(`${api.url}/v1/admin/cache/curves/invalidate`, { method: 'POST' });

describe('flags from the local file, with no restart', () => {
  it('turns the v1 admin switch off (404 problem) and back on', async () => {
    expect((await invalidate()).status).toBe(200);
    writeFlags((v) => {
      v['v1-admin']!.enabled = false;
    });
    const off = await eventually(invalidate, (r) => r.status === 404);
    expect(off.status).toBe(404);
    expect(off.headers.get('content-type')).toBe('application/problem+json');
    // The v2 admin routes carry no switch.
    expect((await fetch(`${api.url}/v2/admin/cache/curves/invalidate`, { method: 'POST' })).status).toBe(200);

    writeFlags(() => {});
    expect((await eventually(invalidate, (r) => r.status === 200)).status).toBe(200);
  });

  it('lets a tenant on the deny list see the first publication instead of the correction', async () => {
    const point = '/v1/curves?curve_key=PJM.BGE.DA.OFF_PEAK.PWR&asof=2025-09-26&tenor_type=MONTHLY&limit=50';
    const mid = async (tenant: string) => {
      const body = (await (
        await fetch(`${api.url}${point}`, { headers: { 'X-Aurum-Tenant': tenant } })
      ).json()) as {
        data: { tenor_label: string; mid: number }[];
      };
      return body.data.find((p) => p.tenor_label === '2025-11')?.mid;
    };
    expect(await mid('acme')).toBe(45.17);
    writeFlags((v) => {
      v['curves-latest-corrections']!.denyTenants = ['globex'];
    });
    expect(
      await eventually(
        () => mid('globex'),
        (m) => m === 45.3574,
      ),
    ).toBe(45.3574);
    expect(await mid('acme')).toBe(45.17);
    writeFlags(() => {});
  });

  it('explains every flag for a subject to admins only', async () => {
    writeFlags((v) => {
      v['curves-latest-corrections']!.rolloutPercent = 50;
      v['curves-latest-corrections']!.allowTenants = ['acme'];
    });
    const explain = () =>
      fetch(`${api.url}/v2/admin/flags?tenant=acme&user=ana`).then(
        (r) =>
          r.json() as Promise<{
            data: {
              version: string;
              age_seconds: number | null;
              source: string;
              flags: { key: string; enabled: boolean; reason: string }[];
            };
          }>,
      );
    const body = await eventually(explain, (b) =>
      b.data.flags.some((f) => f.key === 'curves-latest-corrections' && f.reason === 'allowed'),
    );
    const byKey = Object.fromEntries(body.data.flags.map((f) => [f.key, f]));
    expect(byKey['curves-latest-corrections']).toMatchObject({ enabled: true, reason: 'allowed' });
    expect(byKey['v1-admin']).toMatchObject({ enabled: true, reason: 'default' });
    expect(body.data.source).toBe('file');
    expect(typeof body.data.version).toBe('string');

    const denied = await fetch(`${api.url}/v2/admin/flags`, { headers: { 'X-Aurum-Groups': 'analysts' } });
    expect(denied.status).toBe(403);
    writeFlags(() => {});
  });
});
