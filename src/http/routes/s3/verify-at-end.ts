/**
 * A pass-through that digests the bytes and checks the digest before the stream ends: a mismatch errors the
 * stream, so the store, which keeps a body only once it has ended, keeps nothing. The last chunk is held back
 * until the check has passed: a store relaying a body of known length straight to its backend would
 * otherwise have sent every byte before the error, and the backend would keep them.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';

export interface DigestCheck {
  update(chunk: Buffer): void;
  /** Throws (or rejects) when the digest is not the one announced. */
  verify(): void | Promise<void>;
}

class VerifyAtEnd extends Transform {
  #held: Buffer | undefined;

  constructor(private readonly check: DigestCheck) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.check.update(chunk);
    const previous = this.#held;
    this.#held = chunk;
    callback(null, previous);
  }

  override _flush(callback: TransformCallback): void {
    Promise.resolve()
      .then(() => this.check.verify())
      .then(() => callback(null, this.#held), callback);
  }
}

const NO_CHECK: DigestCheck = { update: () => undefined, verify: () => undefined };

/** `body` with its last chunk held until it has ended well (its checks, done upstream, passed). */
export const heldUntilEnd = (body: Readable): Readable => verifiedAtEnd(body, NO_CHECK);

/** `body` through `check`; an error of `body` errors the result too. */
export function verifiedAtEnd(body: Readable, check: DigestCheck): Readable {
  const checked = body.pipe(new VerifyAtEnd(check));
  body.on('error', (err) => checked.destroy(err));
  return checked;
}
