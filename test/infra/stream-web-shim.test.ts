import { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import { ReadableStream } from '#infra/constructs/shims/stream-web';

describe('the node:stream/web stand-in bundles get for @middy/core', () => {
  it('answers instanceof as the real class does', () => {
    expect(new NodeReadableStream() instanceof ReadableStream).toBe(true);
    expect(globalThis.ReadableStream.from(['a']) instanceof ReadableStream).toBe(true);
    expect({} instanceof ReadableStream).toBe(false);
    expect((Object('body') as object) instanceof ReadableStream).toBe(false);
    expect(Buffer.from('x') instanceof ReadableStream).toBe(false);
  });

  it('constructs real streams, with new and with from', async () => {
    const made = new ReadableStream({
      start(controller) {
        controller.enqueue('x');
        controller.close();
      },
    });
    expect(made).toBeInstanceOf(NodeReadableStream);
    const read: unknown[] = [];
    for await (const chunk of ReadableStream.from(['a', 'b'])) read.push(chunk);
    expect(read).toEqual(['a', 'b']);
    for await (const chunk of made) read.push(chunk);
    expect(read).toEqual(['a', 'b', 'x']);
  });
});
