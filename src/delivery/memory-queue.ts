import type { Batch } from './batch.js';
import type { Held, MessageQueue, QueueHost } from './message-queue.js';

const never = (_batch: Batch) => false;

/**
 * The in-memory queue: at most `maxQueueSize` messages (waiting, in flight, waiting to retry),
 * whatever the server does. Nothing outlives the process. A disk queue uses one as its window.
 */
export class MemoryQueue implements MessageQueue {
  readonly durable = false;
  readonly backlog = false;
  private held = 0;

  constructor(
    readonly capacity: number,
    private readonly host: Pick<QueueHost, 'hold'>,
  ) {}

  get size(): number {
    return this.held;
  }

  hasRoomFor(count: number): boolean {
    return this.held + count <= this.capacity;
  }

  offer(message: Held): boolean {
    if (this.held >= this.capacity) return false;
    this.take(message);
    return true;
  }

  /** Takes a message into memory without asking: the caller checked the room. */
  take(message: Held): void {
    this.held++;
    this.host.hold(message);
  }

  release(count: number): void {
    this.held -= count;
  }

  /** Nothing waits below memory. */
  refill(): void {}

  /** A batch needs no record here: memory forgets it when it settles. */
  cut(): void {}

  takenBeforeNow(): (batch: Batch) => boolean {
    return never;
  }

  keeps(): boolean {
    return false;
  }

  /** Nothing is kept past a close deadline. */
  stop(): void {}

  /** Holds nothing to release. */
  close(): void {}
}
