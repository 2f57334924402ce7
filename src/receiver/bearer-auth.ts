import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * A check of the `Authorization` header against `Bearer <token>`; with no token, everything
 * passes. Both sides are hashed first so that the comparison is constant-time whatever the
 * lengths: the time taken says nothing about how much of a guess was right.
 */
export function bearerCheck(token: string | undefined): (authorization: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (authorization) => {
    const presented = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
    const matches = timingSafeEqual(digest(presented ?? ''), expected);
    return presented !== undefined && matches;
  };
}
