import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import { AurumStack } from '#infra/aurum-stack';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

function synth(context: Record<string, unknown> = {}, env?: { account: string; region: string }) {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const stack = new AurumStack(app, 'Aurum', env ? { env } : {});
  return Template.fromStack(stack);
}

const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

const only = (template: Template, type: string): [string, Resource] => {
  const found = resourcesOf(template, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

const serviceOf = (fn: Resource) =>
  (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
    ?.POWERTOOLS_SERVICE_NAME;

describe('the app store in AWS', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  it('makes a VPC with private subnets, one NAT gateway and a Secrets Manager endpoint', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const privateSubnets = resourcesOf(template, 'AWS::EC2::Subnet').filter(
      ([, s]) => s.Properties.MapPublicIpOnLaunch === false,
    );
    expect(privateSubnets).toHaveLength(2);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('secretsmanager')])],
      }),
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
    });
  });

  it('runs Aurora PostgreSQL Serverless v2 at the lowest minimum its engine allows, encrypted', () => {
    const [, cluster] = only(template, 'AWS::RDS::DBCluster');
    expect(cluster.Properties).toMatchObject({
      Engine: 'aurora-postgresql',
      EngineVersion: '16.13',
      DatabaseName: 'aurum',
      StorageEncrypted: true,
      DeletionProtection: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: 600 },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless' });
  });

  it('puts RDS Proxy in front, TLS required, with the cluster secret', () => {
    const [, proxy] = only(template, 'AWS::RDS::DBProxy');
    expect(proxy.Properties).toMatchObject({ EngineFamily: 'POSTGRESQL', RequireTLS: true });
  });

  it('lets only the proxy reach the cluster, and only app-store clients reach the proxy', () => {
    const groups = new Map(
      resourcesOf(template, 'AWS::EC2::SecurityGroup').map(([id, g]) => [
        String(g.Properties.GroupDescription),
        id,
      ]),
    );
    const proxySg = groups.get('Aurum app-store RDS Proxy')!;
    const dbSg = groups.get('Aurum app-store Aurora cluster')!;
    const clientSg = groups.get('Aurum functions that use the app store')!;
    const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const into = (sg: string) =>
      ingress.filter((r) => (r.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === sg);
    expect(into(dbSg).length).toBeGreaterThan(0);
    for (const rule of into(dbSg))
      expect(rule.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [proxySg, 'GroupId'] });
    expect(into(proxySg)).toEqual([
      expect.objectContaining({
        FromPort: 5432,
        SourceSecurityGroupId: { 'Fn::GetAtt': [clientSg, 'GroupId'] },
      }),
    ]);
    const [, cluster] = only(template, 'AWS::RDS::DBCluster');
    expect(cluster.Properties.VpcSecurityGroupIds).toEqual([{ 'Fn::GetAtt': [dbSg, 'GroupId'] }]);
  });

  it('migrates on deploy: a trigger runs the migrator, in the VPC, after the database and before every function', () => {
    const [migratorId, migrator] = resourcesOf(template, 'AWS::Lambda::Function').find(
      ([, fn]) => serviceOf(fn) === 'aurum-store-migrations',
    )!;
    const variables = (migrator.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables.AURUM_STORE_URL)).toMatch(/postgres:\/\/aurum_admin@.*sslmode=require/);
    expect(variables.AURUM_STORE_SECRET_ARN).toEqual({
      Ref: expect.stringMatching(/^AppStoreClusterSecret/),
    });
    expect(migrator.Properties.VpcConfig).toBeDefined();

    const [triggerId, trigger] = only(template, 'Custom::Trigger');
    // The function's current version: a changed migration is a changed version, so the trigger runs again.
    const [versionId, version] = only(template, 'AWS::Lambda::Version');
    expect(trigger.Properties.HandlerArn).toEqual({ Ref: versionId });
    expect(version.Properties.FunctionName).toEqual({ Ref: migratorId });
    expect(trigger.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AppStoreClusterWriter/),
        expect.stringMatching(/^AppStoreClusterProxy/),
      ]),
    );
    const apiFunctions = resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) => {
      const service = serviceOf(fn);
      return (
        typeof service === 'string' &&
        service !== 'aurum-store-migrations' &&
        service !== 'aurum-cursor-key-rotation'
      );
    });
    // the domains, the canary and the scenario run worker
    expect(apiFunctions).toHaveLength(registry.domains.length + 2);
    for (const [id, fn] of apiFunctions) expect(fn.DependsOn, id).toContain(triggerId);
  });

  it('runs the functions whose code reaches the store or the engine in the VPC; only store users get the store', () => {
    const byService = new Map(
      resourcesOf(template, 'AWS::Lambda::Function').map(([id, fn]) => [serviceOf(fn), { id, fn }] as const),
    );
    const vpcOf = (service: string) =>
      byService.get(service)!.fn.Properties.VpcConfig as { SecurityGroupIds: unknown[] } | undefined;
    const envOf = (service: string) =>
      (byService.get(service)!.fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

    // mappings writes to the store: the proxy's client group, the proxy's address and the cluster secret.
    expect(JSON.stringify(vpcOf('aurum-mappings')?.SecurityGroupIds)).toMatch(/AppStoreClientSg/);
    expect(JSON.stringify(envOf('aurum-mappings').AURUM_STORE_URL)).toMatch(
      /postgres:\/\/aurum_admin@.*sslmode=require/,
    );
    const mappingsRole = (byService.get('aurum-mappings')!.fn.Properties.Role as { 'Fn::GetAtt': string[] })[
      'Fn::GetAtt'
    ][0];
    const grants = resourcesOf(template, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(mappingsRole!),
    );
    expect(JSON.stringify(grants)).toMatch(/secretsmanager:GetSecretValue[\s\S]*AppStoreClusterSecret/);

    // curves reaches Trino only: in the VPC, but not admitted by the proxy and told nothing of the store.
    expect(JSON.stringify(vpcOf('aurum-curves')?.SecurityGroupIds)).toMatch(/NetworkFunctionSg/);
    expect(JSON.stringify(vpcOf('aurum-curves')?.SecurityGroupIds)).not.toMatch(/AppStoreClientSg/);
    expect(envOf('aurum-curves').AURUM_STORE_URL).toBeUndefined();

    // docs reaches neither: it stays outside the VPC.
    expect(vpcOf('aurum-docs')).toBeUndefined();
  });

  it('imports the VPC named by aurum:vpcId instead of making one', () => {
    const imported = synth(
      { 'aurum:vpcId': 'vpc-0abc1234' },
      { account: '123456789012', region: 'eu-west-1' },
    );
    imported.resourceCountIs('AWS::EC2::VPC', 0);
    imported.resourceCountIs('AWS::EC2::NatGateway', 0);
    imported.resourceCountIs('AWS::RDS::DBCluster', 1);
  });
});
