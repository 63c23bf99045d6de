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
 * against a bare node:http server sending the same bytes (recorded without compression, as autocannon asks
 * for none). Each server runs in its own process; the runs alternate A B A B so drift on a shared machine
 * falls on both, and each figure is the mean of its rounds (p99: the worst round).
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
const ROUNDS = Number(process.env.AURUM_BENCH_HTTP_ROUNDS ?? 2);

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

const figure = (server: string, runs: autocannon.Result[]): ThroughputFigure => ({
  server,
  requestsPerSecond: round(runs.reduce((sum, r) => sum + r.requests.average, 0) / runs.length, 1),
  p50Ms: round(runs.reduce((sum, r) => sum + r.latency.p50, 0) / runs.length, 2),
  p99Ms: Math.max(...runs.map((r) => r.latency.p99)),
  non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
  errors: runs.reduce((sum, r) => sum + r.errors, 0),
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
    // Identity, as autocannon sends no Accept-Encoding: the bare server must not claim an encoding it does not send.
    // The second answer is recorded: a hit (X-Cache: hit), as every answer measured afterwards is.
    const answer = () =>
      fetch(`${gateway.url}${CACHED_PATH}`, { headers: { ...HEADERS, 'accept-encoding': 'identity' } });
    await (await answer()).arrayBuffer();
    const first = await answer();
    const body = await first.text();
    if (first.status !== 200) throw new Error(`gateway answered ${first.status}: ${body.slice(0, 200)}`);
    const headers: Record<string, string> = {};
    for (const [k, v] of first.headers)
      if (!['content-length', 'connection', 'keep-alive', 'date'].includes(k)) headers[k] = v;
    const recorded = join(tmpdir(), `aurum-bench-answer-${process.pid}.json`);
    writeFileSync(recorded, JSON.stringify({ status: 200, headers, body }));
    if (headers['content-encoding']) throw new Error('the recorded answer is compressed');
    bare = await startServer(['bare', recorded]);
    await load(gateway.url); // warm-up runs, discarded
    await load(bare.url);
    const viaGateway: autocannon.Result[] = [];
    const viaBare: autocannon.Result[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      viaGateway.push(await load(gateway.url));
      viaBare.push(await load(bare.url));
    }
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
