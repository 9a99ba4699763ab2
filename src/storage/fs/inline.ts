/**
 * Small objects live inline in meta.sqlite (table inline_data) instead of in blob files: a small PUT then costs
 * one grouped commit instead of a file create, two fsyncs and a commit, and a small GET one indexed read
 * instead of open/read/close. The body is read up to the limit before deciding; past it, the bytes read so
 * far and the rest of the stream go to a blob file as usual.
 */
import type { Readable } from 'node:stream';
import { bodyFailure, toBuffer, type StartedBody } from './blobs.js';

/** Objects up to this size are stored inline. */
export const INLINE_MAX = 32 * 1024;

export type SmallOrStarted = { data: Buffer } | { started: StartedBody };

/**
 * Reads `body` until it ends (→ its bytes) or passes INLINE_MAX (→ the started stream, for a blob file).
 * Takes the body over synchronously, like BlobFiles.write. On failure the body is destroyed.
 */
export async function readSmall(body: Readable, signal: AbortSignal | undefined): Promise<SmallOrStarted> {
  const chunks = body[Symbol.asyncIterator]();
  let pending = chunks.next();
  const head: Buffer[] = [];
  let size = 0;
  const onAbort = () => body.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await pending;
      } catch (err) {
        throw bodyFailure(err, signal);
      }
      if (next.done) return { data: Buffer.concat(head, size) };
      const chunk = toBuffer(next.value);
      head.push(chunk);
      size += chunk.length;
      if (size > INLINE_MAX) return { started: { chunks, head } };
      pending = chunks.next();
    }
  } catch (err) {
    body.destroy();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
