import type { SqlEngine } from '#lib/data/engine';
import { sql } from '#lib/data/sql';
import { failureReason } from './detail.ts';
import type { CheckResult, HealthProvider } from './provider.ts';

/** `SELECT 1` through the SqlEngine port: Trino in Lambda, DuckDB locally. The engine is built on first check. */
export function engineCheck(engine: () => Promise<SqlEngine>, name = 'engine'): HealthProvider {
  return {
    name,
    async check(deadline: number): Promise<CheckResult> {
      const started = Date.now();
      const latency = () => Date.now() - started;
      let kind = 'data engine';
      try {
        const client = await engine();
        kind = client.name;
        const rows = await client.query<{ ok: number }>(sql`SELECT 1 AS ok`, { deadline });
        if (Number(rows[0]?.ok) !== 1)
          return { status: 'failed', latencyMs: latency(), detail: `${kind}: unexpected answer` };
        return { status: 'ok', latencyMs: latency(), detail: kind };
      } catch (error) {
        return { status: 'failed', latencyMs: latency(), detail: `${kind}: ${failureReason(error)}` };
      }
    },
  };
}
