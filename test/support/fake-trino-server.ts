/**
 * A Trino coordinator at the protocol boundary: a real HTTP server speaking the client REST protocol
 * (`POST /v1/statement`, `GET nextUri` pages, `DELETE` to cancel), answering from scripts set per test,
 * or, for statements no script matches, from a backend that runs them (see trino-on-duckdb.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TrinoColumn {
  name: string;
  type: string;
}

export interface TrinoFailure {
  message: string;
  errorName: string;
  errorType: 'USER_ERROR' | 'INTERNAL_ERROR' | 'INSUFFICIENT_RESOURCES' | 'EXTERNAL';
  errorCode: number;
}

/** Every step may be answered late (`delayMs`), to play a slow coordinator. */
export type ScriptStep =
  /** A page of rows. */
  | { rows: unknown[][]; delayMs?: number }
  /** The query fails: a final page carrying `error`, as Trino reports failures. */
  | { error: TrinoFailure; delayMs?: number }
  /** A write finishes: the final page carries `updateType` and `updateCount`. */
  | { updateCount: number; updateType?: string; delayMs?: number }
  /** An HTTP answer other than 200 (a proxy's 503 …); the client must ask again for the same page. */
  | { status: number; delayMs?: number }
  /** The query is still running: a page without data, after a delay (Trino's long poll). */
  | { delayMs: number };

export interface StatementScript {
  columns?: TrinoColumn[];
  /** Delays the answer that accepts the statement (a coordinator slow to queue it). */
  submitDelayMs?: number;
  /**
   * Leading `status` steps answer the `POST /v1/statement` calls, once each, in order. The other steps
   * are the pages every accepted query of this script plays, one per `GET nextUri`.
   */
  steps: ScriptStep[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordedCancel {
  queryId: string;
  /** `/v1/query/{id}` (trino-client's cancel) or the query's nextUri (the statement protocol's cancel). */
  path: string;
}

/** What a backend answers for a statement: a result set, or a write's update count. */
export interface TrinoAnswer {
  columns: TrinoColumn[];
  rows: unknown[][];
  updateType?: string;
  updateCount?: number;
}

/** Thrown by a backend to fail the query the way Trino reports failures. */
export class TrinoQueryFailure extends Error {
  constructor(readonly failure: TrinoFailure) {
    super(failure.message);
  }
}

/** Runs a statement no script matches; `signal` aborts when the client cancels the query. */
export type TrinoBackend = (statement: string, signal: AbortSignal) => Promise<TrinoAnswer>;

export interface FakeTrinoOptions {
  backend?: TrinoBackend;
}

export interface FakeTrino {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  readonly cancels: readonly RecordedCancel[];
  /** Scripts the answers to statements matching `match` (substring or RegExp); the first match wins. */
  script(match: string | RegExp, script: StatementScript): void;
  /** The SQL text of every `POST /v1/statement`, in order. */
  statements(): string[];
  close(): Promise<void>;
}

interface Scripted {
  match: string | RegExp;
  columns: TrinoColumn[];
  submitDelayMs: number;
  postAnswers: Array<{ status: number; delayMs?: number }>;
  pages: ScriptStep[];
}

interface RunningQuery {
  id: string;
  scripted: Scripted;
  cursor: number;
  canceled: boolean;
  /** Ends the slow answer in flight, if any, when the query is canceled. */
  wake?: () => void;
  /** A backend's run of the statement: its pages, once it has finished. */
  running?: Promise<ScriptStep[]>;
  stop?: AbortController;
}

const NO_SCRIPT: TrinoFailure = {
  message: 'fake-trino: no script matches this statement',
  errorName: 'TABLE_NOT_FOUND',
  errorType: 'USER_ERROR',
  errorCode: 46,
};

export async function startFakeTrino(options: FakeTrinoOptions = {}): Promise<FakeTrino> {
  const scripts: Scripted[] = [];
  const queries = new Map<string, RunningQuery>();
  const requests: RecordedRequest[] = [];
  const cancels: RecordedCancel[] = [];
  const closing = new AbortController();
  let url = '';

  const sleep = (ms: number, query?: RunningQuery) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      closing.signal.addEventListener('abort', wake, { once: true });
      if (query) query.wake = wake;
    });

  const queryUris = (query: RunningQuery) => ({
    id: query.id,
    infoUri: `${url}/ui/query.html?${query.id}`,
  });
  const nextUri = (query: RunningQuery) =>
    `${url}/v1/statement/executing/${query.id}/y${query.cursor}/${query.cursor}`;

  async function submit(body: string, res: ServerResponse): Promise<void> {
    const matched = scripts.find(({ match }) =>
      typeof match === 'string' ? body.includes(match) : match.test(body),
    );
    if (!matched && options.backend) return run(options.backend, body, res);
    const scripted = matched ?? unscripted();
    const failure = scripted.postAnswers.shift();
    if (failure) {
      if (failure.delayMs) await sleep(failure.delayMs);
      return sendStatus(res, failure.status);
    }
    if (scripted.submitDelayMs) await sleep(scripted.submitDelayMs);
    const query: RunningQuery = { id: queryId(), scripted, cursor: 0, canceled: false };
    queries.set(query.id, query);
    sendJson(res, { ...queryUris(query), nextUri: nextUri(query), stats: { state: 'QUEUED' } });
  }

  /** A statement for the backend: accepted at once, its pages known when the backend has answered. */
  function run(backend: TrinoBackend, statement: string, res: ServerResponse): void {
    const stop = new AbortController();
    const running = backend(statement, stop.signal).then(answerSteps, (error: unknown) => [
      { error: error instanceof TrinoQueryFailure ? error.failure : backendFailure(error) },
    ]);
    const scripted: Scripted = { match: '', columns: [], submitDelayMs: 0, postAnswers: [], pages: [] };
    const query: RunningQuery = { id: queryId(), scripted, cursor: 0, canceled: false, running, stop };
    queries.set(query.id, query);
    sendJson(res, { ...queryUris(query), nextUri: nextUri(query), stats: { state: 'QUEUED' } });
  }

  async function page(query: RunningQuery, res: ServerResponse): Promise<void> {
    if (query.running) {
      // Trino's long poll: the page waits for the result, or for the cancel that ends the wait.
      const woken = new Promise<undefined>((resolve) => {
        query.wake = () => resolve(undefined);
        closing.signal.addEventListener('abort', () => resolve(undefined), { once: true });
      });
      const steps = await Promise.race([query.running, woken]);
      if (steps) {
        query.running = undefined;
        const first = steps[0];
        query.scripted.columns = first && 'columns' in first ? (first.columns as TrinoColumn[]) : [];
        query.scripted.pages = steps;
      }
    }
    const step = query.scripted.pages[query.cursor];
    if (step?.delayMs) await sleep(step.delayMs, query);
    if (query.canceled || closing.signal.aborted) return sendStatus(res, 410);
    if (!step)
      return sendJson(res, {
        ...queryUris(query),
        columns: query.scripted.columns,
        data: [],
        stats: { state: 'FINISHED' },
      });
    query.cursor++;
    if ('status' in step) return sendStatus(res, step.status);
    const more = query.cursor < query.scripted.pages.length;
    const base = { ...queryUris(query), ...(more ? { nextUri: nextUri(query) } : {}) };
    if ('error' in step) {
      const { message, errorName, errorType, errorCode } = step.error;
      const failureInfo = { type: 'io.trino.spi.TrinoException', message, suppressed: [], stack: [] };
      return sendJson(res, {
        ...queryUris(query),
        stats: { state: 'FAILED' },
        error: { message, errorCode, errorName, errorType, failureInfo },
      });
    }
    if ('rows' in step) {
      return sendJson(res, {
        ...base,
        columns: query.scripted.columns,
        data: step.rows,
        stats: { state: more ? 'RUNNING' : 'FINISHED' },
      });
    }
    if ('updateCount' in step) {
      return sendJson(res, {
        ...base,
        columns: [{ name: 'rows', type: 'bigint' }],
        data: [[step.updateCount]],
        updateType: step.updateType ?? 'INSERT',
        updateCount: step.updateCount,
        stats: { state: 'FINISHED' },
      });
    }
    sendJson(res, { ...base, stats: { state: 'RUNNING' } });
  }

  function cancel(query: RunningQuery, path: string, res: ServerResponse): void {
    cancels.push({ queryId: query.id, path });
    query.canceled = true;
    query.stop?.abort();
    query.wake?.();
    res.writeHead(204).end();
  }

  async function route(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    if (req.method === 'POST' && path === '/v1/statement') return submit(body, res);
    const statement = /^\/v1\/statement\/(?:queued|executing)\/([^/]+)\//.exec(path);
    const killed = /^\/v1\/query\/([^/]+)$/.exec(path);
    const query = queries.get(statement?.[1] ?? killed?.[1] ?? '');
    if (!query) return sendStatus(res, 404);
    if (req.method === 'DELETE') return cancel(query, path, res);
    if (req.method === 'GET' && statement) return page(query, res);
    sendStatus(res, 405);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      route(req, res, body).catch(() => {
        if (!res.headersSent) sendStatus(res, 500);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    cancels,
    script(match, { columns = [], submitDelayMs = 0, steps }) {
      const firstPage = steps.findIndex((step) => !('status' in step));
      const split = firstPage === -1 ? steps.length : firstPage;
      scripts.push({
        match,
        columns,
        submitDelayMs,
        postAnswers: steps.slice(0, split) as Scripted['postAnswers'],
        pages: steps.slice(split),
      });
    },
    statements: () =>
      requests.filter((r) => r.method === 'POST' && r.path === '/v1/statement').map((r) => r.body),
    async close() {
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function queryId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp.slice(0, 8)}_${stamp.slice(8)}_${randomUUID().slice(0, 5)}_fake`;
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendStatus(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(`fake-trino: HTTP ${status}`);
}

type AnswerStep = ScriptStep & { columns?: TrinoColumn[] };

function answerSteps(answer: TrinoAnswer): AnswerStep[] {
  if (answer.updateCount !== undefined)
    return [
      { updateCount: answer.updateCount, ...(answer.updateType ? { updateType: answer.updateType } : {}) },
    ];
  return [{ rows: answer.rows, columns: answer.columns }];
}

function backendFailure(error: unknown): TrinoFailure {
  return {
    message: error instanceof Error ? error.message : String(error),
    errorName: 'GENERIC_INTERNAL_ERROR',
    errorType: 'INTERNAL_ERROR',
    errorCode: 65536,
  };
}

/** A statement nobody scripted fails the way Trino fails a query on a table that does not exist. */
function unscripted(): Scripted {
  return { match: '', columns: [], submitDelayMs: 0, postAnswers: [], pages: [{ error: NO_SCRIPT }] };
}
