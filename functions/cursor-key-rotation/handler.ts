import { randomBytes } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type CursorKeyRingSecret, cursorKeyRingSecret } from '#lib/config/secrets';

/**
 * Secrets Manager's rotation of the cursor signing key (not behind the gateway). Each rotation writes a
 * key ring `{current: new key, previous: old key, activate_at}`: cursors signed with either key verify, and
 * the new key signs only from `activate_at`, after every warm container has re-read the secret (they do so
 * every few minutes), so no cursor in flight is refused during a rotation. The previous key is dropped at
 * the rotation after, long after the cursors it signed have expired (cursor TTL 1 h, rotation every 30 d).
 */
export interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
}

/** How long the new key waits before it signs: twice the containers' secret refresh, plus slack. */
export const ACTIVATION_DELAY_MS = 10 * 60_000;

export interface RotationPorts {
  client?: () => Promise<SecretsManagerClient>;
  now?: () => number;
}

/** The previous key ring, read from a bare key (the generated first value) or a ring. */
function ringOf(value: string): CursorKeyRingSecret {
  const text = value.trim();
  if (!text.startsWith('{')) return { current: text };
  const parsed = cursorKeyRingSecret().safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error('the cursor key secret is not a key ring');
  return parsed.data;
}

export function createRotationHandler(ports: RotationPorts = {}) {
  const now = ports.now ?? Date.now;
  let client: Promise<SecretsManagerClient> | undefined;
  const sm = () => {
    client ??=
      ports.client?.() ??
      import('@aws-sdk/client-secrets-manager').then(
        ({ SecretsManagerClient }) => new SecretsManagerClient({}),
      );
    return client;
  };

  return async (event: RotationEvent): Promise<void> => {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    const c = await sm();
    const { SecretId, ClientRequestToken: token, Step } = event;
    const described = await c.send(new sdk.DescribeSecretCommand({ SecretId }));
    if (!described.RotationEnabled) throw new Error('rotation is not enabled on the secret');
    const stages = described.VersionIdsToStages?.[token];
    if (!stages) throw new Error('the rotation token is not a version of the secret');
    if (stages.includes('AWSCURRENT')) return; // this version already finished
    if (!stages.includes('AWSPENDING')) throw new Error('the rotation token is not pending');

    switch (Step) {
      case 'createSecret': {
        const pending = await c
          .send(new sdk.GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }))
          .catch((error: { name?: string }) => {
            if (error.name === 'ResourceNotFoundException') return undefined;
            throw error;
          });
        if (pending?.SecretString) return; // a retried step: the pending ring is written already
        const current = await c.send(new sdk.GetSecretValueCommand({ SecretId, VersionStage: 'AWSCURRENT' }));
        const old = ringOf(current.SecretString ?? '');
        const ring: CursorKeyRingSecret = {
          current: randomBytes(48).toString('base64url'),
          previous: old.current,
          activate_at: new Date(now() + ACTIVATION_DELAY_MS).toISOString(),
        };
        await c.send(
          new sdk.PutSecretValueCommand({
            SecretId,
            ClientRequestToken: token,
            SecretString: JSON.stringify(ring),
            VersionStages: ['AWSPENDING'],
          }),
        );
        return;
      }
      case 'setSecret':
        return; // nothing outside Secrets Manager holds the key
      case 'testSecret': {
        const pending = await c.send(
          new sdk.GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }),
        );
        ringOf(pending.SecretString ?? '');
        return;
      }
      case 'finishSecret': {
        const currentVersion = Object.entries(described.VersionIdsToStages ?? {}).find(([, s]) =>
          s.includes('AWSCURRENT'),
        )?.[0];
        await c.send(
          new sdk.UpdateSecretVersionStageCommand({
            SecretId,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: token,
            RemoveFromVersionId: currentVersion,
          }),
        );
        return;
      }
      default:
        throw new Error('unknown rotation step');
    }
  };
}

export const handler = createRotationHandler();
