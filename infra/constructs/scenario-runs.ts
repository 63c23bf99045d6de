import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SCENARIO_METRICS } from '#functions/scenarios/metric-names';
import { AurumFunction, type AurumFunctionProps, type SharedCodeMode } from './aurum-function.ts';

export interface ScenarioRunsProps {
  /** The scenarios API function: it sends queued runs. */
  api: AurumFunction;
  sharedCode: SharedCodeMode;
  sharedLayer?: ILayerVersion;
  logRetention: RetentionDays;
  logLevel: string;
  /** What the worker reads: the engine's and the store's settings, as the API function has them. */
  environment: Record<string, string>;
  network?: AurumFunctionProps['network'];
  reservedConcurrency?: number;
  /** Where the alarms go. */
  alarmTopic: ITopic;
}

/** Long enough for several checkpoints; the worker hands a run on 10 s before its time runs out. */
export const WORKER_TIMEOUT = Duration.minutes(5);
/** Deliveries of a message that keeps throwing before it goes to the dead-letter queue. */
export const MAX_RECEIVES = 3;

/**
 * Scenario runs in AWS: the queue the API sends runs to (with a dead-letter queue after repeated failures),
 * the worker it feeds (functions/scenarios/worker.ts), the bus `scenario.run.finished` goes to, and alarms
 * on the dead-letter queue's depth and on runs that time out.
 */
export class ScenarioRuns extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly worker: AurumFunction;
  readonly bus: EventBus;
  readonly alarms: { deadLetters: Alarm; timedOut: Alarm };

  constructor(scope: Construct, id: string, props: ScenarioRunsProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'Queue', {
      // AWS's rule for a Lambda source: at least six times the function's timeout.
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVES },
    });
    this.bus = new EventBus(this, 'Bus', { description: 'Aurum scenario events: scenario.run.finished' });

    const runsEnvironment = {
      AURUM_SCENARIO_QUEUE_URL: this.queue.queueUrl,
      AURUM_SCENARIO_EVENT_BUS: this.bus.eventBusName,
    };
    this.worker = new AurumFunction(this, 'Worker', {
      domain: 'scenario-worker',
      entry: 'functions/scenarios/worker.ts',
      description: 'Aurum scenario run worker',
      sharedCode: props.sharedCode,
      sharedLayer: props.sharedLayer,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      timeout: WORKER_TIMEOUT,
      reservedConcurrency: props.reservedConcurrency,
      network: props.network,
      environment: { ...props.environment, ...runsEnvironment },
    });
    this.worker.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true }),
    );
    // Continuations and retries go back on the same queue.
    this.queue.grantSendMessages(this.worker);
    this.bus.grantPutEventsTo(this.worker);

    this.queue.grantSendMessages(props.api);
    props.api.addEnvironment('AURUM_SCENARIO_QUEUE_URL', this.queue.queueUrl);

    const action = new SnsAction(props.alarmTopic);
    const alarm = (alarmId: string, alarmProps: ConstructorParameters<typeof Alarm>[2]) => {
      const created = new Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    this.alarms = {
      deadLetters: alarm('DeadLettersAlarm', {
        metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: 'Scenario run messages failed every delivery and sit in the dead-letter queue',
      }),
      timedOut: alarm('TimedOutAlarm', {
        metric: new Metric({
          namespace: SCENARIO_METRICS.namespace,
          metricName: SCENARIO_METRICS.timedOut,
          dimensionsMap: { service: SCENARIO_METRICS.service },
          statistic: 'Sum',
          period: Duration.minutes(15),
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: 'Scenario runs ran past their timeout_minutes (state TIMEOUT)',
      }),
    };
  }
}
