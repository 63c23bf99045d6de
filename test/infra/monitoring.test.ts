import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROBE_NAMES } from '#functions/canary/metric-names';
import { AurumMonitoring, type AurumMonitoringProps } from '#infra/constructs/monitoring';

function monitoredStack(props: Partial<AurumMonitoringProps> = {}) {
  const stack = new Stack(new App(), 'MonitoringTest', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const fn = (id: string) =>
    new LambdaFunction(stack, id, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    });
  const canary = fn('Canary');
  const httpApi = new HttpApi(stack, 'Api');
  const monitoring = new AurumMonitoring(stack, 'Monitoring', {
    canary,
    functions: { health: fn('Health'), curves: fn('Curves') },
    httpApi,
    ...props,
  });
  return { stack, canary, httpApi, monitoring, template: Template.fromStack(stack) };
}

/** Synthesis is slow (the first loads aws-cdk-lib): the default configuration is built once, before the tests. */
let defaults: ReturnType<typeof monitoredStack>;
beforeAll(() => {
  defaults = monitoredStack();
});
const defaultStack = () => defaults;

type Resource = { Properties: Record<string, unknown> };
const alarms = (template: Template) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
const alarmDescribed = (template: Template, text: string) => {
  const found = alarms(template).filter((a) => String(a.Properties.AlarmDescription).includes(text));
  expect(found).toHaveLength(1);
  return found[0]!.Properties;
};
/** The expression of the metric-math entry that feeds the alarm (ReturnData true). */
const returned = (alarm: Record<string, unknown>) =>
  (alarm.Metrics as Array<{ Expression?: string; ReturnData?: boolean }>).find(
    (m) => m.ReturnData !== false,
  )!;
const metricStats = (alarm: Record<string, unknown>) =>
  (
    alarm.Metrics as Array<{
      MetricStat?: {
        Metric: {
          MetricName: string;
          Namespace: string;
          Dimensions: Array<{ Name: string; Value: unknown }>;
        };
        Stat: string;
      };
    }>
  )
    .filter((m) => m.MetricStat)
    .map((m) => m.MetricStat!);

describe('AurumMonitoring', () => {
  it('runs the canary every 5 minutes by default', () => {
    const { template, stack, canary } = defaultStack();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: stack.resolve(canary.functionArn) })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: stack.resolve(canary.functionArn),
    });
  });

  it('takes another schedule', () => {
    monitoredStack({ scheduleMinutes: 15 }).template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
    });
  });

  it('alarms when p95 latency is more than 20 % above the baseline', () => {
    const { template, stack, httpApi } = monitoredStack({ latencyP95BaselineMs: 250 });
    const alarm = alarmDescribed(template, 'p95 latency');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p95',
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ApiId', Value: stack.resolve(httpApi.apiId) },
        { Name: 'Stage', Value: '$default' },
      ]),
    );
  });

  it('alarms when more than 5 % of requests answer 5xx', () => {
    const alarm = alarmDescribed(defaultStack().template, '5 % of API requests');
    expect(alarm).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
    expect(returned(alarm).Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    expect(
      metricStats(alarm)
        .map((m) => [m.Metric.MetricName, m.Stat])
        .sort(),
    ).toEqual([
      ['5xx', 'Sum'],
      ['Count', 'Sum'],
    ]);
  });

  it('alarms when the cache miss rate is more than 10 points above the baseline, over the cache metrics', () => {
    const alarm = alarmDescribed(
      monitoredStack({ cacheMissRateBaselinePercent: 15 }).template,
      'Cache miss rate',
    );
    expect(alarm).toMatchObject({
      Threshold: 25,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
    });
    expect(returned(alarm).Expression).toBe('IF(hits + misses > 0, 100 * misses / (hits + misses), 0)');
    const stats = metricStats(alarm);
    expect(stats).toHaveLength(10);
    expect(new Set(stats.map((m) => m.Metric.MetricName))).toEqual(new Set(['CacheHits', 'CacheMisses']));
    expect(stats.every((m) => m.Metric.Namespace === 'Aurum')).toBe(true);
    expect(stats[0]!.Metric.Dimensions).toEqual(
      expect.arrayContaining([{ Name: 'service', Value: 'aurum-api' }]),
    );
  });

  it('alarms when any canary probe fails or reports nothing, and when the canary invocation fails', () => {
    const { template, stack, canary } = defaultStack();
    const probes = alarmDescribed(template, 'canary probe failed');
    expect(probes).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    const stats = metricStats(probes);
    expect(stats.map((m) => m.Metric.Dimensions.find((d) => d.Name === 'probe')!.Value)).toEqual([
      ...PROBE_NAMES,
    ]);
    expect(stats.every((m) => m.Metric.MetricName === 'CanaryProbeSuccess' && m.Stat === 'Minimum')).toBe(
      true,
    );
    expect(stats[0]!.Metric.Dimensions).toContainEqual({ Name: 'service', Value: 'aurum-canary' });

    const errors = alarmDescribed(template, 'canary invocation failed');
    expect(errors).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(canary.functionName) }],
    });
  });

  it('alarms on any 5xx of a health route', () => {
    const alarm = alarmDescribed(defaultStack().template, 'health route');
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const resources = metricStats(alarm).map(
      (m) => m.Metric.Dimensions.find((d) => d.Name === 'Resource')!.Value,
    );
    expect(resources).toEqual(
      expect.arrayContaining(['/health', '/healthz', '/health/live', '/live', '/livez', '/ready', '/readyz']),
    );
    expect(metricStats(alarm).every((m) => m.Metric.MetricName === '5xx')).toBe(true);
  });

  it('alarms on the latency of the canary probe that reaches the data store', () => {
    const alarm = alarmDescribed(defaultStack().template, 'data-path probe');
    expect(alarm).toMatchObject({
      MetricName: 'CanaryProbeLatency',
      Namespace: 'Aurum',
      Statistic: 'Maximum',
      Threshold: 1_000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'probe', Value: 'data-path' },
        { Name: 'service', Value: 'aurum-canary' },
      ]),
    );
  });

  it('sends every alarm, and its recovery, to the SNS topic', () => {
    const { template } = defaultStack();
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const all = alarms(template);
    expect(all).toHaveLength(7);
    for (const alarm of all) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topics[0] }]);
    }
  });

  it('builds a dashboard with latency percentiles per route, error rates, cache hit ratio, flags and the canary', () => {
    const { template } = defaultStack();
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const text of [
      'GET /v1/curves latency',
      'GET /ready latency',
      'p50',
      'p95',
      'p99',
      '5xx rate',
      'Cache hit ratio',
      'FlagEvaluations',
      'CanaryProbeSuccess',
      'Function errors',
    ]) {
      expect(body).toContain(text);
    }
  });

  it('synthesizes without warnings', () => {
    const { stack } = defaultStack();
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('refuses settings an alarm cannot express', () => {
    expect(() => monitoredStack({ scheduleMinutes: 0 })).toThrow('scheduleMinutes');
    expect(() => monitoredStack({ latencyP95BaselineMs: 0 })).toThrow('latencyP95BaselineMs');
    expect(() => monitoredStack({ cacheScopes: ['a', 'b', 'c', 'd', 'e', 'f'] })).toThrow('cacheScopes');
  });
});
