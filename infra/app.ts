import { App } from 'aws-cdk-lib';
import { AurumStack } from '#infra/aurum-stack';

/**
 * The CDK app: one environment-agnostic stack, so `cdk synth` needs no credentials, no account and no
 * lookups. The account and region come from the CLI profile at deploy time.
 */
const app = new App();
const stackName = (app.node.tryGetContext('aurum:stackName') as string | undefined) ?? 'Aurum';
new AurumStack(app, stackName, {
  description:
    'Aurum energy-market data API: HTTP API, one Lambda per domain, shared layer, secrets, AppConfig flags',
});
app.synth();
