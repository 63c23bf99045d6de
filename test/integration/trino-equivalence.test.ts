import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import { PERMISSIONS } from '#lib/auth/permissions';
import { duckDbPath } from '#lib/data/create-engine';
import { DuckDbEngine } from '#lib/data/duckdb-engine';
import { TrinoEngine } from '#lib/data/trino-engine';
import type { GatewayResult } from '#lib/http/event';
import { runtimeFromEnv } from '#lib/http/runtime';
import { EQUIVALENCE_HANDLERS, EQUIVALENCE_REQUESTS } from '#test/support/equivalence-requests';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { type FakeTrino, startFakeTrino } from '#test/support/fake-trino-server';
import { type DuckDbTrinoBackend, duckDbTrinoBackend } from '#test/support/trino-on-duckdb';

/**
 * The same answers through TrinoEngine as through DuckDbEngine: the fake Trino server runs each statement
 * TrinoEngine renders (every parameter inlined as a Trino literal) on DuckDB over the sample database, so
 * the SQL, the literal rendering and the decoding of Trino's wire types are checked together.
 */

let duckdb: DuckDbEngine;
let backend: DuckDbTrinoBackend;
let trino: FakeTrino;
let trinoEngine: TrinoEngine;
type Handler = (
  event: ReturnType<typeof gatewayEvent>,
  context: ReturnType<typeof lambdaContext>,
) => Promise<GatewayResult>;
const handlers: Record<'duckdb' | 'trino', Record<string, Handler>> = { duckdb: {}, trino: {} };

beforeAll(async () => {
  process.env.AURUM_AUTH_MODE = 'jwt';
  duckdb = await DuckDbEngine.open(duckDbPath(), { readOnly: true });
  backend = await duckDbTrinoBackend({ database: duckDbPath() });
  trino = await startFakeTrino({ backend: backend.backend });
  trinoEngine = new TrinoEngine({ server: trino.url, user: 'aurum', backoffMs: 10 });
  // Each side its own cache (so neither answers from the other's), both the same cursor key.
  const env = { ...process.env, AURUM_CURSOR_SECRET: 'equivalence-test-cursor-secret-0123456789' };
  for (const [domain, factory] of Object.entries(EQUIVALENCE_HANDLERS)) {
    handlers.duckdb[domain] = factory({ engine: duckdb, runtime: () => runtimeFromEnv({ ...env }) });
    handlers.trino[domain] = factory({ engine: trinoEngine, runtime: () => runtimeFromEnv({ ...env }) });
  }
});
afterAll(async () => {
  await trinoEngine.close();
  await trino.close();
  backend.close();
  await duckdb.close();
});

const claims = { sub: 'analyst', tenant: 'acme', scope: PERMISSIONS.filter((p) => p !== 'admin').join(' ') };

async function call(side: 'duckdb' | 'trino', target: string): Promise<GatewayResult> {
  const url = new URL(target, 'http://aurum.test');
  const match = registry.match('GET', url.pathname);
  if (match.kind !== 'found') throw new Error(`no route for ${url.pathname}`);
  const handler = handlers[side][match.route.domain];
  if (!handler)
    throw new Error(`no handler factory for domain ${match.route.domain} in EQUIVALENCE_HANDLERS`);
  return handler(
    gatewayEvent(`GET ${match.route.path}`, url.pathname, {
      query: Object.fromEntries(url.searchParams),
      claims,
      pathParameters: match.pathParameters,
    }),
    lambdaContext(30_000),
  );
}

interface ListBody {
  data: unknown;
  meta: { next_cursor?: string | null; has_more?: boolean; count?: number };
}

/** What must be equal: the status, the body but for its per-request members, and the content type. */
function comparable(result: GatewayResult) {
  const type = result.headers?.['Content-Type'] ?? result.headers?.['content-type'];
  if (!String(type).includes('json')) return { status: result.statusCode, type, body: result.body };
  const body = JSON.parse(result.body) as ListBody;
  return {
    status: result.statusCode,
    type,
    data: body.data,
    has_more: body.meta?.has_more,
    count: body.meta?.count,
  };
}

describe('TrinoEngine answers what DuckDbEngine answers', () => {
  it('lists every request of a domain in EQUIVALENCE_HANDLERS', () => {
    for (const target of EQUIVALENCE_REQUESTS) {
      const match = registry.match('GET', new URL(target, 'http://aurum.test').pathname);
      expect(match.kind, target).toBe('found');
      if (match.kind === 'found') expect(Object.keys(EQUIVALENCE_HANDLERS)).toContain(match.route.domain);
    }
  });

  it.each(EQUIVALENCE_REQUESTS)('%s', async (target) => {
    const statementsBefore = trino.statements().length;
    const viaDuckDb = await call('duckdb', target);
    const viaTrino = await call('trino', target);
    expect(viaDuckDb.statusCode, viaDuckDb.body.slice(0, 300)).toBe(200);
    expect(comparable(viaTrino)).toEqual(comparable(viaDuckDb));
    // The Trino side really went through the coordinator.
    expect(trino.statements().length).toBeGreaterThan(statementsBefore);

    const first = comparable(viaDuckDb);
    if ('data' in first) expect(Array.isArray(first.data) ? first.data.length : 1).toBeGreaterThan(0);
    // One page further along each side's own cursor: the seek's literals run through Trino too.
    const next = (r: GatewayResult) => (JSON.parse(r.body) as ListBody).meta?.next_cursor;
    if ('data' in first && next(viaDuckDb)) {
      const sep = target.includes('?') ? '&' : '?';
      const duck2 = await call('duckdb', `${target}${sep}cursor=${encodeURIComponent(next(viaDuckDb)!)}`);
      const trino2 = await call('trino', `${target}${sep}cursor=${encodeURIComponent(next(viaTrino)!)}`);
      expect(duck2.statusCode).toBe(200);
      expect(comparable(trino2)).toEqual(comparable(duck2));
      expect(comparable(duck2)).not.toEqual(first);
    }
  });
});
