// Small shared pieces of the reliability scripts: the ingestion child process, memory figures,
// exact per-message bookkeeping and plain-text tables.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** Starts lib/ingest-process.mjs; resolves with its URL and a function to send it a command. */
export async function startIngestProcess() {
  const child = fork(fileURLToPath(new URL('./ingest-process.mjs', import.meta.url)), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [{ port }] = await once(child, 'message');
  const ask = async (message) => {
    child.send(message);
    const [answer] = await once(child, 'message');
    return answer;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    setMode: (mode, extra = {}) => ask({ mode, ...extra }),
    report: () => ask({ report: true }),
    async stop() {
      child.send({ exit: true });
      await once(child, 'exit');
    },
  };
}

export const MB = 1024 * 1024;
export const mb = (bytes) => (bytes / MB).toFixed(1);

/** A byte per call: bit 1 = the call returned a messageId, bit 2 = reported dropped (bit 4 = twice). */
export class Ledger {
  constructor() {
    this.state = new Uint8Array(1 << 16);
    this.calls = 0;
    this.byCode = {};
    this.reportedTwice = 0;
  }

  grow(n) {
    if (n < this.state.length) return;
    const grown = new Uint8Array(Math.max(this.state.length * 2, n + 1));
    grown.set(this.state);
    this.state = grown;
  }

  called(n) {
    this.grow(n);
    this.state[n] |= 1;
    this.calls++;
  }

  /** Records an error-channel report (`<prefix>-<n>` ids). */
  reported(error) {
    this.byCode[error.code] = (this.byCode[error.code] ?? 0) + error.messageIds.length;
    for (const id of error.messageIds) {
      const n = Number(id.slice(id.lastIndexOf('-') + 1));
      this.grow(n);
      if (this.state[n] & 2) this.reportedTwice++;
      this.state[n] |= 2;
    }
  }

  get reportedTotal() {
    return Object.values(this.byCode).reduce((sum, count) => sum + count, 0);
  }

  /**
   * Compares with the server's ingestion counts: every message must end ingested or reported, not
   * both, not neither. `below`: also count the messages under that index that were not reported.
   */
  reconcile(counts, below = 0) {
    const result = { ingested: 0, reportedLost: 0, silentlyLost: 0, reportedYetIngested: 0, duplicates: 0, heldBefore: 0, heldBeforeDelivered: 0 };
    for (let n = 0; n < this.calls; n++) {
      const ingested = n < counts.length ? counts[n] : 0;
      const dropped = (this.state[n] & 2) !== 0;
      if (ingested > 0) result.ingested++;
      if (ingested > 1) result.duplicates += ingested - 1;
      if (dropped) result.reportedLost++;
      if (dropped && ingested > 0) result.reportedYetIngested++;
      if (!dropped && ingested === 0) result.silentlyLost++;
      if (n < below && !dropped) {
        result.heldBefore++;
        if (ingested > 0) result.heldBeforeDelivered++;
      }
    }
    return result;
  }
}

/** Prints rows (arrays) under headers, columns padded; numbers right-aligned. */
export function table(headers, rows) {
  const cells = [headers, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) => row.map((cell, i) => (typeof rows[0]?.[i] === 'number' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}

/** A check line for the verdict table. */
export const check = (name, ok, detail) => [name, ok ? 'yes' : 'NO', detail];
