import { Duration, SecretValue } from 'aws-cdk-lib';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AurumFunction, type SharedCodeMode } from './aurum-function.ts';

export interface CanaryProps {
  sharedCode: SharedCodeMode;
  sharedLayer?: ILayerVersion;
  logRetention: RetentionDays;
  logLevel: string;
  /** The public API the canary probes end to end (AURUM_CANARY_BASE_URL). */
  apiUrl: string;
  /** What its deep checks read, as the health function has it (the Trino endpoint …). */
  environment: Record<string, string>;
  /** Runs are minutes apart; a couple of executions is all it ever needs. */
  reservedConcurrency?: number;
}

/**
 * Covers a cold start, the secret reads, the deep checks' 3 s deadline and the 5 s API probes with room
 * to spare: a canary that times out fails its invocation, which alarms.
 */
export const CANARY_TIMEOUT = Duration.seconds(60);

/**
 * The scheduled canary (functions/canary/handler.ts) on the domain functions' defaults, with no route,
 * and the bearer token it sends to tenant routes: a placeholder secret only the canary may read.
 */
export class Canary extends Construct {
  readonly fn: AurumFunction;
  readonly tokenSecret: Secret;
  /** `{token_url, client_id, client_secret, scope}`: once filled, every run gets a fresh token by grant. */
  readonly clientSecret: Secret;

  constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    this.tokenSecret = new Secret(this, 'Token', {
      description:
        'Aurum canary: bearer token for the tenant routes it probes, as JSON {"token"} or the bare token; ' +
        'empty fails those probes',
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ token: '' })),
    });
    this.clientSecret = new Secret(this, 'Client', {
      description:
        'Aurum canary: OAuth client for a client-credentials grant on every run, as JSON ' +
        '{"token_url","client_id","client_secret","scope"}; while empty the token secret is used',
      secretStringValue: SecretValue.unsafePlainText(
        JSON.stringify({ token_url: '', client_id: '', client_secret: '', scope: '' }),
      ),
    });
    this.fn = new AurumFunction(this, 'Function', {
      domain: 'canary',
      description: 'Aurum canary: deep checks and end-to-end probes of the API',
      sharedCode: props.sharedCode,
      sharedLayer: props.sharedLayer,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      timeout: CANARY_TIMEOUT,
      // Asynchronous invocations (the schedule) that fail every retry are kept for a look.
      deadLetterQueue: new Queue(this, 'DeadLetters', {
        retentionPeriod: Duration.days(14),
        enforceSSL: true,
      }),
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        ...props.environment,
        AURUM_CANARY_BASE_URL: props.apiUrl,
        AURUM_CANARY_TOKEN_SECRET_ARN: this.tokenSecret.secretArn,
        AURUM_CANARY_CLIENT_SECRET_ARN: this.clientSecret.secretArn,
      },
    });
    this.tokenSecret.grantRead(this.fn);
    this.clientSecret.grantRead(this.fn);
  }
}
