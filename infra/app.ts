import { App } from 'aws-cdk-lib';
import { AurumStack } from '#infra/aurum-stack';

/**
 * The CDK app: one environment-agnostic stack, so `cdk synth` needs no credentials, no account and no
 * lookups. The account and region come from the CLI profile at deploy time. Importing a VPC
 * (`-c aurum:vpcId=vpc-…`) is a lookup, so then the stack takes the CLI's account and region.
 */
const app = new App();
const stackName = (app.node.tryGetContext('aurum:stackName') as string | undefined) ?? 'Aurum';
const lookups = Boolean(app.node.tryGetContext('aurum:vpcId'));
new AurumStack(app, stackName, {
  ...(lookups
    ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }
    : {}),
  description:
    'Aurum energy-market data API: HTTP API, one Lambda per domain, shared layer, secrets, AppConfig flags, app store',
});
app.synth();
