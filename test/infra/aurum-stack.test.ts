import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import {
  AurumStack,
  alarmedCacheScopes,
  DEFAULT_SETTINGS,
  reservedConcurrency,
  settingsFromContext,
} from '#infra/aurum-stack';
import { secretNeeds } from '#infra/constructs/api-secrets';
import { APPCONFIG_AGENT_ARM64_LAYERS } from '#infra/constructs/appconfig-agent-layer';
import { REPO_ROOT } from '#infra/layer/shared-module';
import { RouteRegistry } from '#lib/http/registry';
import { routeKey } from '#lib/http/route';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Json = Record<string, unknown>;

/** Synthesizes without bundling (the assets are stand-ins) and without the CloudFormation validator, for speed. */
function synth(context: Record<string, unknown> = {}, registryOverride?: RouteRegistry): Template {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const stack = new AurumStack(app, 'Aurum', registryOverride ? { registry: registryOverride } : {});
  return Template.fromStack(stack);
}

const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

const env = (fn: Resource) => (fn.Properties.Environment as { Variables: Json }).Variables;

/** Every function's logical id, by the name in its Powertools service name: the domains, and `canary`. */
/** Helpers, not API functions: the app-store migrator (its CDK trigger provider has no service name) and the cursor key's rotation. */
const DEPLOY_HELPERS = ['store-migrations', 'cursor-key-rotation'];

function functionsByService(template: Template): Map<string, [string, Resource]> {
  const map = new Map<string, [string, Resource]>();
  for (const [id, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const service = (fn.Properties.Environment as { Variables?: Json } | undefined)?.Variables
      ?.POWERTOOLS_SERVICE_NAME;
    if (service === undefined) continue; // the trigger provider: CDK's own code
    const name = String(service).replace(/^aurum-/, '');
    if (!DEPLOY_HELPERS.includes(name)) map.set(name, [id, fn]);
  }
  return map;
}

/**
 * The domain functions, and the canary and the scenario run worker apart: they serve no route, so
 * domain-wide checks leave them out (test/infra/scenario-runs.test.ts checks the worker).
 */
function splitFunctions(template: Template) {
  const all = functionsByService(template);
  const canary = all.get('canary');
  if (!canary) throw new Error('the stack has no canary function');
  all.delete('canary');
  const worker = all.get('scenario-worker');
  all.delete('scenario-worker');
  return { functions: all, canary, worker };
}

const refOf = (value: unknown): string | undefined => (value as { Ref?: string } | undefined)?.Ref;
const getAttOf = (value: unknown): string | undefined =>
  (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** The IAM statements attached to a function's role. */
const statementsOfFunction = (template: Template, fn: Resource): Json[] => {
  const roleId = getAttOf(fn.Properties.Role)!;
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
};

/** Logical ids of the secrets a function may read. */
const secretsReadBy = (template: Template, fn: Resource): string[] =>
  statementsOfFunction(template, fn)
    .filter((s) => asList(s.Action).includes('secretsmanager:GetSecretValue'))
    .flatMap((s) => asList(s.Resource).map((r) => refOf(r)!))
    .sort();

const secretId = (template: Template, prefix: string): string => {
  const ids = resourcesOf(template, 'AWS::SecretsManager::Secret')
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  expect(ids, prefix).toHaveLength(1);
  return ids[0]!;
};

type Alarm = Json & { AlarmDescription: string; Threshold: number; ComparisonOperator: string };
const alarmsOf = (template: Template): Alarm[] =>
  resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Alarm);
const alarmDescribed = (template: Template, text: string): Alarm => {
  const found = alarmsOf(template).filter((a) => a.AlarmDescription.includes(text));
  expect(found, text).toHaveLength(1);
  return found[0]!;
};
/** The metrics a metric-math alarm reads: name and dimensions. */
const alarmMetrics = (alarm: Alarm) =>
  ((alarm.Metrics ?? []) as Array<{ MetricStat?: { Metric: { MetricName: string; Dimensions: Json[] } } }>)
    .filter((m) => m.MetricStat)
    .map((m) => m.MetricStat!.Metric);

describe('AurumStack (layer mode)', () => {
  let template: Template;
  let functions: Map<string, [string, Resource]>;
  let canary: [string, Resource];

  beforeAll(() => {
    template = synth({ 'aurum:bundleShared': 'layer' });
    ({ functions, canary } = splitFunctions(template));
  });

  describe('functions', () => {
    it('has exactly one function per registry domain plus the canary, and no helper functions but the scenario worker, the store migrator, its trigger and the cursor key rotation (no log-retention custom resource)', () => {
      // + 1 + 1 + 3: the canary, the scenario run worker, the app-store migrator, the CDK trigger provider, the key rotation.
      expect(resourcesOf(template, 'AWS::Lambda::Function')).toHaveLength(
        registry.domains.length + 1 + 1 + 3,
      );
      expect([...functionsByService(template).keys()].sort()).toEqual(
        [...registry.domains, 'canary', 'scenario-worker'].sort(),
      );
      expect([...functions.keys()].sort()).toEqual(registry.domains);
      expect(resourcesOf(template, 'Custom::LogRetention')).toHaveLength(0);
      expect(resourcesOf(template, 'AWS::CloudFormation::CustomResource')).toHaveLength(0);
    });

    it('runs every function on Node.js 22, arm64, with an ESM handler and its own log group with retention', () => {
      const logGroups = new Map(resourcesOf(template, 'AWS::Logs::LogGroup'));
      for (const [domain, [, fn]] of functions) {
        expect(fn.Properties.Runtime, domain).toBe('nodejs24.x');
        expect(fn.Properties.Architectures, domain).toEqual(['arm64']);
        expect(fn.Properties.Handler, domain).toBe('index.handler');
        expect(fn.Properties.Timeout, domain).toBe(15);
        expect(fn.Properties.MemorySize, domain).toBe(1024);
        const logGroupId = refOf((fn.Properties.LoggingConfig as Json).LogGroup);
        expect(logGroups.get(logGroupId!)?.Properties.RetentionInDays, domain).toBe(30);
      }
    });

    it('gives every function the Powertools environment, the Trino endpoint and the admin group', () => {
      for (const [domain, [, fn]] of functions) {
        expect(env(fn), domain).toMatchObject({
          POWERTOOLS_SERVICE_NAME: `aurum-${domain}`,
          POWERTOOLS_METRICS_NAMESPACE: 'Aurum',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
          AURUM_TRINO_URL: 'https://trino.internal.example:8443',
          AURUM_TRINO_CATALOG: 'iceberg',
          AURUM_TRINO_SCHEMA: 'market',
          AURUM_CACHE_NAMESPACE: 'Aurum',
          AURUM_API_ADMIN_GROUP: 'aurum-admins',
          AURUM_TENANT_CLAIM: 'tenant',
        });
      }
    });

    it('passes the tenant claim, group map and scope prefix to every function, and checks the map at synth', () => {
      const configured = synth({
        'aurum:tenantClaim': 'custom:tenant',
        'aurum:groupPermissions': 'analysts=curves:read metadata:read',
        'aurum:scopePrefix': 'aurum-api/',
      });
      for (const [domain, [, fn]] of functionsByService(configured)) {
        if (domain === 'canary' || domain === 'scenario-worker') continue;
        expect(env(fn), domain).toMatchObject({
          AURUM_TENANT_CLAIM: 'custom:tenant',
          AURUM_GROUP_PERMISSIONS: 'analysts=curves:read metadata:read',
          AURUM_SCOPE_PREFIX: 'aurum-api/',
        });
      }
      expect(() => synth({ 'aurum:groupPermissions': 'analysts=curves:raed' })).toThrow(
        /aurum:groupPermissions: unknown permission "curves:raed"/,
      );
    });

    it('passes the drought tile service to the functions only when aurum:droughtTileBaseUrl is set', () => {
      const configured = synth({ 'aurum:droughtTileBaseUrl': 'https://tiles.example.org/drought/' });
      const drought = functionsByService(configured).get('drought');
      expect(drought).toBeDefined();
      expect(env(drought![1]).AURUM_DROUGHT_TILE_BASE_URL).toBe('https://tiles.example.org/drought/');
      for (const [domain, [, fn]] of functions)
        expect(env(fn).AURUM_DROUGHT_TILE_BASE_URL, domain).toBeUndefined();
    });

    it('attaches the shared layer and the AppConfig agent (looked up by region) to every function', () => {
      const [[layerId, layer]] = resourcesOf(template, 'AWS::Lambda::LayerVersion') as [[string, Resource]];
      expect(layer.Properties.CompatibleRuntimes).toEqual(['nodejs24.x']);
      expect(layer.Properties.CompatibleArchitectures).toEqual(['arm64']);
      for (const [domain, [, fn]] of [...functions, ['canary', canary] as const]) {
        const layers = fn.Properties.Layers as unknown[];
        expect(layers, domain).toContainEqual({ Ref: layerId });
        expect(layers, domain).toContainEqual({
          'Fn::FindInMap': [expect.stringMatching(/^FlagsAgentArns/), { Ref: 'AWS::Region' }, 'arn'],
        });
      }
    });

    it('maps each region to the AWS-published arm64 AppConfig agent layer', () => {
      const mappings = template.toJSON().Mappings as Record<string, Record<string, { arn: string }>>;
      const [agentArns] = Object.entries(mappings).filter(([id]) => id.startsWith('FlagsAgentArns'));
      expect(Object.keys(agentArns![1]).length).toBeGreaterThanOrEqual(10);
      for (const [region, { arn }] of Object.entries(agentArns![1])) {
        expect(arn).toMatch(
          new RegExp(`^arn:aws:lambda:${region}:\\d{12}:layer:AWS-AppConfig-Extension-Arm64:\\d+$`),
        );
        expect(APPCONFIG_AGENT_ARM64_LAYERS[region]).toBe(arn);
      }
    });
  });

  describe('the canary', () => {
    it('runs functions/canary on the domain functions’ defaults (Node.js 22, arm64, log group) with a longer timeout', () => {
      const [, fn] = canary;
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
      });
      expect(fn.Properties.Timeout).toBeGreaterThanOrEqual(30);
      expect(fn.Properties.Description).toContain('canary');
      const logGroupId = refOf((fn.Properties.LoggingConfig as Json).LogGroup)!;
      expect(
        resourcesOf(template, 'AWS::Logs::LogGroup').find(([id]) => id === logGroupId)?.[1].Properties,
      ).toEqual({
        RetentionInDays: 30,
      });
    });

    it('probes the gateway’s URL with its token secret, and checks the engine, cache and flags as health does', () => {
      const [, fn] = canary;
      const [, health] = functions.get('health')!;
      const apiUrl = (template.toJSON().Outputs as Record<string, { Value: unknown }>).ApiUrl!.Value;
      expect(env(fn)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'aurum-canary',
        AURUM_CANARY_BASE_URL: apiUrl,
        AURUM_CANARY_TOKEN_SECRET_ARN: { Ref: secretId(template, 'CanaryToken') },
        AURUM_CANARY_CLIENT_SECRET_ARN: { Ref: secretId(template, 'CanaryClient') },
      });
      const engineCacheAndFlags = [
        'AURUM_TRINO_URL',
        'AURUM_TRINO_CATALOG',
        'AURUM_TRINO_SCHEMA',
        'AURUM_CACHE_NAMESPACE',
        'AURUM_TRINO_SECRET_ARN',
        'AURUM_UPSTASH_SECRET_ARN',
        'AURUM_CURSOR_SECRET_ARN',
        'AURUM_APPCONFIG_APPLICATION',
        'AURUM_APPCONFIG_ENVIRONMENT',
        'AURUM_APPCONFIG_PROFILE',
        'AURUM_FLAGS_POLL_SECONDS',
        'AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS',
        'AWS_APPCONFIG_EXTENSION_PREFETCH_LIST',
      ];
      for (const name of engineCacheAndFlags) expect(env(fn)[name], name).toEqual(env(health)[name]);
      expect(env(fn).AURUM_TRINO_SECRET_ARN).toBeDefined();
      expect(env(fn).AURUM_UPSTASH_SECRET_ARN).toBeDefined();
      expect(fn.Properties.Layers).toEqual(health.Properties.Layers);
    });

    it('keeps its bearer token in a placeholder secret that reads as “no token” until it is filled', () => {
      const [, secret] = resourcesOf(template, 'AWS::SecretsManager::Secret').find(([id]) =>
        id.startsWith('CanaryToken'),
      )!;
      expect(JSON.parse(String(secret.Properties.SecretString))).toEqual({ token: '' });
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(outputs.CanaryTokenSecretArn!.Value).toEqual({ Ref: secretId(template, 'CanaryToken') });
    });

    it('keeps its OAuth client in a placeholder secret that reads as “no grant” until it is filled', () => {
      const [, secret] = resourcesOf(template, 'AWS::SecretsManager::Secret').find(([id]) =>
        id.startsWith('CanaryClient'),
      )!;
      expect(JSON.parse(String(secret.Properties.SecretString))).toEqual({
        token_url: '',
        client_id: '',
        client_secret: '',
        scope: '',
      });
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(outputs.CanaryClientSecretArn!.Value).toEqual({ Ref: secretId(template, 'CanaryClient') });
    });

    it('has no route and no API permission: only its schedule may invoke it', () => {
      const [canaryId] = canary;
      for (const [, integration] of resourcesOf(template, 'AWS::ApiGatewayV2::Integration'))
        expect(getAttOf(integration.Properties.IntegrationUri)).not.toBe(canaryId);
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(
        ([, p]) => getAttOf(p.Properties.FunctionName) === canaryId,
      );
      expect(permissions).toHaveLength(1);
      const [[ruleId]] = resourcesOf(template, 'AWS::Events::Rule') as [[string, Resource]];
      expect(permissions[0]![1].Properties).toEqual({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [canaryId, 'Arn'] },
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      });
    });

    it('is invoked every 5 minutes, without retries, by the schedule', () => {
      const rules = resourcesOf(template, 'AWS::Events::Rule');
      expect(rules).toHaveLength(1);
      expect(rules[0]![1].Properties).toMatchObject({
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [{ Arn: { 'Fn::GetAtt': [canary[0], 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } }],
      });
    });
  });

  describe('monitoring', () => {
    it('sends all nine alarms (two of them the scenario runs’), and their recoveries, to one SNS topic, whose ARN is an output', () => {
      const topics = resourcesOf(template, 'AWS::SNS::Topic');
      expect(topics).toHaveLength(1);
      const [[topicId]] = topics as [[string, Resource]];
      const alarms = alarmsOf(template);
      expect(alarms).toHaveLength(9);
      for (const alarm of alarms) {
        expect(alarm.AlarmActions, alarm.AlarmDescription).toEqual([{ Ref: topicId }]);
        expect(alarm.OKActions, alarm.AlarmDescription).toEqual([{ Ref: topicId }]);
      }
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(outputs.AlarmTopicArn!.Value).toEqual({ Ref: topicId });
    });

    it('alarms on this API’s stage: p95 latency over 600 ms (500 ms + 20 %) and more than 5 % of requests answering 5xx', () => {
      const [[apiId]] = resourcesOf(template, 'AWS::ApiGatewayV2::Api') as [[string, Resource]];
      const latency = alarmDescribed(template, 'p95 latency');
      expect(latency).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        ExtendedStatistic: 'p95',
        Threshold: 600,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(latency.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'ApiId', Value: { Ref: apiId } },
          { Name: 'Stage', Value: '$default' },
        ]),
      );
      const errors = alarmDescribed(template, '5 % of API requests');
      expect(errors).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
      for (const metric of alarmMetrics(errors))
        expect(metric.Dimensions).toEqual(
          expect.arrayContaining([
            { Name: 'ApiId', Value: { Ref: apiId } },
            { Name: 'Stage', Value: '$default' },
          ]),
        );
    });

    it('alarms on the cache miss rate 10 points over 20 %, read from the function that reports the cached scopes', () => {
      const alarm = alarmDescribed(template, 'Cache miss rate');
      expect(alarm).toMatchObject({ Threshold: 30, ComparisonOperator: 'GreaterThanThreshold' });
      const cached = alarmedCacheScopes(registry)!;
      const metrics = alarmMetrics(alarm);
      expect(metrics.length).toBe(2 * cached.scopes.length);
      // Exactly the one dimension lib/observability's documents carry, valued as the function names itself.
      for (const m of metrics) expect(m.Dimensions).toEqual([{ Name: 'service', Value: cached.service }]);
      expect(new Set(metrics.map((m) => m.MetricName))).toEqual(
        new Set(cached.scopes.flatMap((scope) => [`CacheHits.${scope}`, `CacheMisses.${scope}`])),
      );
      const [, emitter] = functionsByService(template).get(cached.service.replace(/^aurum-/, ''))!;
      expect(env(emitter).POWERTOOLS_SERVICE_NAME).toBe(cached.service);
    });

    it('alarms when a canary probe fails or reports nothing, and when the canary invocation fails', () => {
      expect(alarmDescribed(template, 'canary probe failed')).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
      expect(alarmDescribed(template, 'canary invocation failed')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Threshold: 1,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: canary[0] } }],
      });
    });

    it('alarms on any 5xx of each health route of the registry, from the per-route metrics', () => {
      const alarm = alarmDescribed(template, 'health route');
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      const routes = alarmMetrics(alarm).map((m) =>
        Object.fromEntries(m.Dimensions.map((d) => [d.Name, d.Value])),
      );
      const health = registry.forDomain('health');
      expect(routes.map((r) => `${r.Method} ${r.Resource}`).sort()).toEqual(
        health.map((r) => `${r.method} ${r.path}`).sort(),
      );
    });

    it('turns on the per-route metrics those alarms and graphs read, on the $default stage', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: Match.objectLike({ DetailedMetricsEnabled: true }),
      });
    });

    it('builds one dashboard, named in an output, with a latency graph per route and every domain’s errors', () => {
      const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      const [[dashboardId, dashboard]] = dashboards as [[string, Resource]];
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      for (const route of registry.routes) expect(body).toContain(`${route.method} ${route.path} latency`);
      for (const [, [fnId]] of functions) expect(body).toContain(fnId);
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(outputs.DashboardName!.Value).toEqual({ Ref: dashboardId });
    });
  });

  describe('flood limits', () => {
    it('gives every public route its own throttle below the stage’s, and no other route one', () => {
      const [[, stage]] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
      const settings = stage.Properties.RouteSettings as Record<string, Json>;
      const publicKeys = registry.routes.filter((r) => r.auth === 'public').map(routeKey);
      expect(publicKeys.length).toBeGreaterThan(0);
      expect(Object.keys(settings).sort()).toEqual([...publicKeys].sort());
      for (const key of publicKeys)
        expect(settings[key], key).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
      const stageLimits = stage.Properties.DefaultRouteSettings as Json;
      expect(20).toBeLessThan(stageLimits.ThrottlingRateLimit as number);
      // The stage is updated after the routes its settings name exist.
      const routeIds = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([id]) => id);
      const stageId = resourcesOf(template, 'AWS::ApiGatewayV2::Stage')[0]![0];
      const dependsOn = (template.toJSON().Resources as Record<string, { DependsOn?: string[] }>)[stageId]!
        .DependsOn;
      expect(dependsOn?.some((id) => routeIds.includes(id))).toBe(true);
    });

    it('reserves concurrency for every function, within what the account can reserve', () => {
      const reserved = new Map(
        [...functions, ['canary', canary] as const].map(([name, [, fn]]) => [
          name,
          fn.Properties.ReservedConcurrentExecutions as number,
        ]),
      );
      for (const [name, n] of reserved) expect(n, name).toBeGreaterThanOrEqual(1);
      expect(reserved.get('health')).toBe(20);
      expect(reserved.get('curves')).toBe(50);
      expect(reserved.get('canary')).toBe(2);
      const total = [...reserved.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeLessThanOrEqual(1_000 - 100);
    });

    it('refuses at synth a total the account cannot reserve, and reads the limits from context', () => {
      const names = [...registry.domains, 'canary'];
      expect(() =>
        reservedConcurrency({ perFunction: 200, overrides: {}, accountLimit: 1_000 }, names),
      ).toThrow(/reserved concurrency totals \d+ .* can reserve 900/);
      const settings = settingsFromContext(
        new App({
          context: {
            'aurum:reservedConcurrency': '30',
            'aurum:reservedConcurrencyOverrides': 'curves=120, canary=1',
            'aurum:accountConcurrency': '3000',
            'aurum:publicThrottleRate': '5',
            'aurum:publicThrottleBurst': '10',
          },
        }).node,
      );
      expect(settings.concurrency).toEqual({
        perFunction: 30,
        overrides: { curves: 120, canary: 1 },
        accountLimit: 3_000,
      });
      expect(settings.publicThrottle).toEqual({ rateLimit: 5, burstLimit: 10 });
      expect(reservedConcurrency(settings.concurrency, names).get('curves')).toBe(120);
      expect(() =>
        settingsFromContext(new App({ context: { 'aurum:reservedConcurrencyOverrides': 'curves=0' } }).node),
      ).toThrow(/reservedConcurrencyOverrides/);
    });
  });

  describe('HTTP API', () => {
    const integrationTargets = () => {
      const byIntegration = new Map<string, string>();
      const domainOfFunction = new Map([...functions].map(([domain, [id]]) => [id, domain]));
      for (const [id, integration] of resourcesOf(template, 'AWS::ApiGatewayV2::Integration')) {
        expect(integration.Properties.IntegrationType).toBe('AWS_PROXY');
        expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
        const [fnId] = (integration.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] })[
          'Fn::GetAtt'
        ];
        byIntegration.set(id, domainOfFunction.get(fnId)!);
      }
      return byIntegration;
    };

    const routes = () =>
      resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
        const target = (r.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })[
          'Fn::Join'
        ][1];
        return { key: String(r.Properties.RouteKey), integration: target[1].Ref, props: r.Properties };
      });

    it('declares one route per registry entry plus $default, each on its domain function', () => {
      const targets = integrationTargets();
      const declared = routes();
      expect(declared.map((r) => r.key).sort()).toEqual(
        [...registry.routes.map(routeKey), '$default'].sort(),
      );
      for (const route of registry.routes) {
        const match = declared.find((r) => r.key === routeKey(route))!;
        expect(targets.get(match.integration), routeKey(route)).toBe(route.domain);
      }
      expect(targets.get(declared.find((r) => r.key === '$default')!.integration)).toBe('health');
    });

    it('puts the JWT authorizer on every route that is not public and on none that is', () => {
      const [[authorizerId, authorizer]] = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer') as [
        [string, Resource],
      ];
      expect(authorizer.Properties).toMatchObject({
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: 'https://auth.aurum.example/', Audience: ['aurum-api'] },
      });
      const declared = routes();
      for (const route of registry.routes) {
        const { props } = declared.find((r) => r.key === routeKey(route))!;
        if (route.auth === 'public') {
          expect(props.AuthorizationType, routeKey(route)).toBe('NONE');
          expect(props.AuthorizerId, routeKey(route)).toBeUndefined();
        } else {
          expect(props.AuthorizationType, routeKey(route)).toBe('JWT');
          expect(refOf(props.AuthorizerId), routeKey(route)).toBe(authorizerId);
        }
      }
      expect(declared.find((r) => r.key === '$default')!.props.AuthorizationType).toBe('NONE');
      expect(registry.routes.some((r) => r.auth !== 'public')).toBe(true);
      expect(registry.routes.some((r) => r.auth === 'public')).toBe(true);
    });

    it('lets the gateway invoke each domain function through one API-wide permission, not one per route', () => {
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(
        ([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com',
      );
      expect(permissions.map(([, p]) => getAttOf(p.Properties.FunctionName)).sort()).toEqual(
        [...functions.values()].map(([id]) => id).sort(),
      );
      for (const [, permission] of permissions)
        expect(permission.Properties.Action).toBe('lambda:InvokeFunction');
      // The only others are the canary's schedule and Secrets Manager's on the key rotation.
      expect(resourcesOf(template, 'AWS::Lambda::Permission')).toHaveLength(permissions.length + 2);
    });

    it('throttles the stage, logs access, and answers CORS preflights for the headers clients use', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
        AccessLogSettings: {
          DestinationArn: Match.anyValue(),
          Format: Match.stringLikeRegexp('context.requestId'),
        },
      });
      // No origins configured: no CORS at all, so no browser origin may call the API.
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'HTTP',
        CorsConfiguration: Match.absent(),
      });
    });

    it('allows exactly the configured origins, with credentials, and refuses "*"', () => {
      const template = synth({ 'aurum:corsOrigins': 'https://app.example.com, https://ops.example.com' });
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: {
          AllowOrigins: ['https://app.example.com', 'https://ops.example.com'],
          AllowCredentials: true,
          AllowHeaders: Match.arrayWith(['authorization', 'if-none-match', 'idempotency-key']),
          ExposeHeaders: Match.arrayWith(['etag', 'retry-after', 'x-ratelimit-remaining']),
        },
      });
      expect(() => synth({ 'aurum:corsOrigins': '*' })).toThrow(/never "\*"/);
      expect(() => synth({ 'aurum:corsOrigins': 'https://*.example.com' })).toThrow(/never "\*"/);
      expect(() => synth({ 'aurum:corsOrigins': 'https://app.example.com/path' })).toThrow(/not an origin/);
    });

    it('synthesises offline with the example issuer, but a deploy of it stops with a clear message', () => {
      type Rules = Record<string, { Assertions: { AssertDescription: string }[] }>;
      const issuerRules = (t: Template) =>
        Object.entries((t.toJSON() as { Rules?: Rules }).Rules ?? {}).filter(([id]) =>
          id.includes('IssuerConfigured'),
        );
      const [[, rule]] = issuerRules(synth()) as [[string, Rules[string]]];
      expect(rule.Assertions[0]?.AssertDescription).toMatch(
        /^aurum:jwtIssuer is the example issuer https:\/\/auth\.aurum\.example\/; deploy with -c aurum:jwtIssuer=/,
      );
      const configured = synth({
        'aurum:jwtIssuer': 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
      });
      expect(issuerRules(configured)).toEqual([]);
      configured.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        JwtConfiguration: { Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc' },
      });
    });

    it('refuses an issuer that is not an https URL and an empty audience', () => {
      expect(() => synth({ 'aurum:jwtIssuer': 'auth.example.com' })).toThrow(
        /aurum:jwtIssuer must be the issuer's https URL/,
      );
      expect(() => synth({ 'aurum:jwtAudience': ' , ' })).toThrow(/aurum:jwtAudience must name at least one/);
    });
  });

  describe('AppConfig feature flags', () => {
    it('hosts the repository flags file as the first version of a FeatureFlags profile', () => {
      template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', {
        Type: 'AWS.AppConfig.FeatureFlags',
        LocationUri: 'hosted',
      });
      const [[, version]] = resourcesOf(template, 'AWS::AppConfig::HostedConfigurationVersion') as [
        [string, Resource],
      ];
      expect(version.Properties.ContentType).toBe('application/json');
      const flagsFile = readFileSync(join(REPO_ROOT, 'infra', 'flags', 'flags.json'), 'utf8');
      expect(JSON.parse(String(version.Properties.Content))).toEqual(JSON.parse(flagsFile));
    });

    it('rolls flag changes out linearly, 20 % every 2 minutes, then bakes', () => {
      template.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
        GrowthType: 'LINEAR',
        GrowthFactor: 20,
        DeploymentDurationInMinutes: 10,
        FinalBakeTimeInMinutes: 5,
      });
      const [[strategyId]] = resourcesOf(template, 'AWS::AppConfig::DeploymentStrategy') as [
        [string, Resource],
      ];
      template.hasResourceProperties('AWS::AppConfig::Deployment', {
        DeploymentStrategyId: { Ref: strategyId },
      });
      template.resourceCountIs('AWS::AppConfig::Application', 1);
      template.resourceCountIs('AWS::AppConfig::Environment', 1);
    });

    it('tells every function where its flags are and how often the agent polls', () => {
      for (const [domain, [, fn]] of functions) {
        expect(env(fn), domain).toMatchObject({
          AURUM_APPCONFIG_APPLICATION: { Ref: expect.stringMatching(/^FlagsApplication/) },
          AURUM_APPCONFIG_ENVIRONMENT: { Ref: expect.stringMatching(/^FlagsEnvironment/) },
          AURUM_APPCONFIG_PROFILE: { Ref: expect.stringMatching(/^FlagsProfile/) },
          AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS: '45',
          AURUM_FLAGS_POLL_SECONDS: '45',
        });
      }
    });

    it('outputs the API URL and the AppConfig ids', () => {
      const outputs = template.toJSON().Outputs as Record<string, unknown>;
      expect(Object.keys(outputs)).toEqual(
        expect.arrayContaining([
          'ApiUrl',
          'AppConfigApplicationId',
          'AppConfigEnvironmentId',
          'AppConfigProfileId',
        ]),
      );
    });
  });

  describe('flag rollbacks', () => {
    it('attaches the error-rate and canary alarms as AppConfig monitors, with a role that may read only them', () => {
      const [[, environment]] = resourcesOf(template, 'AWS::AppConfig::Environment') as [[string, Resource]];
      const monitors = environment.Properties.Monitors as { AlarmArn: unknown; AlarmRoleArn: unknown }[];
      const alarmIds = (text: string) =>
        resourcesOf(template, 'AWS::CloudWatch::Alarm')
          .filter(([, a]) => String(a.Properties.AlarmDescription).includes(text))
          .map(([id]) => id);
      const [errorRate] = alarmIds('answered 5xx over five minutes');
      const [canaryProbe] = alarmIds('A canary probe failed');
      expect(monitors.map((m) => getAttOf(m.AlarmArn)).sort()).toEqual([errorRate, canaryProbe].sort());
      const roleId = getAttOf(monitors[0]!.AlarmRoleArn)!;
      expect(monitors.every((m) => getAttOf(m.AlarmRoleArn) === roleId)).toBe(true);
      const role = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id === roleId)![1];
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('appconfig.amazonaws.com');
      const policies = resourcesOf(template, 'AWS::IAM::Policy').filter(([, p]) =>
        asList(p.Properties.Roles).some((r) => refOf(r) === roleId),
      );
      const statements = policies.flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement,
      );
      expect(statements).toHaveLength(1);
      expect(statements[0]!.Action).toBe('cloudwatch:DescribeAlarms');
      expect(asList(statements[0]!.Resource).map(getAttOf).sort()).toEqual([errorRate, canaryProbe].sort());
    });
  });

  describe('secrets and IAM', () => {
    it('creates the cursor key as a generated secret and placeholders for Trino, Upstash and the canary token and client', () => {
      // The app store's generated owner secret is the app-store construct's, asserted in app-store.test.ts.
      const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret').filter(
        ([id]) => !id.startsWith('AurumAppStore'),
      );
      expect(secrets).toHaveLength(5);
      const cursor = secrets.find(([id]) => id.startsWith('SecretsCursorKey'))![1];
      expect(cursor.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
      const trino = secrets.find(([id]) => id.startsWith('SecretsTrinoCredentials'))![1];
      expect(JSON.parse(String(trino.Properties.SecretString))).toEqual({
        user: 'aurum',
        password: '',
        token: '',
      });
      const upstash = secrets.find(([id]) => id.startsWith('SecretsUpstash'))![1];
      expect(JSON.parse(String(upstash.Properties.SecretString))).toEqual({ url: '', token: '' });
    });

    it('rotates the cursor key every 30 days with its own function, which may write that secret alone', () => {
      const cursor = secretId(template, 'SecretsCursorKey');
      const schedules = resourcesOf(template, 'AWS::SecretsManager::RotationSchedule');
      expect(schedules).toHaveLength(1);
      const [, schedule] = schedules[0]!;
      expect(refOf(schedule.Properties.SecretId)).toBe(cursor);
      expect(schedule.Properties.RotationRules).toMatchObject({ ScheduleExpression: 'rate(30 days)' });
      const rotationId = getAttOf(schedule.Properties.RotationLambdaARN);
      const [fnId, fn] = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id === rotationId)!;
      expect(env(fn).POWERTOOLS_SERVICE_NAME).toBe('aurum-cursor-key-rotation');
      const writes = statementsOfFunction(template, fn).filter((s) =>
        asList(s.Action).some((a) => String(a).includes('PutSecretValue')),
      );
      expect(writes.length).toBeGreaterThan(0);
      for (const statement of writes) expect(asList(statement.Resource).map(refOf)).toEqual([cursor]);
      // Secrets Manager may invoke it, and nothing else is granted.
      const invokers = resourcesOf(template, 'AWS::Lambda::Permission').filter(
        ([, p]) => getAttOf(p.Properties.FunctionName) === fnId,
      );
      expect(invokers.map(([, p]) => p.Properties.Principal)).toEqual(['secretsmanager.amazonaws.com']);
      // No API function may write the cursor key.
      for (const [, [, apiFn]] of functions) {
        const written = statementsOfFunction(template, apiFn).filter((s) =>
          asList(s.Action).some((a) => /PutSecretValue|UpdateSecretVersionStage/.test(String(a))),
        );
        expect(written).toEqual([]);
      }
    });

    it('grants each function read on exactly the secrets its routes need, and names them in its environment', () => {
      const secretIds = {
        cursor: secretId(template, 'SecretsCursorKey'),
        trino: secretId(template, 'SecretsTrino'),
        upstash: secretId(template, 'SecretsUpstash'),
      };
      const variables = {
        cursor: 'AURUM_CURSOR_SECRET_ARN',
        trino: 'AURUM_TRINO_SECRET_ARN',
        upstash: 'AURUM_UPSTASH_SECRET_ARN',
      } as const;
      for (const [domain, [, fn]] of functions) {
        const needs = secretNeeds(domain, registry.forDomain(domain));
        const granted = secretsReadBy(template, fn);
        expect(granted, domain).not.toContain(secretId(template, 'CanaryToken'));
        for (const kind of ['cursor', 'trino', 'upstash'] as const) {
          expect(granted.includes(secretIds[kind]), `${domain} ${kind}`).toBe(needs[kind]);
          expect(env(fn)[variables[kind]], `${domain} ${variables[kind]}`).toEqual(
            needs[kind] ? { Ref: secretIds[kind] } : undefined,
          );
        }
      }
      // The registry as it stands: a curves list needs all three; liveness needs no cursor key.
      expect(secretNeeds('curves', registry.forDomain('curves'))).toEqual({
        cursor: true,
        trino: true,
        upstash: true,
      });
      expect(secretNeeds('health', registry.forDomain('health')).cursor).toBe(false);
    });

    it('derives each function’s secrets from its code: docs reads none, admin only Upstash (its rate limit)', () => {
      const reads = (domain: string) => secretsReadBy(template, functions.get(domain)![1]);
      expect(reads('docs')).toEqual([]);
      expect(reads('admin')).toEqual([secretId(template, 'SecretsUpstash')]);
      expect(reads('health')).toEqual(
        [secretId(template, 'SecretsTrino'), secretId(template, 'SecretsUpstash')].sort(),
      );
      const docsEnv = env(functions.get('docs')![1]);
      for (const variable of [
        'AURUM_CURSOR_SECRET_ARN',
        'AURUM_TRINO_SECRET_ARN',
        'AURUM_UPSTASH_SECRET_ARN',
      ])
        expect(docsEnv[variable], variable).toBeUndefined();
      // The canary's needs come from its own code, which runs the engine and cache checks.
      expect(secretNeeds('canary', [])).toEqual({ cursor: false, trino: true, upstash: true });
    });

    it('lets the canary read its token and what the health function reads, nothing more', () => {
      const [, health] = functions.get('health')!;
      const healthReads = secretsReadBy(template, health);
      expect(healthReads).toEqual(
        [secretId(template, 'SecretsTrino'), secretId(template, 'SecretsUpstash')].sort(),
      );
      expect(secretsReadBy(template, canary[1])).toEqual(
        [...healthReads, secretId(template, 'CanaryToken'), secretId(template, 'CanaryClient')].sort(),
      );
      const actions = statementsOfFunction(template, canary[1]).flatMap((s) => asList(s.Action).map(String));
      expect(new Set(actions)).toEqual(
        new Set([
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'appconfig:StartConfigurationSession',
          'appconfig:GetLatestConfiguration',
          // Its own log group (no managed policy) and its dead-letter queue.
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'sqs:SendMessage',
          // Active tracing: the Lambda service's segments, no SDK in the code.
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
        ]),
      );
    });

    it('traces every function actively, and grants X-Ray only its two write actions', () => {
      for (const [id, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
        if ((fn.Properties.Environment as { Variables?: Json } | undefined)?.Variables === undefined)
          continue;
        expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      }
      const xray = resourcesOf(template, 'AWS::IAM::Policy')
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement)
        .filter((s) => asList(s.Action).some((a) => String(a).startsWith('xray:')));
      expect(xray.length).toBeGreaterThan(0);
      for (const statement of xray)
        expect(asList(statement.Action).sort()).toEqual([
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ]);
    });

    it('uses no wildcard action anywhere and no wildcard resource for secrets or AppConfig', () => {
      const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement,
      );
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        for (const action of asList(statement.Action)) expect(String(action)).not.toMatch(/(^\*$|:\*$)/);
        const actions = asList(statement.Action).map(String);
        // GetRandomPassword (CDK grants it to rotation functions) has no resource to scope it to.
        const scoped = actions.filter((a) => a !== 'secretsmanager:GetRandomPassword');
        if (scoped.some((a) => a.startsWith('secretsmanager:') || a.startsWith('appconfig:'))) {
          for (const resource of asList(statement.Resource))
            expect(JSON.stringify(resource)).not.toContain('*');
        }
      }
    });

    it('reads flags only from this stack’s profile, with the two data-plane actions', () => {
      const appconfig = resourcesOf(template, 'AWS::IAM::Policy')
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement)
        .filter((s) => asList(s.Action).some((a) => String(a).startsWith('appconfig:')));
      expect(appconfig).toHaveLength(registry.domains.length + 2); // and the canary and the scenario run worker
      for (const statement of appconfig) {
        expect(asList(statement.Action).sort()).toEqual([
          'appconfig:GetLatestConfiguration',
          'appconfig:StartConfigurationSession',
        ]);
        const arn = JSON.stringify(statement.Resource);
        expect(arn).toMatch(
          /application\/".*FlagsApplication.*\/environment\/".*FlagsEnvironment.*\/configuration\/".*FlagsProfile/,
        );
      }
    });
  });
});

describe('AurumStack (inline mode, the default)', () => {
  it('bundles lib/ into each function: no shared layer, only the AppConfig agent attached', () => {
    const template = synth({ 'aurum:bundleShared': 'inline' });
    expect(resourcesOf(template, 'AWS::Lambda::LayerVersion')).toHaveLength(0);
    const functions = [...functionsByService(template).values()];
    expect(functions).toHaveLength(registry.domains.length + 2); // the canary and the scenario run worker
    expect(splitFunctions(template).canary[1].Properties.Description).toContain('canary');
    for (const [, fn] of functions) {
      expect(fn.Properties.Layers).toEqual([
        { 'Fn::FindInMap': [expect.any(String), { Ref: 'AWS::Region' }, 'arn'] },
      ]);
      expect(fn.Properties.Description).toContain('bundled inline');
    }
  });
});

describe('settings from context', () => {
  const settingsOf = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

  it('defaults to values that synthesize offline', () => {
    expect(settingsOf({})).toEqual(DEFAULT_SETTINGS);
  });

  it('writes the same defaults in cdk.json, so reading it changes nothing', () => {
    const { context } = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Json };
    const aurum = Object.fromEntries(Object.entries(context).filter(([key]) => key.startsWith('aurum:')));
    expect(aurum).toMatchObject({
      'aurum:latencyP95BaselineMs': 500,
      'aurum:cacheMissRateBaselinePercent': 20,
      'aurum:canaryScheduleMinutes': 5,
    });
    expect(settingsOf(aurum)).toEqual(DEFAULT_SETTINGS);
  });

  it('reads command-line strings: numbers, lists and choices', () => {
    const settings = settingsOf({
      'aurum:bundleShared': 'layer',
      'aurum:jwtIssuer': 'https://login.example.com/realms/aurum',
      'aurum:jwtAudience': 'aurum-api, aurum-web',
      'aurum:throttleRate': '25',
      'aurum:throttleBurst': '50',
      'aurum:corsOrigins': 'https://app.example.com,https://admin.example.com',
      'aurum:logRetentionDays': '90',
      'aurum:flagsRollout': 'all-at-once',
      'aurum:latencyP95BaselineMs': '250',
      'aurum:cacheMissRateBaselinePercent': '0',
      'aurum:canaryScheduleMinutes': '15',
    });
    expect(settings.sharedCode).toBe('layer');
    expect(settings.jwt).toEqual({
      issuer: 'https://login.example.com/realms/aurum',
      audience: ['aurum-api', 'aurum-web'],
    });
    expect(settings.throttle).toEqual({ rateLimit: 25, burstLimit: 50 });
    expect(settings.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    expect(settings.logRetention).toBe(90);
    expect(settings.flags.rollout).toBe('all-at-once');
    expect(settings.monitoring).toEqual({
      latencyP95BaselineMs: 250,
      cacheMissRateBaselinePercent: 0,
      canaryScheduleMinutes: 15,
    });
  });

  it('refuses values that would deploy something else than was meant', () => {
    expect(() => settingsOf({ 'aurum:bundleShared': 'docker' })).toThrow(
      /bundleShared must be one of layer, inline/,
    );
    expect(() => settingsOf({ 'aurum:throttleRate': 'fast' })).toThrow(
      /throttleRate must be a positive number/,
    );
    expect(() => settingsOf({ 'aurum:logRetentionDays': '45' })).toThrow(/logRetentionDays/);
    expect(() => settingsOf({ 'aurum:latencyP95BaselineMs': '0' })).toThrow(
      /latencyP95BaselineMs must be a positive number/,
    );
    expect(() => settingsOf({ 'aurum:cacheMissRateBaselinePercent': '95' })).toThrow(
      /cacheMissRateBaselinePercent must be a percentage from 0 to 90, got "95"/,
    );
    expect(() => settingsOf({ 'aurum:canaryScheduleMinutes': '2.5' })).toThrow(
      /canaryScheduleMinutes must be a whole number of minutes/,
    );
  });

  it('carries issuer, audience, throttling and an all-at-once first rollout into the template', () => {
    const template = synth({
      'aurum:jwtIssuer': 'https://login.example.com/',
      'aurum:jwtAudience': 'a,b',
      'aurum:throttleRate': '10',
      'aurum:throttleBurst': '20',
      'aurum:flagsRollout': 'all-at-once',
      'aurum:appConfigExtensionArn':
        'arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension-Arm64:1',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://login.example.com/', Audience: ['a', 'b'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
    const [[allAtOnceId]] = resourcesOf(template, 'AWS::AppConfig::DeploymentStrategy').filter(
      ([, strategy]) =>
        strategy.Properties.GrowthFactor === 100 && strategy.Properties.FinalBakeTimeInMinutes === undefined,
    ) as [[string, Resource]];
    template.hasResourceProperties('AWS::AppConfig::Deployment', {
      DeploymentStrategyId: { Ref: allAtOnceId },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Layers: Match.arrayWith([
        'arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension-Arm64:1',
      ]),
    });
  });

  it('carries the monitoring baselines and the canary schedule into the alarms and the rule', () => {
    const template = synth({
      'aurum:latencyP95BaselineMs': '250',
      'aurum:cacheMissRateBaselinePercent': '15',
      'aurum:canaryScheduleMinutes': '15',
    });
    expect(alarmDescribed(template, 'p95 latency').Threshold).toBe(300);
    expect(alarmDescribed(template, 'Cache miss rate').Threshold).toBe(25);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
  });
});

describe('the registry drives the infrastructure', () => {
  it('alarms on the stored cache scopes of the domain that reports most of them, under its service name', () => {
    expect(alarmedCacheScopes(registry)).toEqual({
      service: 'aurum-curves',
      scopes: ['curves', 'curves-diff', 'curves-strips', 'curves-v2'],
    });
    // Scopes that never reach the server cache (store: false) report no hits or misses.
    expect(alarmedCacheScopes(new RouteRegistry().register(...registry.forDomain('docs')))).toBeUndefined();
    expect(alarmedCacheScopes(new RouteRegistry().register(...registry.forDomain('health')))).toBeUndefined();
  });

  it('refuses a registry domain that has no handler file', () => {
    const orphan = new RouteRegistry().register(...registry.forDomain('health'), {
      ...registry.forDomain('curves')[0]!,
      id: 'weatherList',
      path: '/v2/weather',
      domain: 'weather',
    });
    expect(() => synth({}, orphan)).toThrow(
      /domain weather is in the route registry but .*functions\/weather\/handler\.ts does not exist/,
    );
  });

  it('follows the registry it is given: fewer domains, fewer functions and routes', () => {
    const healthOnly = new RouteRegistry().register(...registry.forDomain('health'));
    const template = synth({}, healthOnly);
    expect([...functionsByService(template).keys()].sort()).toEqual(['canary', 'health']);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', healthOnly.routes.length + 1);
    const body = JSON.stringify(
      resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody,
    );
    expect(body).toContain('GET /ready latency');
    expect(body).not.toContain('/v1/curves');
  });
});
