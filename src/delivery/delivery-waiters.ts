import type { DeliveryError } from '../errors/metarouter-error.js';
import type { Message } from '../translate/message.js';

/** How many ids a shaping stage dropped are remembered, for `whenDelivered` asked after the call. */
const FILTERED_KEPT = 1000;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: DeliveryError) => void;
}

/**
 * The callers awaiting one message's outcome (`Analytics.whenDelivered`). Nothing is allocated
 * until someone waits: the map is made at the first wait, and the engine's outcomes look it up only
 * while it holds a waiter, so that calls nobody awaits cost one size check per batch.
 */
export class DeliveryWaiters {
  private waiting: Map<string, Waiter[]> | undefined;
  /** Ids a stage dropped lately: the drop happens inside the call, before anyone can wait. */
  private filteredIds: Set<string> | undefined;

  /** @internal True once anyone waited: the test that calls nobody awaits allocate nothing reads it. */
  get allocated(): boolean {
    return this.waiting !== undefined;
  }

  /** True when a shaping stage dropped this id among the last {@link FILTERED_KEPT}. */
  wasFiltered(messageId: string): boolean {
    return this.filteredIds?.has(messageId) === true;
  }

  /** Settles once `messageId` is delivered (resolve) or given up (reject). */
  wait(messageId: string): Promise<void> {
    this.waiting ??= new Map();
    const map = this.waiting;
    return new Promise<void>((resolve, reject) => {
      const list = map.get(messageId);
      if (list === undefined) map.set(messageId, [{ resolve, reject }]);
      else list.push({ resolve, reject });
    });
  }

  /** A batch got a 2xx: its messages resolve, except those a 207 rejected (given up separately). */
  delivered(messages: readonly Message[], rejected: ReadonlySet<string>): void {
    if (this.waiting === undefined || this.waiting.size === 0) return;
    for (const message of messages) {
      if (!rejected.has(message.messageId)) this.take(message.messageId)?.forEach((waiter) => waiter.resolve());
    }
  }

  /** `error` gave its messages up: their waiters reject with it. */
  lost(error: DeliveryError): void {
    if (this.waiting === undefined || this.waiting.size === 0) return;
    for (const id of error.messageIds) this.take(id)?.forEach((waiter) => waiter.reject(error));
  }

  /** Remembers an id a stage dropped, oldest forgotten first. */
  filtered(messageId: string): void {
    this.filteredIds ??= new Set();
    this.filteredIds.add(messageId);
    if (this.filteredIds.size > FILTERED_KEPT) this.filteredIds.delete(this.filteredIds.values().next().value as string);
  }

  private take(messageId: string): Waiter[] | undefined {
    const list = this.waiting?.get(messageId);
    if (list !== undefined) this.waiting?.delete(messageId);
    return list;
  }
}
