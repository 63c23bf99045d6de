import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { BENCH_ENV } from './curves-handler.ts';
import { round } from './stats.ts';

/**
 * HTTP throughput and latency with autocannon on 127.0.0.1: the local gateway on a cached curves route,
 * against a bare node:http server sending the same bytes. Each server runs alone in its own process.
 */

export interface ThroughputFigure {
  server: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

const DURATION_S = Number(process.env.AURUM_BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.AURUM_BENCH_CONNECTIONS ?? 10);
export const CACHED_PATH = '/v1/curves?iso=PJM&limit=50';
const HEADERS = { 'x-aurum-tenant': 'bench' };

async function startServer(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'servers.ts'), ...args],
    {
      env: { ...BENCH_ENV, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const [url] = (await once(lines, 'line')) as [string];
  // Later lines (metric records) are read and dropped, so the pipe never fills.
  lines.on('line', () => undefined);
  return { url, child };
}

async function load(url: string): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}${CACHED_PATH}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: HEADERS,
  });
}

const figure = (server: string, r: autocannon.Result): ThroughputFigure => ({
  server,
  requestsPerSecond: round(r.requests.average, 1),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors,
});

export async function httpThroughput(): Promise<{
  figures: ThroughputFigure[];
  durationS: number;
  connections: number;
}> {
  const gateway = await startServer(['gateway']);
  let bare: { url: string; child: ChildProcess } | undefined;
  try {
    // Warm the route (the cache miss, the DuckDB connection) and record the answer the bare server replays.
    const first = await fetch(`${gateway.url}${CACHED_PATH}`, { headers: HEADERS });
    const body = await first.text();
    if (first.status !== 200) throw new Error(`gateway answered ${first.status}: ${body.slice(0, 200)}`);
    const headers: Record<string, string> = {};
    for (const [k, v] of first.headers)
      if (!['content-length', 'connection', 'keep-alive', 'date'].includes(k)) headers[k] = v;
    const recorded = join(tmpdir(), `aurum-bench-answer-${process.pid}.json`);
    writeFileSync(recorded, JSON.stringify({ status: 200, headers, body }));
    await load(gateway.url); // warm-up run, discarded
    const viaGateway = await load(gateway.url);
    gateway.child.kill();
    bare = await startServer(['bare', recorded]);
    await load(bare.url);
    const viaBare = await load(bare.url);
    return {
      figures: [
        figure('bare node:http, same bytes', viaBare),
        figure('local gateway, cached route', viaGateway),
      ],
      durationS: DURATION_S,
      connections: CONNECTIONS,
    };
  } finally {
    gateway.child.kill();
    bare?.child.kill();
  }
}
