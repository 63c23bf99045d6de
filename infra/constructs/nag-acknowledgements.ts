import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** The constructs whose cdk-nag findings are accepted by design, each with its reason. */
export interface NagAcknowledged {
  /** API functions: API Gateway invokes them synchronously, so a DLQ would never receive anything. */
  apiFunctions: readonly IConstruct[];
  /** Every function's role: X-Ray's write actions, granted by active tracing, take no resource. */
  allFunctions: readonly IFunction[];
  /** The gateway's public routes (health, docs) and `$default`, which answers unknown paths with 404. */
  publicRoutes: readonly IConstruct[];
  /** Secrets whose values belong to systems outside the stack (Trino, Upstash, the canary's issuer). */
  externalSecrets: readonly IConstruct[];
  /** Secrets Manager's rotation function for the cursor key (see its entries below). */
  cursorKeyRotation: { fn: IConstruct; role: IConstruct };
  /** The app-store migrator: a CDK trigger invokes it synchronously inside the VPC. */
  storeMigrator: IConstruct;
  /** Functions fed by an SQS queue whose redrive policy keeps what they fail in a dead-letter queue. */
  queueWorkers?: readonly IConstruct[];
  /** Dead-letter queues themselves: the last stop, with no queue of their own behind them. */
  deadLetterQueues: readonly IConstruct[];
  /** The Aurora cluster (its secret, IAM auth) and the VPC (flow logs, endpoint security group). */
  database: IConstruct;
  network?: IConstruct;
}

/**
 * Accepts, in code and with a one-line reason each, the cdk-nag AwsSolutions and Serverless findings the
 * stack keeps on purpose. Everything else they report is fixed where it is built; test/infra runs both packs.
 */
export function acknowledgeNagFindings(c: NagAcknowledged): void {
  const on = (constructs: readonly IConstruct[], id: string, reason: string) => {
    for (const construct of constructs)
      NagSuppressions.addResourceSuppressions(construct, [{ id, reason }], true);
  };
  on(
    c.apiFunctions,
    'Serverless-LambdaDLQ',
    'Invoked synchronously by API Gateway: a failed request is answered, never queued, so no DLQ applies.',
  );
  for (const fn of c.allFunctions) {
    if (!fn.role) continue;
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Active tracing grants xray:PutTraceSegments and PutTelemetryRecords, which take no resource.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }
  on(
    c.publicRoutes,
    'AwsSolutions-APIG4',
    'Public by design: health, readiness and the API document need no token; $default answers 404/405.',
  );
  on(
    c.externalSecrets,
    'AwsSolutions-SMG4',
    'Credentials issued by an outside system (Trino, Upstash, the canary’s issuer) and rotated there.',
  );
  on(
    [c.cursorKeyRotation.fn],
    'Serverless-LambdaDLQ',
    'Secrets Manager invokes it synchronously and retries a failed rotation step itself.',
  );
  NagSuppressions.addResourceSuppressions(
    c.cursorKeyRotation.role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'secretsmanager:GetRandomPassword, granted by the rotation schedule, has no resource to scope.',
        appliesTo: ['Resource::*'],
      },
    ],
    true,
  );
  on(
    [c.storeMigrator],
    'Serverless-LambdaDLQ',
    'Invoked synchronously by the deploy-time trigger, which fails the deploy on error.',
  );
  on(
    [c.storeMigrator],
    'AwsSolutions-IAM4',
    'The managed basic and VPC execution policies: it runs inside the VPC and needs its ENI rights.',
  );
  for (const id of ['Serverless-LambdaDLQ', 'Serverless-LambdaEventSourceMappingDestination'])
    on(
      c.queueWorkers ?? [],
      id,
      'Fed by SQS: a message that keeps failing goes to the queue’s dead-letter queue (redrive policy).',
    );
  on(c.deadLetterQueues, 'AwsSolutions-SQS3', 'It is a dead-letter queue: nothing follows it.');
  on(c.deadLetterQueues, 'Serverless-SQSRedrivePolicy', 'It is a dead-letter queue: nothing follows it.');
  on([c.database], 'AwsSolutions-RDS6', 'Clients reach the cluster through RDS Proxy with the secret.');
  on(
    [c.database],
    'AwsSolutions-SMG4',
    'The cluster secret is read by RDS Proxy; rotation is planned with it.',
  );
  if (c.network) {
    on([c.network], 'AwsSolutions-VPC7', 'Flow logs are left to the account’s central VPC logging.');
    on(
      [c.network],
      'CdkNagValidationFailure',
      'The endpoint security group takes the VPC CIDR as a token cdk-nag cannot read; it is VPC-internal.',
    );
  }
}
