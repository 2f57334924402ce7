import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import type { MetaRouterError } from './metarouter-error.js';

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

  /** Reports an error to the `error` listeners. */
  report(error: MetaRouterError): void {
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
