import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Architecture, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Trigger } from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { CREATE_REQUIRE_BANNER, LAMBDA_EXTERNALS, REPO_ROOT } from '#infra/layer/shared-module';
import { AURUM_RUNTIME } from './aurum-function.ts';
import { FUNCTION_NODE_OPTIONS } from './function-bundling.ts';

export interface StoreMigrationsProps {
  vpc: IVpc;
  subnets: SubnetSelection;
  securityGroup: ISecurityGroup;
  /** `AURUM_STORE_URL` of the database to migrate. */
  storeUrl: string;
  /** The owner's credentials (its JSON `password` is read on connect). */
  secret: ISecret;
  logRetention: RetentionDays;
  /** What must exist before the run (the cluster and its proxy). */
  after: Construct[];
}

/**
 * Applies the app-store migrations on every deploy, before the functions that read the new schema change:
 * a Lambda bundled with `lib/store/migrations/*.sql` beside it, run by a CDK trigger whenever its code (and so
 * any migration) changes.
 */
export class StoreMigrations extends Construct {
  readonly fn: NodejsFunction;
  readonly trigger: Trigger;

  constructor(scope: Construct, id: string, props: StoreMigrationsProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, 'infra', 'store', 'migrate-handler.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: AURUM_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(5),
      tracing: Tracing.ACTIVE,
      logGroup,
      description: 'Aurum app-store migrations (run on deploy by a trigger)',
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      environment: {
        POWERTOOLS_SERVICE_NAME: 'aurum-store-migrations',
        AURUM_STORE_URL: props.storeUrl,
        AURUM_STORE_SECRET_ARN: props.secret.secretArn,
        NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        externalModules: [...LAMBDA_EXTERNALS],
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // migrate.ts reads `migrations/` beside the module, which in the bundle is index.mjs.
          afterBundling: (inputDir: string, outputDir: string) => [
            `mkdir -p "${join(outputDir, 'migrations')}"`,
            `cp "${join(inputDir, 'lib', 'store', 'migrations')}"/*.sql "${join(outputDir, 'migrations')}/"`,
          ],
        },
      },
    });
    props.secret.grantRead(this.fn);
    this.trigger = new Trigger(this, 'Run', {
      handler: this.fn,
      executeOnHandlerChange: true,
      executeAfter: props.after,
      timeout: Duration.minutes(5),
    });
  }

  /** Holds these back until the migrations have run. */
  before(...scopes: Construct[]): void {
    this.trigger.executeBefore(...scopes);
  }
}
