import { Duration, Stack } from 'aws-cdk-lib';
import {
  Application,
  type CfnEnvironment,
  ConfigurationContent,
  ConfigurationType,
  DeploymentStrategy,
  Environment,
  HostedConfiguration,
  RolloutStrategy,
} from 'aws-cdk-lib/aws-appconfig';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AppConfigAgentLayer } from './appconfig-agent-layer.ts';

export interface FeatureFlagsProps {
  /** The flag document (AWS.AppConfig.FeatureFlags format) hosted as the profile's first version. */
  flagsFile: string;
  /** How often the agent extension polls AppConfig, in seconds. */
  pollIntervalSeconds: number;
  /** 'gradual' rolls each flag change out with the linear strategy; 'all-at-once' suits a throwaway stack. */
  rollout: 'gradual' | 'all-at-once';
  appConfigExtensionArn?: string;
}

const ENVIRONMENT = 'api';
const PROFILE = 'feature-flags';

/**
 * Feature flags in AppConfig: the application, its environment, a FeatureFlags profile whose first hosted
 * version is the repository's flags file, a gradual deployment strategy (20 % more of the fleet every 2
 * minutes, then a bake time in which an alarm can still roll it back), and the agent extension that the
 * functions read it through on localhost:2772.
 */
export class FeatureFlags extends Construct {
  readonly application: Application;
  readonly environment: Environment;
  readonly profile: HostedConfiguration;
  readonly gradualStrategy: DeploymentStrategy;
  readonly agentLayer: AppConfigAgentLayer;
  private readonly pollIntervalSeconds: number;

  constructor(scope: Construct, id: string, props: FeatureFlagsProps) {
    super(scope, id);
    this.pollIntervalSeconds = props.pollIntervalSeconds;
    this.application = new Application(this, 'Application', {
      applicationName: Stack.of(this).stackName,
      description: 'Aurum energy-market data API',
    });
    this.environment = new Environment(this, 'Environment', {
      application: this.application,
      environmentName: ENVIRONMENT,
      description: 'The flags the deployed API functions read',
    });
    this.gradualStrategy = new DeploymentStrategy(this, 'Gradual', {
      description: 'Linear: 20 % of the fleet every 2 minutes, then 5 minutes of bake time',
      rolloutStrategy: RolloutStrategy.linear({
        growthFactor: 20,
        deploymentDuration: Duration.minutes(10),
        finalBakeTime: Duration.minutes(5),
      }),
    });
    const firstRollout =
      props.rollout === 'gradual'
        ? this.gradualStrategy
        : new DeploymentStrategy(this, 'AllAtOnce', {
            description: 'Everything at once, no bake: for throwaway stacks only',
            rolloutStrategy: RolloutStrategy.linear({
              growthFactor: 100,
              deploymentDuration: Duration.minutes(0),
            }),
          });
    this.profile = new HostedConfiguration(this, 'Profile', {
      application: this.application,
      name: PROFILE,
      description: 'Kill switches and rollouts of the API routes (see infra/flags/flags.json)',
      type: ConfigurationType.FEATURE_FLAGS,
      content: ConfigurationContent.fromFile(props.flagsFile, 'application/json'),
      deploymentStrategy: firstRollout,
      deployTo: [this.environment],
    });
    this.agentLayer = new AppConfigAgentLayer(this, 'Agent', { layerArn: props.appConfigExtensionArn });
  }

  /** The profile's data-plane ARN: reads are granted on this one configuration, nothing wider. */
  get configurationArn(): string {
    return Stack.of(this).formatArn({
      service: 'appconfig',
      resource: 'application',
      resourceName: `${this.application.applicationId}/environment/${this.environment.environmentId}/configuration/${this.profile.configurationProfileId}`,
    });
  }

  /**
   * Adds the agent extension, the settings lib/flags reads, and read access to the flag profile. The agent
   * is given ids, not names: two stacks in one account may both call their application "Aurum".
   */
  bind(fn: LambdaFunction): void {
    fn.addLayers(this.agentLayer.layer);
    const poll = String(this.pollIntervalSeconds);
    const application = this.application.applicationId;
    const environment = this.environment.environmentId;
    const profile = this.profile.configurationProfileId;
    fn.addEnvironment('AURUM_APPCONFIG_APPLICATION', application);
    fn.addEnvironment('AURUM_APPCONFIG_ENVIRONMENT', environment);
    fn.addEnvironment('AURUM_APPCONFIG_PROFILE', profile);
    fn.addEnvironment('AURUM_FLAGS_POLL_SECONDS', poll);
    fn.addEnvironment('AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS', poll);
    // The agent fetches the profile while the function initialises, so the first request finds it cached.
    fn.addEnvironment(
      'AWS_APPCONFIG_EXTENSION_PREFETCH_LIST',
      `/applications/${application}/environments/${environment}/configurations/${profile}`,
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
        resources: [this.configurationArn],
      }),
    );
  }

  /**
   * Attaches alarms as the environment's monitors: while a deployment runs or bakes, any of them going
   * into ALARM makes AppConfig roll the flags back to the previous version. AppConfig reads their state
   * through a role that may describe these alarms and nothing else.
   */
  rollBackOn(alarms: readonly IAlarm[]): Role {
    const role = new Role(this, 'MonitorRole', {
      assumedBy: new ServicePrincipal('appconfig.amazonaws.com'),
      description: 'Lets AppConfig read the alarms that roll a bad flag deployment back',
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: alarms.map((alarm) => alarm.alarmArn),
      }),
    );
    (this.environment.node.defaultChild as CfnEnvironment).monitors = alarms.map((alarm) => ({
      alarmArn: alarm.alarmArn,
      alarmRoleArn: role.roleArn,
    }));
    return role;
  }
}
