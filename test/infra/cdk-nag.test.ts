import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AurumStack } from '#infra/aurum-stack';

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };

/** One synth with both packs (bundling skipped, as the other CDK tests do); every assertion reads it. */
let annotations: Annotations;
let template: Template;
beforeAll(() => {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  } as ConstructorParameters<typeof App>[0]);
  const stack = new AurumStack(app, 'Aurum');
  Aspects.of(app).add(new AwsSolutionsChecks());
  Aspects.of(app).add(new ServerlessChecks());
  app.synth();
  annotations = Annotations.fromStack(stack);
  template = Template.fromStack(stack);
});

const NAG_RULE = /^(AwsSolutions-|Serverless-|CdkNagValidationFailure)/;
const resources = (type: string) =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

describe('cdk-nag AwsSolutions and Serverless packs over the stack', () => {
  it('report no finding that is not fixed or acknowledged in code', () => {
    const findings = [
      ...annotations.findError('*', Match.anyValue()),
      ...annotations.findWarning('*', Match.anyValue()),
    ]
      .map((m) => `${m.id}: ${String(m.entry.data)}`)
      .filter((text) => NAG_RULE.test(text.split(': ')[1] ?? ''));
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledged = Object.values(template.toJSON().Resources as Record<string, Resource>).flatMap(
      (r) =>
        (r.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] } | undefined)
          ?.rules_to_suppress ?? [],
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const rule of acknowledged) expect(rule.reason.length, rule.id).toBeGreaterThan(20);
  });

  it('runs the functions on the latest Node.js runtime, each with its own role and no managed policy', () => {
    const functions = resources('AWS::Lambda::Function').filter(
      ([, fn]) =>
        String(
          (fn.Properties.Environment as { Variables?: Record<string, string> })?.Variables
            ?.POWERTOOLS_SERVICE_NAME ?? '',
        ).startsWith('aurum-') &&
        !String(
          (fn.Properties.Environment as { Variables?: Record<string, string> }).Variables!
            .POWERTOOLS_SERVICE_NAME,
        ).includes('store-migrations'),
    );
    expect(functions.length).toBeGreaterThanOrEqual(6);
    const roles = new Map(resources('AWS::IAM::Role'));
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs24.x');
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(roles.get(roleId)?.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('refuses publishers without TLS on the alarm topic', () => {
    const [[, policy]] = resources('AWS::SNS::TopicPolicy') as [[string, Resource]];
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('keeps what the canary schedule could not deliver, and failed asynchronous runs, in TLS-only queues', () => {
    const queues = new Map(resources('AWS::SQS::Queue'));
    const [[, rule]] = resources('AWS::Events::Rule') as [[string, Resource]];
    const [target] = rule.Properties.Targets as { DeadLetterConfig?: { Arn: { 'Fn::GetAtt': string[] } } }[];
    expect(queues.has(target!.DeadLetterConfig!.Arn['Fn::GetAtt'][0]!)).toBe(true);
    const canary = resources('AWS::Lambda::Function').find(([id]) => id.startsWith('CanaryFunction'))![1];
    const dlq = (canary.Properties.DeadLetterConfig as { TargetArn: { 'Fn::GetAtt': string[] } }).TargetArn;
    expect(queues.has(dlq['Fn::GetAtt'][0]!)).toBe(true);
    // TLS-only policies: these two, and the scenario run queue and its dead-letter queue
    expect(resources('AWS::SQS::QueuePolicy')).toHaveLength(4);
  });
});
