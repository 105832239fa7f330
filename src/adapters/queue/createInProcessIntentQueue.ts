import { createKeyedSerializer } from './createKeyedSerializer';
import type { IntentHandler, IntentQueue, SubmitReceipt } from '../../app/ports';
import type { ScaleIntent } from '../../domain/types';
import { TransientError } from '../../app/errors';

/**
 * The embedded queue for a single instance: intents are decided before the
 * webhook answers, so a crash loses nothing that Alertmanager was told is done
 * (it retries the request). Not durable across restarts; see RabbitMQ for that.
 */
export function createInProcessIntentQueue(): IntentQueue {
  let handler: IntentHandler | undefined;
  let stopping = false;
  const inFlight = new Set<Promise<unknown>>();
  const runExclusive = createKeyedSerializer();

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  return {
    async submit(intents: ScaleIntent[]): Promise<SubmitReceipt> {
      const decide = handler;
      if (!decide || stopping) throw new TransientError('the intent queue is not consuming (starting up or shutting down)', 'submit');
      const decisions = await track(Promise.all(intents.map((intent) => runExclusive(intent.service, () => decide(intent)))));
      return { mode: 'decided', decisions };
    },
    async start(next: IntentHandler): Promise<void> {
      handler = next;
      stopping = false;
    },
    async stop(): Promise<void> {
      stopping = true;
      await Promise.allSettled([...inFlight]);
    },
    notReadyReason(): string | undefined {
      if (stopping) return 'shutting down';
      return handler ? undefined : 'intent queue not started';
    },
  };
}
