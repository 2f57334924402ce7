import type { ServerResponse } from 'node:http';

/**
 * Writes `response`'s body a piece at a time and ends it: `next` is asked for the following piece
 * only once the client has taken the ones before (the socket drained), so a client that does not
 * read holds about one piece however large the whole body is. `next` returns undefined at the end.
 */
export function writePaced(response: ServerResponse, next: () => string | undefined): void {
  const pump = (): void => {
    while (!response.destroyed) {
      const text = next();
      if (text === undefined) {
        response.end();
        return;
      }
      if (!response.write(text)) {
        response.once('drain', pump);
        return;
      }
    }
  };
  pump();
}
