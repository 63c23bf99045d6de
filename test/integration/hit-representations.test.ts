import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCurvesHandler } from '#functions/curves/handler';
import { createEngine } from '#lib/data/create-engine';
import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import type { SqlQuery } from '#lib/data/sql';
import { compressionIdle } from '#lib/http/compression';
import type { GatewayResult } from '#lib/http/event';
import { runtimeFromEnv } from '#lib/http/runtime';
import { gatewayEvent, lambdaContext } from '#test/support/events';

let duckdb: SqlEngine;

beforeAll(async () => {
  duckdb = await createEngine({});
});
afterAll(async () => {
  await duckdb.close();
});

/** DuckDB with every `mid` moved by `shift`: a reload after a change in the data store answers other rows. */
class ShiftingEngine implements SqlEngine {
  readonly name = 'duckdb' as const;
  shift = 0;
  queries = 0;

  constructor(private readonly inner: SqlEngine) {}

  async query<T extends Row = Row>(query: SqlQuery, options?: QueryOptions): Promise<T[]> {
    this.queries += 1;
    const rows = await this.inner.query<T>(query, options);
    const shift = this.shift;
    return rows.map((row) => (typeof row.mid === 'number' ? { ...row, mid: row.mid + shift } : row));
  }

  execute(query: SqlQuery, options?: QueryOptions): Promise<number> {
    return this.inner.execute(query, options);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The curves Lambda over a memory cache with a controllable clock, standing still unless a test moves it:
 * a cursor carries its expiry to the second, so a hit a second after the miss rightly signs another one.
 */
function curvesLambda() {
  const engine = new ShiftingEngine(duckdb);
  const clock = { offsetMs: 0 };
  const startedAt = Date.now();
  const runtime = runtimeFromEnv(
    {
      AURUM_AUTH_MODE: 'dev',
      AURUM_CURSOR_SECRET: 'test-secret',
      AURUM_API_RATE_LIMIT_RPS: '100000',
      AURUM_API_RATE_LIMIT_BURST: '100000',
    },
    { now: () => startedAt + clock.offsetMs },
  );
  const handler = createCurvesHandler({ engine, runtime: () => runtime });
  const get = (query: Record<string, string>, headers: Record<string, string> = {}) =>
    handler(
      gatewayEvent('GET /v1/curves', '/v1/curves', {
        query,
        headers: { 'x-aurum-tenant': 'acme', ...headers },
      }),
      lambdaContext(5_000),
    ) as Promise<GatewayResult>;
  return { get, engine, clock, runtime };
}

/** The body as the client reads it, after Content-Encoding. */
function decoded(answer: GatewayResult): string {
  const encoding = answer.headers['Content-Encoding'];
  if (!encoding) return answer.body;
  const bytes = Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8');
  return (encoding === 'br' ? brotliDecompressSync(bytes) : gunzipSync(bytes)).toString('utf8');
}

/** The answer's own text with its per-request members (id, timing) set to those of `like`. */
function asIf(text: string, like: string): string {
  const { request_id, query_time_ms } = (JSON.parse(like) as { meta: Record<string, unknown> }).meta;
  const body = JSON.parse(text) as { meta: Record<string, unknown> };
  return text
    .replace(
      `"request_id":${JSON.stringify(body.meta.request_id)}`,
      `"request_id":${JSON.stringify(request_id)}`,
    )
    .replace(`"query_time_ms":${body.meta.query_time_ms}`, `"query_time_ms":${query_time_ms}`);
}

const PER_REQUEST = new Set(['X-Request-Id', 'X-Correlation-Id', 'X-Cache', 'X-RateLimit-Remaining']);
const lasting = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_REQUEST.has(name)));

const CODINGS = [
  ['identity', undefined],
  ['br', 'br'],
  ['gzip', 'gzip'],
] as const;

describe('cache hits answer what the miss answered', () => {
  it.each(CODINGS)(
    '%s: every hit has the miss’s bytes (bar id and timing), headers and ETag',
    async (accept, coding) => {
      const api = curvesLambda();
      const query = { iso: 'PJM', limit: '40' };
      const headers = { 'accept-encoding': accept };
      const miss = await api.get(query, { ...headers, 'x-request-id': 'first' });
      expect(miss.statusCode).toBe(200);
      expect(miss.headers['X-Cache']).toBe('miss');
      expect(miss.headers['Content-Encoding']).toBe(coding);
      const missText = decoded(miss);
      // Request ids of other lengths move where the rows start in the body.
      for (const [i, id] of ['second', 'a-much-longer-request-id', 'x', 'second-again', 'y'].entries()) {
        const hit = await api.get(query, { ...headers, 'x-request-id': id });
        expect(hit.statusCode).toBe(200);
        expect(hit.headers['X-Cache']).toBe('hit');
        expect(hit.headers['X-Request-Id']).toBe(id);
        expect(lasting(hit.headers)).toEqual(lasting(miss.headers));
        expect(hit.isBase64Encoded).toBe(miss.isBase64Encoded);
        const text = decoded(hit);
        expect(JSON.parse(text).meta.request_id).toBe(id);
        expect(asIf(text, missText)).toBe(missText);
        if (i === 1) await compressionIdle();
      }
      const revalidated = await api.get(query, { ...headers, 'if-none-match': miss.headers.ETag! });
      expect(revalidated.statusCode).toBe(304);
      expect(revalidated.body).toBe('');
      expect(revalidated.headers['Content-Encoding']).toBeUndefined();
      expect(api.engine.queries).toBe(1);
    },
  );

  it('after a stale serve and its refresh, hits answer the new rows and ETag in every coding', async () => {
    const api = curvesLambda();
    const query = { iso: 'ERCOT', limit: '30' };
    const before: Record<string, { text: string; etag: string }> = {};
    for (let round = 0; round < 3; round++) {
      for (const [accept] of CODINGS) {
        const answer = await api.get(query, { 'accept-encoding': accept });
        before[accept] = { text: decoded(answer), etag: answer.headers.ETag! };
      }
      await compressionIdle();
    }
    const oldMid = JSON.parse(before.identity!.text).data[0].mid as number;

    api.engine.shift = 1000;
    api.clock.offsetMs = 301_000; // past the 300 s TTL, inside stale-while-revalidate
    const stale = await api.get(query, { 'accept-encoding': 'br' });
    expect(stale.headers['X-Cache']).toBe('stale');
    expect(JSON.parse(decoded(stale)).data[0].mid).toBe(oldMid);
    await api.runtime.cache!.idle?.();
    expect(api.engine.queries).toBe(2);

    for (let round = 0; round < 3; round++) {
      const answers = [];
      for (const [accept] of CODINGS) {
        const answer = await api.get(query, { 'accept-encoding': accept });
        expect(answer.headers['X-Cache']).toBe('hit');
        expect(answer.headers.ETag).not.toBe(before[accept]!.etag);
        const body = JSON.parse(decoded(answer));
        expect(body.data[0].mid).toBeCloseTo(oldMid + 1000, 6);
        answers.push({ text: decoded(answer), etag: answer.headers.ETag });
      }
      // The three codings carry one representation: the same rows and the same ETag.
      expect(new Set(answers.map((a) => a.etag)).size).toBe(1);
      for (const a of answers) expect(asIf(a.text, answers[0]!.text)).toBe(answers[0]!.text);
      await compressionIdle();
    }
    expect(api.engine.queries).toBe(2);
  });
});
