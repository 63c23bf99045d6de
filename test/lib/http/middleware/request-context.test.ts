import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestContext } from '#lib/http/middleware/request-context';
import type { StackRequest } from '#lib/http/request-state';
import { logger } from '#lib/observability/logger';
import { gatewayEvent, lambdaContext } from '#test/support/events';
import { testRuntime } from '#test/support/stack-request';

const fresh = (headers: Record<string, string>, timeoutMs?: number): StackRequest =>
  ({
    event: gatewayEvent('GET /v2/x', '/v2/x', { headers }),
    context: timeoutMs === undefined ? {} : lambdaContext(timeoutMs),
    response: null,
    error: null,
    internal: {},
  }) as StackRequest;

describe('request context', () => {
  const step = requestContext(
    () => testRuntime({ defaultTimeoutMs: 4_000 }),
    async () => undefined,
  );

  it('keeps a well-formed X-Request-Id and falls back to the gateway’s id for anything else', async () => {
    const kept = fresh({ 'x-request-id': 'abc-123' });
    await step.before!(kept);
    expect(kept.internal.aurum).toMatchObject({ requestId: 'abc-123', correlationId: 'abc-123' });
    const hostile = fresh({ 'x-request-id': 'a b<script>' });
    await step.before!(hostile);
    expect(hostile.internal.aurum!.requestId).toBe('req-from-gateway');
  });

  it('sets the deadline from the Lambda’s remaining time less the margin, else the default budget', async () => {
    const lambda = fresh({}, 2_000);
    const before = Date.now();
    await step.before!(lambda);
    const { deadline } = lambda.internal.aurum!;
    expect(deadline - before).toBeGreaterThanOrEqual(1_700);
    expect(deadline - before).toBeLessThanOrEqual(1_760);
    const local = fresh({});
    await step.before!(local);
    expect(local.internal.aurum!.deadline - Date.now()).toBeGreaterThan(3_900);
  });

  it('loads secrets before anything else, and a failure stops the request', async () => {
    const failing = requestContext(testRuntime, async () => Promise.reject(new Error('no secrets')));
    const request = fresh({});
    await expect(failing.before!(request)).rejects.toThrow('no secrets');
    expect(request.internal.aurum).toBeUndefined();
  });

  describe('ids before they reach a log line', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    /** What the logger writes after this request's keys are set: the JSON lines on stdout. */
    async function loggedWith(headers: Record<string, string>) {
      const lines: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
      const request = fresh(headers);
      await step.before!(request);
      const level = logger.getLevelName();
      logger.setLogLevel('INFO');
      try {
        logger.info('probe line');
      } finally {
        logger.setLogLevel(level);
        vi.restoreAllMocks();
      }
      const line = lines.find((l) => l.includes('probe line'));
      expect(line).toBeDefined();
      return {
        state: request.internal.aurum!,
        line: line!,
        entry: JSON.parse(line!) as Record<string, unknown>,
      };
    }

    it('replaces a 5 000-character correlation id with an RTL override by the request id', async () => {
      const hostile = `\u202e${'x'.repeat(5_000)}`;
      const { state, line, entry } = await loggedWith({
        'x-request-id': 'abc-123',
        'x-correlation-id': hostile,
      });
      expect(state.correlationId).toBe('abc-123');
      expect(entry.correlation_id).toBe('abc-123');
      expect(entry.request_id).toBe('abc-123');
      expect(line).not.toContain('\u202e');
      expect(line.length).toBeLessThan(1_000);
    });

    it('keeps a printable correlation id up to 128 characters and refuses one character more', async () => {
      const longest = 'c'.repeat(128);
      expect((await loggedWith({ 'x-correlation-id': longest })).entry.correlation_id).toBe(longest);
      const over = await loggedWith({ 'x-correlation-id': `${longest}c` });
      expect(over.entry.correlation_id).toBe('req-from-gateway');
      const control = await loggedWith({ 'x-correlation-id': 'ok\u0007bell' });
      expect(control.entry.correlation_id).toBe('req-from-gateway');
    });

    it('refuses a request id over 128 characters, falling back to the gateway id', async () => {
      const { state, entry } = await loggedWith({ 'x-request-id': 'r'.repeat(129) });
      expect(state.requestId).toBe('req-from-gateway');
      expect(entry.request_id).toBe('req-from-gateway');
    });
  });
});
