import { join } from 'node:path';
import { AssetHashType, Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  type ILayerVersion,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { layerAliases, REPO_ROOT, sharedModuleManifest } from '#infra/layer/shared-module';
import { METRICS_NAMESPACE, serviceOf } from '#lib/observability/metric-names';
import { bundleFunction, FUNCTION_NODE_OPTIONS } from './function-bundling.ts';

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
 * The function's zip: `bundleFunction` run by CDK's local bundling (no Docker) when this synth bundles,
 * hashed by its output, so an unchanged bundle publishes nothing. Tests that skip bundling never build,
 * nor read the manifest of the shared layer that layer mode needs for its aliases.
 */
function functionCode(entry: string, layerMode: boolean): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the API, never run: the local build below always succeeds or throws.
      image: AURUM_RUNTIME.bundlingImage,
      // Never run either; it tells this function's bundle from another's in CDK's per-process asset
      // cache, which is keyed by the source path and these options (the same for every function).
      command: ['bundleFunction', entry, layerMode ? 'layer' : 'inline'],
      local: {
        tryBundle(outputDir: string) {
          bundleFunction({
            entry: join(REPO_ROOT, entry),
            outDir: outputDir,
            aliases: layerMode ? layerAliases(sharedModuleManifest()) : undefined,
          });
          return true;
        },
      },
    },
  });
}

/**
 * A domain Lambda with our defaults set once: Node.js 24 on arm64, a minified, tree-shaken ESM bundle
 * split into `index.mjs` and lazily loaded `chunks/` (`bundleFunction`) with the createRequire banner,
 * its own log group with retention (no log-retention custom resource), the Powertools environment, and
 * lib/ either from the shared layer or inline.
 *
 * Source maps: linked `.map` files without sources content and `--enable-source-maps`, so a logged stack
 * points at our TypeScript while the zip stays small.
 */
export class AurumFunction extends LambdaFunction {
  readonly domain: string;

  constructor(scope: Construct, id: string, props: AurumFunctionProps) {
    const layerMode = props.sharedCode === 'layer';
    if (layerMode && !props.sharedLayer) throw new Error(`${id}: layer mode needs the shared layer`);
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    // Its own log group and nothing else, instead of the managed basic-execution policy (logs:* on *).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Aurum ${props.domain}: writes its own log group; grants are added per need`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      code: functionCode(props.entry ?? join('functions', props.domain, 'handler.ts'), layerMode),
      handler: 'index.handler',
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
        NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
        ...props.environment,
      },
    });
    this.domain = props.domain;
  }
}
