import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCurvesService } from '#functions/curves/service';
import { createEngine } from '#lib/data/create-engine';
import type { SqlEngine } from '#lib/data/engine';
import { CursorCodec } from '#lib/paging/cursor';

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

async function exportBody(service: ReturnType<typeof createCurvesService>, query: Record<string, unknown>) {
  const result = await service.exportCsv({ iso: 'SPP', chunk_size: 100, ...query }, io, true);
  const next = result.next ? cursors.encode(result.next, 'next', result.filterHash) : undefined;
  return { lines: result.body.trimEnd().split('\r\n'), next };
}

describe('curve export', () => {
  it('cuts at a chunk boundary before the size limit and continues exactly where it stopped', async () => {
    const whole = await exportBody(createCurvesService({ engine, cursors }), {});
    expect(whole.next).toBeUndefined();
    expect(whole.lines[0]).toBe(HEADER);

    const walk = async (limits: { maxRows: number; maxBytes: number }) => {
      const service = createCurvesService({ engine, cursors, exportLimits: limits });
      const parts: string[][] = [];
      let cursor: string | undefined;
      do {
        const part = await exportBody(service, cursor ? { cursor } : {});
        expect(part.lines[0]).toBe(HEADER);
        parts.push(part.lines.slice(1));
        cursor = part.next;
      } while (cursor);
      return parts;
    };
    // Cut by size: whole chunks of chunk_size rows.
    const bySize = await walk({ maxRows: 45_000, maxBytes: 5_000 });
    expect(bySize.length).toBeGreaterThan(2);
    for (const part of bySize.slice(0, -1)) expect(part).toHaveLength(100);
    expect(bySize.flat()).toEqual(whole.lines.slice(1));
    // Cut by rows: never more than the cap.
    const byRows = await walk({ maxRows: 130, maxBytes: 4 * 1024 * 1024 });
    for (const part of byRows) expect(part.length).toBeLessThanOrEqual(130);
    expect(byRows.flat()).toEqual(whole.lines.slice(1));
  });
});
