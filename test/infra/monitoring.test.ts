import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CANARY_METRICS, PROBE_NAMES } from '#functions/canary/metric-names';
import { recordProbeMetrics } from '#functions/canary/metrics';
import {
  AurumMonitoring,
  type AurumMonitoringProps,
  MONITORING_DEFAULTS,
} from '#infra/constructs/monitoring';
import { PowertoolsCacheMetrics } from '#lib/cache/metrics';
import { MetricsBuffer } from '#lib/observability/metrics';
import { captureStdout, describeEmf } from '#test/support/emf';

/** A metric as CloudWatch identifies it: namespace, name and the exact set of dimensions with values. */
const metricKey = (namespace: string, name: string, dimensions: Array<{ Name: string; Value: unknown }>) =>
  JSON.stringify([namespace, name, dimensions.map((d) => `${d.Name}=${String(d.Value)}`).sort()]);

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
    expect(new Set(stats.map((m) => m.Metric.MetricName))).toEqual(
      new Set(
        MONITORING_DEFAULTS.cacheScopes.flatMap((scope) => [`CacheHits.${scope}`, `CacheMisses.${scope}`]),
      ),
    );
    expect(stats.every((m) => m.Metric.Namespace === 'Aurum')).toBe(true);
    for (const m of stats) expect(m.Metric.Dimensions).toEqual([{ Name: 'service', Value: 'aurum-curves' }]);
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
    expect(stats.map((m) => m.Metric.MetricName)).toEqual(PROBE_NAMES.map((p) => `CanaryProbeSuccess.${p}`));
    expect(stats.every((m) => m.Stat === 'Minimum')).toBe(true);
    for (const m of stats) expect(m.Metric.Dimensions).toEqual([{ Name: 'service', Value: 'aurum-canary' }]);

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
      MetricName: 'CanaryProbeLatency.data-path',
      Namespace: 'Aurum',
      Statistic: 'Maximum',
      Threshold: 1_000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: 'aurum-canary' }]);
  });

  it('alarms only on metrics the code emits, under exactly the dimensions of its EMF documents', () => {
    // What the counters write for the alarmed scopes and for a canary run, captured where CloudWatch reads it.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const stdout = captureStdout();
    try {
      const curves = new MetricsBuffer({ serviceName: MONITORING_DEFAULTS.cacheMetricsService });
      const cache = new PowertoolsCacheMetrics(curves);
      for (const scope of MONITORING_DEFAULTS.cacheScopes) {
        cache.cacheEvent(scope, 'hit');
        cache.cacheEvent(scope, 'miss');
      }
      curves.flush();
      const canary = new MetricsBuffer({ serviceName: CANARY_METRICS.service });
      recordProbeMetrics(
        PROBE_NAMES.map((name) => ({ name, ok: true, latencyMs: 5 })),
        canary,
      );
      canary.flush();
      const emitted = new Set(
        stdout.documents().flatMap((doc) => {
          const { namespace, names, dimensions } = describeEmf(doc);
          return dimensions.flatMap((set) =>
            names.map((name) =>
              metricKey(
                namespace,
                name,
                set.map((d) => ({ Name: d, Value: doc[d] })),
              ),
            ),
          );
        }),
      );

      const watched = alarms(defaultStack().template).flatMap(({ Properties: alarm }) => [
        ...(alarm.MetricName
          ? [{ Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions }]
          : []),
        ...(alarm.Metrics ? metricStats(alarm).map((m) => m.Metric) : []),
      ]) as Array<{
        Namespace: string;
        MetricName: string;
        Dimensions: Array<{ Name: string; Value: unknown }>;
      }>;
      const ours = watched.filter((m) => m.Namespace === 'Aurum');
      // The miss rate (10), the canary probes (8) and the data path (1).
      expect(ours).toHaveLength(2 * MONITORING_DEFAULTS.cacheScopes.length + PROBE_NAMES.length + 1);
      for (const m of ours) {
        expect(emitted, m.MetricName).toContain(metricKey(m.Namespace, m.MetricName, m.Dimensions));
      }
    } finally {
      stdout.restore();
      vi.unstubAllEnvs();
    }
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
      "SEARCH('{Aurum,service} FlagEvaluations'",
      "SEARCH('{Aurum,service} CacheHits'",
      'CanaryProbeSuccess.ready',
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
