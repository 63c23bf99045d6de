import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Router } from '@aws-lambda-powertools/event-handler/http';
import { createEngine } from '#lib/data/create-engine';
import type { GatewayResult } from '#lib/http/event';
import { CountingEngine } from '#test/support/counting-engine';
import { curvesHandler, gatewayEvent, type Handler, lambdaContext } from './curves-handler.ts';
import { percentile, round } from './stats.ts';

/**
 * In-process latency of a curves request through the whole middleware stack (payload 2.0 event straight
 * into the handler, as Lambda calls it), cache hit and cache miss, against a bare handler returning the
 * same bytes; and a hit as a real client asks (Accept-Encoding: br) against a bare handler answering the same
 * compressed bytes and against a minimal `@aws-lambda-powertools/event-handler` HTTP route answering them too.
 * Logs are at INFO, as deployed, and go where they go in Lambda: `latencyWithLogsOnAPipe` runs this in a
 * child process whose stdout is a pipe the bench drains, so each log line and metrics document costs its
 * formatting, Powertools' Console, the pipe socket's write and the system call.
 *
 * Each sample is preceded by one turn of the event loop, outside the timed part: a Lambda invocation arrives
 * through the runtime API's I/O, so the loop turns between invocations (timers and thread-pool callbacks run
 * there, as the stack's background work does), where a bare `await` loop would never let it.
 */

export interface LatencyFigure {
  case: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

const HIT_SAMPLES = Number(process.env.AURUM_BENCH_LATENCY_SAMPLES ?? 2000);
const MISS_SAMPLES = Number(process.env.AURUM_BENCH_MISS_SAMPLES ?? 200);
const QUERY = 'iso=PJM&limit=50';

async function measure(n: number, call: (i: number) => Promise<GatewayResult>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    await new Promise(setImmediate);
    const started = performance.now();
    const result = await call(i);
    samples.push(performance.now() - started);
    if (result.statusCode !== 200)
      throw new Error(`bench request answered ${result.statusCode}: ${result.body.slice(0, 200)}`);
  }
  return samples;
}

const figure = (name: string, samples: number[]): LatencyFigure => ({
  case: name,
  samples: samples.length,
  p50Ms: round(percentile(samples, 50), 4),
  p99Ms: round(percentile(samples, 99), 4),
});

export async function inProcessLatency(): Promise<LatencyFigure[]> {
  const engine = new CountingEngine(await createEngine({ ...process.env, AURUM_TRINO_URL: '' }));
  const handler: Handler = curvesHandler(engine);
  const first = await handler(gatewayEvent('GET', '/v1/curves', QUERY), lambdaContext());
  // The bare handler answers the very bytes and headers the stack answered.
  const bare: Handler = async () => ({
    statusCode: first.statusCode,
    headers: { ...first.headers },
    body: first.body,
  });
  for (let i = 0; i < 200; i++) {
    await handler(gatewayEvent('GET', '/v1/curves', QUERY), lambdaContext());
    await bare(gatewayEvent('GET', '/v1/curves', QUERY), lambdaContext());
    await new Promise(setImmediate);
  }
  // Interleaved blocks, so drift in the machine's speed touches both sides alike.
  const hit: number[] = [];
  const baseline: number[] = [];
  for (let block = 0; block < 10; block++) {
    hit.push(
      ...(await measure(HIT_SAMPLES / 10, () =>
        handler(gatewayEvent('GET', '/v1/curves', QUERY), lambdaContext()),
      )),
    );
    baseline.push(
      ...(await measure(HIT_SAMPLES / 10, () =>
        bare(gatewayEvent('GET', '/v1/curves', QUERY), lambdaContext()),
      )),
    );
  }
  const before = engine.queries;
  // Misses: a new as-of date and limit each time, so every request is a key the cache has not seen.
  const miss = await measure(MISS_SAMPLES, (i) =>
    handler(
      gatewayEvent(
        'GET',
        '/v1/curves',
        `iso=PJM&limit=${1 + (i % 400)}&market=DA&block=ON_PEAK&location=WESTERN%20HUB`,
      ),
      lambdaContext(),
    ),
  );
  if (engine.queries - before !== MISS_SAMPLES)
    throw new Error(`expected ${MISS_SAMPLES} engine queries on misses, saw ${engine.queries - before}`);
  // A real client's hit: Accept-Encoding: br, so the answer is compressed, against a bare handler
  // answering the very compressed bytes.
  const br = { 'accept-encoding': 'br' };
  const compressed = await handler(gatewayEvent('GET', '/v1/curves', QUERY, br), lambdaContext());
  if (compressed.headers['Content-Encoding'] !== 'br') throw new Error('the br hit was not compressed');
  const bareBr: Handler = async () => ({
    statusCode: compressed.statusCode,
    headers: { ...compressed.headers },
    body: compressed.body,
    isBase64Encoded: true,
  });
  // The peer: Powertools' own HTTP router for payload 2.0 events, one route answering those same bytes and
  // headers (it base64-encodes a binary body itself).
  const bytes = Buffer.from(compressed.body, 'base64');
  const app = new Router();
  app.get('/v1/curves', ({ res }) => {
    for (const [name, value] of Object.entries(compressed.headers)) res.headers.set(name, value);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  });
  const peer: Handler = (event, context) => app.resolve(event, context) as Promise<GatewayResult>;
  const peerAnswer = await peer(gatewayEvent('GET', '/v1/curves', QUERY, br), lambdaContext());
  // Web Headers keep names in lower case and sorted: compared so, the headers are the same.
  const lower = (headers: Record<string, string>) =>
    Object.entries(headers)
      .map(([k, v]) => `${k.toLowerCase()}: ${v}`)
      .sort();
  if (
    peerAnswer.body !== compressed.body ||
    peerAnswer.isBase64Encoded !== true ||
    JSON.stringify(lower(peerAnswer.headers)) !== JSON.stringify(lower(compressed.headers))
  )
    throw new Error(
      `the event-handler peer does not answer the br hit's bytes and headers: ${JSON.stringify({ ...peerAnswer, body: peerAnswer.body.slice(0, 40) })}`,
    );
  for (let i = 0; i < 200; i++) {
    await handler(gatewayEvent('GET', '/v1/curves', QUERY, br), lambdaContext());
    await peer(gatewayEvent('GET', '/v1/curves', QUERY, br), lambdaContext());
    await new Promise(setImmediate);
  }
  const hitBr: number[] = [];
  const baselineBr: number[] = [];
  const peerBr: number[] = [];
  for (let block = 0; block < 10; block++) {
    hitBr.push(
      ...(await measure(HIT_SAMPLES / 10, () =>
        handler(gatewayEvent('GET', '/v1/curves', QUERY, br), lambdaContext()),
      )),
    );
    baselineBr.push(
      ...(await measure(HIT_SAMPLES / 10, () =>
        bareBr(gatewayEvent('GET', '/v1/curves', QUERY, br), lambdaContext()),
      )),
    );
    peerBr.push(
      ...(await measure(HIT_SAMPLES / 10, () =>
        peer(gatewayEvent('GET', '/v1/curves', QUERY, br), lambdaContext()),
      )),
    );
  }
  return [
    figure('bare handler, same bytes', baseline),
    figure('stack, cache hit', hit),
    figure('stack, cache miss (DuckDB)', miss),
    figure('bare handler, same br bytes', baselineBr),
    figure('stack, cache hit, Accept-Encoding: br', hitBr),
    figure('Powertools event-handler route, same br bytes', peerBr),
  ];
}

export interface LatencyRun {
  figures: LatencyFigure[];
  /** What the child wrote to its stdout pipe while measuring: log lines and metrics documents. */
  stdoutLines: number;
  stdoutBytes: number;
}

/**
 * inProcessLatency in a child process (bench/latency-child.ts) with its stdout a pipe that this process
 * drains, as Lambda's runtime reads a function's stdout; the figures come back on a fourth descriptor.
 */
export async function latencyWithLogsOnAPipe(): Promise<LatencyRun> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./latency-child.ts', import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] },
  );
  let stdoutLines = 0;
  let stdoutBytes = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) stdoutLines++;
  });
  let answer = '';
  (child.stdio[3] as Readable).setEncoding('utf8').on('data', (text: string) => {
    answer += text;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`the latency child exited with ${code}`);
  return { figures: JSON.parse(answer) as LatencyFigure[], stdoutLines, stdoutBytes };
}
