import { Annotations, CfnRule, Duration, Fn } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteSpec } from '#lib/http/route';

export interface GatewayProps {
  routes: readonly RouteSpec[];
  /** The function that serves each domain. */
  functions: ReadonlyMap<string, IFunction>;
  /** The domain whose function answers every request no route matches (404/405 problems). */
  fallbackDomain: string;
  jwt: { issuer: string; audience: string[] };
  /** The placeholder issuer: synth works offline with it, a deploy stops with a message. */
  exampleIssuer?: string;
  /** Exact origins; none means no CORS preflight answers at all. Never `*`: browsers send credentials. */
  corsOrigins: string[];
  throttle: { rateLimit: number; burstLimit: number };
  /** Each public route's own limit (no token needed, so the cheapest to flood); below the stage's. */
  publicThrottle?: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
}

/** Headers a browser client sends and reads: tokens, conditional requests, idempotency, rate limits. */
const CORS_ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'if-none-match',
  'idempotency-key',
  'x-request-id',
];
const CORS_EXPOSE_HEADERS = [
  'etag',
  'x-request-id',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'deprecation',
  'sunset',
  'link',
];

/**
 * The HTTP API: one explicit route per registry entry, each integrated with its domain's function, the JWT
 * authorizer on every route that is not public, and `$default` to the fallback function so unknown paths
 * get our problem+json rather than the gateway's bare 404. Throttling, access logs and per-route metrics on
 * the stage.
 */
export class Gateway extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly authorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    // One integration per domain, shared by its routes; one invoke permission per function for the whole
    // API, as a per-route permission for each of a domain's routes would outgrow its 20 KB resource policy.
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationFor = (domain: string, routeName: string): HttpLambdaIntegration => {
      const existing = integrations.get(domain);
      if (existing) return existing;
      const fn = props.functions.get(domain);
      if (!fn) throw new Error(`${routeName} names domain ${domain}, which has no function`);
      const integration = new HttpLambdaIntegration(`${domain}-integration`, fn, {
        scopePermissionToRoute: false,
      });
      integrations.set(domain, integration);
      return integration;
    };

    this.api = new HttpApi(this, 'Api', {
      description: 'Aurum energy-market data API',
      createDefaultStage: false,
      ...(props.corsOrigins.length === 0
        ? {}
        : {
            corsPreflight: {
              allowOrigins: props.corsOrigins,
              allowCredentials: true,
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.PATCH,
                CorsHttpMethod.DELETE,
                CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: CORS_ALLOW_HEADERS,
              exposeHeaders: CORS_EXPOSE_HEADERS,
              maxAge: Duration.hours(1),
            },
          }),
      defaultIntegration: integrationFor(props.fallbackDomain, '$default'),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      // Per-route latency and 5xx (ApiId, Stage, Method, Resource) for the dashboard and the health alarm.
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    if (props.corsOrigins.some((o) => o.includes('*')))
      throw new Error('CORS origins must be exact: "*" with credentials would let any site call the API');
    if (props.exampleIssuer !== undefined && props.jwt.issuer === props.exampleIssuer) {
      const message = `aurum:jwtIssuer is the example issuer ${props.jwt.issuer}; deploy with -c aurum:jwtIssuer=<your issuer URL> -c aurum:jwtAudience=<client id>`;
      Annotations.of(this).addWarningV2('aurum:exampleIssuer', message);
      // Synth stays offline-friendly; CloudFormation evaluates this rule before it changes anything.
      new CfnRule(this, 'IssuerConfigured', {
        assertions: [
          { assert: Fn.conditionEquals('example-issuer', 'configured-issuer'), assertDescription: message },
        ],
      });
    }

    this.authorizer = new HttpJwtAuthorizer('Jwt', props.jwt.issuer, {
      jwtAudience: props.jwt.audience,
      identitySource: ['$request.header.Authorization'],
    });

    // CloudFormation's own member names: the L1's routeSettings is a free-form map CDK does not rename.
    const publicRouteSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> =
      {};
    for (const route of props.routes) {
      const httpRoute = new HttpRoute(this, `Route-${route.id}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrationFor(route.domain, `route ${route.id} (${route.method} ${route.path})`),
        ...(route.auth === 'public' ? {} : { authorizer: this.authorizer }),
      });
      if (route.auth === 'public' && props.publicThrottle) {
        publicRouteSettings[`${route.method} ${route.path}`] = {
          ThrottlingRateLimit: props.publicThrottle.rateLimit,
          ThrottlingBurstLimit: props.publicThrottle.burstLimit,
        };
        // Route settings name routes that must exist when the stage is updated.
        this.stage.node.addDependency(httpRoute);
      }
    }
    if (Object.keys(publicRouteSettings).length > 0)
      (this.stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', publicRouteSettings);
  }

  get url(): string {
    return this.stage.url;
  }
}
