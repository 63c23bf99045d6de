import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadSecretsIntoEnv } from '#lib/config/secrets';
import { logger } from '#lib/observability/logger';
import { flushMetrics } from '#lib/observability/metrics';
import { scenarioPortsFromEnv } from './ports.ts';
import type { RunMessage } from './run-queue.ts';
import { createRunWorker, type RunWorker } from './run-worker.ts';

let worker: RunWorker | undefined;

/**
 * The run worker (not behind the gateway): SQS delivers run messages; each is executed until it finishes
 * or the invocation's time runs short, when it is sent on to continue from its checkpoint. A message that
 * throws (the store unreachable) is reported as failed: SQS delivers it again, then to the dead-letter queue.
 * What the invocation counted leaves as one EMF document at its end.
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  try {
    return await executeBatch(event, context);
  } finally {
    flushMetrics();
  }
}

async function executeBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  await loadSecretsIntoEnv();
  worker ??= createRunWorker(scenarioPortsFromEnv());
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const message = JSON.parse(record.body) as RunMessage;
      if (typeof message.tenant_id !== 'string' || typeof message.run_id !== 'string') {
        logger.error('a scenario run message without tenant_id and run_id was dropped');
        continue;
      }
      await worker.execute(message, () => context.getRemainingTimeInMillis());
    } catch (error) {
      logger.error('scenario run message failed', { messageId: record.messageId, error: String(error) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
