import { EventEmitter } from 'node:events';

/** What the queue carries: which run of which tenant to execute (or continue). */
export interface RunMessage {
  tenant_id: string;
  run_id: string;
}

/** Where queued runs go: SQS in AWS, an in-process queue locally. */
export interface RunQueue {
  send(message: RunMessage): Promise<void>;
}

/** `scenario.run.finished`: what a finished run tells the rest of the system. */
export interface RunFinished {
  tenant_id: string;
  scenario_id: string;
  run_id: string;
  state: string;
  retry_count: number;
  output_rows: number;
  curves: number;
}

export const RUN_FINISHED = 'scenario.run.finished';
export const EVENT_SOURCE = 'aurum.scenarios';

/** Where finished runs are announced: EventBridge in AWS, an in-process bus locally. */
export interface RunEvents {
  publish(event: RunFinished): Promise<void>;
}

/** The SQS queue named by AURUM_SCENARIO_QUEUE_URL. */
export function sqsRunQueue(queueUrl: string): RunQueue {
  let client: Promise<{ send: (m: RunMessage) => Promise<void> }> | undefined;
  const open = async () => {
    const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const sqs = new SQSClient({});
    return {
      send: async (m: RunMessage) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(m) }));
      },
    };
  };
  return {
    async send(message) {
      client ??= open();
      await (await client).send(message);
    },
  };
}

/** The EventBridge bus named by AURUM_SCENARIO_EVENT_BUS. */
export function eventBridgeRunEvents(busName: string): RunEvents {
  let client: Promise<{ put: (e: RunFinished) => Promise<void> }> | undefined;
  const open = async () => {
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const bridge = new EventBridgeClient({});
    return {
      put: async (e: RunFinished) => {
        const out = await bridge.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: busName,
                Source: EVENT_SOURCE,
                DetailType: RUN_FINISHED,
                Detail: JSON.stringify(e),
              },
            ],
          }),
        );
        if ((out.FailedEntryCount ?? 0) > 0) throw new Error('EventBridge refused scenario.run.finished');
      },
    };
  };
  return {
    async publish(event) {
      client ??= open();
      await (await client).put(event);
    },
  };
}

/**
 * The local stand-ins: one in-process queue whose consumer is the same worker code the SQS function runs,
 * and one bus tests subscribe to. A message is handled after the current task, as SQS delivers after the
 * sender's transaction has committed.
 */
export class LocalRunQueue implements RunQueue {
  private consumer?: (message: RunMessage) => Promise<void>;
  private pending = new Set<Promise<void>>();

  consume(consumer: (message: RunMessage) => Promise<void>): void {
    this.consumer = consumer;
  }

  async send(message: RunMessage): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => consumer(message))
      .catch(() => {})
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Resolves once every message sent so far, and those they sent, have been handled. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

export class LocalRunEvents extends EventEmitter implements RunEvents {
  readonly published: RunFinished[] = [];
  async publish(event: RunFinished): Promise<void> {
    this.published.push(event);
    this.emit(RUN_FINISHED, event);
  }
}

/** The in-process queue and bus of `npm start` and the integration tests (one per process). */
export const localRunQueue = new LocalRunQueue();
export const localRunEvents = new LocalRunEvents();
