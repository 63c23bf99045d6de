import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCurvesHandler } from '#functions/curves/handler';
import { createCurvesService } from '#functions/curves/service';
import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { AnswerTooLargeError } from '#lib/errors';
import { CursorCodec } from '#lib/paging/cursor';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { testRuntime } from '#test/support/stack-request';

let engine: SqlEngine;
beforeAll(async () => {
  engine = await createEngine({});
});
afterAll(async () => {
  await engine.close();
});

const cursors = new CursorCodec({ secret: 'export-test' });
const io = { deadline: Date.now() + 60_000 };
const HEADER = 'curve_key,tenor_label,tenor_type,contract_month,asof_date,mid,bid,ask,price_type';

const exportLines = async (service: ReturnType<typeof createCurvesService>, query: Record<string, unknown>) =>
  (await service.exportCsv({ iso: 'SPP', chunk_size: 100, ...query }, io, true)).body.trimEnd().split('\r\n');

describe('curve export', () => {
  it('writes every matching point in chunks, with one header, when it fits one response', async () => {
    const lines = await exportLines(createCurvesService({ engine, cursors }), {});
    expect(lines[0]).toBe(HEADER);
    expect(lines.filter((l) => l === HEADER)).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(101);
    const chunkedBy5000 = await exportLines(createCurvesService({ engine, cursors }), { chunk_size: 5000 });
    expect(chunkedBy5000).toEqual(lines);
  });

  it('refuses, before building the body, an export above the row or byte limit, saying how to narrow it', async () => {
    const all = await exportLines(createCurvesService({ engine, cursors }), {});
    const rows = all.length - 1;
    const bytes = all.slice(1).reduce((sum, line) => sum + Buffer.byteLength(line) + 2, 0);

    const byRows = createCurvesService({
      engine,
      cursors,
      exportLimits: { maxRows: rows - 1, maxBytes: 1e9 },
    });
    const refusal = byRows.exportCsv({ iso: 'SPP', chunk_size: 100 }, io, true);
    await expect(refusal).rejects.toBeInstanceOf(AnswerTooLargeError);
    await expect(refusal).rejects.toThrow(/Narrow it with asof, market, location, product, block/);

    const bySize = createCurvesService({
      engine,
      cursors,
      exportLimits: { maxRows: 1e6, maxBytes: bytes - 1 },
    });
    await expect(bySize.exportCsv({ iso: 'SPP', chunk_size: 100 }, io, true)).rejects.toBeInstanceOf(
      AnswerTooLargeError,
    );
    // Exactly at the limits it is served: the measure is the CSV's own size.
    const atLimits = createCurvesService({
      engine,
      cursors,
      exportLimits: { maxRows: rows, maxBytes: bytes },
    });
    expect(await exportLines(atLimits, {})).toEqual(all);
  });

  it('answers the refusal as a 422 problem, and an unnarrowed export as a 400 naming query.asof', async () => {
    const handler = createCurvesHandler({
      engine,
      runtime: () => testRuntime(),
      exportLimits: { maxRows: 10, maxBytes: 1e9 },
    });
    const claims = { sub: 'a', tenant: 'acme', scope: 'curves:read' };
    const tooLarge = await handler(
      gatewayEvent('GET /v2/curves/export', '/v2/curves/export', { query: { iso: 'SPP' }, claims }),
      lambdaContext(),
    );
    expect(tooLarge.statusCode).toBe(422);
    expect(tooLarge.headers['Content-Type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(tooLarge.body) as { type: string; detail: string; limit_bytes: number };
    expect(problem.type).toBe('https://api.aurum.dev/problems/answer-too-large');
    expect(problem.detail).toMatch(/Narrow it with asof/);

    const unnarrowed = await handler(
      gatewayEvent('GET /v2/curves/export', '/v2/curves/export', { query: { chunk_size: '100' }, claims }),
      lambdaContext(),
    );
    expect(unnarrowed.statusCode).toBe(400);
    expect((JSON.parse(unnarrowed.body) as { errors: { field: string; code: string }[] }).errors).toEqual([
      expect.objectContaining({ field: 'query.asof', code: 'guardrail' }),
    ]);
  });
});
