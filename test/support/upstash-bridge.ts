/**
 * An Upstash REST endpoint in front of the real Redis on 127.0.0.1:6379, so that the unmodified
 * `@upstash/redis` client (and `@upstash/ratelimit` on top of it) can be tested without the
 * network. It speaks what the client sends: `POST /` with one command as a JSON array,
 * `POST /pipeline` and `POST /multi-exec` with arrays of them, `Authorization: Bearer <token>`,
 * and `Upstash-Encoding: base64` (bulk strings base64, "OK" and integers as they are). Replies
 * are `{result}` or `{error}` (400 for a command error, 401 for a bad token).
 *
 * Each bridge works in one Redis database (default 9), selected on every connection it opens;
 * test files that run in parallel must each use their own `db`. `stop()`/`start()` keep the port
 * (an outage), and `delayMs` holds every answer back (a slow Redis).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

// ---------------------------------------------------------------------------------------------
// RESP2: just enough of the Redis protocol to send commands and read any reply.

export type RespReply =
  | { type: 'simple'; value: string }
  | { type: 'error'; message: string }
  | { type: 'integer'; value: number }
  | { type: 'bulk'; value: Buffer | null }
  | { type: 'array'; value: RespReply[] | null };

export function encodeCommand(args: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `offset`; `undefined` when the buffer does not hold all of it yet. */
export function parseReply(buffer: Buffer, offset = 0): { reply: RespReply; next: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const kind = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (kind) {
    case '+':
      return { reply: { type: 'simple', value: line }, next: afterLine };
    case '-':
      return { reply: { type: 'error', message: line }, next: afterLine };
    case ':':
      return { reply: { type: 'integer', value: Number(line) }, next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: { type: 'bulk', value: null }, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return {
        reply: { type: 'bulk', value: Buffer.from(buffer.subarray(afterLine, afterLine + length)) },
        next: afterLine + length + 2,
      };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: { type: 'array', value: null }, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, next);
        if (!item) return undefined;
        items.push(item.reply);
        next = item.next;
      }
      return { reply: { type: 'array', value: items }, next };
    }
    default:
      throw new Error(`RESP: unexpected reply type ${JSON.stringify(kind)}`);
  }
}

/** One Redis connection; replies come back in the order commands were written. */
export class RespConnection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #waiting: Array<{ resolve: (reply: RespReply) => void; reject: (error: Error) => void }> = [];
  #failure: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('Redis connection closed')));
  }

  static async open(host: string, port: number, db: number): Promise<RespConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    const connection = new RespConnection(socket);
    const [selected] = await connection.send([['SELECT', String(db)]]);
    if (selected?.type !== 'simple' || selected.value !== 'OK') {
      connection.close();
      throw new Error(`Redis refused SELECT ${db}`);
    }
    return connection;
  }

  get healthy(): boolean {
    return this.#failure === undefined && !this.#socket.destroyed;
  }

  /** Writes all commands at once (pipelined) and resolves with their replies. */
  send(commands: ReadonlyArray<ReadonlyArray<string | Buffer>>): Promise<RespReply[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const replies = commands.map(
      () => new Promise<RespReply>((resolve, reject) => this.#waiting.push({ resolve, reject })),
    );
    this.#socket.write(Buffer.concat(commands.map((command) => encodeCommand(command))));
    return Promise.all(replies);
  }

  close(): void {
    this.#socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let offset = 0;
    for (;;) {
      const parsed = parseReply(this.#buffer, offset);
      if (!parsed) break;
      offset = parsed.next;
      this.#waiting.shift()?.resolve(parsed.reply);
    }
    this.#buffer = this.#buffer.subarray(offset);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}

// ---------------------------------------------------------------------------------------------
// The REST bridge.

type JsonReply = string | number | null | JsonReply[];
type CommandArg = string | number | boolean;

interface PreparedCommand {
  name: string;
  /** As sent to Redis (scripts made portable, script shas translated). */
  args: string[];
  /** As the client sent it. */
  original: CommandArg[];
}

/** Commands that would break the pooled, per-request connection model (or block it). */
const REFUSED = new Set([
  'SELECT',
  'QUIT',
  'RESET',
  'AUTH',
  'HELLO',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'MONITOR',
  'SYNC',
  'PSYNC',
  'CLIENT',
]);

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * Upstash accepts the `allow-key-locking` shebang flag that `@upstash/ratelimit` puts on its Lua
 * scripts; open-source Redis 7 rejects unknown flags, so the bridge drops it (keeping the line,
 * so error line numbers still match).
 */
function portableScript(script: string): string {
  if (!script.startsWith('#!')) return script;
  const newline = script.indexOf('\n');
  const shebang = newline < 0 ? script : script.slice(0, newline);
  const rest = newline < 0 ? '' : script.slice(newline);
  const portable = shebang.replace(/flags=([^\s]*)/, (_all, flags: string) => {
    const kept = flags.split(',').filter((flag) => flag && flag !== 'allow-key-locking');
    return kept.length > 0 ? `flags=${kept.join(',')}` : '';
  });
  return portable.trimEnd() + rest;
}

export interface UpstashBridgeOptions {
  /** Bearer token the bridge expects (default: random). */
  token?: string;
  /** Redis database the bridge works in (default 9). */
  db?: number;
  redisHost?: string;
  redisPort?: number;
  /** HTTP port (default: a free one, kept across stop/start). */
  port?: number;
  delayMs?: number;
}

export class UpstashBridge {
  readonly token: string;
  readonly db: number;
  /** Every answer waits this long first; a request whose caller gave up meanwhile is not run. */
  delayMs: number;
  /** Upper-cased names of the commands run, in order (pipelines and transactions included). */
  readonly commands: string[] = [];

  readonly #redisHost: string;
  readonly #redisPort: number;
  #port: number;
  #server: Server | undefined;
  readonly #idle: RespConnection[] = [];
  readonly #everOpened = new Set<RespConnection>();
  /** sha1 of a script as the client wrote it → sha1 of the script Redis actually holds. */
  readonly #scriptShas = new Map<string, string>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: UpstashBridgeOptions = {}) {
    this.token = options.token ?? randomBytes(16).toString('hex');
    this.db = options.db ?? 9;
    this.delayMs = options.delayMs ?? 0;
    this.#redisHost = options.redisHost ?? '127.0.0.1';
    this.#redisPort = options.redisPort ?? 6379;
    this.#port = options.port ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const server = createServer((req, res) => {
      const handled = this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          this.#reply(res, 500, { error: error instanceof Error ? error.message : String(error) });
        }
      });
      this.#inFlight.add(handled);
      void handled.finally(() => this.#inFlight.delete(handled));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops answering (open keep-alive sockets included), as an outage would; `start()` resumes on the same port. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Stops and closes the Redis connections. */
  async close(): Promise<void> {
    await this.stop();
    for (const connection of this.#everOpened) connection.close();
    this.#everOpened.clear();
    this.#idle.length = 0;
  }

  /** Resolves when every request received so far has been answered (or dropped); delayed ones included. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Runs commands straight on Redis (in the bridge's db), bypassing HTTP: for test setup and checks. */
  async redis(...commands: string[][]): Promise<RespReply[]> {
    return this.#withConnection((connection) => connection.send(commands));
  }

  async flushDb(): Promise<void> {
    const [reply] = await this.redis(['FLUSHDB']);
    if (reply?.type !== 'simple') throw new Error('FLUSHDB failed');
  }

  async #withConnection<T>(use: (connection: RespConnection) => Promise<T>): Promise<T> {
    const connection =
      this.#idle.pop() ?? (await RespConnection.open(this.#redisHost, this.#redisPort, this.db));
    this.#everOpened.add(connection);
    try {
      return await use(connection);
    } finally {
      if (connection.healthy && this.#idle.length < 16) {
        this.#idle.push(connection);
      } else {
        connection.close();
        this.#everOpened.delete(connection);
      }
    }
  }

  #reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (res.destroyed || req.socket.destroyed || !this.#server) return;
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.#reply(res, 401, { error: 'Unauthorized' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || (path !== '/' && path !== '/pipeline' && path !== '/multi-exec')) {
      this.#reply(res, 404, { error: 'Not Found' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      this.#reply(res, 400, { error: 'ERR failed to parse command' });
      return;
    }
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    if (path === '/') {
      if (!isCommand(body)) {
        this.#reply(res, 400, { error: 'ERR failed to parse command' });
        return;
      }
      const [reply] = await this.#run([body]);
      if (reply?.type === 'error') this.#reply(res, 400, { error: reply.message });
      else this.#reply(res, 200, { result: toJson(reply!, base64) });
      return;
    }
    if (!Array.isArray(body) || body.length === 0 || !body.every(isCommand)) {
      this.#reply(res, 400, { error: 'ERR failed to parse pipeline request' });
      return;
    }
    if (path === '/pipeline') {
      const replies = await this.#run(body);
      this.#reply(
        res,
        200,
        replies.map((reply) =>
          reply.type === 'error' ? { error: reply.message } : { result: toJson(reply, base64) },
        ),
      );
      return;
    }
    const outcome = await this.#transaction(body);
    if ('error' in outcome) this.#reply(res, 400, { error: outcome.error });
    else {
      this.#reply(
        res,
        200,
        outcome.replies.map((reply) =>
          reply.type === 'error' ? { error: reply.message } : { result: toJson(reply, base64) },
        ),
      );
    }
  }

  /** Runs commands pipelined on one connection; refused commands get an error reply in place. */
  async #run(commands: CommandArg[][]): Promise<RespReply[]> {
    const prepared = commands.map((command) => this.#prepare(command));
    const runnable = prepared.filter((p): p is PreparedCommand => 'args' in p);
    const replies =
      runnable.length > 0 ? await this.#withConnection((c) => c.send(runnable.map((p) => p.args))) : [];
    let next = 0;
    return prepared.map((p): RespReply => {
      if ('refusal' in p) return { type: 'error', message: p.refusal };
      return this.#afterReply(p, replies[next++]!);
    });
  }

  /** MULTI … EXEC on one connection: an error while queueing aborts it all (400), like Upstash. */
  async #transaction(commands: CommandArg[][]): Promise<{ replies: RespReply[] } | { error: string }> {
    const runnable: PreparedCommand[] = [];
    for (const command of commands) {
      const prepared = this.#prepare(command);
      if ('refusal' in prepared) return { error: prepared.refusal };
      runnable.push(prepared);
    }
    const replies = await this.#withConnection((c) =>
      c.send([['MULTI'], ...runnable.map((p) => p.args), ['EXEC']]),
    );
    const queueError = replies.slice(1, -1).find((reply) => reply.type === 'error');
    if (queueError?.type === 'error') return { error: queueError.message };
    const exec = replies[replies.length - 1]!;
    if (exec.type === 'error') return { error: exec.message };
    if (exec.type !== 'array' || exec.value === null) return { error: 'ERR transaction aborted' };
    return { replies: exec.value.map((reply, i) => this.#afterReply(runnable[i]!, reply)) };
  }

  #prepare(command: CommandArg[]): PreparedCommand | { refusal: string } {
    const args = command.map((arg) => String(arg));
    const name = args[0]!.toUpperCase();
    this.commands.push(name);
    if (REFUSED.has(name)) return { refusal: `ERR command ${name} is not allowed` };
    if ((name === 'EVAL' || name === 'EVAL_RO') && args[1] !== undefined) args[1] = portableScript(args[1]);
    if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && args[1] !== undefined) {
      args[1] = this.#scriptShas.get(args[1].toLowerCase()) ?? args[1];
    }
    const sub = args[1]?.toUpperCase();
    if (name === 'SCRIPT' && sub === 'LOAD' && args[2] !== undefined) args[2] = portableScript(args[2]);
    if (name === 'SCRIPT' && sub === 'EXISTS') {
      for (let i = 2; i < args.length; i++)
        args[i] = this.#scriptShas.get(args[i]!.toLowerCase()) ?? args[i]!;
    }
    return { name, args, original: command };
  }

  /** Remembers where a rewritten script went, and answers with the sha1 the client computed. */
  #afterReply({ name, args, original }: PreparedCommand, reply: RespReply): RespReply {
    const isEval = name === 'EVAL' || name === 'EVAL_RO';
    const isLoad = name === 'SCRIPT' && args[1]?.toUpperCase() === 'LOAD';
    const scriptIndex = isEval ? 1 : isLoad ? 2 : -1;
    if (scriptIndex > 0 && reply.type !== 'error') {
      const asSent = sha1(String(original[scriptIndex]));
      this.#scriptShas.set(asSent, sha1(args[scriptIndex]!));
      if (isLoad) return { type: 'bulk', value: Buffer.from(asSent) };
    }
    return reply;
  }
}

function isCommand(value: unknown): value is CommandArg[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    typeof value[0] === 'string' &&
    value.every((arg) => typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'boolean')
  );
}

/** Upstash's JSON form of a reply: bulk and status strings base64 when asked (but "OK" as is), integers as numbers. */
function toJson(reply: RespReply, base64: boolean): JsonReply {
  switch (reply.type) {
    case 'simple':
      return base64 && reply.value !== 'OK' ? Buffer.from(reply.value).toString('base64') : reply.value;
    case 'error':
      return reply.message;
    case 'integer':
      return reply.value;
    case 'bulk':
      if (reply.value === null) return null;
      return base64 ? reply.value.toString('base64') : reply.value.toString('utf8');
    case 'array':
      return reply.value === null ? null : reply.value.map((item) => toJson(item, base64));
  }
}

export async function startUpstashBridge(options: UpstashBridgeOptions = {}): Promise<UpstashBridge> {
  const bridge = new UpstashBridge(options);
  await bridge.start();
  return bridge;
}

/**
 * Gives one test file a bridge on its own Redis db (so FLUSHDB there touches no other file), reset to an
 * empty, fast, running bridge before every test; `onStart` receives it.
 */
export function useUpstashBridge(
  options: UpstashBridgeOptions & { db: number },
  onStart: (bridge: UpstashBridge) => void,
): void {
  let bridge: UpstashBridge | undefined;
  const reset = async (b: UpstashBridge) => {
    b.delayMs = 0;
    await b.start();
    await b.flushDb();
    b.commands.length = 0;
  };
  beforeAll(async () => {
    bridge = await startUpstashBridge(options);
    onStart(bridge);
  });
  beforeEach(async () => {
    await reset(bridge!);
  });
  // Answers held back by a delay must not land in the next test's database.
  afterEach(async () => {
    await bridge!.idle();
  });
  afterAll(async () => {
    await reset(bridge!);
    await bridge!.close();
  });
}
