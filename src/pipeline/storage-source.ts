import type { openStorage } from './node-storage.js';

let opener: typeof openStorage | undefined;

/**
 * Called once, by the Node entry (`index.ts`) as it loads: how to open the spool (`storage`) and the
 * dead-letter file (`deadLetterFile`) beneath a delivery (`node-storage.ts`, loaded then). The edge
 * entry never calls it, so no file-system code is in an edge bundle.
 */
export function provideStorage(open: typeof openStorage): void {
  opener = open;
}

/** How to open storage; undefined through the edge entry. */
export function storageOpener(): typeof openStorage | undefined {
  return opener;
}
