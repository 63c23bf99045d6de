import { createHash, randomBytes } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { describe, expect, it } from 'vitest';
import {
  encodeCommand,
  parseReply,
  RespConnection,
  type UpstashBridge,
  useUpstashBridge,
} from '#test/support/upstash-bridge';

// Redis db 11 belongs to this file.
let bridge: UpstashBridge;
useUpstashBridge({ db: 11, token: 'bridge-test-token' }, (b) => {
  bridge = b;
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${bridge.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('RESP2 encoding and parsing', () => {
  it('encodes commands as arrays of bulk strings, counting bytes not characters', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString('utf8')).toBe(
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n',
    );
  });

  it('parses every reply type, and waits for replies split across chunks', () => {
    const wire = Buffer.from('*5\r\n+OK\r\n:42\r\n$-1\r\n$5\r\nhello\r\n*2\r\n-ERR bad\r\n*-1\r\n');
    expect(parseReply(wire)).toEqual({
      reply: {
        type: 'array',
        value: [
          { type: 'simple', value: 'OK' },
          { type: 'integer', value: 42 },
          { type: 'bulk', value: null },
          { type: 'bulk', value: Buffer.from('hello') },
          {
            type: 'array',
            value: [
              { type: 'error', message: 'ERR bad' },
              { type: 'array', value: null },
            ],
          },
        ],
      },
      next: wire.length,
    });
    for (let cut = 1; cut < wire.length; cut++) expect(parseReply(wire.subarray(0, cut))).toBeUndefined();
  });

  it('selects its database on every connection it opens', async () => {
    const key = `bridge-db-probe-${randomBytes(6).toString('hex')}`;
    await post('/', ['SET', key, 'here']);
    const db0 = await RespConnection.open('127.0.0.1', 6379, 0);
    const db11 = await RespConnection.open('127.0.0.1', 6379, 11);
    try {
      expect(await db0.send([['EXISTS', key]])).toEqual([{ type: 'integer', value: 0 }]);
      expect(await db11.send([['EXISTS', key]])).toEqual([{ type: 'integer', value: 1 }]);
    } finally {
      db0.close();
      db11.close();
    }
  });
});

describe('Upstash REST protocol', () => {
  it('runs one command from a JSON array and answers {result}', async () => {
    expect(await post('/', ['SET', 'greeting', 'hello'])).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await post('/', ['GET', 'greeting'])).toEqual({ status: 200, body: { result: 'hello' } });
    expect(await post('/', ['INCRBY', 'counter', 5])).toEqual({ status: 200, body: { result: 5 } });
    expect(await post('/', ['GET', 'absent'])).toEqual({ status: 200, body: { result: null } });
  });

  it('base64-encodes strings when asked with Upstash-Encoding, leaving OK, integers and nulls alone', async () => {
    const encoded = { 'upstash-encoding': 'base64' };
    expect(await post('/', ['SET', 'city', 'Zürich'], encoded)).toEqual({
      status: 200,
      body: { result: 'OK' },
    });
    expect(await post('/', ['GET', 'city'], encoded)).toEqual({
      status: 200,
      body: { result: b64('Zürich') },
    });
    expect(await post('/', ['PING'], encoded)).toEqual({ status: 200, body: { result: b64('PONG') } });
    expect(await post('/', ['INCR', 'n'], encoded)).toEqual({ status: 200, body: { result: 1 } });
    expect(await post('/', ['MGET', 'city', 'absent'], encoded)).toEqual({
      status: 200,
      body: { result: [b64('Zürich'), null] },
    });
  });

  it('refuses a bad or missing token with 401 and runs nothing', async () => {
    expect(await post('/', ['SET', 'intruder', '1'], { authorization: 'Bearer wrong' })).toEqual({
      status: 401,
      body: { error: 'Unauthorized' },
    });
    const anonymous = await fetch(`${bridge.url}/`, { method: 'POST', body: JSON.stringify(['PING']) });
    expect(anonymous.status).toBe(401);
    expect(await post('/', ['EXISTS', 'intruder'])).toEqual({ status: 200, body: { result: 0 } });
  });

  it('answers a command error with 400 {error}', async () => {
    const unknown = await post('/', ['NOSUCHCOMMAND', 'x']);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });

    await post('/', ['SET', 'text', 'abc']);
    expect(await post('/', ['INCR', 'text'])).toEqual({
      status: 400,
      body: { error: 'ERR value is not an integer or out of range' },
    });
    expect((await post('/', { not: 'a command' })).status).toBe(400);
  });

  it('refuses commands that would change the connection it shares, such as SELECT', async () => {
    expect(await post('/', ['SELECT', '0'])).toEqual({
      status: 400,
      body: { error: 'ERR command SELECT is not allowed' },
    });
  });

  it('runs a pipeline in order, with a per-command error in place', async () => {
    expect(
      await post('/pipeline', [
        ['SET', 'p', '1'],
        ['INCR', 'p'],
        ['HGET', 'p', 'field'],
        ['GET', 'p'],
      ]),
    ).toEqual({
      status: 200,
      body: [
        { result: 'OK' },
        { result: 2 },
        { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
        { result: '2' },
      ],
    });
  });

  it('runs multi-exec atomically, and aborts all of it on a queueing error', async () => {
    expect(
      await post(
        '/multi-exec',
        [
          ['SET', 'm', 'x'],
          ['GET', 'm'],
        ],
        { 'upstash-encoding': 'base64' },
      ),
    ).toEqual({ status: 200, body: [{ result: 'OK' }, { result: b64('x') }] });

    const aborted = await post('/multi-exec', [['SET', 'never', '1'], ['NOSUCHCOMMAND']]);
    expect(aborted.status).toBe(400);
    expect(aborted.body).toEqual({ error: expect.stringMatching(/unknown command/) });
    expect(await post('/', ['EXISTS', 'never'])).toEqual({ status: 200, body: { result: 0 } });
  });

  it('accepts Upstash Lua flags Redis lacks, and answers EVALSHA with the sha the client computed', async () => {
    const script = '#!lua flags=allow-key-locking\nreturn redis.call("INCRBY", KEYS[1], ARGV[1])';
    const sha = createHash('sha1').update(script).digest('hex');

    const missing = await post('/', ['EVALSHA', sha, 1, 'lua-counter', 2]);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: expect.stringMatching(/^NOSCRIPT/) });
    expect(await post('/', ['EVAL', script, 1, 'lua-counter', 2])).toEqual({
      status: 200,
      body: { result: 2 },
    });
    expect(await post('/', ['EVALSHA', sha, 1, 'lua-counter', 3])).toEqual({
      status: 200,
      body: { result: 5 },
    });
    expect(await post('/', ['SCRIPT', 'LOAD', script])).toEqual({ status: 200, body: { result: sha } });
  });

  it('stops answering on stop() and answers again on the same port after start()', async () => {
    const url = bridge.url;
    await bridge.stop();
    await expect(fetch(`${url}/`, { method: 'POST', body: '["PING"]' })).rejects.toThrow();

    await bridge.start();
    expect(bridge.url).toBe(url);
    expect(await post('/', ['PING'])).toEqual({ status: 200, body: { result: 'PONG' } });
  });

  it('holds answers back by delayMs, and skips the command when the caller gave up', async () => {
    bridge.delayMs = 300;
    await expect(
      fetch(`${bridge.url}/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bridge.token}` },
        body: JSON.stringify(['SET', 'abandoned', '1']),
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    bridge.delayMs = 0;

    expect(await post('/', ['EXISTS', 'abandoned'])).toEqual({ status: 200, body: { result: 0 } });
  });
});

describe('the real @upstash/redis client against the bridge', () => {
  const client = (base64: boolean) =>
    new Redis({
      url: bridge.url,
      token: bridge.token,
      automaticDeserialization: false,
      enableTelemetry: false,
      responseEncoding: base64 ? 'base64' : false,
      retry: { retries: 0 },
    });

  it.each([true, false])(
    'round-trips commands, pipelines and transactions (base64 responses: %s)',
    async (base64) => {
      const redis = client(base64);
      expect(await redis.set('unicode', 'Ünïcödé ⚡ 東京')).toBe('OK');
      expect(await redis.get('unicode')).toBe('Ünïcödé ⚡ 東京');
      expect(await redis.ping()).toBe('PONG');

      const pipeline = redis.pipeline();
      pipeline.set('pipe', '10');
      pipeline.incr('pipe');
      pipeline.get('pipe');
      expect(await pipeline.exec()).toEqual(['OK', 11, '11']);

      const transaction = redis.multi();
      transaction.incr('tx');
      transaction.get('tx');
      expect(await transaction.exec()).toEqual([1, '1']);
    },
  );

  it('surfaces a command error and a bad token as errors', async () => {
    await client(true).set('plain', 'x');
    await expect(client(true).incr('plain')).rejects.toThrow(/not an integer/);
    const intruder = new Redis({
      url: bridge.url,
      token: 'wrong',
      enableTelemetry: false,
      retry: { retries: 0 },
    });
    await expect(intruder.get('plain')).rejects.toThrow(/Unauthorized/);
  });
});
