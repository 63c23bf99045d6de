import { describe, expect, it } from 'vitest';
import { featureFlag } from '#lib/http/middleware/feature-flag';
import { defineRoute } from '#lib/http/route';
import { gatewayEvent } from '#test/support/events';
import { stackRequest, testRuntime } from '#test/support/stack-request';

const gated = (whenOff: 'not-found' | 'unavailable') =>
  defineRoute({
    id: 'g',
    method: 'GET',
    path: '/v2/g',
    domain: 'd',
    version: 'v2',
    summary: 'g',
    auth: 'public',
    flag: { key: 'scenario-outputs', whenOff },
    response: { kind: 'object' },
  });
const flags = (answer: boolean | Error) => ({
  isEnabled: async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  },
  explain: async () => Promise.reject(new Error('unused')),
});
const run = (whenOff: 'not-found' | 'unavailable', answer: boolean | Error) =>
  featureFlag(() => testRuntime({ flags: flags(answer) as never })).before!(
    stackRequest(gatewayEvent('GET /v2/g', '/v2/g'), { route: gated(whenOff) }),
  );

describe('feature flag', () => {
  it('lets the request through when the flag is on', async () => {
    await expect(run('not-found', true)).resolves.toBeUndefined();
  });

  it('answers a flag that is off with 404, or the route’s declared 503', async () => {
    await expect(run('not-found', false)).rejects.toMatchObject({ status: 404 });
    await expect(run('unavailable', false)).rejects.toMatchObject({ status: 503 });
  });

  it('treats a flag that cannot be read as on: a flag outage never fails a request', async () => {
    await expect(run('unavailable', new Error('appconfig down'))).resolves.toBeUndefined();
  });
});
