import { describe, expect, it } from 'vitest';
import { requestContext } from '#lib/http/middleware/request-context';
import type { StackRequest } from '#lib/http/request-state';
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
});
