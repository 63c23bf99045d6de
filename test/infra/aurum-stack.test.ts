import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import { AurumStack, DEFAULT_SETTINGS, settingsFromContext } from '#infra/aurum-stack';
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

/** The function's logical id, by the domain in its Powertools service name. */
function functionsByDomain(template: Template): Map<string, [string, Resource]> {
  const map = new Map<string, [string, Resource]>();
  for (const [id, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
    map.set(String(env(fn).POWERTOOLS_SERVICE_NAME).replace(/^aurum-/, ''), [id, fn]);
  }
  return map;
}

const refOf = (value: unknown): string | undefined => (value as { Ref?: string } | undefined)?.Ref;

describe('AurumStack (layer mode, the default)', () => {
  let template: Template;
  let functions: Map<string, [string, Resource]>;

  beforeAll(() => {
    template = synth();
    functions = functionsByDomain(template);
  });

  describe('functions', () => {
    it('has exactly one function per registry domain and no helper functions (no log-retention custom resource)', () => {
      expect(resourcesOf(template, 'AWS::Lambda::Function')).toHaveLength(registry.domains.length);
      expect([...functions.keys()].sort()).toEqual(registry.domains);
      expect(resourcesOf(template, 'Custom::LogRetention')).toHaveLength(0);
      expect(resourcesOf(template, 'AWS::CloudFormation::CustomResource')).toHaveLength(0);
    });

    it('runs every function on Node.js 22, arm64, with an ESM handler and its own log group with retention', () => {
      const logGroups = new Map(resourcesOf(template, 'AWS::Logs::LogGroup'));
      for (const [domain, [, fn]] of functions) {
        expect(fn.Properties.Runtime, domain).toBe('nodejs22.x');
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
          AURUM_API_ADMIN_GROUP: 'aurum-admins',
        });
      }
    });

    it('attaches the shared layer and the AppConfig agent (looked up by region) to every function', () => {
      const [[layerId, layer]] = resourcesOf(template, 'AWS::Lambda::LayerVersion') as [[string, Resource]];
      expect(layer.Properties.CompatibleRuntimes).toEqual(['nodejs22.x']);
      expect(layer.Properties.CompatibleArchitectures).toEqual(['arm64']);
      for (const [domain, [, fn]] of functions) {
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

    it('lets the gateway invoke each function through one API-wide permission, not one per route', () => {
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission');
      expect(permissions).toHaveLength(registry.domains.length);
      for (const [, permission] of permissions) {
        expect(permission.Properties).toMatchObject({
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
        });
      }
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
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'HTTP',
        CorsConfiguration: {
          AllowOrigins: ['*'],
          AllowHeaders: Match.arrayWith(['authorization', 'if-none-match', 'idempotency-key']),
          ExposeHeaders: Match.arrayWith(['etag', 'retry-after', 'x-ratelimit-remaining']),
        },
      });
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

  describe('secrets and IAM', () => {
    const statementsOf = (roleRef: string) =>
      resourcesOf(template, 'AWS::IAM::Policy')
        .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleRef))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);

    const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

    it('creates the cursor key as a generated secret and placeholders for Trino and Upstash', () => {
      const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
      expect(secrets).toHaveLength(3);
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

    it('grants each function read on exactly the secrets its routes need, and names them in its environment', () => {
      const secretIds = Object.fromEntries(
        resourcesOf(template, 'AWS::SecretsManager::Secret').map(([id]) => [
          id.startsWith('SecretsCursorKey') ? 'cursor' : id.startsWith('SecretsTrino') ? 'trino' : 'upstash',
          id,
        ]),
      ) as Record<'cursor' | 'trino' | 'upstash', string>;
      const variables = {
        cursor: 'AURUM_CURSOR_SECRET_ARN',
        trino: 'AURUM_TRINO_SECRET_ARN',
        upstash: 'AURUM_UPSTASH_SECRET_ARN',
      } as const;
      for (const [domain, [, fn]] of functions) {
        const needs = secretNeeds(domain, registry.forDomain(domain));
        const [roleId] = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
        const granted = statementsOf(roleId)
          .filter((s) => asList(s.Action).includes('secretsmanager:GetSecretValue'))
          .flatMap((s) => asList(s.Resource).map((r) => refOf(r)));
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

    it('uses no wildcard action anywhere and no wildcard resource for secrets or AppConfig', () => {
      const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement,
      );
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        for (const action of asList(statement.Action)) expect(String(action)).not.toMatch(/(^\*$|:\*$)/);
        const actions = asList(statement.Action).map(String);
        if (actions.some((a) => a.startsWith('secretsmanager:') || a.startsWith('appconfig:'))) {
          for (const resource of asList(statement.Resource))
            expect(JSON.stringify(resource)).not.toContain('*');
        }
      }
    });

    it('reads flags only from this stack’s profile, with the two data-plane actions', () => {
      const appconfig = resourcesOf(template, 'AWS::IAM::Policy')
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement)
        .filter((s) => asList(s.Action).some((a) => String(a).startsWith('appconfig:')));
      expect(appconfig).toHaveLength(registry.domains.length);
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

describe('AurumStack (inline mode)', () => {
  it('bundles lib/ into each function: no shared layer, only the AppConfig agent attached', () => {
    const template = synth({ 'aurum:bundleShared': 'inline' });
    expect(resourcesOf(template, 'AWS::Lambda::LayerVersion')).toHaveLength(0);
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(registry.domains.length);
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

  it('reads command-line strings: numbers, lists and choices', () => {
    const settings = settingsOf({
      'aurum:bundleShared': 'inline',
      'aurum:jwtIssuer': 'https://login.example.com/realms/aurum',
      'aurum:jwtAudience': 'aurum-api, aurum-web',
      'aurum:throttleRate': '25',
      'aurum:throttleBurst': '50',
      'aurum:corsOrigins': 'https://app.example.com,https://admin.example.com',
      'aurum:logRetentionDays': '90',
      'aurum:flagsRollout': 'all-at-once',
    });
    expect(settings.sharedCode).toBe('inline');
    expect(settings.jwt).toEqual({
      issuer: 'https://login.example.com/realms/aurum',
      audience: ['aurum-api', 'aurum-web'],
    });
    expect(settings.throttle).toEqual({ rateLimit: 25, burstLimit: 50 });
    expect(settings.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    expect(settings.logRetention).toBe(90);
    expect(settings.flags.rollout).toBe('all-at-once');
  });

  it('refuses values that would deploy something else than was meant', () => {
    expect(() => settingsOf({ 'aurum:bundleShared': 'docker' })).toThrow(
      /bundleShared must be one of layer, inline/,
    );
    expect(() => settingsOf({ 'aurum:throttleRate': 'fast' })).toThrow(
      /throttleRate must be a positive number/,
    );
    expect(() => settingsOf({ 'aurum:logRetentionDays': '45' })).toThrow(/logRetentionDays/);
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
});

describe('the registry drives the infrastructure', () => {
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
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', healthOnly.routes.length + 1);
  });
});
