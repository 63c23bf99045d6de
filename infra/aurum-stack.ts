import { join } from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, Node } from 'constructs';
import { registry as defaultRegistry } from '#functions/registry';
import { ApiSecrets, dataReach, secretNeeds } from '#infra/constructs/api-secrets';
import { AppDatabase } from '#infra/constructs/app-database';
import { AurumFunction, type SharedCodeMode } from '#infra/constructs/aurum-function';
import { Canary } from '#infra/constructs/canary';
import { DomainFunctions, type DomainPlacement } from '#infra/constructs/domain-functions';
import { FeatureFlags } from '#infra/constructs/feature-flags';
import { Gateway } from '#infra/constructs/gateway';
import { AurumMonitoring, MONITORING_DEFAULTS } from '#infra/constructs/monitoring';
import { acknowledgeNagFindings } from '#infra/constructs/nag-acknowledgements';
import { AurumNetwork } from '#infra/constructs/network';
import { ScenarioRuns } from '#infra/constructs/scenario-runs';
import { SharedLayer } from '#infra/constructs/shared-layer';
import { StoreMigrations } from '#infra/constructs/store-migrations';
import { REPO_ROOT } from '#infra/layer/shared-module';
import { parseGroupPermissions } from '#lib/auth/permissions';
import type { RouteRegistry } from '#lib/http/registry';
import { serviceOf } from '#lib/observability/metric-names';

/** How often the cursor key rotates; far longer than a cursor lives (1 h), so the overlap covers every one. */
export const CURSOR_KEY_ROTATION_DAYS = 30;

/** Everything the stack can be told from `cdk.json` or `-c key=value`; each has an offline-friendly default. */
export interface AurumSettings {
  /**
   * `aurum:bundleShared`: lib/ bundled into each function (default) or from the shared layer. Inline is the
   * default because, with code splitting, it loads less at import: each bundle keeps only what its function
   * uses, where a layer module keeps every export (README, Performance).
   */
  sharedCode: SharedCodeMode;
  /** `aurum:jwtIssuer`, `aurum:jwtAudience` (comma-separated). */
  jwt: { issuer: string; audience: string[] };
  /** `aurum:trinoUrl`, `aurum:trinoCatalog`, `aurum:trinoSchema`. */
  trino: { url: string; catalog: string; schema: string };
  /** `aurum:adminGroup`: the token group whose members are admins. */
  adminGroup: string;
  /**
   * `aurum:tenantClaim` (default `tenant`), `aurum:groupPermissions` (`group=perm perm; …`, checked at synth)
   * and `aurum:scopePrefix` (a Cognito resource server's `aurum-api/`): how tokens map to tenant and permissions.
   */
  auth: { tenantClaim: string; groupPermissions: string; scopePrefix: string };
  /** `aurum:corsOrigins` (comma-separated, exact origins): none means no browser origin is allowed; never `*`. */
  corsOrigins: string[];
  /** `aurum:throttleRate` (requests per second, steady) and `aurum:throttleBurst`. */
  throttle: { rateLimit: number; burstLimit: number };
  /**
   * `aurum:publicThrottleRate` and `aurum:publicThrottleBurst`: each public route's own, lower limit, so a
   * flood of health or docs requests (no token needed) cannot spend the stage's budget.
   */
  publicThrottle: { rateLimit: number; burstLimit: number };
  /**
   * `aurum:reservedConcurrency` (each domain function), `aurum:reservedConcurrencyOverrides`
   * (`domain=n,…`, the canary too) and `aurum:accountConcurrency` (the account's limit, 1000 by default):
   * one function's flood cannot starve the others, and synth refuses a total that leaves the account
   * less than its 100 unreserved executions.
   */
  concurrency: { perFunction: number; overrides: Record<string, number>; accountLimit: number };
  /** `aurum:logLevel` (Powertools) and `aurum:logRetentionDays`. */
  logLevel: string;
  logRetention: RetentionDays;
  /** `aurum:flagsPollSeconds`, `aurum:flagsRollout` (gradual | all-at-once), `aurum:appConfigExtensionArn`. */
  flags: { pollIntervalSeconds: number; rollout: 'gradual' | 'all-at-once'; appConfigExtensionArn?: string };
  /** `aurum:vpcId`: an existing VPC for the app store (looked up at synth); without it the stack makes one. */
  vpcId?: string;
  /** `aurum:droughtTileBaseUrl`: the tile service the drought tile proxy reads; without it those routes answer 502. */
  droughtTileBaseUrl?: string;
  /** `aurum:latencyP95BaselineMs`, `aurum:cacheMissRateBaselinePercent`, `aurum:canaryScheduleMinutes`. */
  monitoring: {
    latencyP95BaselineMs: number;
    cacheMissRateBaselinePercent: number;
    canaryScheduleMinutes: number;
  };
}

/** The placeholder issuer in cdk.json: synth works with it offline, a deploy stops (see Gateway). */
export const EXAMPLE_JWT_ISSUER = 'https://auth.aurum.example/';

export const DEFAULT_SETTINGS: AurumSettings = {
  sharedCode: 'inline',
  jwt: { issuer: EXAMPLE_JWT_ISSUER, audience: ['aurum-api'] },
  trino: { url: 'https://trino.internal.example:8443', catalog: 'iceberg', schema: 'market' },
  adminGroup: 'aurum-admins',
  auth: { tenantClaim: 'tenant', groupPermissions: '', scopePrefix: '' },
  corsOrigins: [],
  throttle: { rateLimit: 100, burstLimit: 200 },
  publicThrottle: { rateLimit: 20, burstLimit: 40 },
  concurrency: {
    perFunction: 50,
    overrides: { health: 20, docs: 10, admin: 10, canary: 2, 'scenario-worker': 10 },
    accountLimit: 1000,
  },
  logLevel: 'INFO',
  logRetention: RetentionDays.ONE_MONTH,
  flags: { pollIntervalSeconds: 45, rollout: 'gradual' },
  monitoring: {
    latencyP95BaselineMs: MONITORING_DEFAULTS.latencyP95BaselineMs,
    cacheMissRateBaselinePercent: MONITORING_DEFAULTS.cacheMissRateBaselinePercent,
    canaryScheduleMinutes: MONITORING_DEFAULTS.scheduleMinutes,
  },
};

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** A typo in a permission name fails the synth, not every request after the deploy. */
function checkedGroupPermissions(raw: string): string {
  try {
    parseGroupPermissions(raw);
  } catch (error) {
    throw new Error(
      `aurum:groupPermissions: ${(error as Error).message.replace(/^AURUM_GROUP_PERMISSIONS: /, '')}`,
    );
  }
  return raw;
}

/** `domain=n,domain=n`: whole numbers of at least 1 (0 would stop a function altogether). */
function concurrencyOverrides(raw: string): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const entry of list(raw)) {
    const match = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(entry);
    if (!match || Number(match[2]) < 1)
      throw new Error(`aurum:reservedConcurrencyOverrides: "${entry}" is not domain=<whole number ≥ 1>`);
    overrides[match[1]!] = Number(match[2]);
  }
  return overrides;
}

const formatOverrides = (overrides: Record<string, number>) =>
  Object.entries(overrides)
    .map(([domain, n]) => `${domain}=${n}`)
    .join(',');

/** The account keeps at least this many executions unreserved (a Lambda rule). */
const UNRESERVED_MINIMUM = 100;

/** Each function's reserved concurrency; throws when the total would exceed what the account can reserve. */
export function reservedConcurrency(
  settings: AurumSettings['concurrency'],
  functionNames: readonly string[],
): Map<string, number> {
  const reserved = new Map(
    functionNames.map((name) => [name, settings.overrides[name] ?? settings.perFunction]),
  );
  const total = [...reserved.values()].reduce((sum, n) => sum + n, 0);
  const available = settings.accountLimit - UNRESERVED_MINIMUM;
  if (total > available)
    throw new Error(
      `reserved concurrency totals ${total} for ${functionNames.length} functions, but the account can reserve ${available} (aurum:accountConcurrency ${settings.accountLimit} less ${UNRESERVED_MINIMUM} unreserved): lower aurum:reservedConcurrency or its overrides`,
    );
  return reserved;
}

/** Browsers send the bearer token, so origins are listed exactly: `*` (with credentials) is refused. */
function corsOriginsOf(origins: string[]): string[] {
  for (const origin of origins) {
    if (origin === '*' || origin.includes('*'))
      throw new Error('aurum:corsOrigins must list exact origins (https://app.example.com), never "*"');
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new Error(`aurum:corsOrigins: "${origin}" is not an origin (scheme://host[:port], no path)`);
  }
  return origins;
}

/** Reads the `aurum:*` context; a value given on the command line arrives as a string, so each is parsed. */
export function settingsFromContext(node: Node): AurumSettings {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(`aurum:${key}`);
    if (value === undefined || value === null || value === '') return undefined;
    return Array.isArray(value) ? value.join(',') : String(value);
  };
  const numberOf = (key: string, fallback: number, valid: (n: number) => boolean, expected: string) => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isFinite(parsed) || !valid(parsed))
      throw new Error(`aurum:${key} must be ${expected}, got "${raw}"`);
    return parsed;
  };
  const positive = (key: string, fallback: number): number =>
    numberOf(key, fallback, (n) => n > 0, 'a positive number');
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
  const issuer = text('jwtIssuer') ?? d.jwt.issuer;
  if (!/^https:\/\/[^\s/]+/.test(issuer))
    throw new Error(`aurum:jwtIssuer must be the issuer's https URL (the token's iss), got "${issuer}"`);
  const audience = list(text('jwtAudience') ?? d.jwt.audience.join(','));
  if (audience.length === 0) throw new Error('aurum:jwtAudience must name at least one audience (client id)');
  return {
    sharedCode: oneOf('bundleShared', ['layer', 'inline'], d.sharedCode),
    jwt: { issuer, audience },
    trino: {
      url: text('trinoUrl') ?? d.trino.url,
      catalog: text('trinoCatalog') ?? d.trino.catalog,
      schema: text('trinoSchema') ?? d.trino.schema,
    },
    adminGroup: text('adminGroup') ?? d.adminGroup,
    auth: {
      tenantClaim: text('tenantClaim') ?? d.auth.tenantClaim,
      groupPermissions: checkedGroupPermissions(text('groupPermissions') ?? d.auth.groupPermissions),
      scopePrefix: text('scopePrefix') ?? d.auth.scopePrefix,
    },
    corsOrigins: corsOriginsOf(list(text('corsOrigins') ?? d.corsOrigins.join(','))),
    throttle: {
      rateLimit: positive('throttleRate', d.throttle.rateLimit),
      burstLimit: Math.round(positive('throttleBurst', d.throttle.burstLimit)),
    },
    publicThrottle: {
      rateLimit: positive('publicThrottleRate', d.publicThrottle.rateLimit),
      burstLimit: Math.round(positive('publicThrottleBurst', d.publicThrottle.burstLimit)),
    },
    concurrency: {
      perFunction: numberOf(
        'reservedConcurrency',
        d.concurrency.perFunction,
        (n) => Number.isInteger(n) && n >= 1,
        'a whole number of at least 1',
      ),
      overrides: concurrencyOverrides(
        text('reservedConcurrencyOverrides') ?? formatOverrides(d.concurrency.overrides),
      ),
      accountLimit: numberOf(
        'accountConcurrency',
        d.concurrency.accountLimit,
        (n) => Number.isInteger(n) && n > UNRESERVED_MINIMUM,
        `a whole number above ${UNRESERVED_MINIMUM}`,
      ),
    },
    logLevel: oneOf('logLevel', ['DEBUG', 'INFO', 'WARN', 'ERROR'], 'INFO'),
    logRetention: retentionDays as RetentionDays,
    flags: {
      pollIntervalSeconds: Math.round(positive('flagsPollSeconds', d.flags.pollIntervalSeconds)),
      rollout: oneOf('flagsRollout', ['gradual', 'all-at-once'], d.flags.rollout),
      appConfigExtensionArn: text('appConfigExtensionArn'),
    },
    vpcId: text('vpcId'),
    droughtTileBaseUrl: text('droughtTileBaseUrl'),
    monitoring: {
      latencyP95BaselineMs: positive('latencyP95BaselineMs', d.monitoring.latencyP95BaselineMs),
      // The alarm fires 10 points above the baseline, so above 90 % it could never fire.
      cacheMissRateBaselinePercent: numberOf(
        'cacheMissRateBaselinePercent',
        d.monitoring.cacheMissRateBaselinePercent,
        (n) => n >= 0 && n <= 90,
        'a percentage from 0 to 90',
      ),
      canaryScheduleMinutes: numberOf(
        'canaryScheduleMinutes',
        d.monitoring.canaryScheduleMinutes,
        (n) => Number.isInteger(n) && n >= 1,
        'a whole number of minutes, at least 1',
      ),
    },
  };
}

export interface AurumStackProps extends StackProps {
  settings?: AurumSettings;
  /** The routes to serve; the repository's registry unless a test passes its own. */
  registry?: RouteRegistry;
}

const SCENARIOS_DOMAIN = 'scenarios';
/** The scenario run worker's name in the concurrency settings (`aurum:reservedConcurrencyOverrides`). */
const SCENARIO_WORKER = 'scenario-worker';

/** Unknown paths and wrong methods are answered by this domain's function (problem+json 404/405). */
const FALLBACK_DOMAIN = 'health';
/** An alarm reads at most 10 metrics, and the miss rate takes a hit and a miss metric per scope. */
const MAX_ALARMED_CACHE_SCOPES = 5;

/**
 * The server-cache scopes the miss-rate alarm sums, and the `service` they are reported under: lib/cache
 * names the emitting function (`aurum-<domain>`), so the alarm follows the domain holding most of them.
 */
export function alarmedCacheScopes(
  registry: RouteRegistry,
): { service: string; scopes: string[] } | undefined {
  const byDomain = new Map<string, Set<string>>();
  for (const route of registry.routes) {
    if (!route.cache || route.cache.store === false) continue;
    const scopes = byDomain.get(route.domain) ?? new Set<string>();
    byDomain.set(route.domain, scopes.add(route.cache.scope));
  }
  const [busiest] = [...byDomain].sort(([a, x], [b, y]) => y.size - x.size || a.localeCompare(b));
  if (!busiest) return undefined;
  const [domain, scopes] = busiest;
  return { service: serviceOf(domain), scopes: [...scopes].sort().slice(0, MAX_ALARMED_CACHE_SCOPES) };
}

/**
 * The Aurum API, as the architecture draws it: client → HTTP API (JWT authorizer) → one Lambda per domain
 * → the shared layer → Trino, Upstash and AppConfig, with the secrets those functions read; and the
 * scheduled canary, alarms to one SNS topic and a dashboard watching it.
 */
export class AurumStack extends Stack {
  readonly settings: AurumSettings;
  readonly functions: DomainFunctions;
  readonly gateway: Gateway;
  readonly flags: FeatureFlags;
  readonly secrets: ApiSecrets;
  readonly sharedLayer?: SharedLayer;
  readonly canary: Canary;
  /** Secrets Manager's rotation function for the cursor key. */
  readonly cursorKeyRotation: AurumFunction;
  readonly monitoring: AurumMonitoring;
  readonly network: AurumNetwork;
  readonly appDatabase: AppDatabase;
  readonly storeMigrations: StoreMigrations;
  /** The run queue, worker, bus and alarms, when the registry has the scenarios domain. */
  readonly scenarioRuns?: ScenarioRuns;

  constructor(scope: Construct, id: string, props: AurumStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? settingsFromContext(this.node);
    const registry = props.registry ?? defaultRegistry;
    this.settings = settings;

    this.sharedLayer = settings.sharedCode === 'layer' ? new SharedLayer(this, 'Shared') : undefined;

    const engineEnvironment = {
      AURUM_TRINO_URL: settings.trino.url,
      AURUM_TRINO_CATALOG: settings.trino.catalog,
      AURUM_TRINO_SCHEMA: settings.trino.schema,
      // Cache keys and rate-limit buckets under this stack's name: stacks sharing one Upstash share nothing.
      AURUM_CACHE_NAMESPACE: this.stackName,
    };
    // The app store: Aurora Serverless v2 behind RDS Proxy in the VPC, migrated on every deploy before any
    // function changes. A function whose code reaches the store or the query engine runs in the VPC's
    // private subnets (the NAT gateway takes it to Upstash; an endpoint to Secrets Manager); only store
    // users get the store's address, its secret and the security group the proxy admits.
    this.network = new AurumNetwork(this, 'Network', { vpcId: settings.vpcId });
    this.appDatabase = new AppDatabase(this, 'AppStore', {
      vpc: this.network.vpc,
      subnets: this.network.privateSubnets,
    });
    const reach = new Map(registry.domains.map((domain) => [domain, dataReach(domain)]));
    const placement = (domain: string): DomainPlacement | undefined => {
      const { engine, store } = reach.get(domain)!;
      if (!engine && !store) return undefined;
      return {
        network: {
          vpc: this.network.vpc,
          subnets: this.network.privateSubnets,
          securityGroups: [store ? this.appDatabase.clientSecurityGroup : this.network.functionSecurityGroup],
        },
        environment: store
          ? {
              AURUM_STORE_URL: this.appDatabase.storeUrl,
              AURUM_STORE_SECRET_ARN: this.appDatabase.secret.secretArn,
            }
          : {},
      };
    };
    const hasScenarios = registry.domains.includes(SCENARIOS_DOMAIN);
    const reserved = reservedConcurrency(settings.concurrency, [
      ...registry.domains,
      'canary',
      ...(hasScenarios ? [SCENARIO_WORKER] : []),
    ]);
    this.functions = new DomainFunctions(this, 'Domains', {
      registry,
      reservedConcurrency: (domain) => reserved.get(domain)!,
      placement,
      sharedCode: settings.sharedCode,
      sharedLayer: this.sharedLayer?.layer,
      logRetention: settings.logRetention,
      logLevel: settings.logLevel,
      environment: {
        ...engineEnvironment,
        AURUM_API_ADMIN_GROUP: settings.adminGroup,
        AURUM_TENANT_CLAIM: settings.auth.tenantClaim,
        ...(settings.auth.groupPermissions
          ? { AURUM_GROUP_PERMISSIONS: settings.auth.groupPermissions }
          : {}),
        ...(settings.auth.scopePrefix ? { AURUM_SCOPE_PREFIX: settings.auth.scopePrefix } : {}),
        ...(settings.droughtTileBaseUrl ? { AURUM_DROUGHT_TILE_BASE_URL: settings.droughtTileBaseUrl } : {}),
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
      if (reach.get(domain)!.store) this.appDatabase.secret.grantRead(fn);
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
      exampleIssuer: EXAMPLE_JWT_ISSUER,
      corsOrigins: settings.corsOrigins,
      throttle: settings.throttle,
      publicThrottle: settings.publicThrottle,
      logRetention: settings.logRetention,
    });

    // The cache warm-up replays requests through the public API, so every function knows its URL.
    for (const fn of this.functions.byDomain.values())
      fn.addEnvironment('AURUM_API_BASE_URL', this.gateway.url);

    // No route: the schedule invokes it, and it reaches the API from outside, like a client.
    this.canary = new Canary(this, 'Canary', {
      sharedCode: settings.sharedCode,
      sharedLayer: this.sharedLayer?.layer,
      logRetention: settings.logRetention,
      logLevel: settings.logLevel,
      apiUrl: this.gateway.url,
      environment: engineEnvironment,
      reservedConcurrency: reserved.get('canary')!,
    });
    this.secrets.bind(this.canary.fn, secretNeeds('canary', []));
    this.flags.bind(this.canary.fn);

    // Every 30 days a new cursor key; the old one keeps verifying the cursors it signed (key ring).
    this.cursorKeyRotation = new AurumFunction(this, 'CursorKeyRotation', {
      domain: 'cursor-key-rotation',
      description: 'Aurum: rotates the cursor signing key, keeping the previous key for the overlap',
      sharedCode: settings.sharedCode,
      sharedLayer: this.sharedLayer?.layer,
      logRetention: settings.logRetention,
      logLevel: settings.logLevel,
      memorySize: 256,
      timeout: Duration.seconds(30),
    });
    this.secrets.cursorKey.addRotationSchedule('Rotation', {
      rotationLambda: this.cursorKeyRotation,
      automaticallyAfter: Duration.days(CURSOR_KEY_ROTATION_DAYS),
    });

    this.storeMigrations = new StoreMigrations(this, 'StoreMigrations', {
      vpc: this.network.vpc,
      subnets: this.network.privateSubnets,
      securityGroup: this.appDatabase.clientSecurityGroup,
      storeUrl: this.appDatabase.storeUrl,
      secret: this.appDatabase.secret,
      logRetention: settings.logRetention,
      after: [this.appDatabase],
    });
    this.storeMigrations.before(...this.functions.byDomain.values(), this.canary.fn);

    const cache = alarmedCacheScopes(registry);
    this.monitoring = new AurumMonitoring(this, 'Monitoring', {
      canary: this.canary.fn,
      functions: this.functions.byDomain,
      httpApi: this.gateway.api,
      stageName: this.gateway.stage.stageName,
      routes: registry.routes,
      latencyP95BaselineMs: settings.monitoring.latencyP95BaselineMs,
      cacheMissRateBaselinePercent: settings.monitoring.cacheMissRateBaselinePercent,
      scheduleMinutes: settings.monitoring.canaryScheduleMinutes,
      ...(cache ? { cacheScopes: cache.scopes, cacheMetricsService: cache.service } : {}),
    });

    // Scenario runs execute off the request path: a queue feeds the worker, which reads what the API does.
    if (hasScenarios) {
      const api = this.functions.byDomain.get(SCENARIOS_DOMAIN)!;
      const where = placement(SCENARIOS_DOMAIN);
      this.scenarioRuns = new ScenarioRuns(this, 'ScenarioRuns', {
        api,
        sharedCode: settings.sharedCode,
        sharedLayer: this.sharedLayer?.layer,
        logRetention: settings.logRetention,
        logLevel: settings.logLevel,
        environment: { ...engineEnvironment, ...(where?.environment ?? {}) },
        network: where?.network,
        reservedConcurrency: reserved.get(SCENARIO_WORKER)!,
        alarmTopic: this.monitoring.topic,
      });
      const worker = this.scenarioRuns.worker;
      this.secrets.bind(worker, secretNeeds(SCENARIOS_DOMAIN, []));
      this.flags.bind(worker);
      this.appDatabase.secret.grantRead(worker);
      this.storeMigrations.before(worker);
    }

    // A flag deployment that raises the 5xx rate or fails the canary is rolled back by AppConfig itself.
    this.flags.rollBackOn([this.monitoring.alarms.errorRate, this.monitoring.alarms.canaryProbes]);

    const apiFunctions = [...this.functions.byDomain.values()];
    const publicRoutes = registry.routes
      .filter((route) => route.auth === 'public')
      .map((route) => this.gateway.node.findChild(`Route-${route.id}`));
    acknowledgeNagFindings({
      apiFunctions,
      allFunctions: [
        ...apiFunctions,
        this.canary.fn,
        this.storeMigrations.fn,
        this.cursorKeyRotation,
        ...(this.scenarioRuns ? [this.scenarioRuns.worker] : []),
      ],
      publicRoutes: [...publicRoutes, this.gateway.api.node.findChild('DefaultRoute')],
      externalSecrets: [
        this.secrets.trinoCredentials,
        this.secrets.upstash,
        this.canary.tokenSecret,
        this.canary.clientSecret,
      ],
      cursorKeyRotation: { fn: this.cursorKeyRotation, role: this.cursorKeyRotation.role! },
      deadLetterQueues: [
        this.monitoring.scheduleDeadLetters,
        this.canary.fn.deadLetterQueue!,
        ...(this.scenarioRuns ? [this.scenarioRuns.deadLetters] : []),
      ],
      storeMigrator: this.storeMigrations.fn,
      queueWorkers: this.scenarioRuns ? [this.scenarioRuns.worker] : [],
      database: this.appDatabase,
      network: this.network.imported ? undefined : this.network,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.gateway.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'AppConfigApplicationId', { value: this.flags.application.applicationId });
    new CfnOutput(this, 'AppConfigEnvironmentId', { value: this.flags.environment.environmentId });
    new CfnOutput(this, 'AppConfigProfileId', { value: this.flags.profile.configurationProfileId });
    new CfnOutput(this, 'AppConfigGradualStrategyId', {
      value: this.flags.gradualStrategy.deploymentStrategyId,
      description: 'Use it for flag changes: aws appconfig start-deployment --deployment-strategy-id …',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'Every alarm and its recovery: subscribe on-call here (aws sns subscribe …)',
    });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'CanaryTokenSecretArn', {
      value: this.canary.tokenSecret.secretArn,
      description: 'Put a tenant bearer token here, or the canary’s tenant-route probes fail',
    });
    new CfnOutput(this, 'CanaryClientSecretArn', {
      value: this.canary.clientSecret.secretArn,
      description:
        'Put the canary’s OAuth client here ({token_url, client_id, client_secret, scope}): a fresh token every run',
    });
  }
}
