import type { Context } from 'aws-lambda';
import { createCurvesHandler } from '#functions/curves/handler';
import { registry } from '#functions/registry';
import { lambdaContext as createLambdaContext, routedGatewayEvent } from '#infra/local/gateway-event';
import type { SqlEngine } from '#lib/data/engine';
import type { GatewayEvent, GatewayResult } from '#lib/http/event';
import { type HttpRuntime, runtimeFromEnv } from '#lib/http/runtime';

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

/** An API Gateway HTTP API (payload 2.0) event, as the deployed function receives it (the local gateway's factory). */
export function gatewayEvent(
  method: string,
  path: string,
  query = '',
  headers: Record<string, string> = {},
): GatewayEvent {
  return routedGatewayEvent(registry, {
    method,
    rawPath: path,
    rawQueryString: query,
    headers: { 'x-aurum-tenant': 'bench', ...headers },
    requestId: `bench-${++sequence}`,
    apiId: 'bench',
  }).event;
}

export const lambdaContext = (): Context =>
  createLambdaContext({ functionName: 'aurum-curves', timeoutMs: 15_000, awsRequestId: `ctx-${sequence}` });
