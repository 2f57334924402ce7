import { EventEmitter } from 'node:events';
import type { MetaRouterError } from './metarouter-error.js';
import { inRequestScopedRuntime } from '../runtime/request-scoped.js';
import { nextTurn } from '../runtime/timers.js';

/**
 * What the `error` listener of `Analytics`, the exporters and the bridge is given: a
 * `DeliveryError` or a `PlanViolationError`, both of which name the messages concerned. The fields
 * a listener logs are readable without narrowing first (`error.messageIds`, `error.status`);
 * `instanceof` still narrows to the class for the rest.
 */
export interface ReportedError extends MetaRouterError {
  /** The messages this error is about; empty when it concerns no message in particular (a damaged storage file). */
  readonly messageIds: readonly string[];
  /** The HTTP status that caused it, when there was a response. */
  readonly status?: number | undefined;
}

/**
 * Reports one turn of the event loop delivers to listeners; later ones wait for the next turn. A
 * listener whose reaction causes another report (a `track()` that is dropped because the queue is
 * full) would otherwise loop in microtasks, and no timer or I/O of the app could ever run again.
 */
const MAX_REPORTS_PER_TURN = 1000;

/** Not part of a channel's public surface (an Analytics is one). */
const deliverNow = Symbol('deliverNow');

interface Report {
  readonly channel: ErrorChannel<MetaRouterError>;
  readonly error: MetaRouterError;
}

/**
 * One queue for every channel of the process. A report made while another is being delivered (a
 * listener's own call fails at once: MR_ERR_CLOSED, a failing beforeSend) waits here, and the
 * delivery already on the stack delivers it after the listener returns: delivered from inside the
 * listener, each such report would nest a few frames deeper, until the stack overflows. Shared by
 * all channels so that reports reach the listeners in the order they were made, whichever channel
 * made them.
 */
const queue: Report[] = [];
let queueHead = 0;
let draining = false;
let drainScheduled = false;
let reportsThisTurn = 0;
/**
 * Reports being delivered now, outermost first. A channel forwarding one of them (an exporter's
 * report, passed on by its Analytics) is part of that delivery, not a new report: it goes on at once.
 */
const delivering: Report[] = [];

function isRelay(channel: ErrorChannel<MetaRouterError>, error: MetaRouterError): boolean {
  return delivering.some((report) => report.error === error) && !delivering.some((report) => report.error === error && report.channel === channel);
}

/**
 * On workerd the callbacks that end a turn's count (and resume a deferred drain) are cancelled when
 * the request that scheduled them ends first, which left the budget spent for good. There the clock
 * tells turns apart instead: it stands still while code runs, so a reading other than the one the
 * budget began at is a later turn.
 */
const clockMarksTurns = inRequestScopedRuntime();
let budgetClock = 0;

function laterTurnByClock(): boolean {
  return clockMarksTurns && Date.now() !== budgetClock;
}

/** Counts a report against this turn's budget; false when it is spent. */
function takeTurn(): boolean {
  if (laterTurnByClock()) reportsThisTurn = 0;
  if (reportsThisTurn >= MAX_REPORTS_PER_TURN) return false;
  if (reportsThisTurn++ === 0) {
    budgetClock = Date.now();
    nextTurn(() => (reportsThisTurn = 0));
  }
  return true;
}

function enqueue(report: Report): void {
  if (isRelay(report.channel, report.error)) return deliver(report);
  queue.push(report);
  if (!draining && (!drainScheduled || laterTurnByClock())) drain();
}

function drain(): void {
  drainScheduled = false;
  draining = true;
  try {
    while (queueHead < queue.length) {
      if (!takeTurn()) {
        drainScheduled = true;
        nextTurn(drain);
        return;
      }
      deliver(queue[queueHead++]!);
    }
    queue.length = 0;
    queueHead = 0;
  } finally {
    draining = false;
  }
}

function deliver(report: Report): void {
  delivering.push(report);
  try {
    report.channel[deliverNow](report.error);
  } finally {
    delivering.pop();
  }
}

/**
 * `util.inspect.custom`, a registered symbol: named here rather than imported, as the `node:util` of
 * Vercel Edge has no `inspect`. Node passes its `inspect` to the method (a runtime that does not gets JSON).
 */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Listener for the `error` channel; `E` is what the channel reports ({@link ReportedError} unless said otherwise). */
export type ErrorListener<E extends MetaRouterError = ReportedError> = (error: E) => void;

/**
 * An EventEmitter whose `error` event never throws: with no listener an error is only counted
 * (Node's EventEmitter would throw it into whatever background path emitted it). A throwing
 * listener cannot break delivery either: the exception is rethrown on a later tick, where the host
 * app sees it as it would any bug of its own listener.
 */
export class ErrorChannel<E extends MetaRouterError = ReportedError> extends EventEmitter {
  /** Errors reported while nobody listened. */
  unheardErrors = 0;

  /** Adds a listener for delivery failures and drops. */
  override on(event: 'error', listener: ErrorListener<E>): this {
    return super.on(event, listener);
  }

  /** Adds a one-time listener for the next delivery failure or drop. */
  override once(event: 'error', listener: ErrorListener<E>): this {
    return super.once(event, listener);
  }

  /**
   * What printing the instance shows (util.inspect, a console): the class and its counters, never the
   * configuration, whose writeKey must not reach a log.
   */
  [INSPECT](_depth: number, _options: unknown, inspect?: (value: unknown, options: { depth: number }) => string): string {
    const { counters } = this as { counters?: unknown };
    const shown = counters === undefined ? {} : { counters };
    return `${this.constructor.name} ${typeof inspect === 'function' ? inspect(shown, { depth: 2 }) : JSON.stringify(shown)}`;
  }

  /** The same for `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    const { counters } = this as { counters?: unknown };
    return { type: this.constructor.name, counters };
  }

  /**
   * Reports an error to the `error` listeners: at once and in order, up to `MAX_REPORTS_PER_TURN`
   * in one turn of the event loop; past that, and while earlier ones wait, on a later turn. Called
   * while a report is being delivered (from a listener), it returns first and the report follows.
   */
  report(error: E): void {
    enqueue({ channel: this, error });
  }

  /** Hands one report to the listeners; only the queue above calls it. */
  [deliverNow](error: MetaRouterError): void {
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
