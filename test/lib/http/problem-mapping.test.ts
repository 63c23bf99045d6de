import { describe, expect, it } from 'vitest';
import { CacheStoreError } from '#lib/cache/store';
import { SecretsUnavailableError } from '#lib/config/secrets';
import { DataAccessError } from '#lib/data/engine';
import { PreconditionFailedError } from '#lib/errors';
import { badRequest } from '#lib/http/problem';
import { problemBody, toProblem } from '#lib/http/problem-mapping';
import { StoreConflictError } from '#lib/store/errors';

describe('toProblem: the one mapping from errors to problems', () => {
  it.each([
    [new DataAccessError('timeout', 'query timed out on 10.0.0.7'), 504, undefined],
    [
      new DataAccessError('unavailable', 'connect ECONNREFUSED 10.0.0.7:8080', { retryAfterSeconds: 9 }),
      503,
      '9',
    ],
    [new DataAccessError('invalid-query', "line 1:8: Column 'secret' cannot be resolved"), 500, undefined],
    [new DataAccessError('internal', 'boom'), 500, undefined],
    [new CacheStoreError('unavailable', 'upstash at https://x.upstash.io refused'), 503, '5'],
    [new SecretsUnavailableError(['AURUM_TRINO_SECRET_ARN']), 503, '5'],
    [
      Object.assign(new Error('[AbortError]: The operation was aborted.'), { name: 'TimeoutError' }),
      504,
      undefined,
    ],
    [new TypeError("Cannot read properties of undefined (reading 'rows')"), 500, undefined],
    ['a thrown string', 500, undefined],
    [new StoreConflictError({ constraint: 'series_curve_mapping_tenant_id_key' }), 409, undefined],
    [new PreconditionFailedError('If-Match does not name the current version'), 412, undefined],
  ])('%s → %i, and the body reveals nothing of the cause', (error, status, retryAfter) => {
    const problem = toProblem(error);
    expect(problem.status).toBe(status);
    expect(problem.headers['Retry-After']).toBe(retryAfter);
    const body = JSON.stringify(problemBody(problem, '/v1/curves', 'req-1'));
    expect(body).not.toMatch(/10\.0\.0\.7|upstash\.io|secret|SECRET_ARN|rows|ECONNREFUSED|a thrown string/);
  });

  it('passes an HttpProblem through unchanged', () => {
    const problem = badRequest('Invalid query.limit', [{ field: 'query.limit', message: 'too big' }]);
    expect(toProblem(problem)).toBe(problem);
    expect(problemBody(problem, '/v1/curves?limit=9999', 'req-2')).toMatchObject({
      type: 'https://api.aurum.dev/problems/validation-error',
      status: 400,
      instance: '/v1/curves?limit=9999',
      request_id: 'req-2',
      errors: [{ field: 'query.limit' }],
    });
  });
});
