/**
 * A Secrets Manager endpoint that speaks the service's JSON protocol (POST /, `X-Amz-Target:
 * secretsmanager.<Operation>`), keeping versions and their staging labels the way the service does:
 * moving AWSCURRENT to a version labels the version it left AWSPREVIOUS. Enough for a rotation and for
 * Powertools' reads, so the rotation handler and the secret loader run against the AWS SDK unchanged.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Version {
  value: string;
  stages: string[];
  created: number;
}

export interface FakeSecretsManager {
  url: string;
  /** Creates a secret whose first version is AWSCURRENT; returns its ARN. */
  create(name: string, value: string): string;
  /** Gives the secret with this ARN a new AWSCURRENT value (creating it), as an operator's put does. */
  put(arn: string, value: string): void;
  /** Forgets every secret and every recorded call. */
  reset(): void;
  /** The SecretId of every GetSecretValue, in order. */
  reads: string[];
  /** What Secrets Manager does when a rotation starts: a new version id labelled AWSPENDING (no value yet). */
  startRotation(arn: string): string;
  value(arn: string, stage?: string): string | undefined;
  stagesOf(arn: string): Record<string, string[]>;
  calls: string[];
  close(): Promise<void>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, { versions: Map<string, Version>; rotationEnabled: boolean }>();
  const calls: string[] = [];
  const reads: string[] = [];
  const find = (id: string) =>
    secrets.get(id) ?? [...secrets.entries()].find(([arn]) => arn.endsWith(`:${id}`))?.[1];
  const byStage = (versions: Map<string, Version>, stage: string) =>
    [...versions.entries()].find(([, v]) => v.stages.includes(stage));

  class AwsError extends Error {
    constructor(
      readonly type: string,
      message: string,
    ) {
      super(message);
    }
  }

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    DescribeSecret: ({ SecretId }) => {
      const secret = find(String(SecretId));
      if (!secret) throw new AwsError('ResourceNotFoundException', 'Secrets Manager can’t find the secret.');
      return {
        ARN: SecretId,
        RotationEnabled: secret.rotationEnabled,
        VersionIdsToStages: Object.fromEntries([...secret.versions].map(([id, v]) => [id, v.stages])),
      };
    },
    GetSecretValue: ({ SecretId, VersionId, VersionStage }) => {
      reads.push(String(SecretId));
      const secret = find(String(SecretId));
      if (!secret) throw new AwsError('ResourceNotFoundException', 'Secrets Manager can’t find the secret.');
      const stage = (VersionStage as string | undefined) ?? (VersionId ? undefined : 'AWSCURRENT');
      const entry = VersionId
        ? ([String(VersionId), secret.versions.get(String(VersionId))] as const)
        : byStage(secret.versions, stage!);
      const [id, version] = entry ?? [];
      if (!id || !version || (stage && !version.stages.includes(stage)) || version.value === '') {
        throw new AwsError(
          'ResourceNotFoundException',
          'Secrets Manager can’t find the specified secret value.',
        );
      }
      return { ARN: SecretId, VersionId: id, SecretString: version.value, VersionStages: version.stages };
    },
    PutSecretValue: ({ SecretId, ClientRequestToken, SecretString, VersionStages }) => {
      const secret = find(String(SecretId));
      if (!secret) throw new AwsError('ResourceNotFoundException', 'Secrets Manager can’t find the secret.');
      const id = String(ClientRequestToken ?? randomUUID());
      const stages = (VersionStages as string[] | undefined) ?? ['AWSCURRENT'];
      for (const v of secret.versions.values()) v.stages = v.stages.filter((s) => !stages.includes(s));
      const existing = secret.versions.get(id);
      if (existing?.value) throw new AwsError('ResourceExistsException', 'The version already has a value.');
      secret.versions.set(id, { value: String(SecretString), stages, created: Date.now() });
      return { ARN: SecretId, VersionId: id, VersionStages: stages };
    },
    UpdateSecretVersionStage: ({ SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId }) => {
      const secret = find(String(SecretId));
      if (!secret) throw new AwsError('ResourceNotFoundException', 'Secrets Manager can’t find the secret.');
      const stage = String(VersionStage);
      const from = RemoveFromVersionId ? secret.versions.get(String(RemoveFromVersionId)) : undefined;
      const holder = byStage(secret.versions, stage)?.[1];
      if (holder && holder !== from && holder !== secret.versions.get(String(MoveToVersionId))) {
        throw new AwsError('InvalidParameterException', 'The stage is attached to another version.');
      }
      if (from) {
        from.stages = from.stages.filter((s) => s !== stage);
        if (stage === 'AWSCURRENT') {
          for (const v of secret.versions.values()) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
          from.stages.push('AWSPREVIOUS');
        }
      }
      const to = secret.versions.get(String(MoveToVersionId));
      if (!to) throw new AwsError('ResourceNotFoundException', 'No such version.');
      to.stages = [...to.stages.filter((s) => s !== stage && s !== 'AWSPENDING'), stage];
      return { ARN: SecretId };
    },
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^secretsmanager\./, '');
      calls.push(operation);
      const send = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(type ? { 'x-amzn-errortype': type } : {}),
        });
        res.end(JSON.stringify(body));
      };
      const run = operations[operation];
      if (!run) return send(400, { __type: 'UnknownOperationException' }, 'UnknownOperationException');
      try {
        send(200, run(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
      } catch (error) {
        if (error instanceof AwsError) send(400, { __type: error.type, message: error.message }, error.type);
        else send(500, { __type: 'InternalServiceError', message: String(error) }, 'InternalServiceError');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    reads,
    put(arn, value) {
      const secret = secrets.get(arn);
      if (!secret) {
        secrets.set(arn, {
          versions: new Map([[randomUUID(), { value, stages: ['AWSCURRENT'], created: Date.now() }]]),
          rotationEnabled: false,
        });
        return;
      }
      for (const v of secret.versions.values()) v.stages = v.stages.filter((s) => s !== 'AWSCURRENT');
      secret.versions.set(randomUUID(), { value, stages: ['AWSCURRENT'], created: Date.now() });
    },
    reset() {
      secrets.clear();
      calls.length = 0;
      reads.length = 0;
    },
    create(name, value) {
      const arn = `arn:aws:secretsmanager:us-east-1:111111111111:secret:${name}`;
      secrets.set(arn, {
        versions: new Map([[randomUUID(), { value, stages: ['AWSCURRENT'], created: Date.now() }]]),
        rotationEnabled: true,
      });
      return arn;
    },
    startRotation(arn) {
      const secret = secrets.get(arn)!;
      const id = randomUUID();
      secret.versions.set(id, { value: '', stages: ['AWSPENDING'], created: Date.now() });
      return id;
    },
    value(arn, stage = 'AWSCURRENT') {
      const secret = secrets.get(arn);
      return secret ? byStage(secret.versions, stage)?.[1].value : undefined;
    },
    stagesOf(arn) {
      const secret = secrets.get(arn)!;
      return Object.fromEntries([...secret.versions].map(([id, v]) => [id, v.stages]));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
