import { Aws, CfnMapping } from 'aws-cdk-lib';
import { type ILayerVersion, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * The AWS AppConfig Agent Lambda extension for arm64, per region: AWS publishes it from one account per
 * region (`arn:aws:lambda:<region>:<account>:layer:AWS-AppConfig-Extension-Arm64:<version>`). Versions
 * move; check https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-lambda-extensions-versions.html
 * (or the public SSM parameter it names) and bump them here, or pass `aurum:appConfigExtensionArn`.
 */
export const APPCONFIG_AGENT_ARM64_LAYERS: Readonly<Record<string, string>> = {
  'us-east-1': 'arn:aws:lambda:us-east-1:027255383542:layer:AWS-AppConfig-Extension-Arm64:262',
  'us-east-2': 'arn:aws:lambda:us-east-2:728743619870:layer:AWS-AppConfig-Extension-Arm64:232',
  'us-west-1': 'arn:aws:lambda:us-west-1:958113053741:layer:AWS-AppConfig-Extension-Arm64:281',
  'us-west-2': 'arn:aws:lambda:us-west-2:359756378197:layer:AWS-AppConfig-Extension-Arm64:280',
  'ca-central-1': 'arn:aws:lambda:ca-central-1:039592058896:layer:AWS-AppConfig-Extension-Arm64:185',
  'eu-central-1': 'arn:aws:lambda:eu-central-1:066940009817:layer:AWS-AppConfig-Extension-Arm64:241',
  'eu-west-1': 'arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension-Arm64:244',
  'eu-west-2': 'arn:aws:lambda:eu-west-2:282860088358:layer:AWS-AppConfig-Extension-Arm64:201',
  'eu-west-3': 'arn:aws:lambda:eu-west-3:493207061005:layer:AWS-AppConfig-Extension-Arm64:195',
  'eu-north-1': 'arn:aws:lambda:eu-north-1:646970417810:layer:AWS-AppConfig-Extension-Arm64:229',
  'ap-northeast-1': 'arn:aws:lambda:ap-northeast-1:980059726660:layer:AWS-AppConfig-Extension-Arm64:228',
  'ap-southeast-1': 'arn:aws:lambda:ap-southeast-1:421114256042:layer:AWS-AppConfig-Extension-Arm64:213',
  'ap-southeast-2': 'arn:aws:lambda:ap-southeast-2:080788657173:layer:AWS-AppConfig-Extension-Arm64:259',
  'ap-south-1': 'arn:aws:lambda:ap-south-1:554480029851:layer:AWS-AppConfig-Extension-Arm64:235',
  'sa-east-1': 'arn:aws:lambda:sa-east-1:000010852771:layer:AWS-AppConfig-Extension-Arm64:223',
};

export interface AppConfigAgentLayerProps {
  /** A fixed ARN (another version, or a region missing from the map). */
  layerArn?: string;
}

/**
 * The agent layer for the region the stack deploys to. The stack is environment-agnostic, so the ARN is a
 * CloudFormation mapping looked up by `AWS::Region` at deploy time (a region outside the map fails the
 * deploy with a clear error), never a synth-time lookup.
 */
export class AppConfigAgentLayer extends Construct {
  readonly layer: ILayerVersion;

  constructor(scope: Construct, id: string, props: AppConfigAgentLayerProps = {}) {
    super(scope, id);
    let arn = props.layerArn;
    if (!arn) {
      const mapping = new CfnMapping(this, 'Arns', {
        mapping: Object.fromEntries(
          Object.entries(APPCONFIG_AGENT_ARM64_LAYERS).map(([r, a]) => [r, { arn: a }]),
        ),
      });
      arn = mapping.findInMap(Aws.REGION, 'arn');
    }
    this.layer = LayerVersion.fromLayerVersionArn(this, 'Layer', arn);
  }
}
