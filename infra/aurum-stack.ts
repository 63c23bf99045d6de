import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, Node } from 'constructs';
import { registry as defaultRegistry } from '#functions/registry';
import { ApiSecrets, secretNeeds } from '#infra/constructs/api-secrets';
import type { SharedCodeMode } from '#infra/constructs/aurum-function';
import { DomainFunctions } from '#infra/constructs/domain-functions';
import { FeatureFlags } from '#infra/constructs/feature-flags';
import { Gateway } from '#infra/constructs/gateway';
import { SharedLayer } from '#infra/constructs/shared-layer';
import { REPO_ROOT } from '#infra/layer/shared-module';
import type { RouteRegistry } from '#lib/http/registry';

/** Everything the stack can be told from `cdk.json` or `-c key=value`; each has an offline-friendly default. */
export interface AurumSettings {
  /** `aurum:bundleShared`: lib/ from the shared layer (default) or bundled into each function. */
  sharedCode: SharedCodeMode;
  /** `aurum:jwtIssuer`, `aurum:jwtAudience` (comma-separated). */
  jwt: { issuer: string; audience: string[] };
  /** `aurum:trinoUrl`, `aurum:trinoCatalog`, `aurum:trinoSchema`. */
  trino: { url: string; catalog: string; schema: string };
  /** `aurum:adminGroup`: the token group whose members are admins. */
  adminGroup: string;
  /** `aurum:corsOrigins` (comma-separated). */
  corsOrigins: string[];
  /** `aurum:throttleRate` (requests per second, steady) and `aurum:throttleBurst`. */
  throttle: { rateLimit: number; burstLimit: number };
  /** `aurum:logLevel` (Powertools) and `aurum:logRetentionDays`. */
  logLevel: string;
  logRetention: RetentionDays;
  /** `aurum:flagsPollSeconds`, `aurum:flagsRollout` (gradual | all-at-once), `aurum:appConfigExtensionArn`. */
  flags: { pollIntervalSeconds: number; rollout: 'gradual' | 'all-at-once'; appConfigExtensionArn?: string };
}

export const DEFAULT_SETTINGS: AurumSettings = {
  sharedCode: 'layer',
  jwt: { issuer: 'https://auth.aurum.example/', audience: ['aurum-api'] },
  trino: { url: 'https://trino.internal.example:8443', catalog: 'iceberg', schema: 'market' },
  adminGroup: 'aurum-admins',
  corsOrigins: ['*'],
  throttle: { rateLimit: 100, burstLimit: 200 },
  logLevel: 'INFO',
  logRetention: RetentionDays.ONE_MONTH,
  flags: { pollIntervalSeconds: 45, rollout: 'gradual' },
};

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Reads the `aurum:*` context; a value given on the command line arrives as a string, so each is parsed. */
export function settingsFromContext(node: Node): AurumSettings {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(`aurum:${key}`);
    if (value === undefined || value === null || value === '') return undefined;
    return Array.isArray(value) ? value.join(',') : String(value);
  };
  const positive = (key: string, fallback: number): number => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new Error(`aurum:${key} must be a positive number, got "${raw}"`);
    return parsed;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw))
      throw new Error(`aurum:${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return raw as T;
  };
  const d = DEFAULT_SETTINGS;
  const retentionDays = positive('logRetentionDays', d.logRetention);
  if (!Object.values(RetentionDays).includes(retentionDays)) {
    throw new Error(
      `aurum:logRetentionDays must be a CloudWatch retention (1, 3, 5, 7, 14, 30, 60, 90 …), got ${retentionDays}`,
    );
  }
  return {
    sharedCode: oneOf('bundleShared', ['layer', 'inline'], d.sharedCode),
    jwt: {
      issuer: text('jwtIssuer') ?? d.jwt.issuer,
      audience: list(text('jwtAudience') ?? d.jwt.audience.join(',')),
    },
    trino: {
      url: text('trinoUrl') ?? d.trino.url,
      catalog: text('trinoCatalog') ?? d.trino.catalog,
      schema: text('trinoSchema') ?? d.trino.schema,
    },
    adminGroup: text('adminGroup') ?? d.adminGroup,
    corsOrigins: list(text('corsOrigins') ?? d.corsOrigins.join(',')),
    throttle: {
      rateLimit: positive('throttleRate', d.throttle.rateLimit),
      burstLimit: Math.round(positive('throttleBurst', d.throttle.burstLimit)),
    },
    logLevel: oneOf('logLevel', ['DEBUG', 'INFO', 'WARN', 'ERROR'], 'INFO'),
    logRetention: retentionDays as RetentionDays,
    flags: {
      pollIntervalSeconds: Math.round(positive('flagsPollSeconds', d.flags.pollIntervalSeconds)),
      rollout: oneOf('flagsRollout', ['gradual', 'all-at-once'], d.flags.rollout),
      appConfigExtensionArn: text('appConfigExtensionArn'),
    },
  };
}

export interface AurumStackProps extends StackProps {
  settings?: AurumSettings;
  /** The routes to serve; the repository's registry unless a test passes its own. */
  registry?: RouteRegistry;
}

/** Unknown paths and wrong methods are answered by this domain's function (problem+json 404/405). */
const FALLBACK_DOMAIN = 'health';

/**
 * The Aurum API, as the architecture draws it: client → HTTP API (JWT authorizer) → one Lambda per domain
 * → the shared layer → Trino, Upstash and AppConfig, with the secrets those functions read.
 */
export class AurumStack extends Stack {
  readonly settings: AurumSettings;
  readonly functions: DomainFunctions;
  readonly gateway: Gateway;
  readonly flags: FeatureFlags;
  readonly secrets: ApiSecrets;
  readonly sharedLayer?: SharedLayer;

  constructor(scope: Construct, id: string, props: AurumStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? settingsFromContext(this.node);
    const registry = props.registry ?? defaultRegistry;
    this.settings = settings;

    this.sharedLayer = settings.sharedCode === 'layer' ? new SharedLayer(this, 'Shared') : undefined;

    this.functions = new DomainFunctions(this, 'Domains', {
      registry,
      sharedCode: settings.sharedCode,
      sharedLayer: this.sharedLayer?.layer,
      logRetention: settings.logRetention,
      logLevel: settings.logLevel,
      environment: {
        AURUM_TRINO_URL: settings.trino.url,
        AURUM_TRINO_CATALOG: settings.trino.catalog,
        AURUM_TRINO_SCHEMA: settings.trino.schema,
        AURUM_API_ADMIN_GROUP: settings.adminGroup,
      },
    });

    this.secrets = new ApiSecrets(this, 'Secrets');
    this.flags = new FeatureFlags(this, 'Flags', {
      flagsFile: join(REPO_ROOT, 'infra', 'flags', 'flags.json'),
      pollIntervalSeconds: settings.flags.pollIntervalSeconds,
      rollout: settings.flags.rollout,
      appConfigExtensionArn: settings.flags.appConfigExtensionArn,
    });
    for (const [domain, fn] of this.functions.byDomain) {
      this.secrets.bind(fn, secretNeeds(domain, registry.forDomain(domain)));
      this.flags.bind(fn);
    }

    if (!this.functions.byDomain.has(FALLBACK_DOMAIN)) {
      throw new Error(
        `the ${FALLBACK_DOMAIN} domain answers unmatched routes, but the registry has none of its routes`,
      );
    }
    this.gateway = new Gateway(this, 'Gateway', {
      routes: registry.routes,
      functions: this.functions.byDomain,
      fallbackDomain: FALLBACK_DOMAIN,
      jwt: settings.jwt,
      corsOrigins: settings.corsOrigins,
      throttle: settings.throttle,
      logRetention: settings.logRetention,
    });

    // The cache warm-up replays requests through the public API, so every function knows its URL.
    for (const fn of this.functions.byDomain.values()) fn.addEnvironment('AURUM_API_BASE_URL', this.gateway.url);

    new CfnOutput(this, 'ApiUrl', { value: this.gateway.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'AppConfigApplicationId', { value: this.flags.application.applicationId });
    new CfnOutput(this, 'AppConfigEnvironmentId', { value: this.flags.environment.environmentId });
    new CfnOutput(this, 'AppConfigProfileId', { value: this.flags.profile.configurationProfileId });
    new CfnOutput(this, 'AppConfigGradualStrategyId', {
      value: this.flags.gradualStrategy.deploymentStrategyId,
      description: 'Use it for flag changes: aws appconfig start-deployment --deployment-strategy-id …',
    });
  }
}
