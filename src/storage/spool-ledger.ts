import { join } from 'node:path';
import { DeliveryError, readThrown } from '../errors/metarouter-error.js';
import { AckFile, comparePositions, type AckState, type Position, type SettledRange } from './ack-file.js';
import { ACK_FILE, corruptName, segmentName } from './format.js';
import { NotRegularFile } from './regular-file.js';
import { recordBytes, type Segment, type SpoolState } from './spool-state.js';

/**
 * The acknowledgement side of the spool: the cursor, the settled ranges past it, and the deletion of
 * segments behind it. Invariants:
 * - Every record up to the cursor is settled; the cursor only moves forward, over settled ranges that
 *   reach it. The ranges past it are kept in the ack file, so that a kill resends only what was not settled.
 * - A segment is deleted (or, when corrupt, renamed `*.corrupt`) only once the cursor past it is
 *   synced, never while the reader is in it, and never the segment being written.
 * - An ack file that cannot be read, or is not a regular file, means nothing acknowledged: the spool
 *   is sent again (duplicates, never loss), reported, and start-up goes on.
 */

const NOTHING_ACKNOWLEDGED: AckState = { cursor: { segment: 0, offset: 0 }, settled: [] };

/**
 * Opens the ack file and loads the stored cursor and settled ranges into `state`. Anything else under
 * its name (a symbolic link, a directory) is renamed aside, never opened through, and a new file made.
 */
export function openLedger(state: SpoolState): void {
  state.ack = openAck(state);
  const stored = readAck(state);
  state.acked = stored.cursor;
  state.settled = stored.settled.filter((range) => comparePositions(range.to, state.acked) > 0);
}

/** See `Spool.settle`. */
export function settle(state: SpoolState, from: Position, to: Position): void {
  if (state.closed || comparePositions(to, state.acked) <= 0) return;
  addSettled(state, from, to);
  const before = state.acked;
  while (state.settled.length > 0 && comparePositions(state.settled[0]!.from, state.acked) <= 0) {
    const { to: through } = state.settled.shift()!;
    if (comparePositions(through, state.acked) > 0) state.acked = through;
  }
  try {
    state.ack.write({ cursor: state.acked, settled: state.settled });
    if (comparePositions(state.acked, before) > 0) deleteAcknowledged(state);
  } catch (error) {
    state.fault('could not record delivered messages in storage; they may be sent again after a restart', error);
  }
}

/** Inserts a range in order, merged with those it touches or overlaps. */
function addSettled(state: SpoolState, from: Position, to: Position): void {
  let start = from;
  let end = to;
  const kept: SettledRange[] = [];
  let at = 0;
  for (const range of state.settled) {
    if (comparePositions(range.to, start) < 0) {
      kept.push(range);
      at = kept.length;
    } else if (comparePositions(range.from, end) > 0) {
      kept.push(range);
    } else {
      if (comparePositions(range.from, start) < 0) start = range.from;
      if (comparePositions(range.to, end) > 0) end = range.to;
    }
  }
  kept.splice(at, 0, { from: start, to: end });
  state.settled = kept;
}

function deleteAcknowledged(state: SpoolState): void {
  let synced = false;
  while (state.segments.length > 1 && state.readIndex > 0 && isAcknowledged(state, state.segments[0]!)) {
    if (!synced) state.ack.sync();
    synced = true;
    const segment = state.segments.shift()!;
    state.readIndex--;
    state.totalBytes -= recordBytes(segment);
    const name = segmentName(segment.id);
    try {
      if (segment.corrupt) state.io.renameSync(join(state.directory, name), join(state.directory, corruptName(name)));
      else state.io.unlinkSync(join(state.directory, name));
    } catch (error) {
      // Behind the cursor already: the next start removes it. Storage itself still works, so appends go on.
      const what = segment.corrupt ? `set ${name} aside as ${corruptName(name)}` : `remove the delivered ${name}`;
      state.report(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not ${what}; the next start removes it: ${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}`, [], { cause: error }));
    }
  }
}

function isAcknowledged(state: SpoolState, segment: Segment): boolean {
  return segment.id < state.acked.segment || (segment.id === state.acked.segment && state.acked.offset >= segment.bytes && segment !== state.writer);
}

/** Opens the ack file; anything else under its name is renamed aside: the cursor is lost, so the spool is sent again. */
function openAck(state: SpoolState): AckFile {
  const path = join(state.directory, ACK_FILE);
  try {
    return new AckFile(path, state.io);
  } catch (error) {
    if (!(error instanceof NotRegularFile)) throw error;
    const aside = `ack.skipped-${Date.now()}`;
    state.io.renameSync(path, join(state.directory, aside));
    state.reportLater(new DeliveryError('MR_ERR_STORAGE_ENTRY_SKIPPED', `${path} is ${error.kind}, not opened through; it is renamed ${aside}, and the spool is sent again from its oldest record (duplicates possible)`, []));
    return new AckFile(path, state.io);
  }
}

/** The stored cursor; when it cannot be read, nothing acknowledged (duplicates, never loss), reported, and start-up goes on. */
function readAck(state: SpoolState): AckState {
  let stored: { state: AckState; valid: boolean };
  try {
    stored = state.ack.read();
  } catch (error) {
    state.reportLater(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not read the acknowledgement cursor (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}); the spool is sent again from its oldest record (duplicates possible)`, [], { cause: error }));
    return NOTHING_ACKNOWLEDGED;
  }
  if (!stored.valid) state.reportLater(new DeliveryError('MR_ERR_STORAGE_CORRUPT', 'the acknowledgement cursor was unreadable; the spool is sent again from its oldest record (duplicates possible)', []));
  return stored.state;
}
