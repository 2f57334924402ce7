import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import type { MetaRouterError } from './metarouter-error.js';

/**
 * Reports one turn of the event loop delivers to listeners; later ones wait for the next turn. A
 * listener whose reaction causes another report (a `track()` that is dropped because the queue is
 * full) would otherwise loop in microtasks, and no timer or I/O of the app could ever run again.
 */
const MAX_REPORTS_PER_TURN = 1000;

/** Listener for the `error` channel. */
export type ErrorListener = (error: MetaRouterError) => void;

/**
 * An EventEmitter whose `error` event never throws: with no listener an error is only counted
 * (Node's EventEmitter would throw it into whatever background path emitted it). A throwing
 * listener cannot break delivery either: the exception is rethrown on a later tick, where the host
 * app sees it as it would any bug of its own listener.
 */
export class ErrorChannel extends EventEmitter {
  /** Errors reported while nobody listened. */
  unheardErrors = 0;
  private reportsThisTurn = 0;
  /** Reports waiting for a later turn, from `waitingHead` on. */
  private waiting: MetaRouterError[] = [];
  private waitingHead = 0;
  private drainScheduled = false;

  /** Adds a listener for delivery failures and drops. */
  override on(event: 'error', listener: ErrorListener): this {
    return super.on(event, listener);
  }

  /** Adds a one-time listener for the next delivery failure or drop. */
  override once(event: 'error', listener: ErrorListener): this {
    return super.once(event, listener);
  }

  /**
   * What printing the instance shows (util.inspect, a console): the class and its counters, never the
   * configuration, whose writeKey must not reach a log.
   */
  [inspect.custom](): string {
    const { counters } = this as { counters?: unknown };
    return `${this.constructor.name} ${inspect(counters === undefined ? {} : { counters }, { depth: 2 })}`;
  }

  /** The same for `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    const { counters } = this as { counters?: unknown };
    return { type: this.constructor.name, counters };
  }

  /**
   * Reports an error to the `error` listeners: at once, in order, up to `MAX_REPORTS_PER_TURN` in
   * one turn of the event loop; past that, and while earlier ones wait, on a later turn.
   */
  report(error: MetaRouterError): void {
    if (this.waiting.length > this.waitingHead || !this.takeTurn()) return this.wait(error);
    this.deliver(error);
  }

  /** Counts a report against this turn's budget; false when it is spent. */
  private takeTurn(): boolean {
    if (this.reportsThisTurn >= MAX_REPORTS_PER_TURN) return false;
    if (this.reportsThisTurn++ === 0) setImmediate(() => (this.reportsThisTurn = 0));
    return true;
  }

  private wait(error: MetaRouterError): void {
    this.waiting.push(error);
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drainWaiting());
  }

  private drainWaiting(): void {
    this.drainScheduled = false;
    while (this.waitingHead < this.waiting.length) {
      if (!this.takeTurn()) {
        this.drainScheduled = true;
        setImmediate(() => this.drainWaiting());
        return;
      }
      this.deliver(this.waiting[this.waitingHead++]!);
    }
    this.waiting = [];
    this.waitingHead = 0;
  }

  private deliver(error: MetaRouterError): void {
    if (this.listenerCount('error') === 0) {
      this.unheardErrors++;
      return;
    }
    try {
      this.emit('error', error);
    } catch (listenerError) {
      queueMicrotask(() => {
        throw listenerError;
      });
    }
  }
}
