import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { curvesDomain } from '#functions/curves/routes';
import { healthDomain } from '#functions/health/routes';
import { registry } from '#functions/registry';
import { SCENARIO_METRICS } from '#functions/scenarios/metric-names';
import { AurumStack } from '#infra/aurum-stack';
import { RouteRegistry } from '#lib/http/registry';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Json = Record<string, unknown>;

function synth(routes: RouteRegistry = registry) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  return Template.fromStack(new AurumStack(app, 'Aurum', { registry: routes }));
}

let template: Template;
let resources: [string, Resource][];
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const serviceOf = (fn: Resource) =>
  (fn.Properties.Environment as { Variables?: Json } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME;
const fnOf = (service: string) =>
  ofType('AWS::Lambda::Function').find(([, fn]) => serviceOf(fn) === service)!;
const getAtt = (v: unknown) => (v as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const statementsOf = (fn: Resource): Json[] => {
  const role = getAtt(fn.Properties.Role);
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
};
const actions = (statements: Json[]) => statements.flatMap((s) => [s.Action].flat().map(String));

beforeAll(() => {
  template = synth();
  resources = Object.entries(template.toJSON().Resources as Record<string, Resource>);
});

describe('scenario runs in AWS', () => {
  it('feeds the worker from a TLS-only queue with a dead-letter queue after three deliveries', () => {
    const queues = ofType('AWS::SQS::Queue').filter(([id]) => id.startsWith('ScenarioRuns'));
    const [[dlqId]] = queues.filter(([id]) => id.startsWith('ScenarioRunsDeadLetters')) as [
      [string, Resource],
    ];
    const [[queueId, queue]] = queues.filter(([id]) => id.startsWith('ScenarioRunsQueue')) as [
      [string, Resource],
    ];
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 3,
    });
    const [, worker] = fnOf('aurum-scenario-worker');
    // at least six times the worker's timeout, as AWS asks of a Lambda source
    expect(Number(queue.Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(
      6 * Number(worker.Properties.Timeout),
    );
    const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) =>
      JSON.stringify(p.Properties.Queues).match(new RegExp(`${queueId}|${dlqId}`)),
    );
    expect(policies).toHaveLength(2);
    for (const [, p] of policies)
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('aws:SecureTransport');

    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs the worker entry in the VPC with the store, the queue and the bus, after the migrations', () => {
    const [workerId, worker] = fnOf('aurum-scenario-worker');
    const variables = (worker.Properties.Environment as { Variables: Json }).Variables;
    expect(variables.AURUM_SCENARIO_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^ScenarioRunsQueue/) });
    expect(variables.AURUM_SCENARIO_EVENT_BUS).toEqual({ Ref: expect.stringMatching(/^ScenarioRunsBus/) });
    expect(JSON.stringify(variables.AURUM_STORE_URL)).toMatch(/postgres:\/\//);
    expect(variables.AURUM_TRINO_URL).toBeDefined();
    expect(worker.Properties.VpcConfig).toBeDefined();
    expect(worker.Properties.Timeout).toBe(300);
    expect(worker.Properties.Description).toContain('scenario run worker');
    const [triggerId] = ofType('Custom::Trigger')[0]!;
    expect(resources.find(([id]) => id === workerId)![1].DependsOn).toContain(triggerId);

    const granted = actions(statementsOf(worker));
    expect(granted).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:SendMessage', 'events:PutEvents']),
    );
    expect(granted).toContain('secretsmanager:GetSecretValue');
  });

  it('lets the scenarios API send runs, and nothing else of the queue', () => {
    const [, api] = fnOf('aurum-scenarios');
    const variables = (api.Properties.Environment as { Variables: Json }).Variables;
    expect(variables.AURUM_SCENARIO_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^ScenarioRunsQueue/) });
    const granted = actions(statementsOf(api)).filter((a) => a.startsWith('sqs:') || a.startsWith('events:'));
    expect(granted).toContain('sqs:SendMessage');
    expect(granted).not.toContain('sqs:ReceiveMessage');
    expect(granted).not.toContain('events:PutEvents');
    // other domains cannot reach the queue
    const [, curves] = fnOf('aurum-curves');
    expect(actions(statementsOf(curves)).filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('publishes to its own event bus', () => {
    const buses = ofType('AWS::Events::EventBus');
    expect(buses).toHaveLength(1);
    const [, worker] = fnOf('aurum-scenario-worker');
    const put = statementsOf(worker).find((s) => [s.Action].flat().includes('events:PutEvents'))!;
    expect(put.Resource).toEqual({ 'Fn::GetAtt': [buses[0]![0], 'Arn'] });
  });

  it('alarms on the dead-letter queue’s depth and on timed-out runs, to the alarm topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const [[topicId]] = ofType('AWS::SNS::Topic') as [[string, Resource]];
    const dlq = alarms.find((a) => String(a.AlarmDescription).includes('dead-letter queue'))!;
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
    expect(JSON.stringify(dlq.Dimensions)).toContain('ScenarioRunsDeadLetters');
    const timedOut = alarms.find((a) => String(a.AlarmDescription).includes('timeout_minutes'))!;
    expect(timedOut).toMatchObject({
      Namespace: SCENARIO_METRICS.namespace,
      MetricName: SCENARIO_METRICS.timedOut,
      Dimensions: [{ Name: 'service', Value: SCENARIO_METRICS.service }],
      Statistic: 'Sum',
      Threshold: 1,
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
    // The worker's documents are named after its function: the alarm reads that very service.
    const [, worker] = fnOf(SCENARIO_METRICS.service);
    expect(serviceOf(worker)).toBe(SCENARIO_METRICS.service);
  });

  it('builds none of it for a registry without the scenarios domain', () => {
    const without = new RouteRegistry().add(healthDomain, curvesDomain);
    const json = JSON.stringify(synth(without).toJSON());
    expect(json).not.toContain('ScenarioRuns');
    expect(json).not.toContain('AWS::Events::EventBus');
  });
});
