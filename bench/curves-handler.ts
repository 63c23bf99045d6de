import type { Context } from 'aws-lambda';
import { createCurvesHandler } from '#functions/curves/handler';
import type { QueryOptions, Row, SqlEngine } from '#lib/data/engine';
import type { SqlQuery } from '#lib/data/sql';
import type { GatewayEvent, GatewayResult } from '#lib/http/event';
import { type HttpRuntime, runtimeFromEnv } from '#lib/http/runtime';

/** Bench-only decorator of the SqlEngine port: counts the queries that reach the data engine. */
export class CountingEngine implements SqlEngine {
  queries = 0;
  constructor(private readonly inner: SqlEngine) {}
  get name() {
    return this.inner.name;
  }
  query<T extends Row = Row>(query: SqlQuery, options?: QueryOptions): Promise<T[]> {
    this.queries++;
    return this.inner.query<T>(query, options);
  }
  execute(query: SqlQuery, options?: QueryOptions): Promise<number> {
    return this.inner.execute(query, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The environment every bench runtime starts from: dev principals, a rate limit no bench reaches. */
export const BENCH_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  AURUM_AUTH_MODE: 'dev',
  AURUM_API_ADMIN_GROUP: 'aurum-admins',
  AURUM_API_RATE_LIMIT_RPS: '1000000',
  AURUM_API_RATE_LIMIT_BURST: '1000000',
  AURUM_CURSOR_SECRET: 'bench-cursor-secret-bench-cursor-secret',
};

export type Handler = (event: GatewayEvent, context: Context) => Promise<GatewayResult>;

/**
 * The curves Lambda's handler as functions/curves/handler.ts builds it (the whole middleware stack, a fresh
 * memory cache from a custom environment), over the given engine; `cache: false` takes the server cache out.
 */
export function curvesHandler(engine: SqlEngine, options: { cache?: boolean } = {}): Handler {
  return createCurvesHandler({
    engine,
    runtime: (): HttpRuntime => {
      const runtime = runtimeFromEnv({ ...BENCH_ENV });
      return options.cache === false ? { ...runtime, cache: undefined } : runtime;
    },
  }) as unknown as Handler;
}

let sequence = 0;

/** An API Gateway HTTP API (payload 2.0) event, as the deployed function receives it. */
export function gatewayEvent(
  method: string,
  path: string,
  query = '',
  headers: Record<string, string> = {},
): GatewayEvent {
  const route = registry.match(method, path);
  const routeKey = route.kind === 'found' ? `${method} ${route.route.path}` : '$default';
  const params = new URLSearchParams(query);
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of params) queryStringParameters[k] = v;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: query,
    headers: { 'x-aurum-tenant': 'bench', ...headers },
    queryStringParameters: Object.keys(queryStringParameters).length > 0 ? queryStringParameters : undefined,
    pathParameters:
      route.kind === 'found' && Object.keys(route.pathParameters).length > 0
        ? route.pathParameters
        : undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: `bench-${++sequence}`,
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
  };
}

export const lambdaContext = (): Context =>
  ({
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'aurum-curves',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:aurum-curves',
    memoryLimitInMB: '1024',
    awsRequestId: `ctx-${sequence}`,
    logGroupName: '/aws/lambda/aurum-curves',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 15_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;
