import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IVpc, Port, SecurityGroup, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
  type DatabaseProxy,
} from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface AppDatabaseProps {
  vpc: IVpc;
  subnets: SubnetSelection;
  /** ACU ceiling of the writer; default 4. */
  maxCapacity?: number;
}

/** 16.3 and later can pause: 0 ACU is the lowest minimum this engine allows. */
export const APP_DATABASE_ENGINE = AuroraPostgresEngineVersion.VER_16_13;
export const APP_DATABASE_MIN_CAPACITY = 0;
export const APP_DATABASE_NAME = 'aurum';
/** The owner user (the generated secret's username): migrations run as it; requests switch to aurum_api. */
export const APP_DATABASE_ADMIN_USER = 'aurum_admin';

/**
 * The app store in AWS: Aurora PostgreSQL Serverless v2 (one writer, pausing at 0 ACU when idle) behind RDS
 * Proxy, which pools the connections of many short-lived Lambda containers and requires TLS. Only the proxy
 * reaches the cluster, and only holders of `clientSecurityGroup` reach the proxy.
 */
export class AppDatabase extends Construct {
  readonly cluster: DatabaseCluster;
  readonly proxy: DatabaseProxy;
  readonly secret: ISecret;
  /** Give it to a function to let it reach the proxy on 5432. */
  readonly clientSecurityGroup: SecurityGroup;
  readonly proxySecurityGroup: SecurityGroup;
  readonly databaseSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: AppDatabaseProps) {
    super(scope, id);
    const { vpc, subnets } = props;
    this.clientSecurityGroup = new SecurityGroup(this, 'ClientSg', {
      vpc,
      description: 'Aurum functions that use the app store',
      allowAllOutbound: true,
    });
    this.proxySecurityGroup = new SecurityGroup(this, 'ProxySg', {
      vpc,
      description: 'Aurum app-store RDS Proxy',
      allowAllOutbound: false,
    });
    this.databaseSecurityGroup = new SecurityGroup(this, 'DatabaseSg', {
      vpc,
      description: 'Aurum app-store Aurora cluster',
      allowAllOutbound: false,
    });
    this.proxySecurityGroup.addIngressRule(this.clientSecurityGroup, Port.tcp(5432), 'app-store clients');
    this.proxySecurityGroup.addEgressRule(this.databaseSecurityGroup, Port.tcp(5432), 'to the cluster');
    // The cluster's only ingress, from the proxy on the cluster port, is the rule addProxy adds below.

    this.cluster = new DatabaseCluster(this, 'Cluster', {
      engine: DatabaseClusterEngine.auroraPostgres({ version: APP_DATABASE_ENGINE }),
      writer: ClusterInstance.serverlessV2('Writer'),
      serverlessV2MinCapacity: APP_DATABASE_MIN_CAPACITY,
      serverlessV2MaxCapacity: props.maxCapacity ?? 4,
      serverlessV2AutoPauseDuration: Duration.minutes(10),
      credentials: Credentials.fromGeneratedSecret(APP_DATABASE_ADMIN_USER),
      defaultDatabaseName: APP_DATABASE_NAME,
      vpc,
      vpcSubnets: subnets,
      securityGroups: [this.databaseSecurityGroup],
      storageEncrypted: true,
      deletionProtection: true,
      backup: { retention: Duration.days(7) },
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.secret = this.cluster.secret!;

    this.proxy = this.cluster.addProxy('Proxy', {
      secrets: [this.secret],
      vpc,
      vpcSubnets: subnets,
      securityGroups: [this.proxySecurityGroup],
      requireTLS: true,
      // Session state (set_config, advisory locks) pins a connection for its session; keep borrow waits short.
      borrowTimeout: Duration.seconds(10),
    });
  }

  /** `AURUM_STORE_URL` for a function: the proxy endpoint over TLS, as the owner user (password from the secret). */
  get storeUrl(): string {
    return `postgres://${APP_DATABASE_ADMIN_USER}@${this.proxy.endpoint}:5432/${APP_DATABASE_NAME}?sslmode=require`;
  }
}
