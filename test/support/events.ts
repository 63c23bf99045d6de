import type { Context } from 'aws-lambda';
import { lambdaContext as buildContext, gatewayEvent as buildEvent } from '#infra/local/gateway-event';
import type { GatewayEvent } from '#lib/http/event';

export { queryParameters, routedGatewayEvent } from '#infra/local/gateway-event';

/** A Lambda context whose remaining time counts down from `timeoutMs` (the local gateway's factory). */
export function lambdaContext(timeoutMs = 10_000): Context {
  return buildContext({ functionName: 'aurum-test', timeoutMs });
}

/**
 * An API Gateway HTTP API (payload 2.0) event for `routeKey` at `rawPath`, optionally with a query, JWT
 * claims and path parameters: the local gateway's factory with the route given by hand.
 */
export function gatewayEvent(
  routeKey: string,
  rawPath: string,
  options: {
    query?: Record<string, string>;
    headers?: Record<string, string>;
    claims?: Record<string, unknown>;
    pathParameters?: Record<string, string>;
    body?: string;
  } = {},
): GatewayEvent {
  return buildEvent({
    method: routeKey === '$default' ? 'GET' : routeKey.split(' ')[0]!,
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers,
    claims: options.claims,
    pathParameters: options.pathParameters,
    body: options.body,
    requestId: 'req-from-gateway',
    sourceIp: '203.0.113.1',
  });
}
