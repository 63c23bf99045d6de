import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CANARY_METRICS,
  DATA_PATH_PROBE,
  PROBE_NAMES,
  probeLatencyMetric,
  probeSuccessMetric,
} from '#functions/canary/metric-names';
import { registry } from '#functions/registry';
import {
  CACHE_EVENT_METRICS,
  type CacheEvent,
  cacheEventMetric,
  FLAG_METRICS,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
  serviceOf,
} from '#lib/observability/metric-names';

export interface MonitoredRoute {
  method: string;
  /** The route's path template as API Gateway knows it, e.g. `/v1/curves`. */
  path: string;
  domain: string;
}

export interface AurumMonitoringProps {
  /** The scheduled canary function (functions/canary/handler.ts). */
  canary: IFunction;
  /** The domain functions by domain name, for their errors and durations on the dashboard. */
  functions: Readonly<Record<string, IFunction>> | ReadonlyMap<string, IFunction>;
  httpApi: IHttpApi;
  /** Default `$default`. */
  stageName?: string;
  /** Normal p95 latency of the API; the alarm fires at 20 % above it. Default 500 ms. */
  latencyP95BaselineMs?: number;
  /** Normal cache miss rate; the alarm fires 10 points above it. Default 20 %. */
  cacheMissRateBaselinePercent?: number;
  /** How often the canary runs. Default 5 minutes. */
  scheduleMinutes?: number;
  /** Cache scopes the miss-rate alarm sums (at most 5: an alarm reads at most 10 metrics). */
  cacheScopes?: readonly string[];
  /** The `service` the cache scopes are counted under: the function serving them (default `aurum-curves`). */
  cacheMetricsService?: string;
  /** Routes on the dashboard and, with domain `health`, in the health 5xx alarm. Default: the registry. */
  routes?: readonly MonitoredRoute[];
  /** Where alarms go; default a new topic. */
  alarmTopic?: ITopic;
  dashboardName?: string;
}

export const MONITORING_DEFAULTS = {
  stageName: '$default',
  latencyP95BaselineMs: 500,
  cacheMissRateBaselinePercent: 20,
  scheduleMinutes: 5,
  cacheScopes: ['curves', 'curves-diff', 'curves-strips', 'curves-v2', 'metadata'],
  cacheMetricsService: serviceOf('curves'),
} as const;

/** CloudWatch alarms evaluate at most this many metrics in one math expression. */
const MAX_ALARM_METRICS = 10;
const FIVE_MINUTES = Duration.minutes(5);

export interface AurumAlarms {
  latencyP95: Alarm;
  /** The canary's uncached query, end to end: the data store seen through the whole API. */
  dataPathLatency: Alarm;
  errorRate: Alarm;
  cacheMissRate: Alarm;
  canaryProbes: Alarm;
  canaryErrors: Alarm;
  health5xx: Alarm;
}

/**
 * Monitoring of the API, from the guide's thresholds: p95 latency 20 % over baseline, 5xx above 5 %,
 * cache miss rate 10 points over baseline, a failing canary, any 5xx on a health route. Every alarm
 * notifies one SNS topic; a dashboard shows latency per route, error rates, cache and flags.
 */
export class AurumMonitoring extends Construct {
  readonly topic: ITopic;
  readonly schedule: Rule;
  readonly alarms: AurumAlarms;
  /** Canary runs the schedule could not start. */
  readonly scheduleDeadLetters: Queue;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: AurumMonitoringProps) {
    super(scope, id);
    const stage = props.stageName ?? MONITORING_DEFAULTS.stageName;
    const latencyBaseline = positive(
      props.latencyP95BaselineMs ?? MONITORING_DEFAULTS.latencyP95BaselineMs,
      'latencyP95BaselineMs',
    );
    // Twice the API's p95 baseline: one uncached query of one empty page should never take that long.
    const dataPathThreshold = 2 * latencyBaseline;
    const missBaseline =
      props.cacheMissRateBaselinePercent ?? MONITORING_DEFAULTS.cacheMissRateBaselinePercent;
    if (!(missBaseline >= 0 && missBaseline <= 90))
      throw new RangeError('cacheMissRateBaselinePercent must be between 0 and 90');
    const minutes = props.scheduleMinutes ?? MONITORING_DEFAULTS.scheduleMinutes;
    if (!Number.isInteger(minutes) || minutes < 1)
      throw new RangeError('scheduleMinutes must be a whole number ≥ 1');
    const scopes = props.cacheScopes ?? MONITORING_DEFAULTS.cacheScopes;
    if (scopes.length === 0 || scopes.length * 2 > MAX_ALARM_METRICS)
      throw new RangeError('cacheScopes must name 1 to 5 scopes');
    const routes = props.routes ?? registry.routes;
    const healthRoutes = routes.filter((r) => r.domain === 'health');
    if (healthRoutes.length === 0 || healthRoutes.length > MAX_ALARM_METRICS)
      throw new RangeError('routes must hold 1 to 10 health routes');

    // enforceSSL: the topic's policy refuses publishers that do not use TLS.
    this.topic =
      props.alarmTopic ??
      new Topic(this, 'AlarmTopic', { displayName: 'Aurum API alarms', enforceSSL: true });
    // Schedule deliveries EventBridge could not hand to the canary (throttled, deleted) land here.
    this.scheduleDeadLetters = new Queue(this, 'CanaryScheduleDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });

    this.schedule = new Rule(this, 'CanarySchedule', {
      description: 'Runs the Aurum canary: deep checks and end-to-end API probes',
      schedule: Schedule.rate(Duration.minutes(minutes)),
      targets: [
        new LambdaFunction(props.canary, { retryAttempts: 0, deadLetterQueue: this.scheduleDeadLetters }),
      ],
    });

    const api = { ApiId: props.httpApi.apiId, Stage: stage };
    const apiMetric = (
      metricName: string,
      statistic: string,
      period = FIVE_MINUTES,
      extra: Record<string, string> = {},
    ) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ...api, ...extra },
        statistic,
        period,
      });
    const routeMetric = (route: MonitoredRoute, metricName: string, statistic: string) =>
      apiMetric(metricName, statistic, FIVE_MINUTES, { Method: route.method, Resource: route.path });

    const errorRate = new MathExpression({
      label: '5xx rate (%)',
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: apiMetric('5xx', 'Sum'), requests: apiMetric('Count', 'Sum') },
      period: FIVE_MINUTES,
    });
    const clientErrorRate = new MathExpression({
      label: '4xx rate (%)',
      expression: 'IF(requests > 0, 100 * clientErrors / requests, 0)',
      usingMetrics: { clientErrors: apiMetric('4xx', 'Sum'), requests: apiMetric('Count', 'Sum') },
      period: FIVE_MINUTES,
    });

    // What lib/cache counts: `CacheHits.<scope>` … with the one dimension `service` (lib/observability).
    const cacheMetric = (event: CacheEvent, scope: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: cacheEventMetric(event, scope),
        dimensionsMap: {
          [SERVICE_DIMENSION]: props.cacheMetricsService ?? MONITORING_DEFAULTS.cacheMetricsService,
        },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    // Metric ids must be unique across nested expressions, hence the per-metric prefix.
    const sumOf = (label: string, event: CacheEvent, prefix: string) =>
      new MathExpression({
        label,
        expression: `SUM([${scopes.map((_, i) => `FILL(${prefix}${i}, 0)`).join(', ')}])`,
        usingMetrics: Object.fromEntries(
          scopes.map((scope, i) => [`${prefix}${i}`, cacheMetric(event, scope)]),
        ),
        period: FIVE_MINUTES,
      });
    const cacheMissRate = new MathExpression({
      label: 'Cache miss rate (%)',
      expression: 'IF(hits + misses > 0, 100 * misses / (hits + misses), 0)',
      usingMetrics: {
        hits: sumOf('hits', 'hit', 'hit'),
        misses: sumOf('misses', 'miss', 'miss'),
      },
      period: FIVE_MINUTES,
    });

    const canaryPeriod = Duration.minutes(2 * minutes);
    // One document per canary run: the probe is in the metric name, `service` the only dimension.
    const probeMetric = (metricName: string, statistic: string, period = canaryPeriod) =>
      new Metric({
        namespace: CANARY_METRICS.namespace,
        metricName,
        dimensionsMap: { [SERVICE_DIMENSION]: CANARY_METRICS.service },
        statistic,
        period,
      });
    const canarySuccess = new MathExpression({
      label: 'Worst probe (1 = all passed)',
      expression: `MIN([${PROBE_NAMES.map((_, i) => `p${i}`).join(', ')}])`,
      usingMetrics: Object.fromEntries(
        PROBE_NAMES.map((probe, i) => [`p${i}`, probeMetric(probeSuccessMetric(probe), 'Minimum')]),
      ),
      period: canaryPeriod,
    });

    const health5xx = new MathExpression({
      label: 'Health route 5xx',
      expression: `SUM([${healthRoutes.map((_, i) => `FILL(h${i}, 0)`).join(', ')}])`,
      usingMetrics: Object.fromEntries(
        healthRoutes.map((route, i) => [`h${i}`, routeMetric(route, '5xx', 'Sum')]),
      ),
      period: FIVE_MINUTES,
    });

    const action = new SnsAction(this.topic);
    const alarm = (id: string, metric: IMetric, options: AlarmOptions) => {
      const created = new Alarm(this, id, {
        metric,
        threshold: options.threshold,
        comparisonOperator: options.comparison,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.datapointsToAlarm ?? options.evaluationPeriods ?? 1,
        treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
        alarmDescription: options.description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };

    this.alarms = {
      latencyP95: alarm('LatencyP95Alarm', apiMetric('Latency', 'p95'), {
        threshold: Math.round(latencyBaseline * 1.2),
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: `API p95 latency is more than 20 % above its ${latencyBaseline} ms baseline (2 of 3 five-minute periods).`,
      }),
      errorRate: alarm('ErrorRateAlarm', errorRate, {
        threshold: 5,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'More than 5 % of API requests answered 5xx over five minutes.',
      }),
      cacheMissRate: alarm('CacheMissRateAlarm', cacheMissRate, {
        threshold: missBaseline + 10,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        description: `Cache miss rate over ${scopes.join(', ')} is more than 10 points above its ${missBaseline} % baseline for 15 minutes.`,
      }),
      canaryProbes: alarm('CanaryProbeAlarm', canarySuccess, {
        threshold: 1,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        // No canary data for two schedule periods means the canary is not running: that is a failure too.
        missing: TreatMissingData.BREACHING,
        description: `A canary probe failed, or the canary reported nothing, within ${2 * minutes} minutes.`,
      }),
      dataPathLatency: alarm(
        'DataPathLatencyAlarm',
        probeMetric(probeLatencyMetric(DATA_PATH_PROBE), 'Maximum'),
        {
          threshold: dataPathThreshold,
          comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          description: `The canary's uncached query (data-path probe) took more than ${dataPathThreshold} ms end to end in 2 of 3 runs: the data store is slow.`,
        },
      ),
      canaryErrors: alarm(
        'CanaryErrorsAlarm',
        props.canary.metricErrors({ period: canaryPeriod, statistic: 'Sum' }),
        {
          threshold: 1,
          comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description:
            'The canary invocation failed (a probe failed, or the canary itself crashed or timed out).',
        },
      ),
      health5xx: alarm('Health5xxAlarm', health5xx, {
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description:
          'A health route (/health, /ready …) answered 5xx: a dependency is failing readiness, or the health function is broken.',
      }),
    };

    this.dashboard = new Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API error rates (%)', left: [errorRate, clientErrorRate], width: 8 }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: ['p50', 'p95', 'p99'].map((p) => apiMetric('Latency', p).with({ label: p })),
        leftAnnotations: [{ value: Math.round(latencyBaseline * 1.2), label: 'p95 alarm' }],
        width: 8,
      }),
      new GraphWidget({
        title: 'API requests',
        left: [apiMetric('Count', 'Sum').with({ label: 'requests' })],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      ...routes.map(
        (route) =>
          new GraphWidget({
            title: `${route.method} ${route.path} latency (ms)`,
            left: ['p50', 'p95', 'p99'].map((p) => routeMetric(route, 'Latency', p).with({ label: p })),
            width: 8,
            height: 5,
          }),
      ),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Cache hit ratio, all scopes (%)', left: [cacheHitRatio()], width: 8 }),
      new GraphWidget({ title: 'Cache miss rate, alarmed scopes (%)', left: [cacheMissRate], width: 8 }),
      new GraphWidget({
        title: 'Flag evaluations',
        left: [
          new MathExpression({
            label: '',
            // Every function counts the flags it evaluates, under its own `service`.
            expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION}} ${FLAG_METRICS.evaluations}', 'Sum', 300)`,
            usingMetrics: {},
            period: FIVE_MINUTES,
          }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Canary probes (1 = pass)',
        left: PROBE_NAMES.map((probe) =>
          probeMetric(probeSuccessMetric(probe), 'Minimum', FIVE_MINUTES).with({ label: probe }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Canary probe latency (ms)',
        left: PROBE_NAMES.map((probe) =>
          probeMetric(probeLatencyMetric(probe), 'Maximum', FIVE_MINUTES).with({ label: probe }),
        ),
        width: 12,
      }),
    );
    const functions = props.functions instanceof Map ? [...props.functions] : Object.entries(props.functions);
    if (functions.length > 0) {
      this.dashboard.addWidgets(
        new GraphWidget({
          title: 'Function errors',
          left: functions.map(([domain, fn]) => fn.metricErrors({ period: FIVE_MINUTES, label: domain })),
          width: 12,
        }),
        new GraphWidget({
          title: 'Function duration p95 (ms)',
          left: functions.map(([domain, fn]) =>
            fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p95', label: domain }),
          ),
          width: 12,
        }),
      );
    }
  }
}

interface AlarmOptions {
  threshold: number;
  comparison: ComparisonOperator;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  missing?: TreatMissingData;
  description: string;
}

/**
 * Over every scope and function lib/cache reports, found by search (dashboards may search; alarms may
 * not): the term matches the `CacheHits` token of `CacheHits.<scope>`.
 */
function cacheHitRatio(): MathExpression {
  const search = (metricName: string) =>
    new MathExpression({
      label: metricName,
      expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION}} ${metricName}', 'Sum', 300)`,
      usingMetrics: {},
      period: FIVE_MINUTES,
    });
  return new MathExpression({
    label: 'hit ratio (%)',
    expression: 'IF(SUM(hits) + SUM(misses) > 0, 100 * SUM(hits) / (SUM(hits) + SUM(misses)), 0)',
    usingMetrics: { hits: search(CACHE_EVENT_METRICS.hit), misses: search(CACHE_EVENT_METRICS.miss) },
    period: FIVE_MINUTES,
  });
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new RangeError(`${name} must be positive`);
  return value;
}
