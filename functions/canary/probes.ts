import { randomUUID } from 'node:crypto';
import type { HealthProvider } from '#lib/health/provider';
import { runChecks } from '#lib/health/run-checks';
import { describeFailure } from '#lib/health/sanitize';

export interface ProbeResult {
  name: string;
  ok: boolean;
  latencyMs: number;
  /** Why it failed, or a short note on success. */
  reason?: string;
}

/** One end-to-end expectation of the public API; throws ProbeFailure (or anything) when it is not met. */
export interface Probe {
  name: string;
  run(request: ApiRequest): Promise<string | undefined>;
}

/** A broken expectation, worded for the report. */
export class ProbeFailure extends Error {
  override readonly name = 'ProbeFailure';
}

export type ApiRequest = (path: string, headers?: Record<string, string>) => Promise<Response>;

export interface ApiProbeOptions {
  baseUrl: string;
  /** Bearer token for tenant routes; none against a local development gateway. */
  token?: string;
  timeoutMs: number;
}

const expectStatus = (res: Response, status: number, what: string) => {
  if (res.status !== status) throw new ProbeFailure(`${what}: expected HTTP ${status}, got ${res.status}`);
};

async function jsonOf(res: Response, what: string): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // Reported below as a wrong body.
  }
  throw new ProbeFailure(`${what}: the body is not a JSON object`);
}

const CURVES = '/v1/curves?limit=5';

/** The public API probes, in report order. */
export const apiProbes: readonly Probe[] = [
  {
    name: 'ready',
    async run(request) {
      const res = await request('/ready');
      const body = await jsonOf(res, '/ready').catch(() => ({}) as Record<string, unknown>);
      if (res.status !== 200) {
        const checks = (body.checks ?? {}) as Record<string, { status?: string; detail?: string }>;
        const failed = Object.entries(checks)
          .filter(([, c]) => c.status === 'failed')
          .map(([name, c]) => `${name}: ${c.detail ?? 'failed'}`);
        throw new ProbeFailure(
          `/ready: HTTP ${res.status}${failed.length > 0 ? ` (${failed.join('; ')})` : ''}`,
        );
      }
      if (body.status !== 'ready')
        throw new ProbeFailure(`/ready: status is ${JSON.stringify(body.status)}, not "ready"`);
      return undefined;
    },
  },
  {
    name: 'curves',
    async run(request) {
      const res = await request(CURVES);
      expectStatus(res, 200, CURVES);
      const body = await jsonOf(res, CURVES);
      if (!body.meta || typeof body.meta !== 'object') throw new ProbeFailure(`${CURVES}: no meta object`);
      if (!Array.isArray(body.data)) throw new ProbeFailure(`${CURVES}: no data array`);
      return `${body.data.length} points`;
    },
  },
  {
    // A curve key no run has asked for before: no cache holds the answer, so the query reaches the data
    // store every run (an empty page is a 200), and the probe's latency is the data path's.
    name: 'data-path',
    async run(request) {
      const path = `/v1/curves?curve_key=CANARY.${randomUUID().replaceAll('-', '')}&limit=1`;
      const res = await request(path);
      expectStatus(res, 200, '/v1/curves (uncached)');
      const cache = res.headers.get('x-cache');
      if (cache !== null && cache !== 'miss')
        throw new ProbeFailure(`/v1/curves (uncached): X-Cache is ${cache}, expected miss`);
      const body = await jsonOf(res, '/v1/curves (uncached)');
      if (!Array.isArray(body.data)) throw new ProbeFailure('/v1/curves (uncached): no data array');
      return 'reached the data store';
    },
  },
  {
    name: 'etag-revalidation',
    async run(request) {
      const first = await request(CURVES);
      expectStatus(first, 200, CURVES);
      await first.arrayBuffer();
      const etag = first.headers.get('etag');
      if (!etag) throw new ProbeFailure(`${CURVES}: no ETag header`);
      const again = await request(CURVES, { 'If-None-Match': etag });
      await again.arrayBuffer();
      expectStatus(again, 304, `${CURVES} with If-None-Match`);
      return undefined;
    },
  },
  {
    name: 'malformed-request',
    async run(request) {
      const path = '/v1/curves?limit=0';
      const res = await request(path);
      expectStatus(res, 400, path);
      const type = res.headers.get('content-type') ?? '';
      if (!type.startsWith('application/problem+json'))
        throw new ProbeFailure(`${path}: content type ${type || 'missing'}, not application/problem+json`);
      const body = await jsonOf(res, path);
      if (!Array.isArray(body.errors) || body.errors.length === 0)
        throw new ProbeFailure(`${path}: the problem has no errors[]`);
      return undefined;
    },
  },
];

/** Runs one probe against the API with its own timeout; a failure of any kind becomes a failed result. */
export async function runApiProbe(probe: Probe, options: ApiProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  const base = options.baseUrl.replace(/\/+$/, '');
  const request: ApiRequest = (path, headers = {}) =>
    fetch(`${base}${path}`, {
      headers: {
        Accept: 'application/json',
        'User-Agent': 'aurum-canary',
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
        ...headers,
      },
      signal,
    });
  let timer: NodeJS.Timeout | undefined;
  // The timer backs up the abort signal for a probe stuck in something the signal does not reach.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(signal.reason ?? new Error('timeout')), options.timeoutMs + 50);
  });
  try {
    const note = await Promise.race([probe.run(request), timedOut]);
    return { name: probe.name, ok: true, latencyMs: Date.now() - started, ...(note ? { reason: note } : {}) };
  } catch (error) {
    return {
      name: probe.name,
      ok: false,
      latencyMs: Date.now() - started,
      reason: failureReason(error, options.timeoutMs),
    };
  } finally {
    clearTimeout(timer);
  }
}

function failureReason(error: unknown, timeoutMs: number): string {
  if (error instanceof ProbeFailure) return error.message;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `timed out after ${timeoutMs} ms`;
  // fetch reports network failures as "fetch failed" with the useful part in `cause`.
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return `request failed (${code})`;
  return `request failed (${describeFailure(cause ?? error)})`;
}

/** The deep checks (the same providers as /ready), run directly, one result per check. */
export async function runDeepChecks(
  providers: readonly HealthProvider[],
  options: { deadlineMs: number; perCheckTimeoutMs: number },
): Promise<ProbeResult[]> {
  const { checks } = await runChecks(providers, options);
  return Object.entries(checks).map(([name, check]) => ({
    name: `check-${name}`,
    ok: check.status !== 'failed',
    latencyMs: check.latencyMs,
    ...(check.detail === undefined ? {} : { reason: check.detail }),
  }));
}
