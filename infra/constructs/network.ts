import {
  InterfaceVpcEndpointAwsService,
  type IVpc,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface AurumNetworkProps {
  /** `aurum:vpcId`: an existing VPC to import (looked up at synth; the stack needs an account and region). */
  vpcId?: string;
}

/**
 * Where the app store lives and what reaches it: an imported VPC, or a new one with public subnets for one
 * NAT gateway (the functions' way out to Upstash and the JWKS), private subnets with egress for the
 * functions, the proxy and the database, and a Secrets Manager interface endpoint so reading credentials
 * never leaves the VPC.
 */
export class AurumNetwork extends Construct {
  readonly vpc: IVpc;
  /** Where functions, the proxy and the cluster go. */
  readonly privateSubnets: SubnetSelection = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
  readonly imported: boolean;
  /** Functions that reach the query engine but not the store: outbound only, admitted by nothing here. */
  readonly functionSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: AurumNetworkProps = {}) {
    super(scope, id);
    this.imported = props.vpcId !== undefined;
    if (props.vpcId !== undefined) {
      this.vpc = Vpc.fromLookup(this, 'Vpc', { vpcId: props.vpcId });
      this.functionSecurityGroup = this.functionGroup();
      return;
    }
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // Nothing uses the default security group; restricting it would add a custom-resource Lambda.
      restrictDefaultSecurityGroup: false,
    });
    vpc.addInterfaceEndpoint('SecretsManager', {
      service: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: this.privateSubnets,
      privateDnsEnabled: true,
    });
    this.vpc = vpc;
    this.functionSecurityGroup = this.functionGroup();
  }

  private functionGroup(): SecurityGroup {
    return new SecurityGroup(this, 'FunctionSg', {
      vpc: this.vpc,
      description: 'Aurum functions that query the analytic store (outbound only)',
      allowAllOutbound: true,
    });
  }
}
