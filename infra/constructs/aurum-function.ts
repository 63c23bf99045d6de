import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { REPO_ROOT, sharedModuleManifest, writeFacades } from '#infra/layer/shared-module';
import { METRICS_NAMESPACE, serviceOf } from '#lib/observability/metric-names';
import { FUNCTION_BUNDLING, functionExternals } from './function-bundling.ts';

/** How a function gets lib/: from the shared layer (`/opt`), or bundled into its own zip. */
export type SharedCodeMode = 'layer' | 'inline';

export interface AurumFunctionProps {
  /** A registry domain, or `canary`: entry `functions/<domain>/handler.ts`, service `aurum-<domain>`. */
  domain: string;
  /** The entry, relative to the repository, when it is not `functions/<domain>/handler.ts` (a worker). */
  entry?: string;
  sharedCode: SharedCodeMode;
  /** The shared layer; required in layer mode. */
  sharedLayer?: ILayerVersion;
  logRetention: RetentionDays;
  /** Powertools log level: DEBUG, INFO, WARN, ERROR. */
  logLevel: string;
  environment?: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  /** Where asynchronous invocations that failed every retry are kept (the canary's schedule). */
  deadLetterQueue?: IQueue;
  /** Executions kept for this function alone, and its ceiling: a flood of one domain cannot starve another. */
  reservedConcurrency?: number;
  /** Default: `Aurum <domain> API (lib/ …)`. */
  description?: string;
  /** Private subnets and security groups for code that reaches the app store or the query engine. */
  network?: { vpc: IVpc; subnets: SubnetSelection; securityGroups: ISecurityGroup[] };
}

/**
 * The latest Lambda Node.js runtime. The bundles target Node 22 syntax (FUNCTION_BUNDLING), which Node 24
 * runs, and the same code runs on Node 20+ locally and in the tests.
 */
export const AURUM_RUNTIME = Runtime.NODEJS_24_X;

/** Below API Gateway's 30 s integration limit, so a slow request ends as our 504 problem, not the gateway's. */
const DEFAULT_TIMEOUT = Duration.seconds(15);
/** arm64 CPU scales with memory; 1 GB keeps cold starts of a 1 MB bundle short. */
const DEFAULT_MEMORY_MB = 1024;

/**
 * Files a function reads at run time (the docs page's swagger-ui assets), listed per domain in
 * `functions/<domain>/bundle-assets.json` as `{ "<folder in the bundle>": ["<repo-relative file>", …] }`.
 */
function bundleAssetHooks(domain: string) {
  const manifest = join(REPO_ROOT, 'functions', domain, 'bundle-assets.json');
  if (!existsSync(manifest)) return undefined;
  const folders = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string[]>;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      Object.entries(folders).flatMap(([folder, files]) => [
        `mkdir -p "${join(outputDir, folder)}"`,
        ...files.map((file) => `cp "${join(inputDir, file)}" "${join(outputDir, folder)}/"`),
      ]),
  };
}

/**
 * A domain Lambda with our defaults set once: Node.js 22 on arm64, one minified, tree-shaken ESM bundle
 * with the createRequire banner, its own log group with retention (no log-retention custom resource),
 * the Powertools environment, and lib/ either from the shared layer or inline.
 *
 * Source maps: linked `.map` files without sources content and `--enable-source-maps`, so a logged stack
 * points at our TypeScript while the zip stays small.
 */
export class AurumFunction extends NodejsFunction {
  readonly domain: string;

  constructor(scope: Construct, id: string, props: AurumFunctionProps) {
    const layerMode = props.sharedCode === 'layer';
    if (layerMode && !props.sharedLayer) throw new Error(`${id}: layer mode needs the shared layer`);
    // Facades are generated only when this synth bundles; tests that skip bundling never touch the disk.
    const aliases = layerMode && Stack.of(scope).bundlingRequired ? writeFacades(sharedModuleManifest()) : {};
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    // Its own log group and nothing else, instead of the managed basic-execution policy (logs:* on *).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Aurum ${props.domain}: writes its own log group; grants are added per need`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: props.entry
        ? join(REPO_ROOT, props.entry)
        : join(REPO_ROOT, 'functions', props.domain, 'handler.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: AURUM_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? DEFAULT_TIMEOUT,
      reservedConcurrentExecutions: props.reservedConcurrency,
      // The Lambda service records the init and invoke segments; no tracing SDK is loaded, so cold starts
      // pay nothing for it (an instrumented client would: see README, Performance).
      tracing: Tracing.ACTIVE,
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: props.network.securityGroups,
          }
        : {}),
      deadLetterQueue: props.deadLetterQueue,
      logGroup,
      role,
      layers: layerMode ? [props.sharedLayer!] : [],
      description: `${props.description ?? `Aurum ${props.domain} API`} (lib/ ${layerMode ? 'from the shared layer' : 'bundled inline'})`,
      environment: {
        // The `service` dimension of the function's metrics, as the alarms read it.
        POWERTOOLS_SERVICE_NAME: serviceOf(props.domain),
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: FUNCTION_BUNDLING.target,
        mainFields: [...FUNCTION_BUNDLING.mainFields],
        banner: FUNCTION_BUNDLING.banner,
        minify: FUNCTION_BUNDLING.minify,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        externalModules: functionExternals(layerMode),
        esbuildArgs: {
          '--tree-shaking': String(FUNCTION_BUNDLING.treeShaking),
          '--legal-comments': FUNCTION_BUNDLING.legalComments,
          ...(Object.keys(aliases).length > 0
            ? { '--alias': Object.entries(aliases).map(([specifier, facade]) => `${specifier}=${facade}`) }
            : {}),
        },
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        commandHooks: bundleAssetHooks(props.domain),
      },
    });
    this.domain = props.domain;
  }
}
