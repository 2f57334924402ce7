import type { DeliveryError } from '../errors/metarouter-error.js';
import type { Position } from '../storage/spool.js';
import type { Message } from '../translate/message.js';
import type { Batch } from './batch.js';
import type { DeliveryCounters } from './delivery-counters.js';

/** A message in memory; in a disk queue, where its record ends in the spool. */
export type Held = Message & { readonly position?: Position };

/** What a queue asks of the engine above it. */
export interface QueueHost {
  readonly counters: DeliveryCounters;
  /** Hands a message taken into memory to the batcher. */
  hold(message: Held): void;
  /** The one way out for messages that will not be delivered (observed, dead-lettered, reported). */
  lose(error: DeliveryError, given?: readonly Message[]): void;
  /**
   * Takes the matching messages out of memory (waiting ones, and batches not in flight); returns
   * them, for the queue to drop. A batch in flight is only marked: its answer settles it.
   */
  evict(matches: (message: Held) => boolean): Message[];
  /** Cuts what memory holds into batches and sends them now, without waiting for `flushInterval` (a queue that read a batch's worth in). */
  send(): void;
}

/** Where accepted messages given up for good are kept: the dead-letter file, or a shared queue's table. */
export interface DeadLetterSink {
  /** Keeps `messages`, given up with `error`; never throws (a failure is reported). */
  keep(messages: readonly Message[], error?: DeliveryError): void;
}


/**
 * Where accepted messages wait until a batch settles them, behind one interface as in the
 * OpenTelemetry Collector's exporter queue: `MemoryQueue` (bounded by `maxQueueSize`) or `DiskQueue`
 * (the spool, with memory as a window on it). The engine knows only this interface; every spool
 * concern lives in the disk one.
 *
 * `size` counts the messages in memory: waiting in the batcher, in flight, or waiting to retry. A
 * queue adds to it when it takes a message into memory; the engine releases a batch's messages
 * once the batch settles.
 */
export interface MessageQueue {
  /** Messages in memory now. */
  readonly size: number;
  /** True when what is accepted outlives this process (on disk). */
  readonly durable: boolean;
  /** True when accepted messages wait below memory, not read into it yet. */
  readonly backlog: boolean;
  /** True when `count` more messages would be taken now. */
  hasRoomFor(count: number): boolean;
  /** Takes an accepted message; false when there is no room (the engine refuses and reports it). */
  offer(message: Message): boolean;
  /** Gives back room in memory, once `count` messages settled or were taken out. */
  release(count: number): void;
  /** Moves what waits below memory into it, as far as there is room. */
  refill(): void;
  /** A batch was cut from memory. */
  cut(batch: Batch): void;
  /** For `flush()`: true for a batch that holds a message taken before now, even one not in memory yet. */
  takenBeforeNow(): (batch: Batch) => boolean;
  /** True when `message` outlives this process, so that a close deadline need not drop it. */
  keeps(message: Held): boolean;
  /** A close deadline passed: what is left stays as it is, for the next start. */
  stop(): void;
  /** Where what a close deadline leaves stays, and who sends it, in words; undefined: the spool's words. */
  readonly keptWhere?: string;
  /** Releases what the queue holds; the engine's shutdown waits for it. */
  close(): void | Promise<void>;
}
